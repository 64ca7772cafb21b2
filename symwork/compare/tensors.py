"""The tensor tier: two typed answers (index notation or matrix form) compared at several instantiations.

Each `Setting` fixes concrete sizes (every axis at least 2, distinct axes distinct, so that neither a
length-1 axis nor a square shape hides a difference), the free index axes, how to draw a point, and the
defined names to evaluate there. Both sides are evaluated in float64 at a few points per setting
(`symwork.compare.evaluation`); a disagreement is re-checked at high precision before it is reported,
and agreement everywhere is confirmed at high precision at one point, entry by entry, before "equal".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symwork.compare.evaluation import CONFIRM_DIGITS, EvaluationError, evaluate
from symwork.core.spec import Verdict

#: Relative tolerance of the float64 screen and of the high-precision confirmation.
SCREEN_RTOL = 1e-9
CONFIRM_RTOL = 1e-30
#: Fewest points (over all settings) where both sides are defined before any verdict but "undecided".
MIN_POINTS = 3


@dataclass(frozen=True)
class Definition:
    """A defined name to evaluate at each point before the sides: ``name`` over its index ``axes``."""

    name: str
    expr: Any
    axes: tuple[tuple[sp.Symbol, Any], ...] = ()


@dataclass(frozen=True)
class Setting:
    """One instantiation of both sides: sizes, free axes, a point sampler and the defined names they use."""

    sizes: Mapping[str, int]
    axes: tuple[tuple[sp.Symbol, int], ...]
    draw: Callable[[np.random.Generator], Mapping[str, Any]]
    left: Any
    right: Any
    definitions: tuple[Definition, ...] = ()
    #: How to show each axis in a counterexample (the student's index letters), in the order of ``axes``.
    axis_names: tuple[str, ...] = field(default=())
    #: The right side's values from another source (the derivation's own numeric evaluation), for
    #: notation the evaluator has no rule for; float64 only, so such a check is "numeric", not confirmed.
    right_fallback: Callable[[Mapping[str, Any]], Any] | None = None
    #: Vectors that sum to one (a simplex): renormalised at high precision before the confirmation.
    normalise: tuple[str, ...] = ()
    #: Relative tolerance of the high-precision confirmation (looser where inputs are linked only to float64).
    confirm_rtol: float = CONFIRM_RTOL


def _values(setting: Setting, point: Mapping[str, Any], precise: bool) -> dict[str, Any]:
    values: dict[str, Any] = {**point, **setting.sizes}
    if precise:
        for name in setting.normalise:
            if name in values:
                vector = np.frompyfunc(lambda v: mpmath.mpf(float(v)), 1, 1)(np.asarray(values[name], dtype=float))
                values[name] = vector / sum(vector)
    for definition in setting.definitions:
        axes = tuple((symbol, int(evaluate(bound, values))) for symbol, bound in definition.axes)
        values[definition.name] = evaluate(definition.expr, values, axes, precise=precise)
    return values


def _side(expr: Any, values: Mapping[str, Any], axes: Sequence[tuple[sp.Symbol, int]], precise: bool) -> np.ndarray:
    value = np.asarray(evaluate(expr, values, axes, precise=precise), dtype=object if precise else float)
    return value


def _right(setting: Setting, values: Mapping[str, Any], precise: bool) -> np.ndarray:
    try:
        return _side(setting.right, values, setting.axes, precise)
    except EvaluationError:
        if setting.right_fallback is None or precise:
            raise
    try:
        return np.asarray(setting.right_fallback(values), dtype=float)
    except Exception as exc:  # noqa: BLE001 - the derivation's own code failing is "cannot evaluate", never a value
        raise EvaluationError(f"The result could not be evaluated here ({type(exc).__name__}).") from exc


def _aligned(left: np.ndarray, right: np.ndarray, axes: int) -> tuple[np.ndarray, np.ndarray]:
    """Both sides with the same shape: an n×1 column against an index form over one axis is a vector."""
    if left.shape != right.shape and left.size == right.size and left.size > 1:
        squeezed = tuple(d for d in left.shape if d != 1)
        if squeezed == tuple(d for d in right.shape if d != 1):
            return left.reshape(squeezed), right.reshape(squeezed)
    target = np.broadcast_shapes(left.shape, right.shape)
    return np.broadcast_to(left, target), np.broadcast_to(right, target)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _finite(array: np.ndarray) -> np.ndarray:
    as_float = np.vectorize(_float, otypes=[float])(array) if array.dtype == object else array
    return np.isfinite(as_float)


def _close(left: np.ndarray, right: np.ndarray, rtol: float) -> np.ndarray:
    scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
    return np.abs(left - right) <= rtol * scale


def _plain(value: Any) -> Any:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return round(float(array), 6)
    return np.round(array, 6).tolist()


def _counterexample(setting: Setting, point: Mapping[str, Any], where: tuple[int, ...], left: Any, right: Any) -> dict[str, Any]:
    example: dict[str, Any] = {
        "point": {name: _plain(value) for name, value in point.items()},
        "sizes": dict(setting.sizes),
        "lhs": _float(left),
        "rhs": _float(right),
    }
    if setting.axes:
        names = setting.axis_names or tuple(str(symbol) for symbol, _ in setting.axes)
        example["index"] = {name: int(position) + 1 for name, position in zip(names, where, strict=False)}
    elif where:
        example["entry"] = [int(position) + 1 for position in where]
    return example


def _precise_disagrees(setting: Setting, point: Mapping[str, Any], where: tuple[int, ...]) -> bool:
    """Does a float64 disagreement persist at high precision? (Cancellation can fake one.)"""
    try:
        with mpmath.workdps(CONFIRM_DIGITS):
            values = _values(setting, point, precise=True)
            left, right = _aligned(
                _side(setting.left, values, setting.axes, True), _right(setting, values, True), len(setting.axes)
            )
            a, b = left[where], right[where]
            return bool(abs(a - b) > mpmath.mpf(10) ** -20 * max(abs(a), abs(b), 1))
    except (EvaluationError, TypeError, ValueError, ZeroDivisionError):
        return True  # no high-precision value: the float64 difference stands


def compare_tensors(settings: Sequence[Setting], *, seed: int, points: int = 4) -> Verdict:
    """Compare the sides of every setting at ``points`` random points each, then confirm at high precision."""
    rng = np.random.default_rng(seed)
    checked = 0
    confirm: tuple[Setting, Mapping[str, Any]] | None = None
    for setting in settings:
        done = 0
        for _ in range(points * 4):
            point = setting.draw(rng)
            try:
                values = _values(setting, point, precise=False)
                left, right = _aligned(
                    _side(setting.left, values, setting.axes, False),
                    _right(setting, values, False),
                    len(setting.axes),
                )
            except EvaluationError as exc:
                return Verdict("undecided", "numeric", points=checked, detail=str(exc))
            except ValueError as exc:
                return Verdict("undecided", "numeric", points=checked, detail=f"the two sides do not line up ({exc})")
            defined = np.isfinite(left) & np.isfinite(right)
            if not defined.any():
                continue
            wrong = defined & ~_close(left, right, SCREEN_RTOL)
            if wrong.any():
                where = tuple(int(w) for w in np.argwhere(wrong)[0])
                if _precise_disagrees(setting, point, where):
                    return Verdict(
                        "different",
                        "numeric",
                        points=checked + 1,
                        counterexample=_counterexample(setting, point, where, left[where], right[where]),
                    )
            checked += 1
            done += 1
            if confirm is None and defined.all():
                confirm = (setting, point)
            if done >= points:
                break
    if checked < MIN_POINTS:
        return Verdict("undecided", "numeric", points=checked, detail="too few points where both sides are defined")
    return _confirmed(confirm, checked)


def _confirmed(confirm: tuple[Setting, Mapping[str, Any]] | None, checked: int) -> Verdict:
    """Every entry at one point, at high precision: catches differences below the float64 screen (10^{-12} x)."""
    if confirm is None:
        return Verdict("equal", "numeric", points=checked)
    setting, point = confirm
    try:
        with mpmath.workdps(CONFIRM_DIGITS):
            values = _values(setting, point, precise=True)
            left, right = _aligned(
                _side(setting.left, values, setting.axes, True), _right(setting, values, True), len(setting.axes)
            )
            for where in np.ndindex(left.shape):
                a, b = left[where], right[where]
                if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
                    continue
                if abs(a - b) > mpmath.mpf(setting.confirm_rtol) * max(abs(a), abs(b), 1):
                    return Verdict(
                        "different",
                        "high-precision",
                        points=checked,
                        counterexample=_counterexample(setting, point, tuple(where), a, b),
                    )
    except (EvaluationError, TypeError, ValueError, ZeroDivisionError):
        return Verdict("equal", "numeric", points=checked)
    return Verdict("equal", "high-precision" if setting.confirm_rtol <= CONFIRM_RTOL else "numeric", points=checked)
