"""The Hessian of the quadratic form xᵀAx, A + Aᵀ, in index notation and in matrix form."""

from __future__ import annotations

import autograd
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._quadratic_form_common import A, draw_form, f, form, i, j, k, matrix_text, quadratic_form, x

ell = sp.Symbol("l", integer=True, positive=True)
H = sp.IndexedBase("H")  # the Hessian ∇²f, entry by entry


def _polynomial_text(matrix: list[list[int]]) -> str:
    variables = sp.symbols(f"x_1:{len(matrix) + 1}")
    column = sp.Matrix(variables)
    return sp.latex(sp.expand((column.T * sp.Matrix(matrix) * column)[0, 0]))


def _exercise(rng: np.random.Generator) -> Exercise:
    _, matrix, point = draw_form(rng)
    return Exercise(
        prompt=(
            rf"Let $f(\bm{{x}}) = {_polynomial_text(matrix)} = \bm{{x}}^\top A \bm{{x}}$ with $A = {matrix_text(matrix)}$. "
            rf"Compute the Hessian $\nabla^2 f$ at $\bm{{x}} = ({', '.join(map(str, point))})^\top$."
        ),
        values={"A": matrix, "x": point},
        answer_label=r"\nabla^2 f",
    )


@derivation(
    id="quadratic-form-hessian",
    title="Hessian of a quadratic form",
    topic="calculus",
    question=r"Let $f(\bm{x}) = \bm{x}^\top A \bm{x}$ for a square matrix $A$. Starting from $\partial f/\partial x_k = \sum_j (A_{kj} + A_{jk}) x_j$, show that the Hessian is $\nabla^2 f = A + A^\top$, the same at every $\bm{x}$.",
    inputs=[Input("A", ("n", "n"), "real", "square matrix"), Input("x", ("n",), "real", "point (the Hessian does not depend on it)")],
    sizes={"n": (2, 3, 5)},
    # The gradient by autodiff, not by the formula derived in quadratic-form-gradient: its Jacobian is the Hessian.
    forward=lambda A, x: autograd.grad(lambda v: form(A, v))(x),  # noqa: N803
    wrt="x",
    exercise=_exercise,
    tags=("hessian", "quadratic-form", "matrix-calculus"),
)
def quadratic_form_hessian(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(f, quadratic_form(n), (), r"the quadratic form $\bm{x}^\top A \bm{x}$"),
            Definition(H, sp.Derivative(f, x[k], x[ell]), (k, ell), "Hessian entry"),
        ),
        indices={i: n, j: n, k: n, ell: n},
        steps=(
            Step(
                lhs=H[k, ell],
                rhs=sp.Derivative(sp.Sum((A[k, j] + A[j, k]) * x[j], (j, 1, n)), x[ell]),
                why=r"differentiate the gradient $\partial f/\partial x_k = \sum_j (A_{kj} + A_{jk}) x_j$ with respect to $x_l$",
            ),
            Step(rhs=sp.Sum((A[k, j] + A[j, k]) * sp.KroneckerDelta(j, ell), (j, 1, n)), why=r"$\partial x_j/\partial x_l = \delta_{jl}$; the coefficients do not depend on $\bm{x}$"),
            Step(rhs=A[k, ell] + A[ell, k], why=r"the Kronecker delta keeps only $j = l$"),
        ),
        result=Step(
            lhs=sp.MatrixSymbol("H", n, n),
            rhs=sp.MatrixSymbol("A", n, n) + sp.MatrixSymbol("A", n, n).T,
            why=r"in matrix form; constant in $\bm{x}$, and symmetric even when $A$ is not",
        ),
    )
