"""Plain syntax for SymPy objects, the inverse of the plain parser: what a student would type without LaTeX.

``plain(expr)`` writes index notation (``s_i``, ``delta(i, j)``), matrix form (``(A + A^T)*x``,
``diag(s) - s*s^T``) and ML functions (``sigmoid(x)``) as `symwork.parse.plain` reads them. Plain syntax has
no sums, products, derivatives or integrals: `PlainUnwritableError` says so for such an expression.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.printing.str import StrPrinter

from symwork.errors import NotSupportedError, quote
from symwork.parse.plain import PLAIN_FUNCTIONS

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?")


class PlainUnwritableError(NotSupportedError):
    """The expression uses notation plain syntax has no way to write (a sum, a derivative, a LaTeX-only name)."""


class PlainPrinter(StrPrinter):
    """SymPy's str printer with the spellings of symwork's plain syntax."""

    #: Objects' own str methods (Indexed prints z[i]) are not plain syntax: only this printer's rules apply.
    printmethod = "_symwork_plain"

    def _print_Function(self, expr: Any) -> str:
        name = type(expr).__name__
        if name not in PLAIN_FUNCTIONS:
            raise PlainUnwritableError(f"Plain syntax has no function {quote(name)}; write it in LaTeX.")
        return f"{name}({', '.join(self._print(arg) for arg in expr.args)})"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if not _NAME.fullmatch(expr.name):
            raise PlainUnwritableError(f"The name {quote(expr.name)} has no plain spelling; write it in LaTeX.")
        return expr.name

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = [self._print(index) for index in expr.indices]
        if not all(re.fullmatch(r"[A-Za-z0-9]", index) for index in indices):
            raise PlainUnwritableError(f"The entry {expr} has a computed index; write it in LaTeX.")
        return f"{self._print(expr.base.label)}_{''.join(indices)}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return f"delta({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == sp.S.Half:
            return f"sqrt({self._print(expr.base)})"
        base = self.parenthesize(expr.base, 100)
        exponent = self._print(expr.exp)
        return f"{base}^({exponent})" if not re.fullmatch(r"[A-Za-z0-9]+", exponent) else f"{base}^{exponent}"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_exp(self, expr: sp.exp) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        return f"({self._print(expr.arg)})^T"

    def _print_Inverse(self, expr: sp.Inverse) -> str:
        return f"({self._print(expr.arg)})^(-1)"

    def _print_MatMul(self, expr: sp.MatMul) -> str:
        return "*".join(self.parenthesize(arg, 50) for arg in expr.args)

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        return " + ".join(self._print(arg) for arg in expr.args)

    def _print_MatPow(self, expr: sp.MatPow) -> str:
        return f"({self._print(expr.base)})^{self._print(expr.exp)}"

    def _print_DiagMatrix(self, expr: DiagMatrix) -> str:
        return f"diag({self._print(expr.args[0])})"

    def _print_Trace(self, expr: sp.Trace) -> str:
        return f"tr({self._print(expr.arg)})"

    def _print_Identity(self, expr: sp.Identity) -> str:
        return "I"

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        rows = ["[" + ", ".join(self._print(entry) for entry in expr.row(r)) + "]" for r in range(expr.rows)]
        if expr.cols == 1:
            return "[" + ", ".join(self._print(entry) for entry in expr) + "]"
        return "[" + ", ".join(rows) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_NDimArray(self, expr: sp.NDimArray) -> str:
        raise PlainUnwritableError("Plain syntax writes lists nested two deep at most; write a four-index array in LaTeX.")

    _print_ImmutableDenseNDimArray = _print_NDimArray

    def _print_not_plain(self, expr: Any) -> str:
        raise PlainUnwritableError(f"Plain syntax has no {type(expr).__name__}; write it in LaTeX.")

    _print_Sum = _print_not_plain
    _print_Product = _print_not_plain
    _print_Derivative = _print_not_plain
    _print_Integral = _print_not_plain
    _print_Subs = _print_not_plain


def plain(expr: Any) -> str:
    """``expr`` in plain syntax; raises `PlainUnwritableError` for notation plain syntax cannot write."""
    return PlainPrinter({"order": "none"}).doprint(expr)
