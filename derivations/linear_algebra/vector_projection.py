"""Orthogonal projection onto the column space of a matrix: P = A(AᵀA)⁻¹Aᵀ is idempotent and leaves an orthogonal residual."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation
from symwork.core.instances import evaluate_instance
from symwork.core.matrices import Inv, Plus, Power, Prod, latex_matrix, latex_vector


def _projection_reference(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Least squares by LAPACK (an SVD), then p = A x̂: no normal equations involved.
    coefficients, *_ = np.linalg.lstsq(A, b, rcond=None)
    return A @ coefficients


def _projection_sampler(rng: np.random.Generator, n: int, k: int) -> dict[str, np.ndarray]:
    A = rng.uniform(-2.0, 2.0, (n, k))
    return {"A": A, "b": rng.uniform(-2.0, 2.0, n), "G": A.T @ A}


def _projection_evaluator(instance: Instance, values: dict[str, np.ndarray]) -> np.ndarray:
    # For k = 1 the engine reads the n×1 matrix A as a vector and returns p as n×1; p is always (n,).
    return evaluate_instance(instance, values).reshape(-1)


def _projection_exercise(rng: np.random.Generator) -> Exercise:
    # Two independent integer columns in R^3 (a nonzero cross product) keep AᵀA invertible; b off the
    # column space (a nonzero triple product) makes p differ from b and depend on A.
    while True:
        A = rng.integers(-2, 3, size=(3, 2))
        if np.any(np.cross(A[:, 0], A[:, 1]) != 0):
            break
    b = rng.integers(-3, 4, size=3)
    while int(np.cross(A[:, 0], A[:, 1]) @ b) == 0:
        b = rng.integers(-3, 4, size=3)
    return Exercise(
        prompt=rf"Project $\bm{{b}} = {latex_vector(b.tolist())}^\top$ orthogonally onto the column space of $A = {latex_matrix(A.tolist())}$: compute $\bm{{p}} = A(A^\top A)^{{-1}}A^\top\bm{{b}}$.",
        values={"A": A.tolist(), "b": b.tolist()},
        answer_label=r"\bm{p}",
    )


@derivation(
    id="vector-projection",
    title="Orthogonal projection onto a column space",
    topic="linear-algebra",
    question=r"Let $A \in \R^{n\times k}$ have independent columns and $\bm{b} \in \R^n$. Show that $P = A(A^\top A)^{-1}A^\top$ satisfies $P^2 = P$, that the residual $\bm{b} - P\bm{b}$ is orthogonal to the columns of $A$, and hence that $\bm{p} = P\bm{b}$ is the orthogonal projection of $\bm{b}$ (for $k = 1$, $\bm{p} = \frac{\bm{a}^\top\bm{b}}{\bm{a}^\top\bm{a}}\bm{a}$).",
    inputs=[
        Input("A", ("n", "k"), "real", "matrix whose columns span the subspace (k <= n, full column rank)"),
        Input("b", ("n",), "real", "vector to project"),
    ],
    sizes={"n": (2, 3), "k": (1, 2)},
    reference=_projection_reference,
    sampler=_projection_sampler,
    evaluator=_projection_evaluator,
    exercise=_projection_exercise,
    tags=("projection", "least-squares"),
)
def vector_projection(n: sp.Expr, k: sp.Expr) -> Body:
    A = sp.MatrixSymbol("A", n, k)
    b = sp.MatrixSymbol("b", n, 1)
    # The checks keep the Gram matrix G = AᵀA as its own symbol (the sampler links it to A): expanding
    # (AᵀA)⁻¹ entry by entry inside P² would make every check compile expressions of thousands of terms.
    G = sp.MatrixSymbol("G", k, k)
    P = Prod(A, Inv(G), A.T)
    residual = Plus(b, Prod(-1, P, b))
    return Body(
        steps=(
            Step(
                lhs=G, rhs=Prod(A.T, A), why=r"name the Gram matrix of the columns, invertible as they are independent"
            ),
            Step(
                lhs=Power(P, 2),
                rhs=Prod(A, Inv(G), A.T, A, Inv(G), A.T),
                why=r"definition of $P = AG^{-1}A^\top$",
            ),
            Step(rhs=Prod(A, Inv(G), G, Inv(G), A.T), why=r"the middle factors are $A^\top A = G$"),
            Step(rhs=P, why=r"$G^{-1}G = I$: projecting twice changes nothing"),
            Step(
                lhs=Prod(A.T, residual),
                rhs=Plus(Prod(A.T, b), Prod(-1, A.T, A, Inv(G), A.T, b)),
                why=r"distribute $A^\top$",
            ),
            Step(rhs=Plus(Prod(A.T, b), Prod(-1, G, Inv(G), A.T, b)), why=r"$A^\top A = G$"),
            Step(rhs=sp.ZeroMatrix(k, 1), why=r"$GG^{-1} = I$: the residual is orthogonal to every column of $A$"),
            Step(
                lhs=Prod(b.T, b),
                rhs=Plus(Prod(sp.Transpose(Prod(P, b)), Prod(P, b)), Prod(sp.Transpose(residual), residual)),
                why=r"Pythagoras: $\bm{b} = P\bm{b} + (\bm{b} - P\bm{b})$ and the cross term $\bm{b}^\top P^\top(\bm{b} - P\bm{b})$ vanishes",
            ),
        ),
        result=Step(
            lhs=Prod(P, b),
            rhs=Prod(A, Inv(Prod(A.T, A)), A.T, b),
            why=r"$\bm{p} = A\hat{\bm{x}}$ with $\hat{\bm{x}} = (A^\top A)^{-1}A^\top\bm{b}$, the solution of the normal equations",
        ),
    )
