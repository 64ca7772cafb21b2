"""Linear independence of two vectors via the Gram determinant: det(VᵀV) is Lagrange's sum of squared 2×2 minors."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.matrices import Det, latex_vector
from symwork.core.spec import Part

i, j = sp.symbols("i j", integer=True, positive=True)
u = sp.IndexedBase("u")
v = sp.IndexedBase("v")


def _gram_reference(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    # Cauchy–Binet route: det(VᵀV) is the sum of the squared 2×2 minors of V = [u v].
    V = np.stack([u, v], axis=1)
    rows = range(V.shape[0])
    return np.asarray(sum(np.linalg.det(V[[r, s], :]) ** 2 for r in rows for s in rows if r < s))


def _independence(u: np.ndarray, v: np.ndarray) -> str:
    """Whether u and v are linearly independent, by the rank of [u v] (LAPACK's SVD, not the Gram determinant)."""
    return "independent" if np.linalg.matrix_rank(np.stack([u, v], axis=1)) == 2 else "dependent"


def _gram_exercise(rng: np.random.Generator) -> Exercise:
    # Half of the draws are dependent (v a multiple of u), so students meet both answers.
    u_values = rng.integers(-3, 4, size=3)
    while not np.any(u_values):
        u_values = rng.integers(-3, 4, size=3)
    if rng.integers(0, 2):
        v_values = int(rng.choice([-2, -1, 2, 3])) * u_values
    else:
        v_values = rng.integers(-3, 4, size=3)
        while not np.any(v_values):  # v = 0 is dependent whatever u is: a draw that tests nothing about u
            v_values = rng.integers(-3, 4, size=3)
    return Exercise(
        prompt=rf"Let $V = [\bm{{u}}\ \bm{{v}}]$ with $\bm{{u}} = {latex_vector(u_values.tolist())}$ and $\bm{{v}} = {latex_vector(v_values.tolist())}$.",
        values={"u": u_values.tolist(), "v": v_values.tolist()},
        parts=(
            Part(name=r"\det(V^\top V)", ask=r"Compute the Gram determinant $\det(V^\top V)$."),
            Part(
                name=r"\bm{u}, \bm{v}\ \text{are linearly}",
                ask=r"Are $\bm{u}$ and $\bm{v}$ linearly independent or dependent?",
                words=("", "dependent", "independent"),
                reference=_independence,
            ),
        ),
    )


@derivation(
    id="linear-independence",
    title="Linear independence and the Gram determinant",
    topic="linear-algebra",
    question=r"For $\bm{u}, \bm{v} \in \R^n$ and $V = [\bm{u}\ \bm{v}]$, show that $\det(V^\top V) = \frac12\sum_{i,j}(u_iv_j - u_jv_i)^2$, so that $\det(V^\top V) \ge 0$ with equality exactly when $\rank V < 2$, i.e. when $\bm{u}$ and $\bm{v}$ are linearly dependent.",
    inputs=[Input("u", ("n",), "real", "first vector"), Input("v", ("n",), "real", "second vector")],
    sizes={"n": (2, 3, 5)},
    reference=_gram_reference,
    exercise=_gram_exercise,
    tags=("rank", "gram", "independence"),
)
def linear_independence(n: sp.Expr) -> Body:
    uu = sp.Sum(u[i] ** 2, (i, 1, n))
    vv = sp.Sum(v[j] ** 2, (j, 1, n))
    uv = sp.Sum(u[i] * v[i], (i, 1, n))
    vu = sp.Sum(v[i] * u[i], (i, 1, n))
    gram = sp.ImmutableMatrix([[uu, uv], [vu, vv]])
    return Body(
        indices={i: n, j: n},
        steps=(
            Step(
                lhs=Det(gram),
                rhs=uu * vv - uv * vu,
                why=r"$2\times 2$ determinant of $V^\top V = \begin{bmatrix}\bm{u}^\top\bm{u} & \bm{u}^\top\bm{v}\\ \bm{v}^\top\bm{u} & \bm{v}^\top\bm{v}\end{bmatrix}$",
            ),
            Step(
                rhs=sp.Sum(sp.Sum(u[i] ** 2 * v[j] ** 2 - u[i] * v[i] * u[j] * v[j], (j, 1, n)), (i, 1, n)),
                why="multiply out the products of sums",
            ),
            Step(
                rhs=sp.Rational(1, 2)
                * sp.Sum(
                    sp.Sum(u[i] ** 2 * v[j] ** 2 + u[j] ** 2 * v[i] ** 2 - 2 * u[i] * v[j] * u[j] * v[i], (j, 1, n)),
                    (i, 1, n),
                ),
                why=r"average the double sum with its copy under $i \leftrightarrow j$",
            ),
        ),
        result=Step(
            rhs=sp.Rational(1, 2) * sp.Sum(sp.Sum((u[i] * v[j] - u[j] * v[i]) ** 2, (j, 1, n)), (i, 1, n)),
            why=r"complete the square (Lagrange's identity): zero exactly when all $2\times2$ minors $u_iv_j - u_jv_i$ vanish, i.e. $\rank V < 2$",
        ),
    )
