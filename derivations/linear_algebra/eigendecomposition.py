"""The spectral theorem for a symmetric matrix: orthogonal eigenvectors, so A = QΛQᵀ."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation
from symwork.core.matrices import Prod, latex_matrix
from symwork.publish.figures import new_figure, pdf_bytes

from ._common import jacobi_eigh, pythagorean_rotation

i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)  # noqa: E741


def _symmetric_with_eigenpairs(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # The steps use eigenpairs of A (Q, lam, Lambda) besides A itself: the sampler draws A and
    # supplies them, so each step is checked under its hypothesis A u_i = λ_i u_i.
    square = rng.uniform(-2.0, 2.0, (n, n))
    A = (square + square.T) / 2
    lam, Q = np.linalg.eigh(A)
    return {"A": A, "Q": Q, "lamda": lam, "Lambda": np.diag(lam)}


def _eigen_evaluator(instance: Instance, values: dict[str, np.ndarray]) -> np.ndarray:
    # No closed form for n ≥ 5: construct the Q of the result, QᵀAQ = Λ, by Jacobi rotations.
    eigenvalues, _ = jacobi_eigh(values["A"])
    return eigenvalues


def _eigen_exercise(rng: np.random.Generator) -> Exercise:
    # A = [[m + p, q], [q, m - p]] with (p, q, h) a Pythagorean triple has eigenvalues m ± h.
    p, q, h = pythagorean_rotation(rng)
    centre = int(rng.integers(-3, 4))
    A = [[centre + p, q], [q, centre - p]]
    eigenvalues = sorted(sp.Matrix(A).eigenvals(multiple=True))
    return Exercise(
        prompt=rf"Find the eigenvalues (in ascending order) of the symmetric matrix $A = {latex_matrix(A)}$, and orthonormal eigenvectors $Q$ with $A = Q\Lambda Q^\top$.",
        values={"A": A},
        # The result Λ is not a closed form in A for general n (the derivation has an evaluator), so the
        # engine cannot compute the key: it comes from SymPy's eigenvalues of the 2×2 matrix (exact integers).
        answer=sp.ImmutableMatrix(eigenvalues),
        answer_label=r"(\lambda_1, \lambda_2)",
    )


def _figure() -> bytes:
    matrix = np.array([[2.0, 1.0], [1.0, 2.0]])
    values, vectors = np.linalg.eigh(matrix)
    fig, ax = new_figure(4.0, 4.0)
    angles = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    image = matrix @ circle
    ax.plot(*circle, color="0.6", lw=1, label="unit circle")
    ax.plot(*image, color="C0", lw=1.5, label=r"its image under $A$")
    for k in range(2):
        v = vectors[:, k]
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C1", "lw": 1.5})
        ax.annotate(
            "", xy=values[k] * v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1, "ls": "--"}
        )
        ax.text(*(values[k] * v * 1.08), rf"$\lambda_{k + 1} q_{k + 1}$, $\lambda_{k + 1}={values[k]:g}$", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-3.5, 3.5)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title(r"$A = [[2, 1], [1, 2]]$ only stretches its eigenvectors")
    return pdf_bytes(fig)


@derivation(
    id="eigendecomposition",
    title="Eigendecomposition of a symmetric matrix",
    topic="linear-algebra",
    question=r"Let $A \in \R^{n\times n}$ be symmetric with eigenpairs $A\bm{u}_i = \lambda_i\bm{u}_i$, $\|\bm{u}_i\| = 1$, collected in $Q = [\bm{u}_1 \cdots \bm{u}_n]$ and $\Lambda = \diag(\lambda_1, \dots, \lambda_n)$. Show that eigenvectors of distinct eigenvalues are orthogonal, hence $Q^\top Q = I$ and $A = Q\Lambda Q^{-1} = Q\Lambda Q^\top$.",
    inputs=[Input("A", ("n", "n"), "symmetric", "symmetric matrix; the result is its eigenvalues in ascending order")],
    sizes={"n": (2, 3, 4)},
    reference=lambda A: np.linalg.eigvalsh(A),
    sampler=_symmetric_with_eigenpairs,
    evaluator=_eigen_evaluator,
    exercise=_eigen_exercise,
    figure=_figure,
    tags=("eigenvalues", "spectral-theorem"),
)
def eigendecomposition(n: sp.Expr) -> Body:
    A, Q, lam = sp.IndexedBase("A"), sp.IndexedBase("Q"), sp.IndexedBase("lamda")
    Am, Qm, Lm = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("Lambda", n, n)
    au_i_dot_u_j = sp.Sum(sp.Sum(A[k, l] * Q[l, i], (l, 1, n)) * Q[k, j], (k, 1, n))
    u_i_dot_au_j = sp.Sum(Q[k, i] * sp.Sum(A[k, l] * Q[l, j], (l, 1, n)), (k, 1, n))
    return Body(
        indices={i: n, j: n, k: n, l: n},
        steps=(
            Step(
                lhs=(lam[i] - lam[j]) * sp.Sum(Q[k, i] * Q[k, j], (k, 1, n)),
                rhs=au_i_dot_u_j - u_i_dot_au_j,
                why=r"$\lambda_i\bm{u}_i^\top\bm{u}_j = (A\bm{u}_i)^\top\bm{u}_j$ and $\lambda_j\bm{u}_i^\top\bm{u}_j = \bm{u}_i^\top(A\bm{u}_j)$",
            ),
            Step(
                rhs=sp.Sum(sp.Sum(Q[l, i] * (A[k, l] - A[l, k]) * Q[k, j], (l, 1, n)), (k, 1, n)),
                why=r"rename $k \leftrightarrow l$ in the second sum",
            ),
            Step(
                rhs=sp.S.Zero,
                why=r"$A$ is symmetric, $A_{kl} = A_{lk}$: so $\bm{u}_i \perp \bm{u}_j$ whenever $\lambda_i \ne \lambda_j$",
            ),
            Step(lhs=Am * Qm, rhs=Qm * Lm, why=r"the columns $A\bm{u}_i = \lambda_i\bm{u}_i$ side by side"),
            Step(lhs=Qm.T * Qm, rhs=sp.Identity(n), why=r"unit eigenvectors, pairwise orthogonal by the steps above"),
            Step(lhs=Am, rhs=Prod(Am, Qm, Qm.T), why=r"$Q^\top Q = I$ makes $Q^{-1} = Q^\top$, so $QQ^\top = I$"),
            Step(rhs=Prod(Qm, Lm, Qm.T), why=r"$AQ = Q\Lambda$"),
        ),
        result=Step(
            lhs=Prod(Qm.T, Am, Qm),
            rhs=Lm,
            why=r"multiply by $Q^\top$ and $Q$: the eigenvalues are the diagonal of $\Lambda$, listed in ascending order",
        ),
    )
