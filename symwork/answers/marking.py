"""The one answer checker: typed text against a derivation's result or exercise, to a typed `AnswerResult`.

`check_answer` serves `symwork check`, `symwork verify --against`, `symwork grade` and the Python API
alike. It raises SymworkError for text that cannot be checked (a parse error, a name outside the
derivation's scope); callers turn that into their own verdict (the "error" verdict, or a grade status).
Parsed answers and exact exercise answers are cached per process: a sandbox worker that grades a class
parses each distinct answer once and builds each variant's answer once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import sympy as sp

from symwork.answers import feedback
from symwork.answers.feedback import Slip
from symwork.answers.result import AnswerResult, AnswerVerdict, Comparison, Counterexample
from symwork.answers.scope import Scope, untypable
from symwork.compare import compare
from symwork.core.derivation import Derivation
from symwork.core.spec import Status, Verdict
from symwork.errors import SymworkError
from symwork.parse import parse

#: Exact exercise answers kept per process (a class has a few variants per problem).
MAX_CACHED_ANSWERS = 1024
#: Points at which a general (index-notation) answer is compared on the small instance.
GENERAL_POINTS = 8


def check_answer(derivation: Derivation, text: str, *, seed: int | None = None, budget: float = 1.0) -> AnswerResult:
    """Check ``text`` against the exercise of ``derivation`` for ``seed``, or its general result if ``seed`` is None.

    ``budget`` bounds the seconds of an exercise's comparison (a general answer is compared at a fixed number
    of points instead). Raises SymworkError when the text cannot be checked.
    Example: ``check_answer(get("sigmoid-derivative"), r"\\sigma(x)(1-\\sigma(x))").verdict`` is EQUAL.
    """
    if seed is None:
        return _check_general(derivation, text)
    return _check_exercise(derivation, text, seed=seed, budget=budget)


def compare_texts(a_text: str, b_text: str, *, syntax: str = "auto", seed: int = 0, budget: float = 1.0) -> Comparison:
    """Parse two typed expressions and compare them (the work of `symwork equal`). Raises SymworkError on bad input."""
    a, b = parse(a_text, syntax=syntax), parse(b_text, syntax=syntax)
    return Comparison.from_verdict(compare(a, b, seed=seed, budget=budget))


def parsed(text: str) -> Any:
    """The parsed answer; the same text (right answers, and the same hostile text) is parsed once per process."""
    result = _parse_cached(text)
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


_answers: dict[tuple[str, int], tuple[Derivation, Any]] = {}


def exercise_answer(derivation: Derivation, seed: int) -> Any:
    """The exact answer of one exercise variant (lists as a Matrix); built once per process, as it is the slow part."""
    key = (derivation.id, seed)
    cached = _answers.get(key)
    if cached is not None and cached[0] is derivation:
        return cached[1]
    answer = derivation.make_exercise(seed).answer
    if isinstance(answer, (list, tuple)):
        answer = sp.ImmutableMatrix(answer)
    if len(_answers) >= MAX_CACHED_ANSWERS:
        del _answers[next(iter(_answers))]  # the oldest: variants of a class arrive together
    _answers[key] = (derivation, answer)
    return answer


# --- the exercise of a seed: numbers against numbers -----------------------------------------------------


def _check_exercise(derivation: Derivation, text: str, *, seed: int, budget: float) -> AnswerResult:
    expected = exercise_answer(derivation, seed)
    shape = _shape_text(expected)
    if isinstance(expected, sp.NDimArray) and len(expected.shape) > 2:
        detail = "the answer is an array of more than two axes"
        return AnswerResult(
            AnswerVerdict.UNDECIDED,
            "shape",
            detail=detail,
            expected_shape=shape,
            feedback=feedback.too_many_axes(shape),
        )
    student = parsed(text)
    if isinstance(expected, sp.MatrixBase) and expected.shape == (1, 1) and not isinstance(student, sp.MatrixBase):
        student = sp.ImmutableMatrix([[student]])
    free = sorted(str(s) for s in getattr(student, "free_symbols", set()))
    if free:
        return AnswerResult(
            AnswerVerdict.DIFFERENT,
            "symbols",
            detail="the answer contains symbols",
            expected_shape=shape,
            feedback=feedback.needs_numbers(free),
        )
    options: dict[str, Any] = {"seed": seed, "budget": budget}
    verdict = compare(student, expected, **options)
    return AnswerResult.of(
        Comparison.from_verdict(verdict), feedback=_explain(verdict, student, expected, options), expected_shape=shape
    )


# --- the general result: index notation on the smallest instance -------------------------------------------


def _check_general(derivation: Derivation, text: str) -> AnswerResult:
    reason = untypable(derivation.body.result.rhs)
    if reason:
        return AnswerResult(
            AnswerVerdict.UNDECIDED,
            "general form",
            detail=reason,
            feedback=feedback.general_form_untypable(derivation.id, reason),
        )
    scope = Scope.smallest(derivation)
    student = parsed(text)
    if isinstance(student, sp.MatrixBase):
        return AnswerResult(
            AnswerVerdict.DIFFERENT,
            "shape",
            detail="a matrix against a scalar expression",
            expected_shape=feedback.scalar_shape(()),
            feedback=feedback.MATRIX_FOR_SCALAR,
        )
    left = scope.read(student)
    reference = scope.prepare(scope.instance.body.result.rhs)
    options = scope.compare_options(left, reference, seed=0, points=GENERAL_POINTS)
    verdict = compare(left, reference, **options)
    words = _explain(verdict, left, reference, options)
    if verdict.status == Status.DIFFERENT and verdict.counterexample:
        words += feedback.checked_sizes(scope.instance.sizes)
    index_names = [str(index) for index, _ in options["indices"]]
    return AnswerResult.of(
        Comparison.from_verdict(verdict), feedback=words, expected_shape=feedback.scalar_shape(index_names)
    )


# --- which feedback applies ---------------------------------------------------------------------------------


def _explain(verdict: Verdict, student: Any, expected: Any, options: dict[str, Any]) -> str:
    """Feedback in a student's terms: correct, undecided, wrong shape, a recognised slip, or where they disagree."""
    if verdict.status == Status.EQUAL:
        return feedback.CORRECT
    if verdict.status == Status.UNDECIDED:
        return feedback.could_not_decide(verdict.detail)
    if verdict.method == "shape":
        fits = isinstance(student, sp.MatrixBase) and student.T.shape == _shape(expected)
        fits = fits and compare(student.T, expected, **options).equal
        return feedback.wrong_shape(_shape_text(student), _shape_text(expected), transposed_fits=fits)
    slip = _slip(student, expected, options)
    if slip is not None:
        return feedback.close(slip)
    return feedback.not_equal(Counterexample.from_compare(verdict.counterexample))


def _transposed(expected: Any) -> Any:
    if isinstance(expected, sp.MatrixBase) and expected.shape[0] == expected.shape[1] and expected != expected.T:
        return expected.T
    return None


#: The expected answer transformed as each slip would have it (None: the slip cannot apply).
SLIPS: dict[Slip, Callable[[Any], Any]] = {
    Slip.SIGN: lambda e: -e,
    Slip.DOUBLE: lambda e: 2 * e,
    Slip.HALF: lambda e: e / 2,
    Slip.TRANSPOSE: _transposed,
}


def _slip(student: Any, expected: Any, options: dict[str, Any]) -> Slip | None:
    """The first slip (in `Slip` order) that turns the expected answer into the student's."""
    for slip in Slip:
        try:
            candidate = SLIPS[slip](expected)
            if candidate is None or _shape(candidate) != _shape(student):
                continue
            if compare(student, candidate, **options).equal:
                return slip
        except (SymworkError, ValueError, TypeError, ArithmeticError):
            continue
    return None


def _shape(expr: Any) -> tuple[int, ...]:
    return tuple(expr.shape) if hasattr(expr, "shape") else ()


def _shape_text(expr: Any) -> str:
    if isinstance(expr, sp.MatrixBase):
        return feedback.shape_text(expr.shape, matrix=True)
    return feedback.shape_text(tuple(expr.shape) if isinstance(expr, sp.NDimArray) else (), matrix=False)
