"""PCA from the covariance matrix: the variance along w is wᵀCw, and the principal axes are C's top eigenvectors."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

i, t, s, a, b, c = sp.symbols("i t s a b c", integer=True, positive=True)


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
    points = ", ".join(f"({row[0]}, {row[1]})" for row in X.tolist())
    return Exercise(
        prompt=rf"Compute the covariance matrix $C = \frac1N\sum_t(\bm{{x}}_t - \bar{{\bm{{x}}}})(\bm{{x}}_t - \bar{{\bm{{x}}}})^\top$ of the $N = 3$ points ${points}$; its eigenvectors are the principal axes.",
        values={"X": X.tolist()},
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
                sp.Sum((X[t, a] - mean[a]) * (X[t, b] - mean[b]), (t, 1, N)) / N,
                (a, b),
                "covariance of features $a$, $b$",
            ),
        ),
        variables=(Input("w", ("d",), "real", "a direction"),),
        indices={t: N, s: N, a: d, b: d, i: d, c: d},
        steps=(
            Step(
                lhs=sp.Sum((sp.Sum(w[a] * X[t, a], (a, 1, d)) - projection_mean) ** 2, (t, 1, N)) / N,
                rhs=sp.Sum(sp.Sum(w[a] * (X[t, a] - mean[a]), (a, 1, d)) ** 2, (t, 1, N)) / N,
                why=r"the mean of the projections is $\bm{w}^\top\bar{\bm{x}}$",
            ),
            Step(
                rhs=sp.Sum(
                    sp.Sum(w[a] * w[b] * sp.Sum((X[t, a] - mean[a]) * (X[t, b] - mean[b]), (t, 1, N)) / N, (b, 1, d)),
                    (a, 1, d),
                ),
                why="expand the square and exchange the sums",
            ),
            Step(
                rhs=sp.Sum(sp.Sum(w[a] * C[a, b] * w[b], (b, 1, d)), (a, 1, d)),
                why=r"recognise $C_{ab}$: the variance along $\bm{w}$ is $\bm{w}^\top C\bm{w}$",
            ),
            Step(
                lhs=sp.Sum(sp.Sum(U[a, i] * C[a, b] * U[b, i], (b, 1, d)), (a, 1, d)),
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
            lhs=C[a, b],
            rhs=sp.Sum(X[t, a] * X[t, b], (t, 1, N)) / N - mean[a] * mean[b],
            why=r"expand the product: $C = \frac1N X^\top X - \bar{\bm{x}}\bar{\bm{x}}^\top$",
        ),
        result_indices=(a, b),
    )
