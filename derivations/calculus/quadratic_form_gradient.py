"""The gradient of the quadratic form xᵀAx, (A + Aᵀ)x, in index notation and in matrix form."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._quadratic_form_common import A, draw_form, f, form, i, j, k, matrix_text, quadratic_form, x

g = sp.IndexedBase("g")  # the gradient ∇f, entry by entry


def _exercise(rng: np.random.Generator) -> Exercise:
    _, matrix, point = draw_form(rng)
    symmetric = np.array(matrix) + np.array(matrix).T
    while not np.any(symmetric @ point):  # ∇f = 0 here (at x = 0, say) for every A: a draw that tests nothing
        point = [int(v) for v in rng.integers(-2, 3, size=len(point))]
    shown = ", ".join(map(str, point))
    return Exercise(
        prompt=(
            rf"Let $f(\bm{{x}}) = \bm{{x}}^\top A \bm{{x}}$ with $A = {matrix_text(matrix)}$. "
            rf"Compute $\nabla f$ at $\bm{{x}} = ({shown})^\top$."
        ),
        values={"A": matrix, "x": point},
        answer_label=rf"\nabla f\bigl(({shown})^\top\bigr)",
    )


@derivation(
    id="quadratic-form-gradient",
    title="Gradient of a quadratic form",
    topic="calculus",
    question=r"Let $f(\bm{x}) = \bm{x}^\top A \bm{x}$ for a square matrix $A$ (not necessarily symmetric). Show that $\nabla f = (A + A^\top)\bm{x}$.",
    inputs=[Input("A", ("n", "n"), "real", "square matrix"), Input("x", ("n",), "real", "point")],
    sizes={"n": (2, 3, 5)},
    forward=form,
    wrt="x",
    exercise=_exercise,
    tags=("gradient", "quadratic-form", "matrix-calculus"),
)
def quadratic_form_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(f, quadratic_form(n), (), r"the quadratic form $\bm{x}^\top A \bm{x}$"),
            Definition(g, sp.Derivative(f, x[k]), (k,), "gradient component"),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(lhs=g[k], rhs=sp.Derivative(quadratic_form(n), x[k]), why=r"$f = \bm{x}^\top A\bm{x}$ in index notation"),
            Step(
                rhs=sp.Sum(sp.Sum(sp.KroneckerDelta(i, k) * A[i, j] * x[j] + x[i] * A[i, j] * sp.KroneckerDelta(j, k), (j, 1, n)), (i, 1, n)),
                why=r"product rule, with $\partial x_i/\partial x_k = \delta_{ik}$",
            ),
            Step(rhs=sp.Sum(A[k, j] * x[j], (j, 1, n)) + sp.Sum(A[i, k] * x[i], (i, 1, n)), why=r"each Kronecker delta collapses one sum"),
            Step(rhs=sp.Sum((A[k, j] + A[j, k]) * x[j], (j, 1, n)), why=r"rename the summation index $i \to j$ in the sum over $i$, and combine"),
        ),
        result=Step(
            lhs=sp.MatrixSymbol("g", n, 1),
            rhs=(sp.MatrixSymbol("A", n, n) + sp.MatrixSymbol("A", n, n).T) * sp.MatrixSymbol("x", n, 1),
            why=r"in matrix form: $\sum_j A_{kj}x_j = (A\bm{x})_k$ and $\sum_j A_{jk}x_j = (A^\top\bm{x})_k$",
        ),
    )
