"""Judging one typed answer against another: shapes and index axes first, then values, through the one engine.

Shapes decide first, with words for the student ("your answer is n×m, the result is m×n — transposed?").
Free indices map to the reference's axes in the order the derivation states them (a letter the result
uses keeps its axis; other letters take the remaining axes in alphabetical order, and the feedback says
so). Values are then compared by `symwork.compare`: scalar answers on the scalar path (30- and 80-digit
points), everything else on the tensor tier at several size assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy as sp

from symwork.answers.instantiation import (
    CONSTRAINED_RTOL,
    LARGEST_EXPANDED_SIZE,
    LARGEST_SIZE,
    concrete,
    concrete_definitions,
    constrained,
    expand,
    needed_definitions,
    needs_expansion,
    sampler,
    simplex_inputs,
    size_assignments,
)
from symwork.answers.reading import Answer, Reader
from symwork.answers.shapes import shape_words
from symwork.compare import compare
from symwork.compare.evaluation import has_rules
from symwork.compare.tensors import CONFIRM_RTOL, Setting, compare_tensors
from symwork.core.spec import Verdict
from symwork.core.tensor_notation import shape_of

#: Size assignments per comparison, and points per assignment.
SETTINGS = 3
POINTS = 4


@dataclass(frozen=True)
class Judgement:
    """A verdict with the words that explain how the answer was read (index mapping, transposes, notes)."""

    verdict: Verdict
    words: list[str] = field(default_factory=list)
    transposed: bool = False


def _shape(answer: Answer, reader: Reader) -> tuple[Any, ...]:
    return tuple(reader.dims.find(dim) for dim in answer.shape)


def _is_plain_scalar(answer: Answer, reader: Reader) -> bool:
    """No arrays, no entries, no free indices, no defined names: the scalar path of the engine applies."""
    value = answer.value
    if answer.shape or answer.free or not isinstance(value, sp.Basic):
        return False
    if value.atoms(sp.Indexed, sp.MatrixSymbol) or value.has(sp.MatrixExpr):
        return False
    scope = reader.scope
    if scope.derivation is None:
        return True
    names = {s.name for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return all((entry := scope.lookup(name)) is not None and entry.kind in ("input", "variable", "size") for name in names)


def _axis_mapping(student: Answer, axes: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Symbol] | None:
    """Student free index → reference axis: same letters stay, the rest in alphabetical order; None if too many."""
    names = {str(axis): axis for axis in axes}
    mapping = {index: names[index.name] for index in student.free if index.name in names}
    unused = [axis for axis in axes if axis not in mapping.values()]
    rest = sorted((index for index in student.free if index not in mapping), key=lambda s: s.name)
    if len(rest) > len(unused):
        return None
    mapping.update(zip(rest, unused, strict=False))
    return mapping


def judge(
    student: Answer,
    reference: Answer,
    reader: Reader,
    *,
    seed: int,
    axes: Sequence[tuple[sp.Symbol, Any]] = (),
    fallback: Callable[[Mapping[str, Any]], Any] | None = None,
    quick: bool = False,
) -> Judgement:
    """Compare ``student`` with ``reference`` (both read by ``reader``); ``axes`` are the reference's free indices.

    ``fallback`` gives the reference's values at a point when the evaluator has no rule for its notation.
    ``quick`` uses one size assignment and three points: enough to name a slip in the feedback of an answer
    already found wrong, never to judge one correct.
    """
    words: list[str] = []
    dims = reader.dims
    left, right = student.value, reference.value
    ref_shape, student_shape = _shape(reference, reader), _shape(student, reader)
    compare_axes: list[tuple[sp.Symbol, Any]] = []
    if axes or reference.free:
        axes = list(axes) or list(zip(reference.free, reference.ranges, strict=True))
        if student.free or not student_shape:
            mapping = _axis_mapping(student, [axis for axis, _ in axes])
            if mapping is None:
                extra = ", ".join(str(index) for index in student.free)
                return _shape_verdict(f"Your answer has the free indices {extra}; the result has only {', '.join(str(a) for a, _ in axes)}.")
            renamed = {k: v for k, v in mapping.items() if k != v}
            if renamed:
                words.append("read your indices " + ", ".join(f"{k} as {v}" for k, v in renamed.items()) + " (the result's axes, in order)")
                left = left.xreplace(renamed)
            bounds = dict(axes)
            for index, axis in mapping.items():
                position = student.free.index(index)
                if not dims.unify(student.ranges[position], bounds[axis]):
                    return _shape_verdict(f"Your index {index} runs over 1..{dims.find(student.ranges[position])}, but {axis} runs over 1..{bounds[axis]}.")
            compare_axes = list(axes)
        else:
            expected = tuple(bound for _, bound in axes)
            if len(expected) == 1:
                expected = (expected[0], sp.Integer(1))
            if len(expected) > 2:
                return _shape_verdict("The result has more than two indices; write it in index notation with its free indices.")
            judged = _matrix_shapes(student_shape, expected, dims, words)
            if judged is not None:
                return judged
            compare_axes = list(axes)
    elif ref_shape:
        if student.free:
            letters = sorted(student.free, key=lambda s: s.name)
            if len(letters) != (1 if dims.equal(ref_shape[1], 1) else 2):
                return _shape_verdict(f"Your answer has the free indices {', '.join(map(str, letters))}; the result is {shape_words(ref_shape)}.")
            for index, dim in zip(letters, ref_shape, strict=False):
                if not dims.unify(student.ranges[student.free.index(index)], dim):
                    return _shape_verdict(f"Your index {index} does not run over the {dim} entries of the result.")
            words.append("read your free indices " + ", ".join(map(str, letters)) + " as rows" + (", columns" if len(letters) == 2 else ""))
            compare_axes = [(index, dim) for index, dim in zip(letters, ref_shape, strict=False)]
        else:
            judged = _matrix_shapes(student_shape, ref_shape, dims, words)
            if judged is not None:
                return judged
    elif student.free or student_shape:
        return _shape_verdict(f"Your answer is {student.shape_words()}; the result is a scalar.")
    if dims.resolve(left) == dims.resolve(right):
        return Judgement(Verdict("equal", "structural"), words)
    if _is_plain_scalar(student, reader) and _is_plain_scalar(reference, reader) and not compare_axes:
        return Judgement(compare(left, right, seed=seed, budget=1.0), words)
    settings = _settings(reader, left, right, compare_axes, seed, student, reference, count=1 if quick else SETTINGS)
    if fallback is not None:
        settings = [replace(setting, right_fallback=fallback) for setting in settings]
    return Judgement(compare_tensors(settings, seed=seed, points=3 if quick else POINTS), words)


def _shape_verdict(words: str, *, transposed: bool = False) -> Judgement:
    return Judgement(Verdict("different", "shape", detail=words), [words], transposed)


def _matrix_shapes(student: tuple[Any, ...], expected: tuple[Any, ...], dims: Any, words: list[str]) -> Judgement | None:
    if not student:
        return _shape_verdict(f"Your answer is a scalar; the result is {shape_words(expected)}.")
    if dims.unify_shapes(student, expected):
        return None
    if dims.can_be((student[1], student[0]), expected):
        return _shape_verdict(
            f"Your answer is {shape_words(student)}, the result is {shape_words(expected)}: transposed?", transposed=True
        )
    return _shape_verdict(f"Your answer is {shape_words(student)}, the result is {shape_words(expected)}.")


def _settings(
    reader: Reader, left: Any, right: Any, axes: Sequence[tuple[sp.Symbol, Any]], seed: int, *answers: Answer, count: int = SETTINGS
) -> list[Setting]:
    scope, dims = reader.scope, reader.dims
    left, right = dims.resolve(left), dims.resolve(right)
    # Written-out derivatives, and results only the derivation's own (slower) code evaluates, use small sizes.
    expanding = needs_expansion(left) or needs_expansion(right) or not (has_rules(left) and has_rules(right))
    exprs = [expr for expr in (left, right, *(bound for _, bound in axes)) if isinstance(expr, sp.Basic)]
    unknowns = sorted({dim for expr in exprs for dim in expr.atoms(sp.Dummy) if dims.is_unknown(dim)}, key=str)
    if scope.derivation is None:
        # Arrays read by the conventions have sizes of their own, even where only an entry (z_1) is written.
        unknowns += [dim for dim in dims.unknowns if dims.find(dim) == dim and dim not in unknowns]
    minimum = {dims.find(dim): least for answer in answers for dim, least in answer.minimum}
    rng = np.random.default_rng(seed)
    largest = LARGEST_EXPANDED_SIZE if expanding else LARGEST_SIZE
    settings = []
    for sizes in size_assignments(scope, unknowns, minimum, rng, count=count, largest=largest):
        named = {str(dim): value for dim, value in sizes.items() if not dims.is_unknown(dim)}
        labels = {dims.find(dim): name for name, dim in reader.convention_sizes.items()}
        definitions = concrete_definitions(scope, sizes)
        sides = [expand(concrete(side, sizes), definitions) for side in (left, right)]
        concrete_axes = tuple((symbol, int(concrete(bound, sizes))) for symbol, bound in axes)
        extra = _convention_names(reader, sides, sizes)
        settings.append(
            Setting(
                sizes={**named, **{labels.get(dim, str(dim)): value for dim, value in sizes.items() if dims.is_unknown(dim)}},
                axes=concrete_axes,
                draw=sampler(scope, named, extra),
                left=sides[0],
                right=sides[1],
                definitions=needed_definitions(scope, sides, sizes),
                axis_names=tuple(str(symbol) for symbol, _ in concrete_axes),
                normalise=simplex_inputs(scope),
                confirm_rtol=CONSTRAINED_RTOL if constrained(scope) else CONFIRM_RTOL,
            )
        )
    return settings


def _convention_names(reader: Reader, sides: Sequence[Any], sizes: dict[Any, int]) -> dict[str, tuple[int, ...]]:
    """Names with no derivation behind them, with the shapes to draw them at (scalars, arrays of unknown size)."""
    scope = reader.scope
    found: dict[str, tuple[int, ...]] = {}
    for side in sides:
        if not isinstance(side, sp.Basic):
            continue
        for matrix in side.atoms(sp.MatrixSymbol):
            shape = tuple(int(concrete(dim, sizes)) for dim in matrix.shape)
            found.setdefault(matrix.name, shape if shape[1] != 1 else (shape[0],))
        for indexed in side.atoms(sp.Indexed):
            name = str(indexed.base.label)
            if name in found:
                continue
            dims = reader.convention_arrays.get(name)
            if dims is not None:
                shape = tuple(int(concrete(reader.dims.find(dim), sizes)) for dim in dims)
                found[name] = shape if len(shape) == 1 or shape[1] != 1 else (shape[0],)
        for symbol in side.free_symbols:
            if isinstance(symbol, sp.Symbol) and not isinstance(symbol, sp.Dummy) and not symbol.is_integer:
                found.setdefault(symbol.name, ())
    if scope.derivation is not None:
        return {name: shape for name, shape in found.items() if scope.lookup(name) is None}
    return found


__all__ = ["Judgement", "judge", "shape_of"]
