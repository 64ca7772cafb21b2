"""Shared helpers for the calculus derivations: symbols with LaTeX names, matrix forms at symbolic or concrete sizes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import sympy as sp


class LatexSymbol(sp.Symbol):
    """A Symbol that keeps a plain name (the input's name, for evaluation) but prints as LaTeX of our choice."""

    latex_names: ClassVar[dict[str, str]] = {}

    def _latex(self, printer: Any) -> str:
        return self.latex_names.get(str(self.name), str(self.name))


def named(name: str, latex: str, **assumptions: Any) -> LatexSymbol:
    """``named("eps", r"\\epsilon")`` is the input ``eps`` printed as ``\\epsilon``."""
    LatexSymbol.latex_names[name] = latex
    return LatexSymbol(name, **assumptions)


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
    """A nested list (or a flat list, as a column) in bmatrix form for exercise prompts."""
    matrix = sp.Matrix(rows)
    body = r" \\ ".join(" & ".join(sp.latex(entry) for entry in matrix.row(r)) for r in range(matrix.rows))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
