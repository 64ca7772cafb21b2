"""The Eckart–Young error of a truncated SVD: ‖A − A_k‖_F² is the energy Σ_{l>k} σ_l² left out."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation
from symwork.core.matrices import latex_matrix
from symwork.core.spec import Part

from ._common import jacobi_eigh, pythagorean_rotation

i, j, l, t = sp.symbols("i j l t", integer=True, positive=True)  # noqa: E741


def _svd_sampler(rng: np.random.Generator, m: int, n: int, k: int) -> dict[str, np.ndarray]:
    # The steps use the thin SVD A = U diag(σ) Vᵀ; the sampler draws A and supplies its factors.
    A = rng.uniform(-2.0, 2.0, (m, n))
    U, sigma, Vt = np.linalg.svd(A, full_matrices=False)
    # X Yᵀ is a random matrix of rank at most k, for the Eckart–Young claim.
    return {"A": A, "U": U, "sigma": sigma, "V": Vt.T, "X": rng.normal(size=(m, k)), "Y": rng.normal(size=(n, k))}


def _svd_reference(A: np.ndarray) -> np.ndarray:
    # Build each truncation A_k from LAPACK's SVD and measure ‖A − A_k‖_F² directly.
    U, sigma, Vt = np.linalg.svd(A, full_matrices=False)
    errors = []
    for k in range(1, sigma.size + 1):
        A_k = (U[:, :k] * sigma[:k]) @ Vt[:k]
        errors.append(np.sum((A - A_k) ** 2))
    return np.array(errors)


def _svd_evaluator(instance: Instance, values: dict[str, np.ndarray]) -> np.ndarray:
    # The result Σ_{l>k} σ_l² for every k = 1..min(m, n); σ_l² are the eigenvalues of AᵀA (Jacobi rotations).
    A = values["A"]
    gram = A.T @ A if A.shape[0] >= A.shape[1] else A @ A.T
    energies = np.clip(jacobi_eigh(gram)[0][::-1], 0.0, None)
    return np.array([np.sum(energies[k:]) for k in range(1, energies.size + 1)])


def _svd_exercise(rng: np.random.Generator) -> Exercise:
    # Orthogonal columns built from a Pythagorean triple: singular values h|x| and h|y|.
    p, q, _ = pythagorean_rotation(rng)
    x, y = (int(v) * int(rng.choice([-1, 1])) for v in rng.choice([1, 2, 3], size=2, replace=False))
    A = [[p * x, -q * y], [q * x, p * y]]
    energies = sorted((sp.Matrix(A).T * sp.Matrix(A)).eigenvals(multiple=True), reverse=True)
    return Exercise(
        prompt=rf"Let $A = {latex_matrix(A)}$.",
        values={"A": A},
        # Σ_{l>k} σ_l² needs the singular values, which are not a closed form in A for general sizes (the
        # derivation has an evaluator), so the engine cannot compute the key: it comes from the eigenvalues
        # of AᵀA (exact integers here), checked by the audit against the evaluator and LAPACK.
        answer=sp.ImmutableMatrix([sum(energies[k:], sp.S.Zero) for k in range(1, 3)]),
        parts=(
            Part(
                name=r"(\sigma_1, \sigma_2)",
                ask="Find its singular values, largest first.",
                answer=sp.ImmutableMatrix([sp.sqrt(e) for e in energies]),
                reference=_singular_values,
            ),
            Part(name=r"\|A - A_1\|_F^2", ask=r"Find the error $\|A - A_1\|_F^2$ of its best rank-1 approximation.", of=0),
            Part(name=r"\|A - A_2\|_F^2", ask=r"Find the error $\|A - A_2\|_F^2$ of its best rank-2 approximation.", of=1),
        ),
    )


def _singular_values(A: np.ndarray) -> np.ndarray:
    return np.linalg.svd(A, compute_uv=False)


@derivation(
    id="svd-low-rank",
    title="Error of the truncated SVD",
    topic="linear-algebra",
    question=r"Let $A = \sum_{l=1}^{p}\sigma_l\bm{u}_l\bm{v}_l^\top$ ($p = \min(m, n)$) be a thin SVD and $A_k = \sum_{l=1}^{k}\sigma_l\bm{u}_l\bm{v}_l^\top$. Show that $\|A - A_k\|_F^2 = \sum_{l>k}\sigma_l^2 = \|A\|_F^2 - \sum_{l\le k}\sigma_l^2$ (by Eckart--Young, no matrix of rank $k$ does better).",
    inputs=[
        Input(
            "A", ("m", "n"), "real", "matrix; the result is the vector of errors ||A - A_k||_F^2 for k = 1..min(m, n)"
        )
    ],
    sizes={"m": (2, 3, 4), "n": (2, 2, 3), "k": (1, 1, 2)},
    reference=_svd_reference,
    sampler=_svd_sampler,
    evaluator=_svd_evaluator,
    exercise=_svd_exercise,
    tags=("svd", "low-rank", "eckart-young"),
)
def svd_low_rank(m: sp.Expr, n: sp.Expr, k: sp.Expr) -> Body:
    A, U, V, sigma = sp.IndexedBase("A"), sp.IndexedBase("U"), sp.IndexedBase("V"), sp.IndexedBase("sigma")
    X, Y = sp.IndexedBase("X"), sp.IndexedBase("Y")
    p = sp.Min(m, n)
    error = sp.Sum(sp.Sum((A[i, j] - sp.Sum(U[i, l] * sigma[l] * V[j, l], (l, 1, k))) ** 2, (j, 1, n)), (i, 1, m))
    tail = sp.Sum(U[i, l] * sigma[l] * V[j, l], (l, k + 1, p))
    return Body(
        indices={i: m, j: n, l: p, t: p},
        steps=(
            Step(
                lhs=sp.Sum(
                    sp.Sum((A[i, j] - sp.Sum(U[i, l] * sigma[l] * V[j, l], (l, 1, k))) ** 2, (j, 1, n)), (i, 1, m)
                ),
                rhs=sp.Sum(sp.Sum(tail**2, (j, 1, n)), (i, 1, m)),
                why=r"$A_{ij} = \sum_{l=1}^{p}\sigma_l U_{il}V_{jl}$: only the terms $l > k$ remain",
            ),
            Step(
                rhs=sp.Sum(
                    sp.Sum(
                        sigma[l]
                        * sigma[t]
                        * sp.Sum(U[i, l] * U[i, t], (i, 1, m))
                        * sp.Sum(V[j, l] * V[j, t], (j, 1, n)),
                        (t, k + 1, p),
                    ),
                    (l, k + 1, p),
                ),
                why="expand the square and reorder the sums",
            ),
            Step(
                rhs=sp.Sum(sigma[l] ** 2, (l, k + 1, p)),
                why=r"orthonormal singular vectors: $\sum_i U_{il}U_{it} = \sum_j V_{jl}V_{jt} = \delta_{lt}$",
            ),
            Step(
                lhs=sp.Sum(sp.Sum((A[i, j] - sp.Sum(X[i, l] * Y[j, l], (l, 1, k))) ** 2, (j, 1, n)), (i, 1, m)),
                rhs=sp.Sum(sigma[l] ** 2, (l, k + 1, p)),
                relation=">=",
                why=r"Eckart--Young (cited): no matrix $B = XY^\top$ of rank at most $k$ does better than $A_k$; the audit samples random $X \in \R^{m\times k}$, $Y \in \R^{n\times k}$",
            ),
        ),
        result=Step(
            lhs=error,
            rhs=sp.Sum(sp.Sum(A[i, j] ** 2, (j, 1, n)), (i, 1, m)) - sp.Sum(sigma[l] ** 2, (l, 1, k)),
            why=r"$\|A\|_F^2 = \sum_{l=1}^{p}\sigma_l^2$ (the case $k = 0$): the error is the energy not kept",
        ),
    )
