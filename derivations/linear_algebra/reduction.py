"""Dimensionality reduction: the Eckart–Young error of a truncated SVD, and PCA from the covariance matrix."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Instance, Step, derivation, exact_answer

from ._common import jacobi_eigh, latex_matrix, pythagorean_rotation

i, j, l, t, s, a, c = sp.symbols("i j l t s a c", integer=True, positive=True)  # noqa: E741
b_ = sp.Symbol("b", integer=True, positive=True)

# --- truncated SVD ---------------------------------------------------------------------------------


def _svd_sampler(rng: np.random.Generator, m: int, n: int, k: int) -> dict[str, np.ndarray]:
    # The steps use the thin SVD A = U diag(σ) Vᵀ; the sampler draws A and supplies its factors.
    A = rng.uniform(-2.0, 2.0, (m, n))
    U, sigma, Vt = np.linalg.svd(A, full_matrices=False)
    return {"A": A, "U": U, "sigma": sigma, "V": Vt.T}


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
    energies = sorted(sp.Matrix(A).T.__mul__(sp.Matrix(A)).eigenvals(multiple=True), reverse=True)
    return Exercise(
        prompt=rf"Let $A = {latex_matrix(A)}$. Find its singular values and the errors $\|A - A_k\|_F^2$ of its best rank-$k$ approximations for $k = 1, 2$.",
        values={"A": A},
        # Σ_{l>k} σ_l² needs the singular values, which are not a closed form in A for general sizes;
        # the exact key comes from the eigenvalues of AᵀA (exact integers here).
        answer=sp.ImmutableMatrix([sum(energies[k:], sp.S.Zero) for k in range(1, 3)]),
        answer_label=r"(\|A - A_1\|_F^2, \|A - A_2\|_F^2)",
    )


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
    p = sp.Min(m, n)
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
        ),
        result=Step(
            rhs=sp.Sum(sp.Sum(A[i, j] ** 2, (j, 1, n)), (i, 1, m)) - sp.Sum(sigma[l] ** 2, (l, 1, k)),
            why=r"$\|A\|_F^2 = \sum_{l=1}^{p}\sigma_l^2$ (the case $k = 0$): the error is the energy not kept",
        ),
    )


# --- PCA ---------------------------------------------------------------------------------------------


def _pca_sampler(rng: np.random.Generator, N: int, d: int) -> dict[str, np.ndarray]:
    # Steps about principal axes need the eigenpairs of the covariance of the drawn data.
    X = rng.uniform(-2.0, 2.0, (N, d))
    centred = X - X.mean(axis=0)
    lamda, U = np.linalg.eigh(centred.T @ centred / N)
    return {"X": X, "U": U, "lamda": lamda}


def _pca_exercise(rng: np.random.Generator) -> Exercise:
    X = rng.integers(-3, 4, size=(3, 2))
    while np.linalg.matrix_rank(X - X.mean(axis=0)) < 1:
        X = rng.integers(-3, 4, size=(3, 2))
    values = {"X": X.tolist()}
    answer = exact_answer(pca_covariance, values)
    points = ", ".join(f"({row[0]}, {row[1]})" for row in X.tolist())
    return Exercise(
        prompt=rf"Compute the covariance matrix $C = \frac1N\sum_t(\bm{{x}}_t - \bar{{\bm{{x}}}})(\bm{{x}}_t - \bar{{\bm{{x}}}})^\top$ of the $N = 3$ points ${points}$; its eigenvectors are the principal axes.",
        values=values,
        answer=answer,
        answer_label="C",
    )


@derivation(
    id="pca-covariance",
    title="Principal axes from the covariance matrix",
    topic="linear-algebra",
    question=r"For data $\bm{x}_1, \dots, \bm{x}_N \in \R^d$ (the rows of $X$) with mean $\bar{\bm{x}}$ and covariance $C = \frac1N\sum_t(\bm{x}_t - \bar{\bm{x}})(\bm{x}_t - \bar{\bm{x}})^\top$, show that the variance of the projections $\bm{w}^\top\bm{x}_t$ is $\bm{w}^\top C\bm{w}$, that a unit eigenvector $\bm{u}_i$ of $C$ captures variance $\lambda_i$ out of a total $\tr C = \sum_i\lambda_i$ (so the principal axes are the top eigenvectors), and that $C = \frac1N X^\top X - \bar{\bm{x}}\bar{\bm{x}}^\top$.",
    inputs=[Input("X", ("N", "d"), "real", "data, one sample per row; the result is the (d, d) covariance C")],
    sizes={"N": (3, 4, 6), "d": (2, 3, 3)},
    reference=lambda X: np.cov(X, rowvar=False, bias=True),
    sampler=_pca_sampler,
    exercise=_pca_exercise,
    tags=("pca", "covariance", "eigenvectors"),
)
def pca_covariance(N: sp.Expr, d: sp.Expr) -> Body:
    X, w, U, lamda = sp.IndexedBase("X"), sp.IndexedBase("w"), sp.IndexedBase("U"), sp.IndexedBase("lamda")
    mean, C = sp.IndexedBase("xbar"), sp.IndexedBase("C")
    projection_mean = sp.Sum(sp.Sum(w[a] * X[s, a], (a, 1, d)), (s, 1, N)) / N
    return Body(
        definitions=(
            Definition(mean, sp.Sum(X[t, a], (t, 1, N)) / N, (a,), "mean of feature $a$"),
            Definition(
                C,
                sp.Sum((X[t, a] - mean[a]) * (X[t, b_] - mean[b_]), (t, 1, N)) / N,
                (a, b_),
                "covariance of features $a$, $b$",
            ),
        ),
        variables=(Input("w", ("d",), "real", "a direction"),),
        indices={t: N, s: N, a: d, b_: d, i: d, c: d},
        steps=(
            Step(
                lhs=sp.Sum((sp.Sum(w[a] * X[t, a], (a, 1, d)) - projection_mean) ** 2, (t, 1, N)) / N,
                rhs=sp.Sum(sp.Sum(w[a] * (X[t, a] - mean[a]), (a, 1, d)) ** 2, (t, 1, N)) / N,
                why=r"the mean of the projections is $\bm{w}^\top\bar{\bm{x}}$",
            ),
            Step(
                rhs=sp.Sum(
                    sp.Sum(
                        w[a] * w[b_] * sp.Sum((X[t, a] - mean[a]) * (X[t, b_] - mean[b_]), (t, 1, N)) / N, (b_, 1, d)
                    ),
                    (a, 1, d),
                ),
                why="expand the square and exchange the sums",
            ),
            Step(
                rhs=sp.Sum(sp.Sum(w[a] * C[a, b_] * w[b_], (b_, 1, d)), (a, 1, d)),
                why=r"recognise $C_{ab}$: the variance along $\bm{w}$ is $\bm{w}^\top C\bm{w}$",
            ),
            Step(
                lhs=sp.Sum(sp.Sum(U[a, i] * C[a, b_] * U[b_, i], (b_, 1, d)), (a, 1, d)),
                rhs=lamda[i],
                why=r"$C\bm{u}_i = \lambda_i\bm{u}_i$ and $\|\bm{u}_i\| = 1$ (maximising $\bm{w}^\top C\bm{w}$ subject to $\|\bm{w}\| = 1$ gives $C\bm{w} = \lambda\bm{w}$)",
            ),
            Step(
                lhs=sp.Sum(C[c, c], (c, 1, d)),
                rhs=sp.Sum(lamda[c], (c, 1, d)),
                why=r"$\tr C = \tr(U\Lambda U^\top) = \sum_i\lambda_i$: axis $i$ explains the fraction $\lambda_i/\tr C$",
            ),
        ),
        result=Step(
            lhs=C[a, b_],
            rhs=sp.Sum(X[t, a] * X[t, b_], (t, 1, N)) / N - mean[a] * mean[b_],
            why=r"expand the product: $C = \frac1N X^\top X - \bar{\bm{x}}\bar{\bm{x}}^\top$",
        ),
        result_indices=(a, b_),
    )
