"""Vector spaces: orthogonal projection onto a column space, and linear independence via the Gram determinant."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation, exact_answer
from symwork.core.instances import evaluate_instance

from ._common import Det, Inv, Plus, Power, Prod, latex_matrix, latex_vector

i, j = sp.symbols("i j", integer=True, positive=True)
u = sp.IndexedBase("u")
v = sp.IndexedBase("v")


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
    # Two independent integer columns in R^3 (a nonzero cross product) keep AᵀA invertible.
    while True:
        A = rng.integers(-2, 3, size=(3, 2))
        if np.any(np.cross(A[:, 0], A[:, 1]) != 0):
            break
    b = rng.integers(-3, 4, size=3)
    values = {"A": A.tolist(), "b": b.tolist()}
    answer = exact_answer(vector_projection, values)
    return Exercise(
        prompt=rf"Project $\bm{{b}} = {latex_vector(b.tolist())}^\top$ orthogonally onto the column space of $A = {latex_matrix(A.tolist())}$: compute $\bm{{p}} = A(A^\top A)^{{-1}}A^\top\bm{{b}}$.",
        values=values,
        answer=answer,
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


def _gram_reference(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    # Cauchy–Binet route: det(VᵀV) is the sum of the squared 2×2 minors of V = [u v].
    V = np.stack([u, v], axis=1)
    rows = range(V.shape[0])
    return np.asarray(sum(np.linalg.det(V[[r, s], :]) ** 2 for r in rows for s in rows if r < s))


def _gram_exercise(rng: np.random.Generator) -> Exercise:
    # Half of the draws are dependent (v a multiple of u), so students meet both answers.
    u_values = rng.integers(-3, 4, size=3)
    while not np.any(u_values):
        u_values = rng.integers(-3, 4, size=3)
    if rng.integers(0, 2):
        v_values = int(rng.choice([-2, -1, 2, 3])) * u_values
    else:
        v_values = rng.integers(-3, 4, size=3)
    values = {"u": u_values.tolist(), "v": v_values.tolist()}
    answer = exact_answer(linear_independence, values)
    return Exercise(
        prompt=rf"Compute the Gram determinant $\det(V^\top V)$ of $V = [\bm{{u}}\ \bm{{v}}]$ for $\bm{{u}} = {latex_vector(u_values.tolist())}$ and $\bm{{v}} = {latex_vector(v_values.tolist())}$, and decide whether $\bm{{u}}, \bm{{v}}$ are linearly independent.",
        values=values,
        answer=answer,
        answer_label=r"\det(V^\top V)",
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
