"""The characteristic polynomial of a 2×2 matrix: det(A − λI) = λ² − tr(A) λ + det A."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.matrices import Det, Tr, latex_matrix
from symwork.core.spec import Part

lamda = sp.Symbol("lamda")  # SymPy prints "lamda" as \lambda; "lambda" is a Python keyword.


def _charpoly_reference(A: np.ndarray) -> np.ndarray:
    # np.poly builds the monic polynomial from the eigenvalues (LAPACK), not from trace and determinant.
    return np.real(np.poly(A)[1:])


def _charpoly_exercise(rng: np.random.Generator) -> Exercise:
    A = rng.integers(-4, 5, size=(2, 2))
    return Exercise(
        prompt=rf"Write the characteristic polynomial of $A = {latex_matrix(A.tolist())}$ as $\det(A - \lambda I) = \lambda^2 + c_1\lambda + c_0$.",
        values={"A": A.tolist()},
        parts=(Part(name="c_1", ask="Find $c_1$.", of=0), Part(name="c_0", ask="Find $c_0$.", of=1)),
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
