"""Shared notation of the quadratic-form derivatives: f = xᵀAx in index notation, its autograd form and exercise draws."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

i, j, k = sp.symbols("i j k", integer=True, positive=True)
x = sp.IndexedBase("x")
A = sp.IndexedBase("A")
f = sp.Symbol("f")


def quadratic_form(n: sp.Expr) -> sp.Expr:
    """Σ_i Σ_j x_i A_ij x_j."""
    return sp.Sum(sp.Sum(x[i] * A[i, j] * x[j], (j, 1, n)), (i, 1, n))


def form(A: anp.ndarray, x: anp.ndarray) -> anp.ndarray:  # noqa: N803 - the input is called A
    """xᵀAx for autograd."""
    return anp.dot(x, anp.dot(A, x))


def matrix_text(rows: list[list[int]]) -> str:
    """An integer matrix as a LaTeX bmatrix."""
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(str(v) for v in row) for row in rows) + r"\end{bmatrix}"


def draw_form(rng: np.random.Generator) -> tuple[int, list[list[int]], list[int]]:
    """A size of 2 or 3, a non-symmetric integer matrix and an integer point."""
    # Non-symmetric integer A on purpose: the exercise should show why Aᵀ appears.
    size = int(rng.integers(2, 4))
    matrix = [[int(v) for v in row] for row in rng.integers(-3, 4, size=(size, size))]
    while all(matrix[r][c] == matrix[c][r] for r in range(size) for c in range(size)):
        matrix[0][size - 1] += 1
    # An antisymmetric A gives xᵀAx = 0 for every x: gradient and Hessian 0 whatever the data.
    while all(matrix[r][c] == -matrix[c][r] for r in range(size) for c in range(size)):
        matrix[0][0] += 1
    point = [int(v) for v in rng.integers(-2, 3, size=size)]
    return size, matrix, point
