"""Shared notation of the Gaussian integrals: μ, σ, the unnormalised kernel, a fine quadrature grid and exercise draws."""

from __future__ import annotations

import numpy as np
import sympy as sp

mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
x = sp.Symbol("x")  # real=True makes SymPy integrate several times slower

#: Exercise parameters: small integer means and simple positive standard deviations.
MEANS = (-3, -2, -1, 0, 1, 2, 3)
SIGMAS = (sp.Rational(1, 2), sp.Rational(1, 3), 1, sp.Rational(3, 2), 2, 3)


def kernel(at: sp.Expr) -> sp.Expr:
    """The unnormalised Gaussian e^{-(x-μ)²/(2σ²)}."""
    return sp.exp(-((at - mu) ** 2) / (2 * sigma**2))


def grid(mean: float, sd: float) -> np.ndarray:
    """Quadrature nodes over ±40σ with spacing σ/100.

    The trapezoid rule on a Gaussian converges exponentially in the spacing, so this is accurate to
    rounding error, well inside the 1e-8 the checks demand.
    """
    return np.linspace(mean - 40 * sd, mean + 40 * sd, 8001)


def draw_parameters(rng: np.random.Generator) -> dict[str, sp.Expr]:
    """A mean from ``MEANS`` and a standard deviation from ``SIGMAS``, as exact numbers."""
    return {
        "mu": sp.Integer(MEANS[int(rng.integers(0, len(MEANS)))]),
        "sigma": sp.sympify(SIGMAS[int(rng.integers(0, len(SIGMAS)))]),
    }


def at(expr: sp.Expr, values: dict[str, sp.Expr]) -> sp.Expr:
    """``expr`` with the drawn μ and σ substituted."""
    return expr.subs({mu: values["mu"], sigma: values["sigma"]})
