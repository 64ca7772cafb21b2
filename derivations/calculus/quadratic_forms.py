"""Gradient and Hessian of the quadratic form xᵀAx, in index notation and in matrix form."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

i, j, k, ell = sp.symbols("i j k l", integer=True, positive=True)
x = sp.IndexedBase("x")
A = sp.IndexedBase("A")
g = sp.IndexedBase("g")  # the gradient ∇f, entry by entry
H = sp.IndexedBase("H")  # the Hessian ∇²f, entry by entry
f = sp.Symbol("f")


def _quadratic_form(n: sp.Expr) -> sp.Expr:
    return sp.Sum(sp.Sum(x[i] * A[i, j] * x[j], (j, 1, n)), (i, 1, n))


def _form(A: anp.ndarray, x: anp.ndarray) -> anp.ndarray:  # noqa: N803 - the input is called A
    return anp.dot(x, anp.dot(A, x))


def _matrix_text(rows: list[list[int]]) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(str(v) for v in row) for row in rows) + r"\end{bmatrix}"


def _draw_form(rng: np.random.Generator) -> tuple[int, list[list[int]], list[int]]:
    # Non-symmetric integer A on purpose: the exercise should show why Aᵀ appears.
    size = int(rng.integers(2, 4))
    matrix = [[int(v) for v in row] for row in rng.integers(-3, 4, size=(size, size))]
    while all(matrix[r][c] == matrix[c][r] for r in range(size) for c in range(size)):
        matrix[0][size - 1] += 1
    point = [int(v) for v in rng.integers(-2, 3, size=size)]
    return size, matrix, point


def _polynomial_text(matrix: list[list[int]]) -> str:
    variables = sp.symbols(f"x_1:{len(matrix) + 1}")
    column = sp.Matrix(variables)
    return sp.latex(sp.expand((column.T * sp.Matrix(matrix) * column)[0, 0]))


def _gradient_exercise(rng: np.random.Generator) -> Exercise:
    _, matrix, point = _draw_form(rng)
    values = {"A": matrix, "x": point}
    return Exercise(
        prompt=(
            rf"Let $f(\bm{{x}}) = \bm{{x}}^\top A \bm{{x}}$ with $A = {_matrix_text(matrix)}$. "
            rf"Compute $\nabla f$ at $\bm{{x}} = ({', '.join(map(str, point))})^\top$."
        ),
        values=values,
        answer=exact_answer(quadratic_form_gradient, values),
        answer_label=r"\nabla f(\bm{x})",
    )


@derivation(
    id="quadratic-form-gradient",
    title="Gradient of a quadratic form",
    topic="calculus",
    question=r"Let $f(\bm{x}) = \bm{x}^\top A \bm{x}$ for a square matrix $A$ (not necessarily symmetric). Show that $\nabla f = (A + A^\top)\bm{x}$.",
    inputs=[Input("A", ("n", "n"), "real", "square matrix"), Input("x", ("n",), "real", "point")],
    sizes={"n": (2, 3, 5)},
    forward=_form,
    wrt="x",
    exercise=_gradient_exercise,
    tags=("gradient", "quadratic-form", "matrix-calculus"),
)
def quadratic_form_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(f, _quadratic_form(n), (), r"the quadratic form $\bm{x}^\top A \bm{x}$"),
            Definition(g, sp.Derivative(f, x[k]), (k,), "gradient component"),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(lhs=g[k], rhs=sp.Derivative(_quadratic_form(n), x[k]), why=r"$f = \bm{x}^\top A\bm{x}$ in index notation"),
            Step(
                rhs=sp.Sum(sp.Sum(sp.KroneckerDelta(i, k) * A[i, j] * x[j] + x[i] * A[i, j] * sp.KroneckerDelta(j, k), (j, 1, n)), (i, 1, n)),
                why=r"product rule, with $\partial x_i/\partial x_k = \delta_{ik}$",
            ),
            Step(rhs=sp.Sum(A[k, j] * x[j], (j, 1, n)) + sp.Sum(A[i, k] * x[i], (i, 1, n)), why=r"each Kronecker delta collapses one sum"),
            Step(rhs=sp.Sum((A[k, j] + A[j, k]) * x[j], (j, 1, n)), why=r"rename $i \to j$ in the second sum and combine"),
        ),
        result=Step(
            lhs=sp.MatrixSymbol("g", n, 1),
            rhs=(sp.MatrixSymbol("A", n, n) + sp.MatrixSymbol("A", n, n).T) * sp.MatrixSymbol("x", n, 1),
            why=r"in matrix form: $\sum_j A_{kj}x_j = (A\bm{x})_k$ and $\sum_j A_{jk}x_j = (A^\top\bm{x})_k$",
        ),
    )


def _hessian_exercise(rng: np.random.Generator) -> Exercise:
    _, matrix, point = _draw_form(rng)
    values = {"A": matrix, "x": point}
    return Exercise(
        prompt=(
            rf"Let $f(\bm{{x}}) = {_polynomial_text(matrix)} = \bm{{x}}^\top A \bm{{x}}$ with $A = {_matrix_text(matrix)}$. "
            rf"Compute the Hessian $\nabla^2 f$ at $\bm{{x}} = ({', '.join(map(str, point))})^\top$."
        ),
        values=values,
        answer=exact_answer(quadratic_form_hessian, values),
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
    forward=lambda A, x: autograd.grad(lambda v: _form(A, v))(x),  # noqa: N803
    wrt="x",
    exercise=_hessian_exercise,
    tags=("hessian", "quadratic-form", "matrix-calculus"),
)
def quadratic_form_hessian(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(f, _quadratic_form(n), (), r"the quadratic form $\bm{x}^\top A \bm{x}$"),
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
