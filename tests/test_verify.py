"""Tests of symwork.verify: reading derivation files with exact line numbers, and checking each step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symwork.answers.verify import EXIT_CODES, Expression, extract, format_verify, verify_file, verify_text
from symwork.errors import InputError

ALIGN_VALID = r"""% the difference of squares
\begin{align*}
  (a + b)^2 - (a - b)^2
    &= a^2 + 2ab + b^2 - (a^2 - 2ab + b^2) \\
    &= 4ab
\end{align*}
"""

WRONG_MIDDLE = r"""\begin{align*}
  (a + b)^2 - (a - b)^2
    &= a^2 + 2ab + b^2 - (a^2 - 2ab + b^2) \\
    &= a^2 + 2ab + b^2 - a^2 - 2ab - b^2 \\
    &= 4ab
\end{align*}
"""

WRONG_LAST = r"""\begin{equation}
  \frac{d}{dx} x^3 = 3x^2 = 3x
\end{equation}
"""

MATRIX_CHAIN = r"""\[
  \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}^T
  = \begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix}
\]
$$ = \begin{bmatrix} 1 & 3 \\ 2 & 4 \end{bmatrix} $$
"""

MATRIX_WRONG = r"""\begin{align}
  \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}^T
  &= \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}
\end{align}
"""

PLAIN = """# plain syntax, one expression per line
(x^2 - 1)/(x - 1)
= x + 1

(x + 1)^2 - x^2 - x
"""

GATHER = r"""\begin{gather}
\sigma(x)(1 - \sigma(x)) \nonumber \\
= \frac{e^{-x}}{(1 + e^{-x})^2} \label{eq:s}
\end{gather}
"""

NOT_PARSING = r"""\begin{align*}
  x^2 - 1 &= (x - 1)(x + 1) \\
          &= x^2 + \frac{1}{ - 1
\end{align*}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ALIGN_VALID, [(3, "(a + b)^2 - (a - b)^2"), (4, "a^2 + 2ab + b^2 - (a^2 - 2ab + b^2)"), (5, "4ab")]),
        (WRONG_LAST, [(2, r"\frac{d}{dx} x^3"), (2, "3x^2"), (2, "3x")]),
        (
            MATRIX_CHAIN,
            [
                (2, r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}^T"),
                (3, r"\begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix}"),
                (5, r"\begin{bmatrix} 1 & 3 \\ 2 & 4 \end{bmatrix}"),
            ],
        ),
        (PLAIN, [(2, "(x^2 - 1)/(x - 1)"), (3, "x + 1"), (5, "(x + 1)^2 - x^2 - x")]),
        (GATHER, [(2, r"\sigma(x)(1 - \sigma(x))"), (3, r"\frac{e^{-x}}{(1 + e^{-x})^2}")]),
        ("\\[ 50\\% = x % a comment = y\n = 2x \\]", [(1, r"50\%"), (1, "x"), (2, "2x")]),
        ("\\begin{align*} f &= x \\\\[2pt]\n &= y \\end{align*}", [(1, "f"), (1, "x"), (2, "y")]),
    ],
)
def test_extract_gives_parts_with_line_numbers(text: str, expected: list[tuple[int, str]]) -> None:
    chain, _ = extract(text)
    assert chain == [Expression(line, body) for line, body in expected]


@pytest.mark.parametrize(
    ("text", "verdict", "first_wrong", "marks"),
    [
        (ALIGN_VALID, "valid", None, ["equal", "equal"]),
        (WRONG_MIDDLE, "invalid", 4, ["equal", "different", "different"]),
        (WRONG_LAST, "invalid", 2, ["equal", "different"]),
        (MATRIX_CHAIN, "valid", None, ["equal", "equal"]),
        (MATRIX_WRONG, "invalid", 3, ["different"]),
        (PLAIN, "valid", None, ["equal", "equal"]),
        (GATHER, "valid", None, ["equal"]),
    ],
)
def test_verify_text_gives_verdicts_and_first_wrong_line(
    text: str, verdict: str, first_wrong: int | None, marks: list[str]
) -> None:
    result = verify_text(text)
    assert (result["verdict"], result["first_wrong_line"]) == (verdict, first_wrong)
    assert [step["verdict"] for step in result["steps"]] == marks
    assert (result["counterexample"] is not None) == (verdict == "invalid")


def test_verify_file_reports_parse_error_with_line_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.tex"
    path.write_text(NOT_PARSING, encoding="utf-8")
    result = verify_file(path)
    assert (result["verdict"], result["error_line"], result["steps"]) == ("error", 3, [])
    assert result["error"].startswith("Line 3: ")
    assert EXIT_CODES[result["verdict"]] == 2
    assert format_verify(result).startswith("Error: Line 3: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\\begin{align*} x &= x\n", "Line 1: '\\\\begin{align*}' is never closed"),
        ("x + 1\n", "Found 1 expression(s)"),
    ],
)
def test_verify_text_refuses_incomplete_files(text: str, message: str) -> None:
    result = verify_text(text)
    assert result["verdict"] == "error"
    assert result["error"].startswith(message)


def test_verify_file_json_is_serialisable_and_exit_code_matches(tmp_path: Path) -> None:
    path = tmp_path / "wrong.tex"
    path.write_text(WRONG_MIDDLE, encoding="utf-8")
    result = json.loads(json.dumps(verify_file(path)))
    assert EXIT_CODES[result["verdict"]] == 1
    assert result["steps"][1] | {"counterexample": None} == {
        "line": 4,
        "text": "a^2 + 2ab + b^2 - a^2 - 2ab - b^2",
        "previous_line": 3,
        "verdict": "different",
        "method": result["steps"][1]["method"],
        "counterexample": None,
        "detail": result["steps"][1]["detail"],
    }


def test_format_verify_marks_steps_and_shows_counterexample() -> None:
    text = format_verify(verify_text(WRONG_MIDDLE))
    lines = text.splitlines()
    assert lines[:4] == [
        "line    2     (a + b)^2 - (a - b)^2",
        "line    3  ✓  = a^2 + 2ab + b^2 - (a^2 - 2ab + b^2)",
        "line    4  ✗  = a^2 + 2ab + b^2 - a^2 - 2ab - b^2",
        "line    5  ✗  = 4ab",
    ]
    assert lines[4] == "Invalid: the first wrong step is on line 4."
    assert lines[5].startswith("  Counterexample at a = ")


@pytest.mark.parametrize(
    ("text", "verdict", "starts", "ends"),
    [
        (r"\[ \frac{d}{dx}\sigma(x) = \sigma(x)(1 - \sigma(x)) \]", "valid", "equal", "equal"),
        (r"\[ \frac{d}{dx}\sigma(x) = \frac{e^{-x}}{(1 + e^{-x})^2} \]", "valid", "equal", "equal"),
        (r"\[ \sigma(x) = \frac{1}{1 + e^{-x}} \]", "invalid", "different", "different"),
    ],
)
def test_verify_against_checks_start_and_end(text: str, verdict: str, starts: str, ends: str) -> None:
    result = verify_text(text, against="sigmoid-derivative")
    assert (result["verdict"], result["against"]["starts"], result["against"]["ends"]) == (verdict, starts, ends)


def test_verify_against_unknown_id_raises() -> None:
    with pytest.raises(InputError, match="no-such-derivation"):
        verify_text("x = x", against="no-such-derivation")


def test_verify_examples_folder_gives_expected_verdicts() -> None:
    folder = Path(__file__).resolve().parent.parent / "examples"
    verdicts = {path.name: verify_file(path)["verdict"] for path in sorted(folder.glob("verify-*"))}
    assert verdicts == {"verify-plain.txt": "valid", "verify-valid.tex": "valid", "verify-wrong-step.tex": "invalid"}


# --- under a given sandbox (as `symwork serve` runs it) -----------------------------------------------------------


def _without_points(result: dict) -> dict:
    def strip(example: object) -> object:
        return sorted(example["point"]) if isinstance(example, dict) and "point" in example else example

    steps = [{**step, "counterexample": strip(step.get("counterexample"))} for step in result["steps"]]
    return {**result, "counterexample": strip(result["counterexample"]), "steps": steps}


@pytest.mark.parametrize("text", [WRONG_MIDDLE, NOT_PARSING, "x + 1\n", "\\begin{align*} x &= x\n"])
def test_verify_text_in_a_given_sandbox_is_the_cli_result(text: str) -> None:
    from symwork.answers.sandbox import Sandbox

    with Sandbox(workers=1) as box:
        boxed = verify_text(text, sandbox=box)
    # Points are drawn afresh on every call: compare all else, and which variables the points name.
    assert _without_points(boxed) == _without_points(verify_text(text))
    assert _without_points(verify_text(text, sandbox="in-process")) == _without_points(boxed)


def test_verify_text_reading_in_the_sandbox_is_under_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from symwork.answers import verify
    from symwork.answers.sandbox import Sandbox

    monkeypatch.setattr(verify, "READ_SECONDS", 1e-6)  # no worker reads a derivation this fast
    with Sandbox(workers=1) as box:
        result = verify_text(ALIGN_VALID, sandbox=box)
    assert result["verdict"] == "error" and result["steps"] == []
    assert result["error"].startswith("Reading the derivation took longer than 1e-06 s")


def test_verify_text_budget_leaves_the_rest_unchecked() -> None:
    result = verify_text(WRONG_MIDDLE, sandbox="in-process", budget=0.0)
    assert result["verdict"] == "undecided" and result["first_wrong_line"] is None
    assert [step["verdict"] for step in result["steps"]] == ["undecided"] * 3
    assert all(step["detail"].startswith("not checked: the 0 s allowed") for step in result["steps"])
    assert format_verify(result).splitlines()[-1].startswith("Undecided")
