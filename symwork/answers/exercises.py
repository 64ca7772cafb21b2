"""Checking an exercise variant's answer: numbers against numbers, with labels, columns and arrays of any rank.

An answer may carry its own label (``J = …``, ``\\GELU'(x) = …``): the text after the last top-level ``=``
is the answer. A vector may be typed as a column, a row or ``(a, b, c)^\\top``; an array of more than two
axes (a four-index Jacobian) as the nested brackets the key prints, compared entry by entry in reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symwork.answers import feedback
from symwork.answers.reading import split_label
from symwork.answers.result import AnswerResult, AnswerVerdict, Comparison, Counterexample
from symwork.compare import compare
from symwork.core.derivation import Derivation
from symwork.core.exercises import exercise_result
from symwork.core.spec import Status, Verdict
from symwork.errors import InputError, SymworkError
from symwork.parse import parse

#: Exact exercise answers kept per process (a class has a few variants per problem).
MAX_CACHED_ANSWERS = 1024

_answers: dict[tuple[str, int, str | None], tuple[Derivation, Any]] = {}


@dataclass(frozen=True)
class Word:
    """A part answered by a word ("independent"), with the words it may be."""

    word: str
    choices: tuple[str, ...]


def exercise_answer(derivation: Derivation, seed: int, part: str | None = None) -> Any:
    """The exact answer of one exercise variant, or of one of its parts (lists as a Matrix; a word as a `Word`).

    Built once per process, as it is the slow part. An unknown part label raises InputError listing the labels.
    """
    key = (derivation.id, seed, part)
    cached = _answers.get(key)
    if cached is not None and cached[0] is derivation:
        return cached[1]
    if part is None:
        answer = exercise_result(derivation, seed)  # the variant's answer alone: its parts are not built
    else:
        chosen = derivation.make_exercise(seed).part(part)
        answer = Word(str(chosen.answer), tuple(chosen.choices)) if chosen.is_word else chosen.answer
    if isinstance(answer, (list, tuple)):
        answer = sp.ImmutableMatrix(answer)
    if len(_answers) >= MAX_CACHED_ANSWERS:
        del _answers[next(iter(_answers))]  # the oldest: variants of a class arrive together
    _answers[key] = (derivation, answer)
    return answer


def _entries(value: Any) -> list[Any]:
    """The entries of a scalar, matrix or array in reading order (row-major, as the key prints them)."""
    if isinstance(value, sp.NDimArray):
        return list(sp.flatten(value.tolist())) if value.rank() else [value[()]]
    if isinstance(value, sp.MatrixBase):
        return list(value)
    return [value]


def _shape_text(expr: Any) -> str:
    if isinstance(expr, sp.MatrixBase):
        return feedback.shape_text(expr.shape, matrix=True)
    return feedback.shape_text(tuple(expr.shape) if isinstance(expr, sp.NDimArray) else (), matrix=False)


def _check_word(text: str, expected: Word) -> AnswerResult:
    """A word answer: the same word (case and \\text{} aside), another of its choices, or not a choice at all."""
    after = re.split(r"\\colon|:|=", text)[-1]
    typed = re.sub(r"\\(?:text|mathrm|textrm)\{([^{}]*)\}", r"\1", after).replace("\\ ", " ").strip().strip("$. ").lower()
    choices = [choice.lower() for choice in expected.choices]
    if typed == expected.word.lower():
        return AnswerResult(AnswerVerdict.EQUAL, "word", feedback=feedback.CORRECT, expected_shape="a word")
    if typed in choices:
        return AnswerResult(AnswerVerdict.DIFFERENT, "word", feedback=feedback.NOT_EQUAL, expected_shape="a word")
    raise InputError(f"This part is answered by one of the words {', '.join(map(repr, expected.choices))}, not {typed!r}.")


def check_exercise(
    derivation: Derivation, text: str, *, seed: int, budget: float, points: int, part: str | None = None
) -> AnswerResult:
    """Compare a typed answer with the exact answer of the exercise for ``seed`` (or its ``part``); ``points`` seeds it."""
    expected = exercise_answer(derivation, seed, part)
    if isinstance(expected, Word):
        return _check_word(text, expected)
    shape = _shape_text(expected)
    student = parse(split_label(text)[1])
    free = sorted(str(s) for s in getattr(student, "free_symbols", set()))
    if free:
        return AnswerResult(
            AnswerVerdict.DIFFERENT,
            "symbols",
            detail="the answer contains symbols",
            expected_shape=shape,
            feedback=feedback.needs_numbers(free),
        )
    if isinstance(expected, sp.NDimArray) or isinstance(student, sp.NDimArray):
        student = _blocks_in_order(student, split_label(text)[0], derivation)
        return _check_entries(student, expected, shape, points)
    if isinstance(expected, sp.MatrixBase) and expected.shape == (1, 1) and not isinstance(student, sp.MatrixBase):
        student = sp.ImmutableMatrix([[student]])
    if isinstance(student, sp.MatrixBase) and student.shape == (1, 1) and not isinstance(expected, sp.MatrixBase):
        student = student[0, 0]
    options: dict[str, Any] = {"seed": points, "budget": budget}
    verdict = compare(student, expected, **options)
    return AnswerResult.of(Comparison.from_verdict(verdict), feedback=_explain(verdict, student, expected, options), expected_shape=shape)


#: A label that names the block indices of a four-index array: J_{(a, c)} = …, [∂A_{ab}/∂K_{cf}]_{(a, c)} = ….
_BLOCK_LABEL = re.compile(r"_\{?\(\s*([A-Za-z])\s*,\s*([A-Za-z])\s*\)\}?\s*$")


def _blocks_in_order(student: Any, label: str, derivation: Derivation) -> Any:
    """An array typed as blocks over two indices, its axes put in the order the result states them.

    The label names the block indices (``J_{(a, b)} = …``); without one, the blocks are read as the
    worksheets and the key print them: over the first and third axes (J_{abcf} in blocks over (a, c), each
    block the matrix over (b, f)), so that a printed answer typed back is read as printed.
    """
    match = _BLOCK_LABEL.search(label.strip())
    axes = [str(index) for index in derivation.body.result_indices]
    if not isinstance(student, sp.NDimArray) or student.rank() != len(axes) or len(axes) != 4:
        return student
    outer = [match.group(1), match.group(2)] if match is not None else [axes[0], axes[2]]
    if any(letter not in axes for letter in outer) or outer[0] == outer[1]:
        return student
    order = outer + [letter for letter in axes if letter not in outer]  # the student's axes, outer blocks first
    return sp.permutedims(student, [order.index(letter) for letter in axes])


def _check_entries(student: Any, expected: Any, shape: str, points: int) -> AnswerResult:
    """Arrays of more than two axes: the same shape (up to axes of length 1), equal entry by entry in reading order."""
    mine, theirs = _entries(student), _entries(expected)
    shapes = [tuple(d for d in getattr(value, "shape", ()) if d != 1) for value in (student, expected)]
    if len(mine) == len(theirs) and shapes[0] != shapes[1]:
        words = (
            f"Your array has shape {tuple(student.shape)}, this exercise's answer has shape {shape}; "
            "write the blocks in the result's index order, or name the block indices in a label: J_{(a, c)} = …."
        )
        return AnswerResult(AnswerVerdict.DIFFERENT, "shape", detail=words, expected_shape=shape, feedback=words)
    if len(mine) != len(theirs):
        words = f"Your answer has {len(mine)} entries; this exercise's answer has shape {shape} ({len(theirs)} entries)."
        return AnswerResult(AnswerVerdict.DIFFERENT, "shape", detail=words, expected_shape=shape, feedback=words)
    for position, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        verdict = compare(a, b, seed=points + position)
        if verdict.status != Status.EQUAL:
            words = f"Entry {position + 1} (in reading order) is {feedback.number(_plain(a))}, not {feedback.number(_plain(b))}."
            if verdict.status == Status.UNDECIDED:
                words = feedback.could_not_decide(verdict.detail)
            return AnswerResult(AnswerVerdict(str(verdict.status)), verdict.method, detail=words, expected_shape=shape, feedback=words)
    return AnswerResult(AnswerVerdict.EQUAL, "exact", expected_shape=shape, feedback=feedback.CORRECT)


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, sp.Basic) and value.is_number and not value.is_Rational else value


def _explain(verdict: Verdict, student: Any, expected: Any, options: dict[str, Any]) -> str:
    if verdict.status == Status.EQUAL:
        return feedback.CORRECT
    if verdict.status == Status.UNDECIDED:
        return feedback.could_not_decide(verdict.detail)
    if verdict.method == "shape":
        fits = isinstance(student, sp.MatrixBase) and student.T.shape == _shape(expected)
        fits = fits and compare(student.T, expected, **options).equal
        return feedback.wrong_shape(_shape_text(student), _shape_text(expected), transposed_fits=fits)
    for slip, transform in (
        (feedback.Slip.SIGN, lambda e: -e),
        (feedback.Slip.DOUBLE, lambda e: 2 * e),
        (feedback.Slip.HALF, lambda e: e / 2),
        (feedback.Slip.TRANSPOSE, _transposed),
    ):
        try:
            candidate = transform(expected)
            if candidate is not None and _shape(candidate) == _shape(student) and compare(student, candidate, **options).equal:
                return feedback.close(slip)
        except (SymworkError, ValueError, TypeError, ArithmeticError):
            continue
    return feedback.not_equal(Counterexample.from_compare(verdict.counterexample))


def _transposed(expected: Any) -> Any:
    if isinstance(expected, sp.MatrixBase) and expected.shape[0] == expected.shape[1] and expected != expected.T:
        return expected.T
    return None


def _shape(expr: Any) -> tuple[int, ...]:
    return tuple(expr.shape) if hasattr(expr, "shape") else ()
