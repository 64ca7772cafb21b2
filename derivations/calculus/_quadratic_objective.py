"""Shared notation of the optimisation derivations: f = ½xᵀAx ± bᵀx in index notation, its gradient and exercise draws."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Input, Step

from ._opt_common import named

i, j, k = sp.symbols("i j k", integer=True, positive=True)
A_ = sp.IndexedBase("A")
b_ = sp.IndexedBase("b")
x_ = sp.IndexedBase("x")
f_x = named("f", r"f(\bm{x})")

HALF = sp.Rational(1, 2)

#: A and b of f(x) = ½xᵀAx − bᵀx, as gradient descent and Newton's method take them.
QUADRATIC_INPUTS = [
    Input(
        "A",
        ("n", "n"),
        "spd",
        r"symmetric positive-definite matrix of $f(\bm{x}) = \frac12\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$",
    ),
    Input("b", ("n",), "real", "linear term of the quadratic"),
]


def quadratic(
    n: sp.Expr, point: sp.IndexedBase | None = None, shift: sp.IndexedBase | None = None, *, sign: int = -1
) -> sp.Expr:
    """½ Σ_ij u_i A_ij u_j + sign · Σ_i b_i u_i at u = x (+ h), in index notation."""

    def u(index: sp.Symbol) -> sp.Expr:
        return (point or x_)[index] + (shift[index] if shift is not None else 0)

    return HALF * sp.Sum(sp.Sum(u(i) * A_[i, j] * u(j), (j, 1, n)), (i, 1, n)) + sign * sp.Sum(b_[i] * u(i), (i, 1, n))


def gradient_steps(n: sp.Expr, *, sign: int = -1) -> tuple[Step, Step]:
    """∂f/∂x_j for f = ½ xᵀAx ± bᵀx: the product rule, then the symmetry of A."""
    gradient = r"A\bm{x} - \bm{b}" if sign < 0 else r"A\bm{x} + \bm{b}"
    return (
        Step(
            lhs=sp.Derivative(f_x, x_[j]),
            rhs=HALF * sp.Sum((A_[j, k] + A_[k, j]) * x_[k], (k, 1, n)) + sign * b_[j],
            why=r"product rule: $\partial x_i/\partial x_j = \delta_{ij}$",
        ),
        Step(
            rhs=sp.Sum(A_[j, k] * x_[k], (k, 1, n)) + sign * b_[j],
            why=rf"symmetry $A_{{jk}} = A_{{kj}}$; that is, $\nabla f = {gradient}$",
        ),
    )


def ints(rng: np.random.Generator, size: int, low: int = -3, high: int = 3) -> list[int]:
    """``size`` integers drawn uniformly from low..high."""
    return [int(v) for v in rng.integers(low, high + 1, size=size)]
