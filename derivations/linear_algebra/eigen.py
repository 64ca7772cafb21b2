"""Eigenvalues: the 2×2 characteristic polynomial, the spectral theorem for symmetric matrices, power iteration."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Instance, Step, derivation, exact_answer

from ._common import Det, Prod, Tr, jacobi_eigh, latex_matrix, latex_vector, pythagorean_rotation

i, j, k, l, r = sp.symbols("i j k l r", integer=True, positive=True)  # noqa: E741
lamda = sp.Symbol("lamda")  # SymPy prints "lamda" as \lambda; "lambda" is a Python keyword.


# --- characteristic polynomial -------------------------------------------------------------------


def _charpoly_reference(A: np.ndarray) -> np.ndarray:
    # np.poly builds the monic polynomial from the eigenvalues (LAPACK), not from trace and determinant.
    return np.real(np.poly(A)[1:])


def _charpoly_exercise(rng: np.random.Generator) -> Exercise:
    A = rng.integers(-4, 5, size=(2, 2))
    values = {"A": A.tolist()}
    answer = exact_answer(characteristic_polynomial, values)
    return Exercise(
        prompt=rf"Find the coefficients $c_1, c_0$ of the characteristic polynomial $\det(A - \lambda I) = \lambda^2 + c_1\lambda + c_0$ of $A = {latex_matrix(A.tolist())}$.",
        values=values,
        answer=answer,
        answer_label=r"(c_1, c_0)",
    )


@derivation(
    id="characteristic-polynomial",
    title="Characteristic polynomial of a $2\\times2$ matrix",
    topic="linear-algebra",
    question=r"For $A \in \R^{2\times2}$, show that $\det(A - \lambda I) = \lambda^2 - \tr(A)\,\lambda + \det A$, so that its coefficients are $(c_1, c_0) = (-\tr A, \det A)$ and the eigenvalues are $\lambda_\pm = \frac12\bigl(\tr A \pm \sqrt{\tr(A)^2 - 4\det A}\bigr)$.",
    inputs=[Input("A", (2, 2), "real", "the matrix; the result is the coefficient vector (c_1, c_0)")],
    reference=_charpoly_reference,
    exercise=_charpoly_exercise,
    tags=("eigenvalues", "determinant", "trace"),
)
def characteristic_polynomial() -> Body:
    M = sp.MatrixSymbol("A", 2, 2)
    A = sp.IndexedBase("A")
    shifted = sp.ImmutableMatrix([[A[1, 1] - lamda, A[1, 2]], [A[2, 1], A[2, 2] - lamda]])
    trace = A[1, 1] + A[2, 2]
    det = A[1, 1] * A[2, 2] - A[1, 2] * A[2, 1]
    return Body(
        variables=(Input("lamda", (), "real", "the variable of the polynomial"),),
        steps=(
            Step(
                lhs=Det(sp.MatAdd(M, -lamda * sp.Identity(2))),
                rhs=Det(shifted),
                why=r"subtract $\lambda$ on the diagonal",
            ),
            Step(
                rhs=(A[1, 1] - lamda) * (A[2, 2] - lamda) - A[1, 2] * A[2, 1], why=r"$2\times2$ determinant $ad - bc$"
            ),
            Step(rhs=lamda**2 - trace * lamda + det, why=r"expand in powers of $\lambda$"),
            Step(rhs=lamda**2 - Tr(M) * lamda + Det(M), why=r"recognise $\tr A = A_{11} + A_{22}$ and $\det A$"),
        ),
        result=Step(
            lhs=sp.ImmutableMatrix([-Tr(M), Det(M)]),
            rhs=sp.ImmutableMatrix([-trace, det]),
            why=r"read off the coefficients of $\lambda^1$ and $\lambda^0$; the quadratic formula gives $\lambda_\pm$",
        ),
    )


# --- eigendecomposition of a symmetric matrix ----------------------------------------------------


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
        # The result Λ is not a closed form in A for general n, so the exact key comes from SymPy's
        # eigenvalues of the 2×2 matrix (exact integers here) rather than from exact_answer.
        answer=sp.ImmutableMatrix(eigenvalues),
        answer_label=r"(\lambda_1, \lambda_2)",
    )


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


# --- power iteration -----------------------------------------------------------------------------


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
    steps = int(rng.integers(1, 4))
    values = {"lamda": lam, "c": c, "k": steps}
    answer = exact_answer(power_iteration, values)
    return Exercise(
        prompt=rf"A symmetric $A$ has eigenvalues $\bm{{\lambda}} = {latex_vector(lam)}$ with orthonormal eigenvectors $\bm{{u}}_i$, and $\bm{{x}}_0 = \sum_i c_i\bm{{u}}_i$ with $\bm{{c}} = {latex_vector(c)}$. Compute the squared error $e_k = \|A^k\bm{{x}}_0/(c_1\lambda_1^k) - \bm{{u}}_1\|^2$ after $k = {steps}$ steps.",
        values=values,
        answer=answer,
        answer_label="e_k",
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
    return Body(
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
                lhs=sp.Sum((iterate / (c[1] * lam[1] ** steps_k) - Q[r, 1]) ** 2, (r, 1, n)),
                rhs=sp.Sum((sp.Sum(Q[r, j] * c[j] / c[1] * (lam[j] / lam[1]) ** steps_k, (j, 2, n))) ** 2, (r, 1, n)),
                why=r"the $j = 1$ term of the rescaled iterate is exactly $Q_{r1} = (\bm{u}_1)_r$",
            ),
            Step(
                rhs=sp.Sum((c[j] / c[1]) ** 2 * (lam[j] / lam[1]) ** (2 * steps_k), (j, 2, n)),
                why=r"$\|Q\bm{y}\| = \|\bm{y}\|$ for orthonormal columns",
            ),
        ),
        result=Step(
            rhs=(lam[2] / lam[1]) ** (2 * steps_k)
            * sp.Sum((c[j] / c[1]) ** 2 * (lam[j] / lam[2]) ** (2 * steps_k), (j, 2, n)),
            why=r"factor out $(\lambda_2/\lambda_1)^{2k}$; each $(\lambda_j/\lambda_2)^{2k} \le 1$",
        ),
    )
