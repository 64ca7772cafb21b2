"""Every printed line of an instance: each solution row and the key's equation, identities compared and claims sampled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symwork.compare import PointSampler, compare
from symwork.core import instances, numeric, printed
from symwork.core.instances import point_sampler
from symwork.core.spec import Body, Instance, Verdict
from symwork.errors import SymworkError

#: Random draws a claim (an inequality) is sampled at: the counterexample search.
CLAIM_DRAWS = 256

#: Where a line sits: a row number from 1, the stated result (0) or the key's own equation (-1).
RESULT, KEY = 0, -1


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one printed line of one instance: ``step`` counts rows from 1; 0 is the stated result, -1 the key.

    For a claim (an inequality) "equal" means that it held at every sampled point.
    """

    derivation_id: str
    sizes: Mapping[str, int]
    step: int
    why: str
    verdict: Verdict
    relation: str = "="

    @property
    def line(self) -> str:
        """How a report names the line: "step 3", "result" or "key"."""
        return {RESULT: "result", KEY: "key"}.get(self.step, f"step {self.step}")


def free_indices(body: Body, *exprs: Any) -> list[tuple[Any, int]]:
    """The body's index symbols that occur free in the expressions, with their ranges."""
    free: set[Any] = set()
    for expr in exprs:
        free |= getattr(expr, "free_symbols", set())
    return [(index, int(bound)) for index, bound in body.indices.items() if index in free]


def check_steps(instance: Instance, *, seed: int = 0, points: int = 6) -> list[StepCheck]:
    """Check every printed line of an instance: every row of the solution and the key's equation.

    Identities are compared at ``points`` random points over all free index values; claims (inequalities)
    are sampled at ``CLAIM_DRAWS`` points. The key is checked on its own when it is not the result row
    itself, so a key that pairs the wrong sides fails here even when every row holds.
    """
    body = instance.body
    draw = point_sampler(instance)
    results: list[StepCheck] = []
    rows = printed.solution(body)
    for row in rows:
        if row.claim is None:
            continue
        number = RESULT if row.number == len(rows) else row.number
        results.append(_check_line(instance, row, number, draw, seed=seed + row.number, points=points))
    key = printed.key(body)
    if body.result.lhs is None and key.claim is not None:
        results.append(_check_line(instance, key, KEY, draw, seed=seed + len(rows) + 1, points=points))
    return results


def _check_line(
    instance: Instance, row: printed.Equation, number: int, draw: PointSampler, *, seed: int, points: int
) -> StepCheck:
    body = instance.body
    try:
        left, right = instances.prepare(row.claim, body), instances.prepare(row.rhs, body)
        indices = free_indices(body, left, right)
        if row.is_claim:
            verdict = check_claim(left, right, row.relation, draw, indices, seed=seed)
        else:
            verdict = compare(left, right, sampler=draw, indices=indices, seed=seed, points=points)
    except SymworkError as exc:
        verdict = Verdict("undecided", "error", detail=str(exc))
    return StepCheck(instance.derivation.id, instance.sizes, number, row.why, verdict, row.relation)


_HOLDS = {
    "<=": lambda left, right, slack: left <= right + slack,
    "<": lambda left, right, slack: left < right + slack,
    ">=": lambda left, right, slack: left >= right - slack,
    ">": lambda left, right, slack: left > right - slack,
}


def check_claim(
    left: Any,
    right: Any,
    relation: str,
    draw: PointSampler,
    indices: Sequence[tuple[Any, int]] = (),
    *,
    seed: int = 0,
    draws: int = CLAIM_DRAWS,
    rtol: float = 1e-9,
) -> Verdict:
    """Sample ``left relation right`` at ``draws`` points of the domain and report the worst one.

    "equal" means the claim held everywhere it was defined (``points`` counts those draws); "different"
    carries the counterexample with the smallest margin; "undecided" means too few defined points.
    Strict and non-strict relations are told apart only up to rounding (``rtol``).
    """
    if isinstance(left, sp.MatrixBase) or isinstance(right, sp.MatrixBase):
        return Verdict("undecided", "claim", detail="a claim compares scalars (entry by entry needs index notation)")
    holds = _HOLDS[relation]
    rng = np.random.default_rng(seed)
    checked = 0
    worst: tuple[float, dict[str, Any], float, float] | None = None
    for _ in range(draws):
        point = dict(draw(rng))
        try:
            a, b = np.broadcast_arrays(numeric.evaluate(left, point, indices), numeric.evaluate(right, point, indices))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
            return Verdict("undecided", "claim", detail=f"could not evaluate the claim: {exc}")
        defined = np.isfinite(a) & np.isfinite(b)
        if not defined.any():
            continue
        checked += 1
        slack = rtol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        margin = np.where(defined, (b - a) if relation in ("<=", "<") else (a - b), np.inf)
        where = np.unravel_index(int(np.argmin(margin)), margin.shape) if margin.ndim else ()
        if worst is None or float(margin[where]) < worst[0]:
            worst = (float(margin[where]), point, float(a[where]), float(b[where]))
        if not np.all(holds(a, b, slack) | ~defined):
            return Verdict(
                "different",
                "claim",
                points=checked,
                counterexample={
                    "point": {name: np.asarray(value).tolist() for name, value in point.items()},
                    "index": {str(symbol): int(w) + 1 for (symbol, _), w in zip(indices, where, strict=False)},
                    "lhs": float(a[where]),
                    "rhs": float(b[where]),
                },
                detail=f"{float(a[where]):.6g} {relation} {float(b[where]):.6g} fails",
            )
    if checked < max(3, draws // 4):
        return Verdict("undecided", "claim", points=checked, detail="too few points where both sides are defined")
    detail = f"smallest margin {worst[0]:.3g} in {checked} draws" if worst is not None else ""
    return Verdict("equal", "claim", points=checked, detail=detail)
