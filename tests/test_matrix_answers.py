"""Matrix-form, index-form and scalar answers read in a derivation's scope: the public table, hand derivations, feedback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import symwork
from symwork.answers.marking import check_answer, compare_texts
from symwork.answers.verify import format_verify, verify_file, verify_text
from symwork.cli import main
from symwork.errors import SymworkError

CASES_FOLDER = Path(__file__).parent / "cases"
CASES = [json.loads(line) for line in (CASES_FOLDER / "matrix_answers.jsonl").read_text(encoding="utf-8").splitlines() if line]
DERIVATIONS = sorted((CASES_FOLDER / "hand_derivations").iterdir())


def _run(row: dict) -> tuple[str, str]:
    try:
        if row["derivation"]:
            result = check_answer(symwork.get(row["derivation"]), row["answer"])
            return result.verdict.value, result.feedback
        comparison = compare_texts(row["answer"], row["other"])
        return comparison.verdict.value, " ".join((comparison.detail, *comparison.notes))
    except SymworkError as exc:
        return "error", str(exc)


def test_matrix_answer_table_has_at_least_120_cases_of_every_kind() -> None:
    assert len(CASES) >= 120
    # "undecided": equal only if upper-case letters are numbers (AB against BA without matrix evidence).
    assert {"equal", "different", "error"} <= {row["expected"] for row in CASES} <= {"equal", "different", "error", "undecided"}
    tags = {tag for row in CASES for tag in row["tags"]}
    assert {"matrix", "index", "plain", "latex", "conventions", "four-axis", "shape", "transpose", "sign"} <= tags
    # Every wrong answer says what feedback it must get.
    assert all(row["feedback"] for row in CASES if row["expected"] == "different" and row["derivation"])


@pytest.mark.parametrize("row", CASES, ids=[f"{i}:{r['derivation'] or 'equal'}:{r['answer'][:30]}" for i, r in enumerate(CASES)])
def test_matrix_answer_table_verdicts_and_feedback(row: dict) -> None:
    verdict, words = _run(row)
    assert verdict == row["expected"], words
    assert row["feedback"] in words


def test_hand_derivation_folder_has_at_least_twenty_files() -> None:
    assert len(DERIVATIONS) >= 20


@pytest.mark.parametrize("path", DERIVATIONS, ids=[p.name for p in DERIVATIONS])
def test_hand_derivations_give_the_expected_first_wrong_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"expect: (\w+)(?: (\d+))?", text)
    against = re.search(r"against: ([\w-]+)", text)
    assert expect is not None
    result = verify_file(path, against=against.group(1) if against else None)
    wanted = (expect.group(1), int(expect.group(2)) if expect.group(2) else None)
    assert (result["verdict"], result["first_wrong_line"]) == wanted, result


def test_verify_reads_justifications_as_text_and_reports_them() -> None:
    text = "\\begin{align*}\nx^2-1 &= (x-1)(x+1) && \\text{difference of squares} \\\\\n &= x^2 + x - x - 1 \\quad \\text{by algebra}\n\\end{align*}\n"
    result = verify_text(text)
    assert result["verdict"] == "valid"
    assert result["justifications"] == [{"line": 2, "text": "difference of squares"}, {"line": 3, "text": "by algebra"}]
    assert "[difference of squares]" in format_verify(result)


def test_verify_counterexample_names_the_free_index_by_its_value() -> None:
    result = verify_text("\\[ \\frac{\\partial}{\\partial z_j}\\sum_i z_i^2 = 0 \\]")
    assert result["verdict"] == "invalid"
    example = result["counterexample"]
    assert set(example["index"]) == {"j"} and isinstance(example["index"]["j"], int)
    assert 1 <= example["index"]["j"] <= len(example["point"]["z"])


def test_check_missing_kronecker_delta_is_not_correct_at_distinct_sizes() -> None:
    # The false "Correct." of issue 10: with every axis at least 2, the δ_bf factor matters.
    result = check_answer(symwork.get("attention-jacobian-v"), "P_{ac}")
    assert result.verdict.value == "different"
    sizes = result.counterexample.sizes
    assert min(sizes.values()) >= 2 and len(set(sizes.values())) == len(sizes)


def test_check_swapped_indices_is_a_verdict_with_words_not_a_crash() -> None:
    result = check_answer(symwork.get("attention-jacobian-v"), r"P_{ca}\delta_{bf}")
    assert result.verdict.value == "different"
    assert "check the order of the indices" in result.feedback


def test_check_transposed_matrix_answer_says_so() -> None:
    result = check_answer(symwork.get("quadratic-form-gradient"), r"\bm{x}^\top(A + A^\top)")
    assert result.verdict.value == "different"
    assert "your answer is 1×n (a row vector), the result is n×1 (a column vector): transposed?" in result.feedback.lower()
    assert "Transposing your answer gives the right result" in result.feedback


def test_check_relabelled_indices_are_mapped_to_the_result_axes_with_a_note() -> None:
    result = check_answer(symwork.get("softmax-jacobian"), r"s_k(\delta_{kl} - s_l)")
    assert result.verdict.value == "equal"
    assert "read your indices k as i, l as j" in result.feedback


def test_check_printed_names_are_names() -> None:
    kl = r"\log\frac{\sigma_{2}}{\sigma_{1}} - \frac{1}{2} + \frac{\sigma_{1}^{2} + (\mu_{1} - \mu_{2})^{2}}{2\sigma_{2}^{2}}"
    assert check_answer(symwork.get("kl-gaussians"), kl).verdict.value == "equal"
    assert check_answer(symwork.get("cross-entropy-gradient"), "s - y").verdict.value == "equal"


def test_check_counterexample_text_has_sizes_and_indices_not_a_python_dict() -> None:
    result = check_answer(symwork.get("softmax-jacobian"), r"s_i \delta_{ij}")
    assert result.verdict.value == "different"
    assert "{" not in result.feedback and "with n = " in result.feedback and "entry (i, j) = (" in result.feedback


def test_equal_reads_plain_words_as_products_with_a_note() -> None:
    comparison = compare_texts("2ab", "2*a*b")
    assert comparison.verdict.value == "equal"
    assert comparison.notes == ("read ab as a·b",)
    assert compare_texts("ad-bc", "a*d - b*c").verdict.value == "equal"


def test_equal_expands_a_sum_with_numeric_bounds_over_entries() -> None:
    assert compare_texts(r"\sum_{k=1}^{3} e^{z_k}", "e^{z_1}+e^{z_2}+e^{z_3}").verdict.value == "equal"
    assert compare_texts(r"\sum_{i=1}^{3} z_i", "3 z_i").verdict.value == "different"


@pytest.mark.parametrize("answer", ["-s + y", r"-\bm{s} + \bm{y}"])
def test_cli_takes_answers_that_start_with_a_minus_sign(answer: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["check", "cross-entropy-gradient", answer, "--timeout", "20"])
    assert result.exit_code == 1, result.output
    assert "sign error" in result.output
    with_dashes = runner.invoke(main, ["check", "--timeout", "20", "cross-entropy-gradient", "--", answer])
    assert with_dashes.exit_code == 1, with_dashes.output


@pytest.mark.parametrize("derivation_id", ["softmax-jacobian", "cross-entropy-gradient"])
def test_verify_accepts_symworks_own_show_latex_output(derivation_id: str, tmp_path: Path) -> None:
    shown = CliRunner().invoke(main, ["show", derivation_id, "--format", "latex"])
    assert shown.exit_code == 0, shown.output
    path = tmp_path / "shown.tex"
    path.write_text(shown.output, encoding="utf-8")
    result = verify_file(path)  # the file's first line names the derivation: it is read against it
    assert result["verdict"] == "valid", result
    assert result["against"]["id"] == derivation_id


@pytest.mark.parametrize(
    ("name", "against"), [("matrix-gradient.tex", "quadratic-form-gradient"), ("index-softmax-jacobian.tex", "softmax-jacobian")]
)
def test_matrix_and_index_examples_verify(name: str, against: str) -> None:
    path = Path(__file__).resolve().parent.parent / "examples" / name
    result = verify_file(path, against=against)
    assert result["verdict"] == "valid", result
    assert (result["against"]["starts"], result["against"]["ends"]) == ("equal", "equal")


@pytest.mark.parametrize(
    ("first", "second", "verdict"),
    [
        ("AB", "BA", "undecided"),  # equal only as numbers: matrices do not commute
        ("ABC", "CBA", "undecided"),
        ("A^{-1}B", "BA^{-1}", "undecided"),
        ("A+B", "B+A", "equal"),  # commutes as matrices too
        ("AB", "AB", "equal"),
        ("(AB)^T", "B^T A^T", "equal"),  # the transpose of the product A·B, not of a matrix called AB
        ("(ABC)^T", "C^T B^T A^T", "equal"),
        ("(AB)^T", "A^T B^T", "different"),
        ("xy", "yx", "equal"),  # lower-case letters are numbers
        (r"\frac{1}{N}\sum_{i=1}^{N} x_i", r"\sum_{i=1}^{N} x_i/N", "equal"),
        (r"\mathbf{A}\mathbf{B}", r"\mathbf{B}\mathbf{A}", "different"),
    ],
)
def test_equal_upper_case_products_are_not_equal_by_reading_matrices_as_numbers(
    first: str, second: str, verdict: str
) -> None:
    result = compare_texts(first, second)
    assert result.verdict.value == verdict, result.detail
    if verdict == "undecided":
        assert "matrices" in result.detail
