"""The library checks itself: every step of every derivation on instances, every result against independent numerics."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symwork.compare import compare
from symwork.core import instances
from symwork.core.callable import make_callable
from symwork.core.derivation import Derivation
from symwork.core.instances import instance_sizes, point_sampler
from symwork.core.spec import Body, Instance, Verdict
from symwork.errors import SymworkError


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one step (``step`` counts from 1; 0 is the stated result) of one instance."""

    derivation_id: str
    sizes: Mapping[str, int]
    step: int
    why: str
    verdict: Verdict


@dataclass(frozen=True)
class AuditRow:
    """One derivation's audit: steps checked, random points used, failures."""

    id: str
    steps: int
    points: int
    instances: int
    failures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        return "ok" if not self.failures else "FAIL"


def _free_indices(body: Body, *exprs: Any) -> list[tuple[Any, int]]:
    free: set[Any] = set()
    for expr in exprs:
        free |= getattr(expr, "free_symbols", set())
    return [(index, int(bound)) for index, bound in body.indices.items() if index in free]


def check_steps(instance: Instance, *, seed: int = 0, points: int = 6) -> list[StepCheck]:
    """Check every step of an instance, each at ``points`` random points, over all free index values."""
    body = instance.body
    draw = point_sampler(instance)
    results: list[StepCheck] = []
    previous: Any = None
    chain = [*body.steps, body.result]
    for number, step in enumerate(chain, start=1):
        is_result = number == len(chain)
        lhs = step.lhs if step.lhs is not None else previous
        previous = step.rhs
        if lhs is None:
            continue
        try:
            left, right = instances.prepare(lhs, body), instances.prepare(step.rhs, body)
            verdict = compare(left, right, sampler=draw, indices=_free_indices(body, left, right), seed=seed + number, points=points)
        except SymworkError as exc:
            verdict = Verdict("undecided", "error", detail=str(exc))
        results.append(StepCheck(instance.derivation.id, instance.sizes, 0 if is_result else number, step.why, verdict))
    return results


def finite_difference(function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, *, elementwise: bool) -> np.ndarray:
    """Central differences; for an elementwise function the derivative has the input's shape."""
    x = np.asarray(x, dtype=float)
    steps = 1e-6 * np.maximum(1.0, np.abs(x))
    if elementwise:
        return (np.asarray(function(x + steps)) - np.asarray(function(x - steps))) / (2 * steps)
    base = np.asarray(function(x))
    jac = np.zeros(base.shape + x.shape)
    for position in np.ndindex(x.shape):
        bump = np.zeros_like(x)
        bump[position] = steps[position]
        jac[(..., *position)] = (np.asarray(function(x + bump)) - np.asarray(function(x - bump))) / (2 * steps[position])
    return jac


def autodiff(function: Callable[[Any], Any], x: np.ndarray, *, elementwise: bool) -> np.ndarray:
    # Lazy: autograd is only needed when a derivation gives forward=; importing it costs ~0.2 s.
    import autograd

    derivative = autograd.elementwise_grad(function) if elementwise else autograd.jacobian(function)
    return np.asarray(derivative(np.asarray(x, dtype=float)))


def references(derivation: Derivation, point: Mapping[str, Any]) -> dict[str, tuple[np.ndarray, float]]:
    """Independent computations of the result at ``point``: name → (value, relative tolerance)."""
    found: dict[str, tuple[np.ndarray, float]] = {}
    if derivation.reference is not None:
        found["reference"] = (np.asarray(derivation.reference(**point), dtype=float), 1e-8)
    if derivation.forward is not None and derivation.wrt is not None:
        wrt, forward = derivation.wrt, derivation.forward

        def along(x: Any) -> Any:
            return forward(**{**point, wrt: x})

        found["finite-differences"] = (finite_difference(along, point[wrt], elementwise=derivation.elementwise), 1e-5)
        found["autodiff"] = (autodiff(along, point[wrt], elementwise=derivation.elementwise), 1e-8)
    return found


def check_result(instance: Instance, *, seed: int = 0, points: int = 3) -> list[str]:
    """Compare ``evaluate`` with every independent computation; return failure messages."""
    derivation = instance.derivation
    draw = point_sampler(instance)
    rng = np.random.default_rng(seed)
    failures: list[str] = []
    for _ in range(points):
        point = {k: v for k, v in draw(rng).items() if k in {i.name for i in derivation.inputs}}
        value = derivation.evaluate(**point)
        for name, (expected, rtol) in references(derivation, point).items():
            if value.shape != expected.shape:
                failures.append(f"{name}: shape {value.shape} against {expected.shape} at sizes {dict(instance.sizes)}")
                continue
            scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
            error = float(np.max(np.abs(value - expected), initial=0.0)) / scale
            if not error <= rtol:
                failures.append(f"{name}: relative error {error:.2e} at sizes {dict(instance.sizes)}")
    return failures


def audit(derivation: Derivation, *, seed: int = 0, points: int = 6) -> AuditRow:
    """Check every step on every instance and the result against independent numerics."""
    failures: list[str] = []
    total_points = 0
    step_count = 0
    sizes_list = instance_sizes(derivation)
    for sizes in sizes_list:
        try:
            instance = derivation.instance(**sizes)
            checks = check_steps(instance, seed=seed, points=points)
            result_failures = check_result(instance, seed=seed)
        except (SymworkError, ArithmeticError, ValueError, TypeError, sp.SympifyError) as exc:
            failures.append(f"sizes {sizes}: {exc}")
            continue
        step_count = max(step_count, len(checks))
        for item in checks:
            total_points += item.verdict.points
            if item.verdict.status != "equal":
                label = "result" if item.step == 0 else f"step {item.step} ({item.why})"
                failures.append(f"{label} at sizes {sizes}: {item.verdict.status} {item.verdict.detail or item.verdict.counterexample}")
        failures.extend(result_failures)
    if derivation.reference is None and derivation.forward is None:
        failures.append("no independent reference: give reference= or forward= with wrt=")
    return AuditRow(derivation.id, step_count, total_points, len(sizes_list), tuple(failures))


def audit_all(derivations: Iterable[Derivation], *, seed: int = 0) -> list[AuditRow]:
    return [audit(item, seed=seed) for item in derivations]


def stress_exercise(derivation: Derivation, seeds: Iterable[int]) -> list[str]:
    """Regenerate the exercise under many seeds; compare each exact answer with the independent computation."""
    failures: list[str] = []
    for seed in seeds:
        exercise = derivation.make_exercise(seed)
        point = {name: np.asarray(_to_float(value), dtype=float) for name, value in exercise.values.items()}
        expected = {k: v for k, v in references(derivation, point).items() if k != "finite-differences"}
        answer = np.asarray(_to_float(exercise.answer), dtype=float)
        if not np.all(np.isfinite(answer)):
            failures.append(f"seed {seed}: non-finite answer {exercise.answer}")
        for name, (value, _rtol) in expected.items():
            if answer.size != value.size or not np.allclose(answer.reshape(value.shape), value, rtol=1e-7, atol=1e-9):
                failures.append(f"seed {seed}: answer {exercise.answer} disagrees with {name} {value.tolist()}")
    return failures


def _to_float(value: Any) -> Any:
    if isinstance(value, sp.NDimArray):
        return np.array(value.tolist(), dtype=object).astype(float)
    if isinstance(value, sp.MatrixBase):
        return np.array(value.tolist(), dtype=object).astype(float).squeeze(axis=1) if value.shape[1] == 1 else np.array(value.tolist(), dtype=object).astype(float)
    if isinstance(value, (list, tuple)):
        return np.array([_to_float(v) for v in value], dtype=float)
    if isinstance(value, sp.Basic):
        return float(value)
    return value


make_callable(__name__, "audit")
