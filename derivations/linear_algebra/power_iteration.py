"""Convergence of power iteration: the rescaled iterate approaches the dominant eigenvector like |λ₂/λ₁|^k."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_vector

i, j, l, r = sp.symbols("i j l r", integer=True, positive=True)  # noqa: E741


def _fixed_orthogonal(n: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(12345).normal(size=(n, n)))
    return q


def _power_reference(lamda: np.ndarray, c: np.ndarray, k: float) -> np.ndarray:
    # Run the iteration itself: A = QΛQᵀ for some orthogonal Q, x₀ = Qc, x_k = A^k x₀, rescaled.
    lam = lamda
    n = lam.shape[0]
    Q = _fixed_orthogonal(n)
    A = Q @ np.diag(lam) @ Q.T
    x = Q @ c
    for _ in range(int(round(float(k)))):
        x = A @ x
    scaled = x / (c[0] * lam[0] ** int(round(float(k))))
    return np.asarray(np.sum((scaled - Q[:, 0]) ** 2))


def _power_sampler(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # A dominant eigenvalue (|λ₁| > |λ₂| ≥ ...), c₁ away from zero, and any orthogonal Q for the steps.
    magnitudes = np.sort(rng.uniform(0.2, 2.0, n))[::-1]
    magnitudes[0] += 0.3
    lam = magnitudes * rng.choice([-1.0, 1.0], n)
    c = rng.uniform(-2.0, 2.0, n)
    c[0] = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return {"lamda": lam, "c": c, "k": np.asarray(float(rng.integers(1, 7))), "Q": Q}


def _power_exercise(rng: np.random.Generator) -> Exercise:
    magnitudes = sorted((int(m) for m in rng.choice(np.arange(1, 6), size=3, replace=False)), reverse=True)
    lam = [m * int(rng.choice([-1, 1])) for m in magnitudes]
    c = [int(rng.choice([-2, -1, 1, 2]))] + [int(x) for x in rng.integers(-2, 3, size=2)]
    while c[1] == c[2] == 0:  # a start on u_1 itself: e_k = 0 whatever the eigenvalues, a draw that tests nothing
        c[1:] = [int(x) for x in rng.integers(-2, 3, size=2)]
    steps = int(rng.integers(1, 4))
    return Exercise(
        prompt=rf"A symmetric $A$ has eigenvalues $\bm{{\lambda}} = {latex_vector(lam)}$ with orthonormal eigenvectors $\bm{{u}}_i$, and $\bm{{x}}_0 = \sum_i c_i\bm{{u}}_i$ with $\bm{{c}} = {latex_vector(c)}$. Compute the squared error $e_k = \|A^k\bm{{x}}_0/(c_1\lambda_1^k) - \bm{{u}}_1\|^2$ after $k = {steps}$ steps.",
        values={"lamda": lam, "c": c, "k": steps},
        answer_label=f"e_{{{steps}}}",
    )


@derivation(
    id="power-iteration",
    title="Convergence of power iteration",
    topic="linear-algebra",
    question=r"Let $A = Q\Lambda Q^\top$ be symmetric with $|\lambda_1| > |\lambda_2| \ge \dots \ge |\lambda_n|$ and start from $\bm{x}_0 = Q\bm{c}$ with $c_1 \ne 0$. Show that the rescaled iterate $A^k\bm{x}_0/(c_1\lambda_1^k)$ has squared distance $e_k = (\lambda_2/\lambda_1)^{2k}\sum_{j\ge2}(c_j/c_1)^2(\lambda_j/\lambda_2)^{2k}$ from $\bm{u}_1$, so the error shrinks like $|\lambda_2/\lambda_1|^k$.",
    inputs=[
        Input("lamda", ("n",), "real", "eigenvalues, the dominant one first (|lam_1| > |lam_2| >= ...)"),
        Input("c", ("n",), "real", "coordinates of the start vector in the eigenbasis, c_1 != 0"),
        Input("k", (), "count", "number of steps; the result is the squared error e_k"),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_power_reference,
    sampler=_power_sampler,
    exercise=_power_exercise,
    tags=("eigenvalues", "iterative-methods"),
)
def power_iteration(n: sp.Expr) -> Body:
    Q, lam, c = sp.IndexedBase("Q"), sp.IndexedBase("lamda"), sp.IndexedBase("c")
    steps_k = sp.Symbol("k", integer=True, positive=True)
    iterate = sp.Sum(Q[r, j] * lam[j] ** steps_k * c[j], (j, 1, n))  # (A^k x_0)_r
    error = sp.Symbol("e_k")
    return Body(
        definitions=(
            Definition(
                error,
                sp.Sum((iterate / (c[1] * lam[1] ** steps_k) - Q[r, 1]) ** 2, (r, 1, n)),
                (),
                r"squared distance of the rescaled iterate $A^k\bm{x}_0/(c_1\lambda_1^k)$ from $\bm{u}_1$",
            ),
        ),
        indices={r: n, j: n, l: n, i: n},
        steps=(
            Step(
                lhs=sp.Sum(
                    sp.Sum(Q[r, j] * lam[j] ** steps_k * Q[l, j], (j, 1, n)) * sp.Sum(Q[l, i] * c[i], (i, 1, n)),
                    (l, 1, n),
                ),
                rhs=iterate,
                why=r"$(A^k\bm{x}_0)_r$ with $A^k = Q\Lambda^kQ^\top$, $\bm{x}_0 = Q\bm{c}$, and $\sum_l Q_{lj}Q_{li} = \delta_{ij}$",
            ),
            Step(
                rhs=c[1]
                * lam[1] ** steps_k
                * (Q[r, 1] + sp.Sum(c[j] / c[1] * (lam[j] / lam[1]) ** steps_k * Q[r, j], (j, 2, n))),
                why=r"factor out the dominant term $c_1\lambda_1^k$",
            ),
            Step(
                lhs=error,
                rhs=sp.Sum((sp.Sum(Q[r, j] * c[j] / c[1] * (lam[j] / lam[1]) ** steps_k, (j, 2, n))) ** 2, (r, 1, n)),
                why=r"the $j = 1$ term of the rescaled iterate is exactly $Q_{r1} = (\bm{u}_1)_r$",
            ),
            Step(
                rhs=sp.Sum((c[j] / c[1]) ** 2 * (lam[j] / lam[1]) ** (2 * steps_k), (j, 2, n)),
                why=r"$\|Q\bm{y}\| = \|\bm{y}\|$ for orthonormal columns",
            ),
        ),
        result=Step(
            lhs=error,
            rhs=(lam[2] / lam[1]) ** (2 * steps_k)
            * sp.Sum((c[j] / c[1]) ** 2 * (lam[j] / lam[2]) ** (2 * steps_k), (j, 2, n)),
            why=r"factor out $(\lambda_2/\lambda_1)^{2k}$; each $(\lambda_j/\lambda_2)^{2k} \le 1$",
        ),
    )
