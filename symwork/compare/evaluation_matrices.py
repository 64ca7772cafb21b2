"""The matrix rules of the evaluator (a mixin of `evaluation.Evaluator`): products, inverses, traces, entrywise maps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement

from symwork.core.tensor_notation import EntrySum, LogSumExpOf, SoftmaxOf
from symwork.errors import CheckError


class EvaluationError(CheckError):
    """An expression has a node the evaluator does not know, or an index outside its array."""


class MatrixRules:
    """Matrix expressions evaluated as 2-D arrays; the evaluator supplies ``values``, ``precise`` and ``__call__``."""

    values: dict[str, Any]
    precise: bool
    locals: dict[Any, Any]

    if TYPE_CHECKING:  # provided by the Evaluator this class is mixed into

        def __call__(self, expr: Any) -> Any: ...

        def _number(self, value: Any) -> Any: ...

        def _softmax(self, stacked: Any) -> Any: ...

        def _logsumexp(self, stacked: Any) -> Any: ...

        def add(self, expr: Any) -> Any: ...

        def mul(self, expr: Any) -> Any: ...

    def matrix_symbol(self, expr: sp.MatrixSymbol) -> Any:
        if expr.name not in self.values:
            raise EvaluationError(f"No value for the matrix {expr.name!r}.")
        rows, cols = (int(self(dim)) for dim in expr.shape)
        array = np.asarray(self.values[expr.name])
        if array.size != rows * cols:
            raise EvaluationError(f"{expr.name} has {array.size} entries, not {rows}x{cols}.")
        return array.reshape(rows, cols)

    def mat_add(self, expr: sp.MatAdd) -> Any:
        return self.add(expr)

    def mat_mul(self, expr: sp.MatMul) -> Any:
        result: Any = None
        scalar: Any = 1
        for arg in expr.args:
            value = self(arg)
            if isinstance(arg, (sp.MatrixExpr, sp.MatrixBase)):
                result = value if result is None else self._matmul(result, value)
            else:
                scalar = scalar * value
        return scalar * result if result is not None else scalar

    def _matmul(self, left: Any, right: Any) -> Any:
        if left.shape[1] != right.shape[0]:
            raise EvaluationError(f"Cannot multiply {left.shape[0]}x{left.shape[1]} by {right.shape[0]}x{right.shape[1]}.")
        return left @ right

    def transpose(self, expr: sp.Transpose) -> Any:
        return self(expr.arg).T

    def inverse(self, expr: sp.Inverse) -> Any:
        value = self(expr.arg)
        if self.precise:
            try:
                inverted = mpmath.matrix(value.tolist()) ** -1
            except ZeroDivisionError:
                return np.full(value.shape, mpmath.mpf("nan"), dtype=object)
            return np.array(inverted.tolist(), dtype=object)
        with np.errstate(all="ignore"):
            if np.linalg.cond(value) > 1e12:
                return np.full(value.shape, np.nan)
            return np.linalg.inv(value)

    def mat_power(self, expr: sp.MatPow) -> Any:
        base, exponent = self(expr.base), int(self(expr.exp))
        if exponent < 0:
            base, exponent = self.inverse(sp.Inverse(expr.base)), -exponent
        result = np.identity(base.shape[0], dtype=base.dtype)
        for _ in range(exponent):
            result = result @ base
        return result

    def hadamard(self, expr: sp.Basic) -> Any:
        if isinstance(expr, HadamardPower):
            return self(expr.base) ** self(expr.exp)
        return self.mul(expr)

    def trace(self, expr: sp.Trace) -> Any:
        value = self(expr.arg)
        return sum(value[k, k] for k in range(min(value.shape)))

    def determinant(self, expr: sp.Determinant) -> Any:
        value = self(expr.arg)
        if self.precise:
            return mpmath.det(mpmath.matrix(value.tolist()))
        return float(np.linalg.det(value))

    def diagonal_matrix(self, expr: sp.Basic) -> Any:
        value = self(expr.args[0])
        if isinstance(expr, DiagonalOf):
            return np.diagonal(value).reshape(-1, 1)
        if isinstance(expr, DiagonalMatrix):
            return np.diag(np.diagonal(value)).astype(value.dtype)
        vector = value.reshape(-1)
        out = np.zeros((vector.size, vector.size), dtype=value.dtype)
        for k, entry in enumerate(vector):
            out[k, k] = entry
        if self.precise:
            out[out == 0] = mpmath.mpf(0)
        return out

    def constant_matrix(self, expr: sp.Basic) -> Any:
        rows, cols = (int(self(dim)) for dim in expr.shape)
        if isinstance(expr, sp.Identity):
            matrix = np.identity(rows)
        else:
            matrix = np.full((rows, cols), 1.0 if isinstance(expr, sp.OneMatrix) else 0.0)
        return self._number(matrix) if self.precise else matrix

    def entrywise(self, expr: ElementwiseApplyFunction) -> Any:
        value = self(expr.expr)
        variable, body = expr.function.variables[0], expr.function.expr
        saved = self.locals.get(variable)
        self.locals[variable] = value
        try:
            return np.broadcast_to(self(body), value.shape).copy()
        finally:
            if saved is None:
                self.locals.pop(variable, None)
            else:
                self.locals[variable] = saved

    def matrix_element(self, expr: MatrixElement) -> Any:
        parent = self(expr.parent)
        rows, cols = np.asarray(self(expr.i)), np.asarray(self(expr.j))
        if np.any(rows < 0) or np.any(rows >= parent.shape[0]) or np.any(cols < 0) or np.any(cols >= parent.shape[1]):
            raise EvaluationError("An entry index runs outside its matrix.")
        return parent[np.broadcast_arrays(rows.astype(int), cols.astype(int))]

    def softmax_of(self, expr: SoftmaxOf) -> Any:
        value = self(expr.args[0])
        return self._softmax(value.reshape(-1)).reshape(value.shape)

    def logsumexp_of(self, expr: LogSumExpOf) -> Any:
        value = self(expr.args[0])
        return self._logsumexp(value.reshape(-1))

    def entry_reduction(self, expr: sp.Basic) -> Any:
        value = np.asarray(self(expr.args[0])).reshape(-1)
        return sum(value) if isinstance(expr, EntrySum) else max(value)
