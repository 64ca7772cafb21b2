"""Matrix-calculus notation SymPy lacks, as matrix expressions with shapes: softmax of a vector, gradients, Jacobians.

Typed answers (`symwork.answers.reading`) build these; the comparison engine evaluates them
(`symwork.compare.evaluation`). The layout is the course's: a gradient has the shape of its variable
(∂L/∂W is shaped like W), a Jacobian is in numerator layout (∂s/∂z has one row per entry of s).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement


def shape_of(value: Any) -> tuple[Any, ...]:
    """``(rows, cols)`` of a matrix expression or explicit matrix, ``()`` of a scalar."""
    if isinstance(value, (sp.MatrixExpr, sp.MatrixBase)):
        return tuple(value.shape)
    return ()


class SoftmaxOf(sp.MatrixExpr):
    """softmax(z) of a column vector z: e^{z} / Σ_k e^{z_k}, a column of the same length."""

    def __new__(cls, vector: Any) -> Any:
        return super().__new__(cls, vector)

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[0].shape

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        return MatrixElement(self, i, j)


class LogSumExpOf(sp.Function):
    """log Σ_k e^{z_k} of the entries of a vector (or matrix) z: a scalar."""

    nargs = 1
    is_commutative = True


class EntrySum(sp.Function):
    """Σ of the entries of a matrix expression: a scalar (‖x‖₁ is the entry sum of |x|)."""

    nargs = 1
    is_commutative = True


class EntryMax(sp.Function):
    """The largest entry of a matrix expression: a scalar (‖x‖_∞ is the largest entry of |x|)."""

    nargs = 1
    is_commutative = True


class Jacobian(sp.MatrixExpr):
    """∂F/∂x in the course's layout: the shape of x when F is a scalar (a gradient), numerator layout otherwise.

    ``F`` is a scalar expression or a column vector; ``x`` a matrix symbol (a vector or a matrix). A
    Jacobian has no numeric value of its own: at concrete sizes it is differentiated entry by entry.
    """

    def __new__(cls, function: Any, variable: Any) -> Any:
        return super().__new__(cls, function, variable)

    @property
    def shape(self) -> tuple[Any, Any]:
        function, variable = self.args
        if not shape_of(function) or tuple(function.shape) == (1, 1):
            return variable.shape
        if not shape_of(variable) or tuple(variable.shape) == (1, 1):
            return function.shape
        return (function.shape[0], variable.shape[0])

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        return MatrixElement(self, i, j)

