"""Matrix expressions at symbolic and concrete sizes: printed in matrix form, made explicit in 1-based entries.

SymPy's MatrixSymbol entries are 0-based MatrixElements and its explicit inverse of a symbolic 3×3
takes seconds; the engine's checks expect 1-based Indexed entries (``A[1, 1]``). These classes print
as the usual matrix notation in worksheets and, at a known size, become explicit matrices of Indexed
entries built the fast way (inverse by adjugate over determinant, products factor by factor).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from symwork.core.instances import explicit as to_indexed


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


class Matrices:
    """Matrix expressions in the printed form (MatrixSymbol, unevaluated products) or, at a concrete size, explicit.

    SymPy's explicit inverse of a symbolic 3×3 MatrixSymbol takes seconds and ``A.I*A`` cancels on
    construction; at instances we build explicit matrices (inverse by adjugate over determinant),
    which is the same mathematics and checks in milliseconds.
    """

    #: Largest concrete size built explicitly; beyond it an adjugate is too slow to build at all, and
    #: ``evaluate`` goes through ``matrix_evaluator``, which needs only the matrix form.
    EXPLICIT_UP_TO: ClassVar[int] = 3

    def __init__(self, size: Any, *, explicit: bool | None = None) -> None:
        self.size = size
        if explicit is None:
            explicit = not isinstance(size, sp.Expr) and int(size) <= self.EXPLICIT_UP_TO
        self.explicit = explicit

    def symbol(self, name: str, rows: Any = None, cols: Any = 1) -> Any:
        matrix = sp.MatrixSymbol(name, self.size if rows is None else rows, self.size if cols is None else cols)
        return matrix.as_explicit() if self.explicit else matrix

    def eye(self) -> Any:
        return sp.eye(self.size) if self.explicit else sp.Identity(self.size)

    def zeros(self, cols: int = 1) -> Any:
        return sp.zeros(self.size, cols) if self.explicit else sp.ZeroMatrix(self.size, cols)

    def inv(self, matrix: Any) -> Any:
        if self.explicit:
            return sp.ImmutableMatrix(matrix.adjugate(method="berkowitz") / matrix.det(method="berkowitz"))
        return matrix.I

    def mul(self, *factors: Any) -> Any:
        if self.explicit:
            out = factors[0]
            for factor in factors[1:]:
                out = out * factor
            return out
        return sp.MatMul(*factors, evaluate=False)

    def add(self, *terms: Any) -> Any:
        if self.explicit:
            out = terms[0]
            for term in terms[1:]:
                out = out + term
            return out
        return sp.MatAdd(*terms, evaluate=False)


def matrix_evaluator(
    formula: Callable[[Matrices], Any], names: Sequence[str], size_name: str = "n"
) -> Callable[[Any, dict[str, np.ndarray]], np.ndarray]:
    """An ``evaluator`` that compiles the printed matrix form (``A^{-1}`` as a numpy inverse) at the instance's size.

    The explicit instance form would need a symbolic inverse, which is infeasible beyond n = 3.
    """

    def evaluate(instance: Any, values: dict[str, np.ndarray]) -> np.ndarray:
        n = int(instance.sizes[size_name])
        form = Matrices(n, explicit=False)
        expr = formula(form)
        # The expression's own symbols, found by name (scalars may be LatexSymbols with assumptions).
        own = {symbol.name: symbol for symbol in expr.free_symbols if hasattr(symbol, "name")}
        arguments = [own.get(name, sp.Symbol(name)) for name in names]
        function = sp.lambdify(arguments, expr, modules="numpy")
        column = lambda v: v.reshape(-1, 1) if v.ndim == 1 else v  # noqa: E731
        result = np.asarray(function(*(column(values[name]) for name in names)), dtype=float)
        return result[:, 0] if result.ndim == 2 and result.shape[1] == 1 else result

    return evaluate


def latex_matrix(rows: Any) -> str:
    """A nested list (or a flat list, as a column) of exact numbers as a LaTeX bmatrix, for exercise prompts."""
    matrix = sp.Matrix(rows)
    body = r" \\ ".join(" & ".join(sp.latex(entry) for entry in matrix.row(r)) for r in range(matrix.rows))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def latex_vector(values: Any) -> str:
    """A list of exact numbers as a LaTeX row tuple, e.g. (1, -1/2, 3)."""
    return "(" + ", ".join(sp.latex(sp.nsimplify(v)) for v in values) + ")"
