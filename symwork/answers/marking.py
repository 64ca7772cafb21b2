"""The one answer checker: typed text against a derivation's result or exercise, to a typed `AnswerResult`.

`check_answer` serves `symwork check`, `symwork verify --against`, `symwork grade` and the Python API
alike. A general answer is read in the derivation's scope (`symwork.answers.scope`, `.reading`): scalar,
index-form and matrix-form answers, each judged by `symwork.answers.judging` through the one comparison
engine. It raises SymworkError for text that cannot be checked (a parse error, a name outside the scope).

**Checks cannot be forged.** Points are drawn from a seed derived from a secret and the answer text
(`point_seed`): ``secret=None`` (the default of `check`) draws a fresh secret for every call, so the
points a "Not equal" reveals are never used again; a grader passes its own ``secret`` so that a class's
report is reproducible for the lecturer yet unpredictable for a student, and a different answer text
gets different points. A wrong answer built to vanish at revealed points is therefore still wrong.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

import sympy as sp

from symwork.answers import feedback
from symwork.answers.exercises import check_exercise, exercise_answer
from symwork.answers.judging import Judgement, judge
from symwork.answers.reading import Answer, Reader, ShapeMismatchError, split_label
from symwork.answers.result import AnswerResult, AnswerVerdict, Comparison, Counterexample
from symwork.answers.scope import Scope
from symwork.core.derivation import Derivation
from symwork.core.spec import Status
from symwork.core.tensor_notation import shape_of
from symwork.errors import InputError, ParseError, SymworkError
from symwork.parse import parse

__all__ = ["check_answer", "compare_texts", "exercise_answer", "parsed", "point_seed", "reference_answer"]


def point_seed(secret: bytes | None, *parts: object) -> int:
    """The seed of a check's random points: from ``secret`` and what is checked; a fresh secret when None."""
    key = secret if secret is not None else os.urandom(16)
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), key=key[:64], digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 2


def check_answer(
    derivation: Derivation,
    text: str,
    *,
    seed: int | None = None,
    budget: float = 1.0,
    secret: bytes | None = None,
    part: str | None = None,
) -> AnswerResult:
    """Check ``text`` against the exercise of ``derivation`` for ``seed`` (or its ``part``), or its general result.

    ``secret`` keys the random points (see the module docstring); None draws fresh points on every call.
    Example: ``check_answer(get("sigmoid-derivative"), r"\\sigma(x)(1-\\sigma(x))").verdict`` is EQUAL.
    """
    if seed is None:
        if part is not None:
            raise InputError(f"A part ({part!r}) belongs to an exercise variant; give its seed too.")
        return _check_general(derivation, text, point_seed(secret, derivation.id, text))
    points = point_seed(secret, derivation.id, seed, part, text)
    return check_exercise(derivation, text, seed=seed, budget=budget, points=points, part=part)


def compare_texts(a_text: str, b_text: str, *, syntax: str = "auto", seed: int = 0, budget: float = 1.0) -> Comparison:
    """Read two typed expressions by the conventions of ML notation and compare them (the work of `symwork equal`).

    Plain scalars go through the scalar path exactly as before; vectors, matrices and index notation are
    compared at several sizes. Raises SymworkError on bad input.
    """
    reader = Reader(Scope.conventions())
    reader.scan([a_text, b_text], syntax)
    try:
        first, second = (_single(reader.read(text, syntax=syntax), text) for text in (a_text, b_text))
        judgement = judge(first, second, reader, seed=seed)
    except ShapeMismatchError as exc:
        return Comparison(AnswerVerdict.DIFFERENT, "shape", detail=exc.words, notes=tuple(reader.notes))
    comparison = Comparison.from_verdict(judgement.verdict)
    notes = tuple(reader.notes)
    if comparison.verdict == AnswerVerdict.EQUAL:
        letters, as_matrices = _as_matrices(reader, a_text, b_text, syntax, seed)
        if as_matrices == AnswerVerdict.DIFFERENT:
            doubt = (
                f"equal if {', '.join(letters)} are numbers, but not if they are matrices (matrix products do not "
                f"commute); write them bold or transposed (\\mathbf{{{letters[0]}}}, {letters[0]}^T) or check against "
                "a derivation to say which"
            )
            return Comparison(AnswerVerdict.UNDECIDED, "shapes", detail=doubt, notes=notes)
    detail = "; ".join(dict.fromkeys(part for part in (comparison.detail, *judgement.words) if part))
    return Comparison(comparison.verdict, comparison.method, comparison.counterexample, detail=detail, notes=notes)


def _as_matrices(reader: Reader, a_text: str, b_text: str, syntax: str, seed: int) -> tuple[list[str], AnswerVerdict | None]:
    """The upper-case letters read as numbers, and the verdict if they were matrices (None: no such reading).

    With nothing to say which names are arrays, upper-case letters are read as numbers; but ML notation makes
    them matrices, and AB = BA then fails. The caller makes such an "equal" undecided (a false "equal" is
    the worst verdict); where the matrix reading is impossible (1/N) or equal too, the verdict stands.
    """
    if reader.convention_array_names():
        return [], None  # the evidence already made some names arrays: the verdict read them so
    evidence = reader.evidence
    # A word of capitals (AB) is read as the product of its letters: each may be a matrix.
    letters = sorted(
        {letter for name in evidence.seen if name.isalpha() and name.isupper() for letter in name}
        - {"I", "T"} - evidence.scalars - evidence.bound
    )
    if not letters:
        return [], None
    matrices = Reader(Scope.conventions())
    matrices.evidence.arrays.update(letters)
    try:
        matrices.scan([a_text, b_text], syntax)
        first, second = (_single(matrices.read(text, syntax=syntax), text) for text in (a_text, b_text))
        return letters, Comparison.from_verdict(judge(first, second, matrices, seed=seed).verdict).verdict
    except SymworkError:
        return letters, None  # no consistent matrix reading: the names are numbers


def _single(parts: list[Answer], text: str) -> Answer:
    if len(parts) != 1:
        raise ParseError(f"{text!r} contains '='; compare one expression with another.")
    return parts[0]


def parsed(text: str) -> Any:
    """The parsed answer (after its label, if any); the same text is parsed once per process."""
    result = _parse_cached(split_label(text)[1])
    if isinstance(result, SymworkError):
        # The cached error is raised afresh each time, without the tracebacks of earlier raises.
        raise result.with_traceback(None)
    return result


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> Any:
    # Errors are cached as values too: a class pasting the same broken text costs one parse.
    try:
        return parse(text)
    except SymworkError as exc:
        return exc


# --- the general result: scalar, index form or matrix form -------------------------------------------------


def reference_answer(scope: Scope) -> Answer:
    """The derivation's result as a typed answer: its value, shape and free indices with their ranges."""
    assert scope.derivation is not None
    rhs = scope.derivation.body.result.rhs
    if isinstance(rhs, sp.MatrixBase):
        rhs = sp.ImmutableMatrix(rhs)
    shape = tuple(sp.sympify(dim) for dim in shape_of(rhs))
    if shape == (1, 1):
        rhs, shape = rhs[0, 0], ()
    ranges = tuple(scope.indices[str(axis)][1] for axis in scope.axes)
    return Answer(rhs, shape, tuple(scope.axes), ranges)


def _check_general(derivation: Derivation, text: str, seed: int) -> AnswerResult:
    scope = Scope.of(derivation)
    reference = reference_answer(scope)
    reader = Reader(scope)
    try:
        student = reader.read(split_label(text)[1])[-1]
    except ShapeMismatchError as exc:
        return AnswerResult(AnswerVerdict.DIFFERENT, "shape", detail=exc.words, feedback=feedback.ill_formed(exc.words))
    expected = feedback.expected_shape(reference.shape, [str(a) for a in reference.free])
    judgement = judge(student, reference, reader, seed=seed, fallback=_evaluated(derivation))
    words = _explain(judgement, student, reference, reader, seed)
    notes = tuple(student.notes)
    comparison = Comparison.from_verdict(judgement.verdict)
    return AnswerResult(
        comparison.verdict,
        comparison.method,
        comparison.counterexample,
        detail=comparison.detail,
        notes=notes,
        expected_shape=expected,
        feedback=feedback.with_notes(words, notes + tuple(judgement.words if judgement.verdict.status == Status.EQUAL else ())),
    )


def _evaluated(derivation: Derivation) -> Any:
    """The derivation's own numeric result at a point, for notation the evaluator has no rule for."""
    names = [item.name for item in derivation.inputs]

    def values(point: Any) -> Any:
        return derivation.evaluate(**{name: point[name] for name in names})

    return values


# --- which feedback applies ---------------------------------------------------------------------------------


def _explain(judgement: Judgement, student: Answer, reference: Answer, reader: Reader, seed: int) -> str:
    """Feedback in a student's terms: correct, undecided, wrong shape, a recognised slip, or where they disagree."""
    verdict = judgement.verdict
    if verdict.status == Status.EQUAL:
        return feedback.CORRECT
    if verdict.status == Status.UNDECIDED:
        return feedback.could_not_decide(verdict.detail)
    if verdict.method == "shape":
        fits = judgement.transposed and _slip_fits(student, reference, reader, seed, transpose=True)
        return feedback.shape_words(verdict.detail, transposed_fits=fits)
    slip = _slip(student, reference, reader, seed)
    if slip is not None:
        return feedback.close(slip)
    return feedback.not_equal(Counterexample.from_compare(verdict.counterexample))


#: The expected answer transformed as each slip would have it.
SLIPS: dict[feedback.Slip, Any] = {
    feedback.Slip.SIGN: lambda e: -e,
    feedback.Slip.DOUBLE: lambda e: 2 * e,
    feedback.Slip.HALF: lambda e: e / 2,
}


def _slip(student: Answer, reference: Answer, reader: Reader, seed: int) -> feedback.Slip | None:
    """The first slip (in `Slip` order) that turns the expected answer into the student's."""
    for slip, transform in SLIPS.items():
        try:
            candidate = Answer(transform(reference.value), reference.shape, reference.free, reference.ranges)
            if judge(student, candidate, reader, seed=seed, quick=True).verdict.status == Status.EQUAL:
                return slip
        except (SymworkError, ValueError, TypeError, ArithmeticError):
            continue
    if reference.shape and reference.shape[0] != reference.shape[1] or len(reference.free) == 2:
        return None
    if _slip_fits(student, reference, reader, seed, transpose=True):
        return feedback.Slip.TRANSPOSE
    return None


def _slip_fits(student: Answer, reference: Answer, reader: Reader, seed: int, *, transpose: bool) -> bool:
    try:
        if student.shape:
            turned = Answer(sp.Transpose(student.value), (student.shape[1], student.shape[0]))
            return judge(turned, reference, reader, seed=seed, quick=True).verdict.status == Status.EQUAL
        if len(reference.free) == 2:
            first, second = reference.free
            swapped = Answer(reference.value.xreplace({first: second, second: first}), (), reference.free, reference.ranges)
            return judge(student, swapped, reader, seed=seed, quick=True).verdict.status == Status.EQUAL
    except (SymworkError, ValueError, TypeError, ArithmeticError):
        return False
    return False

