"""Shared helpers for the linear-algebra derivations: explicit trace/determinant, Jacobi eigenvalues, nice draws."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp


def _entries(matrix: sp.MatrixSymbol) -> sp.ImmutableMatrix:
    # The engine's checks expect 1-based Indexed entries (A[1, 1]), not MatrixElements (A[0, 0]).
    base = sp.IndexedBase(matrix.name)
    rows, cols = (int(d) for d in matrix.shape)
    return sp.ImmutableMatrix(rows, cols, lambda r, c: base[r + 1, c + 1])


def to_indexed(matrix: sp.MatrixBase) -> sp.ImmutableMatrix:
    """Replace MatrixSymbol entries (0-based A[0, 0]) by the engine's 1-based Indexed entries (A[1, 1])."""
    from sympy.matrices.expressions.matexpr import MatrixElement

    def convert(element: MatrixElement) -> Any:
        parent, row, col = element.args
        base = sp.IndexedBase(parent.name)
        return base[row + 1] if parent.shape[1] == 1 else base[row + 1, col + 1]

    return sp.ImmutableMatrix(matrix).replace(lambda e: isinstance(e, MatrixElement), convert)


def _known_size(matrix: Any) -> bool:
    return all(sp.sympify(d).is_Integer for d in matrix.shape)


class Tr(sp.Trace):
    """``tr A`` that prints as a trace but, at known sizes, ``doit`` sums the (1-based Indexed) diagonal."""

    def doit(self, **hints: Any) -> Any:
        if _known_size(self.arg):
            return to_indexed(_explicit(self.arg)).trace()
        return super().doit(**hints)


class Det(sp.Determinant):
    """``det A`` that prints as a determinant but, at known sizes, ``doit`` expands it in Indexed entries."""

    def doit(self, **hints: Any) -> Any:
        if _known_size(self.arg):
            return to_indexed(_explicit(self.arg)).doit().det(method="berkowitz")
        return super().doit(**hints)


def jacobi_eigh(matrix: np.ndarray, *, sweeps: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix by cyclic Jacobi rotations.

    An algorithm independent of LAPACK's, so that it can be checked against ``np.linalg.eigh``.
    """
    a = np.array(matrix, dtype=float)
    size = a.shape[0]
    q = np.eye(size)
    for _ in range(sweeps):
        off = np.sqrt(np.sum(np.tril(a, -1) ** 2))
        if off <= 1e-15 * max(1.0, np.linalg.norm(a)):
            break
        for p in range(size - 1):
            for r in range(p + 1, size):
                if a[p, r] == 0.0:
                    continue
                # The rotation angle that zeroes a[p, r] (Golub & Van Loan, Algorithm 8.4.1).
                tau = (a[r, r] - a[p, p]) / (2.0 * a[p, r])
                t = np.sign(tau) / (abs(tau) + np.sqrt(1.0 + tau * tau)) if tau != 0 else 1.0
                c = 1.0 / np.sqrt(1.0 + t * t)
                s = t * c
                rotation = np.eye(size)
                rotation[p, p] = rotation[r, r] = c
                rotation[p, r], rotation[r, p] = s, -s
                a = rotation.T @ a @ rotation
                q = q @ rotation
    order = np.argsort(np.diag(a))
    return np.diag(a)[order], q[:, order]


def pythagorean_rotation(rng: np.random.Generator) -> tuple[int, int, int]:
    """A Pythagorean triple (p, q, h), shuffled and signed, so that [[p, -q], [q, p]]/h is a rational rotation."""
    p, q, h = [(3, 4, 5), (5, 12, 13), (8, 15, 17)][int(rng.integers(0, 3))]
    if rng.integers(0, 2):
        p, q = q, p
    return p * int(rng.choice([-1, 1])), q * int(rng.choice([-1, 1])), h


def latex_matrix(rows: Any) -> str:
    """A nested list of exact numbers as a LaTeX bmatrix."""
    return sp.latex(sp.Matrix(rows), mat_delim="[", mat_str="matrix")


def latex_vector(values: Any) -> str:
    """A list of exact numbers as a LaTeX row tuple."""
    return "(" + ", ".join(sp.latex(sp.nsimplify(v)) for v in values) + ")"


class Inv(sp.Inverse):
    """``M^{-1}`` whose explicit form is the adjugate over the determinant (SymPy's default simplifies for minutes)."""

    def as_explicit(self) -> sp.ImmutableMatrix:
        matrix = sp.ImmutableMatrix(_explicit(self.arg))
        return sp.ImmutableMatrix(matrix.adjugate(method="berkowitz") / matrix.det(method="berkowitz"))


class Prod(sp.MatMul):
    """A matrix product kept exactly as written (no cancelling of $M M^{-1}$), made explicit factor by factor."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return super().__new__(cls, *args, evaluate=False)

    def as_explicit(self) -> sp.ImmutableMatrix:
        scalar = sp.Mul(*(a for a in self.args if not isinstance(a, sp.MatrixExpr)))
        result = None
        for factor in (a for a in self.args if isinstance(a, sp.MatrixExpr)):
            block = _explicit(factor)
            result = block if result is None else result * block
        return sp.ImmutableMatrix(scalar * result)


class Plus(sp.MatAdd):
    """A matrix sum kept as written, made explicit term by term."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return super().__new__(cls, *args, evaluate=False)

    def as_explicit(self) -> sp.ImmutableMatrix:
        terms = [_explicit(term) for term in self.args]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return sp.ImmutableMatrix(total)


class Power(sp.MatPow):
    """$M^p$ for a non-negative integer $p$, made explicit by repeated products."""

    def __new__(cls, base: Any, exp: Any) -> Any:
        return super().__new__(cls, base, exp, evaluate=False)

    def as_explicit(self) -> sp.ImmutableMatrix:
        base = _explicit(self.base)
        result = sp.ImmutableMatrix.eye(base.shape[0])
        for _ in range(int(self.exp)):
            result = result * base
        return sp.ImmutableMatrix(result)


def _explicit(expr: Any) -> sp.ImmutableMatrix:
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if isinstance(expr, sp.Transpose):
        return _explicit(expr.arg).T
    if isinstance(expr, sp.MatMul) and not isinstance(expr, Prod):
        return Prod(*expr.args).as_explicit()
    if isinstance(expr, sp.MatAdd) and not isinstance(expr, Plus):
        return Plus(*expr.args).as_explicit()
    return sp.ImmutableMatrix(expr.as_explicit())
