"""The result against independent computations: a derivation's reference, finite differences and autodiff of its forward."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from symwork.core.derivation import Derivation
from symwork.core.instances import point_sampler
from symwork.core.spec import Instance


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
        jac[(..., *position)] = (np.asarray(function(x + bump)) - np.asarray(function(x - bump))) / (
            2 * steps[position]
        )
    return jac


def autodiff(function: Callable[[Any], Any], x: np.ndarray, *, elementwise: bool) -> np.ndarray:
    # Lazy: autograd is only needed when a derivation gives forward=; importing it costs ~0.2 s.
    import autograd

    derivative = autograd.elementwise_grad(function) if elementwise else autograd.jacobian(function)
    return np.asarray(derivative(np.asarray(x, dtype=float)))


def references(
    derivation: Derivation, point: Mapping[str, Any], *, finite_differences: bool = True
) -> dict[str, tuple[np.ndarray, float]]:
    """Independent computations of the result at ``point``: name → (value, relative tolerance).

    ``finite_differences=False`` leaves out the one that is approximate (exact answers are compared tightly).
    """
    found: dict[str, tuple[np.ndarray, float]] = {}
    if derivation.reference is not None:
        found["reference"] = (np.asarray(derivation.reference(**point), dtype=float), 1e-8)
    if derivation.forward is not None and derivation.wrt is not None:
        wrt, forward = derivation.wrt, derivation.forward

        def along(x: Any) -> Any:
            return forward(**{**point, wrt: x})

        if finite_differences:
            found["finite-differences"] = (
                finite_difference(along, point[wrt], elementwise=derivation.elementwise),
                1e-5,
            )
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
