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


#: Largest vector or matrix written out in a counterexample; a bigger one is named by its shape.
MAX_SHOWN_ENTRIES = 9


def value_text(value: Any) -> str:
    """A value of a point: a number, a vector (a, b, c), a matrix [[a, b], [c, d]], or "a 7×2 matrix" when large."""
    if isinstance(value, list):
        if value and isinstance(value[0], list) and len(value) * len(value[0]) > MAX_SHOWN_ENTRIES:
            return f"a {len(value)}×{len(value[0])} matrix"
        if value and not isinstance(value[0], list) and len(value) > MAX_SHOWN_ENTRIES:
            return f"a vector of {len(value)} entries"
        if value and isinstance(value[0], list):
            return "[" + ", ".join("[" + ", ".join(number(v) for v in row) + "]" for row in value) + "]"
        return "(" + ", ".join(number(v) for v in value) + ")"
    return number(value)


def describe_point(example: Counterexample, *, mine: str = "", theirs: str = "") -> str:
    """``with n = 3, at z = (0.1, 2, -1), entry (i, j) = (2, 1): 0.5 against 0.4``; ``mine``/``theirs`` label the values."""
    sizes = ", ".join(f"{name} = {value}" for name, value in (example.sizes or {}).items() if not name.startswith("_"))
    point = ", ".join(f"{name} = {value_text(value)}" for name, value in example.point.items())
    parts = [f"with {sizes}" if sizes else "", f"at {point}" if point else ""]
    if example.index:
        names, values = ", ".join(example.index), ", ".join(str(v) for v in example.index.values())
        parts.append(f"entry ({names}) = ({values})" if len(example.index) > 1 else f"entry {names} = {values}")
    elif example.entry:
        parts.append(f"entry {tuple(example.entry)}")
    where = ", ".join(part for part in parts if part)
    a, b = number(example.a), number(example.b)
    if a == b and isinstance(example.a, float) and isinstance(example.b, float):
        a, b = f"{example.a:.16g}", f"{example.b:.16g}"  # they differ beyond six digits: show where
    values = f"{a}{mine} against {b}{theirs}"
    return f"{where}: {values}" if where else values


def not_equal(example: Counterexample | None) -> str:
    """Where the student's answer and the expected one disagree, or only that they do."""
    if example is None:
        return NOT_EQUAL
    return f"Not equal: {describe_point(example, mine=' (yours)', theirs=' (expected)')}."


def close(slip: Slip) -> str:
    return f"Close: {slip.value}."


def ill_formed(words: str) -> str:
    """An answer that has no value: a product or sum of mismatched shapes, indices in the wrong order."""
    return f"Not correct: {words}"


#: Said when a transposed answer is right: the layout convention of docs/answer-syntax.md.
LAYOUT = "a gradient has the shape of its variable; a Jacobian is in numerator layout, one row per output"


def shape_words(detail: str, *, transposed_fits: bool) -> str:
    """A shape verdict's words, with the transpose hint (and the layout convention) when transposing makes it right."""
    hint = f"Wrong shape: {detail}"
    return hint + f" Transposing your answer gives the right result ({LAYOUT})." if transposed_fits else hint


def expected_shape(shape: Sequence[Any], indices: Sequence[str]) -> str:
    """What the result is: ``n×1 (a column vector)``, ``scalar expression (free indices i, j)`` or ``scalar expression``."""
    if shape:
        rows, cols = shape
        kind = " (a column vector)" if cols == 1 and rows != 1 else ""
        return f"{rows}×{cols}{kind}"
    return scalar_shape(indices)


def with_notes(words: str, notes: Sequence[str]) -> str:
    """Feedback followed by how the answer was read: ``Correct. (Read ab as a·b.)``."""
    if not notes:
        return words
    return f"{words} (Note: {'; '.join(dict.fromkeys(notes))}.)"


def wrong_shape(yours: str, expected: str, *, transposed_fits: bool) -> str:
    hint = f"Wrong shape: your answer is {yours}, the answer is {expected}."
    return hint + " Transposing your answer gives the right result." if transposed_fits else hint


def could_not_decide(detail: str, *, fallback: str = TOO_FEW_POINTS) -> str:
    return f"Could not decide: {detail or fallback}."




def needs_numbers(names: Sequence[str]) -> str:
    return f"The exercise asks for numbers; your answer still contains {', '.join(names)}. Substitute the given values."






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
    sizes = ", ".join(f"{name} = {value}" for name, value in example.get("sizes", {}).items() if not str(name).startswith("_"))
    point = ", ".join(f"{name} = {value_text(value)}" for name, value in example.get("point", {}).items())
    index = ", ".join(f"{name} = {value}" for name, value in example.get("index", {}).items())
    where = "; ".join(part for part in (sizes, point, index) if part) or "the numbers themselves"
    return f"at {where}: the line before gives {number(example['a'])}, this line {number(example['b'])}"
