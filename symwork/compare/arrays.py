"""The array tier of the comparison engine: the library audit's numpy check at sampled points and indices."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symwork.core import numeric
from symwork.core.spec import Verdict
from symwork.errors import CheckError

PointSampler = Callable[[np.random.Generator], Mapping[str, Any]]


def default_sampler(*exprs: Any) -> PointSampler:
    """Random reals for every free symbol (positive ones where the symbol is declared positive)."""
    symbols = sorted({s for e in exprs for s in getattr(e, "free_symbols", set()) if isinstance(s, sp.Symbol)}, key=str)

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        return {
            s.name: rng.uniform(0.2, 3.0) if s.is_positive or s.is_nonnegative else rng.uniform(-3.0, 3.0)
            for s in symbols
        }

    return draw


def _close(left: np.ndarray, right: np.ndarray, rtol: float) -> np.ndarray:
    scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
    return np.abs(left - right) <= rtol * scale


def _plain(value: Any) -> Any:
    array = np.asarray(value)
    return array.item() if array.ndim == 0 else array.tolist()


def compare_arrays(
    a: Any,
    b: Any,
    *,
    sampler: PointSampler | None,
    indices: Sequence[tuple[Any, int]],
    seed: int,
    points: int,
    rtol: float,
    max_draws: int | None,
) -> Verdict:
    """Broadcast both sides over the free indices at sampled points; the first disagreement is the counterexample."""
    draw = sampler or default_sampler(a, b)
    rng = np.random.default_rng(seed)
    checked = 0
    budget = max_draws if max_draws is not None else points * 5
    for _ in range(budget):
        point = dict(draw(rng))
        try:
            left = numeric.evaluate(a, point, indices)
            right = numeric.evaluate(b, point, indices)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
            raise CheckError(f"Could not evaluate the expressions numerically: {exc}.") from exc
        left, right = np.broadcast_arrays(left, right)
        defined = np.isfinite(left) & np.isfinite(right)
        if not defined.any():
            continue  # outside the common domain: draw again
        agree = _close(left, right, rtol) | ~defined
        if not agree.all():
            where = tuple(int(i) for i in np.argwhere(~agree)[0])
            return Verdict(
                "different",
                "numeric",
                points=checked + 1,
                counterexample={
                    "point": {name: _plain(value) for name, value in point.items()},
                    "index": dict(
                        zip((str(s) for s, _ in indices), (w + 1 for w in where[-len(indices) :]), strict=False)
                    )
                    if indices
                    else {},
                    "position": list(where),
                    "lhs": float(left[where]),
                    "rhs": float(right[where]),
                },
            )
        checked += 1
        if checked >= points:
            return Verdict("equal", "numeric", points=checked)
    return Verdict("undecided", "numeric", points=checked, detail="too few points where both sides are defined")
