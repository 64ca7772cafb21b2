"""The spectral theorem for a symmetric matrix: orthogonal eigenvectors, so A = QΛQᵀ."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation
from symwork.core.matrices import Prod, latex_matrix
from symwork.core.spec import Part
from symwork.publish.figures import new_figure, pdf_bytes

from ._common import jacobi_eigh, pythagorean_rotation

i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)  # noqa: E741


def _symmetric_with_eigenpairs(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # The steps use eigenpairs of A (Q, lam, Lambda) besides A itself: the sampler draws them and builds
    # A = QΛQᵀ, so each step is checked under its hypothesis A u_i = λ_i u_i with orthonormal u_i. Half of
    # the draws repeat an eigenvalue: there orthogonality is the spectral theorem's choice, not a consequence.
    lam = np.sort(rng.uniform(-2.0, 2.0, n))
    if rng.integers(0, 2):
        lam[1] = lam[0]
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(lam) @ Q.T
    return {"A": (A + A.T) / 2, "Q": Q, "lamda": lam, "Lambda": np.diag(lam)}


def _eigen_evaluator(instance: Instance, values: dict[str, np.ndarray]) -> np.ndarray:
    # No closed form for n ≥ 5: construct the Q of the result, QᵀAQ = Λ, by Jacobi rotations.
    eigenvalues, _ = jacobi_eigh(values["A"])
    return eigenvalues


def _canonical_eigenvectors(A: np.ndarray) -> np.ndarray:
    """Orthonormal eigenvectors by LAPACK, in ascending order of eigenvalue, each signed so its first nonzero entry is positive."""
    _, vectors = np.linalg.eigh(A)
    for column in range(vectors.shape[1]):
        first = vectors[np.argmax(np.abs(vectors[:, column]) > 1e-9), column]
        vectors[:, column] *= np.sign(first)
    return vectors


def _eigen_exercise(rng: np.random.Generator) -> Exercise:
    # A = cI + s wwᵀ with w a Pythagorean direction (|w| = 5) has eigenvalues c and c + 25s, with the
    # rational unit eigenvectors w/5 and w⊥/5: every entry of Λ and Q is a simple fraction.
    p, q, _ = pythagorean_rotation(rng)
    while p * p + q * q != 25:
        p, q, _ = pythagorean_rotation(rng)
    centre, sign = int(rng.integers(-3, 4)), int(rng.choice([-1, 1]))
    A = sp.Matrix([[centre + sign * p * p, sign * p * q], [sign * p * q, centre + sign * q * q]])
    along, across = sp.Matrix([p, q]) / 5, sp.Matrix([-q, p]) / 5
    columns = [across, along] if sign > 0 else [along, across]
    columns = [column if next(v for v in column if v != 0) > 0 else -column for column in columns]
    eigenvalues = sorted(A.eigenvals(multiple=True))
    return Exercise(
        prompt=rf"Let $A = {latex_matrix(A.tolist())}$, a symmetric matrix.",
        values={"A": A.tolist()},
        # The result Λ is not a closed form in A for general n (the derivation has an evaluator), so the
        # engine cannot compute the key: it comes from the construction above (exact); the audit checks
        # it against the derivation's evaluator and LAPACK, and Q against LAPACK's eigenvectors.
        answer=sp.ImmutableMatrix(eigenvalues),
        parts=(
            Part(name=r"(\lambda_1, \lambda_2)", ask="Find its eigenvalues, in ascending order."),
            Part(
                name="Q",
                ask=r"Find orthonormal eigenvectors, the columns of $Q$ (in the same order, each with its first nonzero entry positive), so that $A = Q\Lambda Q^\top$.",
                answer=sp.ImmutableMatrix.hstack(*columns),
                reference=_canonical_eigenvectors,
            ),
        ),
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
        ax.text(*(values[k] * v * 1.08), rf"$\lambda_{k + 1} u_{k + 1}$, $\lambda_{k + 1}={values[k]:g}$", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-3.5, 3.5)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title(r"$A$ with rows $(2, 1)$ and $(1, 2)$ only stretches its eigenvectors $u_i$", fontsize=9)
    return pdf_bytes(fig)


@derivation(
    id="eigendecomposition",
    title="Eigendecomposition of a symmetric matrix",
    topic="linear-algebra",
    question=r"Let $A \in \R^{n\times n}$ be symmetric. By the spectral theorem (cited, not proved here) $A$ has $n$ real eigenvalues $\lambda_1 \le \dots \le \lambda_n$ with eigenvectors $A\bm{u}_i = \lambda_i\bm{u}_i$ that can be chosen orthonormal: within the eigenspace of a repeated eigenvalue, Gram--Schmidt makes any basis orthonormal and keeps its vectors eigenvectors. Show that eigenvectors of \emph{distinct} eigenvalues are orthogonal without any choice, and that with $Q = [\bm{u}_1 \cdots \bm{u}_n]$ and $\Lambda = \diag(\lambda_1, \dots, \lambda_n)$ we get $A = Q\Lambda Q^\top$ and $Q^\top AQ = \Lambda$. (For $A = I$ every unit vector is an eigenvector: orthogonality there is chosen, not derived.)",
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
                why=r"$A$ is symmetric, $A_{kl} = A_{lk}$: so $\bm{u}_i \perp \bm{u}_j$ whenever $\lambda_i \ne \lambda_j$ (for $\lambda_i = \lambda_j$ this says nothing)",
            ),
            Step(lhs=Am * Qm, rhs=Qm * Lm, why=r"the columns $A\bm{u}_i = \lambda_i\bm{u}_i$ side by side"),
            Step(
                lhs=Qm.T * Qm,
                rhs=sp.Identity(n),
                why=r"orthonormal columns: orthogonal across distinct eigenvalues by the steps above, and chosen orthonormal within each eigenspace (spectral theorem)",
            ),
            Step(lhs=Am, rhs=Prod(Am, Qm, Qm.T), why=r"$Q^\top Q = I$ makes $Q^{-1} = Q^\top$, so $QQ^\top = I$"),
            Step(rhs=Prod(Qm, Lm, Qm.T), why=r"$AQ = Q\Lambda$"),
        ),
        result=Step(
            lhs=Prod(Qm.T, Am, Qm),
            rhs=Lm,
            why=r"multiply by $Q^\top$ and $Q$: the eigenvalues are the diagonal of $\Lambda$, listed in ascending order",
        ),
    )
