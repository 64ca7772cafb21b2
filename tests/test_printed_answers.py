"""What the worksheets print is what a student can type: every result and every exercise answer, typed back in, is correct."""

from __future__ import annotations

import pytest

import symwork
from symwork.answers.exercises import exercise_answer
from symwork.answers.marking import check_answer
from symwork.parse.plain_printer import PlainUnwritableError, plain
from symwork.publish.problems import problem

pytestmark = pytest.mark.slow

DERIVATIONS = [d.id for d in symwork.derivations()]


def _answers(derivation_id: str) -> list[tuple[str, int, str | None]]:
    """(printed answer, seed, part label or None) for each answer the key prints."""
    shown = problem(symwork.get(derivation_id))
    if shown.exercise_seed is None:
        return []
    answers = getattr(shown, "answers", ())
    if len(answers) > 1:
        return [(str(answer.text), shown.exercise_seed, str(answer.label)) for answer in answers]
    return [(str(shown.exercise_answer), shown.exercise_seed, None)]


@pytest.mark.parametrize("derivation_id", DERIVATIONS)
def test_printed_result_typed_back_in_latex_is_correct(derivation_id: str) -> None:
    derivation = symwork.get(derivation_id)
    printed = str(problem(derivation).result)
    result = check_answer(derivation, printed)
    assert result.verdict.value == "equal", (printed, result.feedback)


@pytest.mark.parametrize("derivation_id", DERIVATIONS)
def test_printed_exercise_answers_typed_back_are_correct(derivation_id: str) -> None:
    derivation = symwork.get(derivation_id)
    for text, seed, part in _answers(derivation_id):
        result = check_answer(derivation, text, seed=seed, part=part)
        assert result.verdict.value == "equal", (text, part, result.feedback)


@pytest.mark.parametrize("derivation_id", DERIVATIONS)
def test_result_typed_back_in_plain_syntax_is_correct_where_plain_can_write_it(derivation_id: str) -> None:
    derivation = symwork.get(derivation_id)
    try:
        text = plain(derivation.body.result.rhs)
    except PlainUnwritableError:
        pytest.skip("plain syntax has no sums, derivatives or LaTeX-only names")
    result = check_answer(derivation, text)
    assert result.verdict.value == "equal", (text, result.feedback)


def test_plain_syntax_writes_most_results() -> None:
    writable = 0
    for derivation_id in DERIVATIONS:
        try:
            plain(symwork.get(derivation_id).body.result.rhs)
            writable += 1
        except PlainUnwritableError:
            continue
    assert writable >= 30


@pytest.mark.parametrize("derivation_id", DERIVATIONS)
def test_exercise_answer_typed_back_in_plain_syntax_is_correct_where_plain_can_write_it(derivation_id: str) -> None:
    derivation = symwork.get(derivation_id)
    shown = problem(derivation)
    if shown.exercise_seed is None or len(getattr(shown, "answers", ())) > 1:
        pytest.skip("no exercise, or one whose parts are checked one by one above")
    try:
        text = plain(exercise_answer(derivation, shown.exercise_seed))
    except PlainUnwritableError:
        pytest.skip("an array of more than two axes, or notation plain syntax cannot write")
    result = check_answer(derivation, text, seed=shown.exercise_seed)
    assert result.verdict.value == "equal", (text, result.feedback)
