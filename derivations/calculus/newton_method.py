"""Newton's method on a quadratic: one step lands on the minimiser A⁻¹b from any starting point."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import Matrices, latex_matrix, matrix_evaluator

from ._quadratic_objective import A_, HALF, QUADRATIC_INPUTS, f_x, gradient_steps, i, ints, j, k, quadratic, x_


def _spd_2x2(rng: np.random.Generator) -> list[list[int]]:
    # Diagonal 2..5 and off-diagonal -2..2 with a positive determinant: symmetric positive definite.
    while True:
        a, d = (int(v) for v in rng.integers(2, 6, size=2))
        c = int(rng.integers(-2, 3))
        if a * d - c * c > 0:
            return [[a, c], [c, d]]


def _point(form: Matrices) -> sp.Expr:
    return form.mul(form.inv(form.symbol("A", None, None)), form.symbol("b"))


def _reference(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    # One Newton step with the gradient and Hessian that autograd computes from f itself.
    def objective(u: anp.ndarray) -> anp.ndarray:
        return 0.5 * anp.dot(u, anp.dot(A, u)) - anp.dot(b, u)

    gradient = autograd.grad(objective)(x)
    hessian = autograd.hessian(objective)(x)
    return x - np.linalg.solve(hessian, gradient)


def _exercise(rng: np.random.Generator) -> Exercise:
    values = {"A": _spd_2x2(rng), "b": ints(rng, 2), "x": ints(rng, 2)}
    while not any(values["b"]):  # b = 0 puts the minimiser at 0 whatever A is: a draw that tests nothing
        values["b"] = ints(rng, 2)
    return Exercise(
        prompt=(
            r"Take one Newton step $\bm{x}^+ = \bm{x} - [\nabla^2 f(\bm{x})]^{-1}\nabla f(\bm{x})$ on "
            r"$f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$, $\bm{{b}} = {latex_matrix(values['b'])}$, "
            rf"from $\bm{{x}} = {latex_matrix(values['x'])}$."
        ),
        values=values,
        answer_label=r"\bm{x}^+",
    )


@derivation(
    id="newton-method",
    title="Newton's method on a quadratic",
    topic="calculus",
    question=(
        r"Let $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with $A$ symmetric positive definite. "
        r"Show that one Newton step $\bm{x}^+ = \bm{x} - [\nabla^2 f(\bm{x})]^{-1}\nabla f(\bm{x})$ lands on the minimiser "
        r"$A^{-1}\bm{b}$ from any $\bm{x}$."
    ),
    inputs=[
        *QUADRATIC_INPUTS,
        Input("x", ("n",), "real", r"starting point $\bm{x}$; the result is $\bm{x}^+$, shape (n,)"),
    ],
    sizes={"n": (2, 3)},
    reference=_reference,
    exercise=_exercise,
    evaluator=matrix_evaluator(_point, ("A", "b")),
    tags=("optimisation", "newton", "quadratic"),
)
def newton_method(n: sp.Expr) -> Body:
    form = Matrices(n)
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    A_inv = form.inv(A)
    return Body(
        definitions=(Definition(f_x, quadratic(n), (), "the quadratic objective"),),
        indices={i: n, j: n, k: n},
        steps=(
            *gradient_steps(n),
            Step(
                lhs=sp.Derivative(f_x, x_[i], x_[j]),
                rhs=HALF * (A_[i, j] + A_[j, i]),
                why=r"differentiate $\partial f/\partial x_j$ once more",
            ),
            Step(rhs=A_[i, j], why=r"symmetry of $A$: $\nabla^2 f = A$, constant and positive definite"),
            Step(
                lhs=form.add(form.mul(A, A_inv, b), -b),
                rhs=form.zeros(),
                why=r"the gradient vanishes at $\bm{x}^\star = A^{-1}\bm{b}$, the unique minimiser since $A \succ 0$",
            ),
            Step(
                lhs=form.add(x, -form.mul(A_inv, form.add(form.mul(A, x), -b))),
                rhs=form.add(x, form.mul(-1, A_inv, A, x), form.mul(A_inv, b)),
                why=r"Newton step with $\nabla f = A\bm{x} - \bm{b}$ and $\nabla^2 f = A$; distribute",
            ),
        ),
        result=Step(
            lhs=form.add(x, -form.mul(A_inv, form.add(form.mul(A, x), -b))),
            rhs=form.mul(A_inv, b),
            why=r"$A^{-1}A = I$: one step reaches $\bm{x}^\star$, whatever $\bm{x}$",
        ),
    )
