"""The second-order Taylor expansion of a quadratic, exact with no remainder."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_matrix

from ._opt_common import named
from ._quadratic_objective import A_, HALF, b_, f_x, gradient_steps, i, ints, j, k, quadratic, x_

h_ = sp.IndexedBase("h")
f_xh = named("f_xh", r"f(\bm{x} + \bm{h})")


def _reference(A: np.ndarray, b: np.ndarray, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    point = x + h
    return np.asarray(0.5 * point @ A @ point + b @ point)


def _exercise(rng: np.random.Generator) -> Exercise:
    a, d, c = int(rng.integers(-3, 4)), int(rng.integers(-3, 4)), int(rng.integers(-2, 3))
    values = {"A": [[a, c], [c, d]], "b": ints(rng, 2), "x": ints(rng, 2, -2, 2), "h": ints(rng, 2, -2, 2)}
    while not any(x + h for x, h in zip(values["x"], values["h"], strict=True)):  # f(0) = 0 whatever A and b are
        values["h"] = ints(rng, 2, -2, 2)
    return Exercise(
        prompt=(
            r"For $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} + \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$ and $\bm{{b}} = {latex_matrix(values['b'])}$, compute "
            r"$f(\bm{x}) + \nabla f(\bm{x})^\top\bm{h} + \frac{1}{2}\bm{h}^\top\nabla^2 f(\bm{x})\,\bm{h}$ at "
            rf"$\bm{{x}} = {latex_matrix(values['x'])}$, $\bm{{h}} = {latex_matrix(values['h'])}$, and check it against "
            r"$f(\bm{x} + \bm{h})$."
        ),
        values=values,
        answer_label=r"f(\bm{x} + \bm{h})",
    )


@derivation(
    id="taylor-second-order",
    title="Second-order Taylor expansion of a quadratic",
    topic="calculus",
    question=(
        r"Let $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} + \bm{b}^\top\bm{x}$ with $A$ symmetric. Show that "
        r"$f(\bm{x} + \bm{h}) = f(\bm{x}) + \nabla f(\bm{x})^\top\bm{h} + \frac{1}{2}\bm{h}^\top\nabla^2 f(\bm{x})\,\bm{h}$ "
        r"holds exactly, with $\nabla f = A\bm{x} + \bm{b}$ and $\nabla^2 f = A$."
    ),
    inputs=[
        Input("A", ("n", "n"), "symmetric", "symmetric matrix of the quadratic term"),
        Input("b", ("n",), "real", "linear term"),
        Input("x", ("n",), "real", r"expansion point $\bm{x}$"),
        Input("h", ("n",), "real", r"displacement $\bm{h}$; the result is $f(\bm{x} + \bm{h})$, a scalar"),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_reference,
    exercise=_exercise,
    tags=("taylor", "quadratic", "hessian"),
)
def taylor_second_order(n: sp.Expr) -> Body:
    def double(term: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.Sum(term, (j, 1, n)), (i, 1, n))

    gradient_dot_h = sp.Sum(sp.Derivative(f_x, x_[j]) * h_[j], (j, 1, n))
    curvature = HALF * double(h_[i] * sp.Derivative(f_x, x_[i], x_[j]) * h_[j])
    return Body(
        definitions=(
            Definition(f_x, quadratic(n, sign=1), (), "the quadratic at $\\bm{x}$"),
            Definition(f_xh, quadratic(n, shift=h_, sign=1), (), "the quadratic at $\\bm{x} + \\bm{h}$"),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            *gradient_steps(n, sign=1),
            Step(
                lhs=sp.Derivative(f_x, x_[i], x_[j]),
                rhs=A_[i, j],
                why=r"differentiate again (symmetric $A$); constant, so every third derivative vanishes",
            ),
            Step(lhs=f_xh, rhs=quadratic(n, shift=h_, sign=1), why=r"definition of $f$"),
            Step(
                rhs=quadratic(n, sign=1)
                + HALF * double(x_[i] * A_[i, j] * h_[j] + h_[i] * A_[i, j] * x_[j])
                + sp.Sum(b_[i] * h_[i], (i, 1, n))
                + HALF * double(h_[i] * A_[i, j] * h_[j]),
                why="expand the products and regroup by powers of $\\bm{h}$",
            ),
            Step(
                rhs=f_x
                + sp.Sum((sp.Sum(A_[j, k] * x_[k], (k, 1, n)) + b_[j]) * h_[j], (j, 1, n))
                + HALF * double(h_[i] * A_[i, j] * h_[j]),
                why=r"$\sum_{ij} x_i A_{ij} h_j = \sum_{ij} h_i A_{ij} x_j$ for symmetric $A$",
            ),
        ),
        result=Step(
            lhs=f_xh,
            rhs=f_x + gradient_dot_h + curvature,
            why="recognise the gradient and the Hessian: the expansion is exact, with no remainder",
        ),
    )
