"""The public case table through `answers.equal`, adversarial inputs, `check` feedback and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symwork import answers
from symwork.answers.sandbox import Sandbox

CASES = [
    json.loads(line) for line in (Path(__file__).parent / "cases" / "answers.jsonl").read_text().splitlines() if line
]


@pytest.fixture(scope="module")
def box() -> Sandbox:
    with Sandbox(workers=1, timeout=2.0) as sandbox:
        sandbox.warm()
        yield sandbox


def test_case_table_has_at_least_150_rows_of_each_kind() -> None:
    assert len(CASES) >= 150
    assert {row["expected"] for row in CASES} == {"equal", "different", "error"}


@pytest.mark.parametrize("row", CASES, ids=[f"{i}:{r['text_a'][:30]}" for i, r in enumerate(CASES)])
def test_case_table_verdicts(row: dict, box: Sandbox) -> None:
    result = answers.equal(row["text_a"], row["text_b"], sandbox=box)
    assert result["verdict"] == row["expected"], result


def test_equal_returns_the_documented_json_shape(box: Sandbox) -> None:
    result = answers.equal("sqrt(x^2)", "x", sandbox=box)
    assert set(result) >= {"verdict", "method", "counterexample", "error", "elapsed_ms"}
    assert result["verdict"] == "different"
    point = result["counterexample"]["point"]["x"]
    assert point < 0
    assert result["counterexample"]["a"] == pytest.approx(-point)
    json.dumps(result)
    assert answers.EXIT_CODES == {"equal": 0, "different": 1, "undecided": 3, "error": 2}
    assert answers.format_equal(result).startswith("different (numeric)")


MARKER = Path("/tmp/symwork-pwned")
ADVERSARIAL = [
    "__import__('os').system('touch /tmp/symwork-pwned')",
    "().__class__.__base__.__subclasses__()",
    "x.subs.__globals__['__builtins__']['__import__']('os').system('touch /tmp/symwork-pwned')",
    "lambda: __import__('os').system('touch /tmp/symwork-pwned')",
    'f\'{__import__("os").system("touch /tmp/symwork-pwned")}\'',
    r"x^{10^{10^{10}}}",
    "9^9^9",
    "(10^9)!",
    "(" * 5000 + "x" + ")" * 5000,
    "x+" * 350_000 + "x",
    "x\x00",
    "\x07\x1b[2Jx",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_input_is_refused_quickly_and_runs_nothing(text: str, box: Sandbox) -> None:
    MARKER.unlink(missing_ok=True)
    result = answers.equal(text, "x", sandbox=box)
    assert result["verdict"] in {"error", "undecided"}
    assert result["elapsed_ms"] < 3000
    assert not MARKER.exists()


def test_check_general_softmax_jacobian_accepts_index_notation(box: Sandbox) -> None:
    result = answers.check("softmax-jacobian", r"s_i(\delta_{ij} - s_j)", sandbox=box)
    assert result["verdict"] == "equal"
    assert result["expected_shape"] == "scalar expression (free indices i, j)"


def test_check_recognises_a_sign_error(box: Sandbox) -> None:
    result = answers.check("softmax-jacobian", r"s_i(s_j - \delta_{ij})", sandbox=box)
    assert result["verdict"] == "different"
    assert "sign error" in result["feedback"]


def test_check_recognises_a_missing_factor_of_two(box: Sandbox) -> None:
    result = answers.check("sigmoid-derivative", r"2\sigma(x)(1-\sigma(x))", sandbox=box)
    assert result["verdict"] == "different"
    assert "factor of 2" in result["feedback"]


def test_check_with_seed_reports_wrong_shape_and_transpose(box: Sandbox) -> None:
    result = answers.check("quadratic-form-gradient", "[[10,-22]]", seed=1, sandbox=box)
    assert result["verdict"] == "different"
    assert result["expected_shape"] == "2x1 (a column vector)"
    assert "Transposing your answer gives the right result" in result["feedback"]
    assert answers.check("quadratic-form-gradient", "[10,-22]", seed=1, sandbox=box)["verdict"] == "equal"


def test_check_matrix_general_form_is_decided(box: Sandbox) -> None:
    # Issue 10 replaced "undecided: check a numeric exercise instead" by a decision in matrix form.
    result = answers.check("quadratic-form-gradient", "(A+A^T)x", sandbox=box)
    assert result["verdict"] == "equal"
    assert result["expected_shape"] == "n×1 (a column vector)"
    assert answers.format_check(result).startswith("correct")
    wrong = answers.check("quadratic-form-gradient", "2Ax", sandbox=box)
    assert wrong["verdict"] == "different"
    assert "read Ax as A·x" in wrong["feedback"]


def test_check_unknown_symbol_is_an_error_in_student_terms(box: Sandbox) -> None:
    result = answers.check("sigmoid-derivative", "q*x", sandbox=box)
    assert result["verdict"] == "error"
    assert "'q'" in result["feedback"]


def test_check_unknown_derivation_is_an_error(box: Sandbox) -> None:
    assert answers.check("no-such-derivation", "x", sandbox=box)["verdict"] == "error"
