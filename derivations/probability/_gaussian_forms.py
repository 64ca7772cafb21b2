"""Matrix notation for the multivariate-Gaussian derivations: printed in matrix form, explicit (1-based entries) at instances."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork.core.matrices import Matrices


class Scalar(sp.Function):
    """A 1×1 matrix expression (a quadratic form) used as a scalar at symbolic sizes; printed as the product itself."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = printer._print(self.args[0])
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


class DetOf(sp.Function):
    """det M at symbolic sizes, printed ``\\det M`` (not SymPy's |M|, which reads as an absolute value)."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\det {printer._print(self.args[0])}"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


class TraceOf(sp.Function):
    """tr M at symbolic sizes, printed ``\\tr(M)``, with the product inside kept as written."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\tr\left({printer._print(self.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


class GaussianForms(Matrices):
    """``Matrices`` plus the scalar pieces of Gaussian log-densities: quadratic forms, determinants, traces.

    At a concrete size (≤ 3) every piece is an explicit scalar in the matrices' entries, which the engine's
    checks turn into 1-based ``Indexed`` entries; at a symbolic size each prints in the usual notation.
    """

    def vec(self, name: str) -> Any:
        return self.symbol(name)

    def mat(self, name: str) -> Any:
        return self.symbol(name, None, None)

    def sub(self, left: Any, right: Any) -> Any:
        return self.add(left, -right)

    def T(self, matrix: Any) -> Any:  # noqa: N802 - the transpose, as in matrix notation
        return matrix.T if self.explicit else sp.Transpose(matrix)

    def quad(self, left: Any, middle: Any, right: Any | None = None) -> Any:
        """leftᵀ · middle · right (right defaults to left) as a scalar."""
        right = left if right is None else right
        if self.explicit:
            return (left.T * middle * right)[0, 0]
        return Scalar(sp.MatMul(sp.Transpose(left), middle, right, evaluate=False))

    def quad_inv(self, vector: Any, matrix: Any) -> Any:
        """vectorᵀ · matrix⁻¹ · vector as a scalar."""
        return self.quad(vector, self.inv(matrix))

    def det(self, matrix: Any) -> Any:
        return matrix.det(method="berkowitz") if self.explicit else DetOf(matrix)

    def trace(self, *factors: Any) -> Any:
        if self.explicit:
            return self.mul(*factors).trace()
        return TraceOf(sp.MatMul(*factors, evaluate=False) if len(factors) > 1 else factors[0])


def cholesky_lower(matrix: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor L (positive diagonal) with L Lᵀ = matrix."""
    return np.linalg.cholesky(np.asarray(matrix, dtype=float))


def spd_draw(rng: np.random.Generator, d: int) -> np.ndarray:
    """A random symmetric positive-definite d×d matrix, comfortably away from singular."""
    square = rng.uniform(-1.0, 1.0, (d, d))
    return square @ square.T + 0.5 * np.eye(d)


def spd_integer_2x2(rng: np.random.Generator) -> list[list[int]]:
    """A 2×2 symmetric positive-definite matrix with small integer entries (a, c; c, b), ab > c²."""
    while True:
        a, b = (int(v) for v in rng.integers(1, 5, size=2))
        c = int(rng.integers(-2, 3))
        if a * b > c * c:
            return [[a, c], [c, b]]


class VectorNormalExpectation(sp.Function):
    """E[g(x)] for x ~ N(μ, Σ) with Σ = LLᵀ, written ``VectorNormalExpectation(g, x, mu, Sigma, L, d, p)`` (names as Symbols).

    At a concrete size ``doit`` substitutes x_i = μ_i + Σ_j L_ij ξ_j with independent standard normal ξ_j. For g
    of degree at most 3 in x (quadratic forms here) the mean is g(0) + ½ Σ_j ∂²g/∂ξ_j² at ξ = 0: odd moments
    vanish, E[ξ_j²] = 1 and E[ξ_j ξ_k] = 0. Differentiating avoids expanding the explicit inverses (a Poly
    over them takes tens of seconds at d = 3); the audit compares the result with quadrature, so a misuse
    with a higher degree shows as a failed step. At a symbolic size it prints as an expectation under the
    law named by the last argument, E_p[g].
    """

    nargs = 7

    def doit(self, **hints: Any) -> Any:
        body, var, mean, cov, factor, size, law = self.args
        if hints.get("deep", True):
            body = body.doit(**hints)
        if not size.is_Integer:
            return self.func(body, var, mean, cov, factor, size, law)
        n = int(size)
        xi = [sp.Dummy(f"xi{j}") for j in range(n)]
        x_, m_, f_ = (sp.IndexedBase(str(name)) for name in (var, mean, factor))
        substitution = {
            x_[row + 1]: m_[row + 1] + sp.Add(*(f_[row + 1, col + 1] * xi[col] for col in range(n))) for row in range(n)
        }
        g = body.xreplace(substitution)
        origin = dict.fromkeys(xi, sp.S.Zero)
        return g.xreplace(origin) + sp.Rational(1, 2) * sp.Add(*(sp.diff(g, v, 2).xreplace(origin) for v in xi))

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        body, law = self.args[0], self.args[6]
        text = rf"\E_{{{printer._print(law)}}}\left[{printer._print(body)}\right]"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"
