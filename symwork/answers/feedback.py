"""What a checked answer means, in a student's words: slips, wrong shapes, counterexamples, undecided checks.

Every sentence a student reads about a typed answer (from `symwork check`, `symwork verify` or a grade
report) is written here, once; the checker decides *which* applies (see `symwork.answers.marking`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from symwork.answers.result import AnswerVerdict, Comparison, Counterexample

CORRECT = "Correct."
NOT_EQUAL = "Not equal."
#: Why a comparison of typed answers may end undecided without saying more.
TOO_FEW_POINTS = "too few points where both are defined"
NO_VERDICT = "no verdict"
MATRIX_FOR_SCALAR = "Wrong shape: the result is one scalar expression (in index notation); you gave a matrix."
MEMORY_LIMIT = "memory limit: the check ran out of memory"


class Slip(Enum):
    """Common slips, in the order they are tried; each value says what the student did."""

    SIGN = "your answer has the opposite sign (a sign error)"
    DOUBLE = "your answer is twice the right one (an extra factor of 2)"
    HALF = "your answer is half the right one (a missing factor of 2)"
    TRANSPOSE = "your matrix is the transpose of the right one"


def number(value: Any) -> str:
    """A value for people: six significant digits for floats, exact values as they are."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def shape_text(shape: Sequence[int], *, matrix: bool) -> str:
    """``2x1 (a column vector)``, ``1x3 (a row vector)``, ``2x2``, ``2x3x4`` or ``scalar``."""
    if matrix:
        rows, cols = shape
        kind = " (a column vector)" if cols == 1 and rows > 1 else (" (a row vector)" if rows == 1 and cols > 1 else "")
        return f"{rows}x{cols}{kind}"
    return "x".join(str(d) for d in shape) if shape else "scalar"


def scalar_shape(indices: Sequence[str]) -> str:
    """The shape of a general (index-notation) result: ``scalar expression (free indices i, j)``."""
    return f"scalar expression (free indices {', '.join(indices)})" if indices else "scalar expression"


def describe_point(example: Counterexample, *, mine: str = "", theirs: str = "") -> str:
    """``entry (1, 2): at x = 0.5: 3 against 4``; ``mine`` and ``theirs`` label the two values."""
    point = ", ".join(f"{name} = {value}" for name, value in example.point.items())
    where = f"at {point}: " if point else ""
    entry = f"entry {tuple(example.entry)}: " if example.entry else ""
    return f"{entry}{where}{example.a}{mine} against {example.b}{theirs}"


def not_equal(example: Counterexample | None) -> str:
    """Where the student's answer and the expected one disagree, or only that they do."""
    if example is None:
        return NOT_EQUAL
    return f"Not equal: {describe_point(example, mine=' (yours)', theirs=' (expected)')}."


def close(slip: Slip) -> str:
    return f"Close: {slip.value}."


def wrong_shape(yours: str, expected: str, *, transposed_fits: bool) -> str:
    hint = f"Wrong shape: your answer is {yours}, the answer is {expected}."
    return hint + " Transposing your answer gives the right result." if transposed_fits else hint


def could_not_decide(detail: str, *, fallback: str = TOO_FEW_POINTS) -> str:
    return f"Could not decide: {detail or fallback}."


def too_many_axes(shape: str) -> str:
    return f"This exercise's answer has shape {shape}; typed answers of more than two axes are not supported yet."


def needs_numbers(names: Sequence[str]) -> str:
    return f"The exercise asks for numbers; your answer still contains {', '.join(names)}. Substitute the given values."


def general_form_untypable(derivation_id: str, reason: str) -> str:
    return f"The general result of {derivation_id!r} {reason}; check a numeric exercise instead with --seed N."


def checked_sizes(sizes: Mapping[str, int]) -> str:
    """Appended to a counterexample of a general answer: the sizes the instance had."""
    return f" (checked with sizes {dict(sizes)})" if sizes else ""


def time_limit(timeout: float) -> str:
    return f"time limit: stopped after {timeout:g} s"


def for_failure(result: Comparison) -> str:
    """Feedback for a check that ended without the checker's own words (an error or a stopped worker)."""
    if result.verdict == AnswerVerdict.ERROR:
        return result.error or ""
    if result.verdict == AnswerVerdict.UNDECIDED:
        return could_not_decide(result.detail, fallback=NO_VERDICT)
    return ""


def step_counterexample(example: Mapping[str, Any]) -> str:
    """Where a step of a hand derivation fails, from the JSON counterexample of `symwork equal`."""
    point = ", ".join(f"{name} = {number(value)}" for name, value in example.get("point", {}).items())
    index = ", ".join(f"{name} = {value}" for name, value in example.get("index", {}).items())
    where = "; ".join(part for part in (point, index) if part) or "the numbers themselves"
    return f"at {where}: the line before gives {number(example['a'])}, this line {number(example['b'])}"
