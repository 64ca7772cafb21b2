"""Values of typed expressions at a point: index notation and matrix form, in float64 or at high precision (mpmath).

A small tree-walking interpreter rather than generated code: the same walk serves numpy floats (the
screen) and numpy arrays of mpmath numbers (the confirmation), sums bind their index to each value in
turn, free indices are broadcast axes, and a node it does not know is an `EvaluationError` (the caller
says "undecided"), never a guess. Values are looked up by name: a vector input ``z`` is one array,
read as ``z[k]`` (1-based) in index notation and as an n×1 column in matrix form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from symwork.compare.evaluation_matrices import EvaluationError, MatrixRules
from symwork.compare.numbers import FUNCTIONS, RELATIONS, mp_power
from symwork.core import numeric
from symwork.core.functions import ML_FUNCTIONS
from symwork.core.tensor_notation import EntryMax, EntrySum, LogSumExpOf, SoftmaxOf

#: Digits of the confirmation.
CONFIRM_DIGITS = 50
#: Functions of one matrix that derivations define to print matrix notation at symbolic sizes, by class
#: name (symwork.core has no class for them): det M, tr M, and a 1×1 product used as a scalar.
MATRIX_FUNCTION_NAMES = frozenset({"DetOf", "TraceOf", "Scalar"})
#: Deepest expression tree evaluated (the parser's limits keep typed answers far below it).
MAX_DEPTH = 400


class Evaluator(MatrixRules):
    """Evaluates expressions at one point: ``values`` by name, free ``axes`` broadcast in order.

    ``precise=True`` evaluates with mpmath numbers at `CONFIRM_DIGITS` digits (inside ``mpmath.workdps``).
    """

    def __init__(self, values: Mapping[str, Any], axes: Sequence[tuple[sp.Symbol, int]] = (), *, precise: bool = False):
        self.precise = precise
        self.values = {name: self._number(value) for name, value in values.items()}
        self.locals: dict[sp.Symbol, Any] = {}
        for position, (symbol, size) in enumerate(axes):
            shape = [1] * len(axes)
            shape[position] = int(size)
            self.locals[symbol] = np.arange(1, int(size) + 1).reshape(shape)
        self._depth = 0

    # --- numbers ---------------------------------------------------------------------------------

    def _number(self, value: Any) -> Any:
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, mpmath.mpf) or (isinstance(value, np.ndarray) and value.dtype == object):
            return value  # already a high-precision value (a defined name evaluated before)
        array = np.asarray(value, dtype=float)
        if not self.precise:
            return array if array.ndim else float(array)
        converted = np.frompyfunc(lambda v: mpmath.mpf(float(v)), 1, 1)(array)
        return converted if array.ndim else mpmath.mpf(float(array))

    def _constant(self, expr: sp.Expr) -> Any:
        if self.precise:
            return mpmath.mpf(sp.N(expr, CONFIRM_DIGITS + 10)._mpf_) if not expr.is_Integer else int(expr)
        if expr.is_Integer:
            return int(expr)
        return float(expr)

    # --- the walk ----------------------------------------------------------------------------------

    def __call__(self, expr: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise EvaluationError("The expression is nested too deeply to evaluate; simplify it.")
            return self._dispatch(expr)
        finally:
            self._depth -= 1

    def _dispatch(self, expr: Any) -> Any:
        if isinstance(expr, sp.MatrixBase):
            return self._explicit(expr)
        if not isinstance(expr, sp.Basic):
            raise EvaluationError(f"Cannot evaluate {expr!r}; it is not an expression.")
        for kind in type(expr).__mro__:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                return handler(self, expr)
        name = type(expr).__name__
        if isinstance(expr, sp.Function) and name in FUNCTIONS:
            return self._function(name, expr)
        if expr.is_number and not expr.free_symbols and expr.is_real:
            return self._constant(expr)
        if isinstance(expr, sp.Function) and name in MATRIX_FUNCTION_NAMES and len(expr.args) == 1:
            return self._matrix_function(expr)
        if isinstance(expr, sp.Function):
            written = expr.doit(deep=False)
            if written != expr:
                return self(written)  # a function of a derivation's own that says what it is (φ(u) = u - 1 - ln u)
        if isinstance(expr, sp.Function) and not self.precise:
            return self._printed_function(expr)
        raise EvaluationError(f"Cannot evaluate {name} ({expr}); no numeric rule for it.")

    def _matrix_function(self, expr: sp.Function) -> Any:
        """Functions of one matrix that derivations define for printing (det M, tr M, a 1×1 product as a scalar)."""
        value = self(expr.args[0])
        if np.ndim(value) != 2:
            raise EvaluationError(f"{type(expr).__name__} needs a matrix argument.")
        name = type(expr).__name__
        if name == "Scalar":
            if value.shape != (1, 1):
                raise EvaluationError(f"Scalar of a {value.shape[0]}x{value.shape[1]} matrix is undefined.")
            return value[0, 0]
        if name == "TraceOf":
            return sum(value[k, k] for k in range(min(value.shape)))
        if self.precise:
            return mpmath.det(mpmath.matrix(value.tolist()))
        return float(np.linalg.det(value))

    def _printed_function(self, expr: sp.Function) -> Any:
        """A function of a derivation's own (a mask, a maximum entry): its numpy code, as the library's audit runs it."""
        placeholders = [sp.Symbol(f"_argument{k}") for k in range(len(expr.args))]
        values = {p.name: self(arg) for p, arg in zip(placeholders, expr.args, strict=True)}
        try:
            return numeric.evaluate(expr.func(*placeholders), values)
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code is "cannot evaluate", never a value
            raise EvaluationError(f"Cannot evaluate {type(expr).__name__}; {exc}") from exc

    def _function(self, name: str, expr: sp.Function) -> Any:
        if len(expr.args) != 1:
            raise EvaluationError(f"{name} with {len(expr.args)} arguments cannot be evaluated.")
        plain, precise = FUNCTIONS[name]
        return (precise if self.precise else plain)(self(expr.args[0]))

    def _explicit(self, matrix: sp.MatrixBase) -> Any:
        entries = [self(entry) for entry in matrix]
        if any(np.ndim(entry) for entry in entries):
            raise EvaluationError("An entry of a matrix depends on a free index; write the matrix or the index form, not both.")
        dtype = object if self.precise else float
        return np.array(entries, dtype=dtype).reshape(matrix.shape)

    def indexed_base(self, expr: sp.IndexedBase) -> Any:
        name = str(expr.label)
        if name not in self.values:
            raise EvaluationError(f"No value for the array {name!r}.")
        return self.values[name]

    def symbol(self, expr: sp.Symbol) -> Any:
        if expr in self.locals:
            return self.locals[expr]
        if expr.name in self.values:
            return self.values[expr.name]
        raise EvaluationError(f"No value for {expr.name!r}; it is not a name of this problem.")

    def indexed(self, expr: sp.Indexed) -> Any:
        name = str(expr.base.label)
        if name not in self.values:
            raise EvaluationError(f"No value for the array {name!r}.")
        array = np.asarray(self.values[name])
        if array.ndim != len(expr.indices):
            raise EvaluationError(f"{name} has {array.ndim} axes but is written with {len(expr.indices)} indices.")
        positions = []
        for axis, index in enumerate(expr.indices):
            value = np.asarray(self(index))
            if value.dtype == object:
                value = value.astype(int)
            if not np.issubdtype(value.dtype, np.integer):
                rounded = np.rint(value)
                if not np.allclose(rounded, value):
                    raise EvaluationError(f"An index of {name} is not a whole number.")
                value = rounded.astype(int)
            if value.size and (value.min() < 1 or value.max() > array.shape[axis]):
                raise EvaluationError(f"An index of {name} runs outside 1..{array.shape[axis]}.")
            positions.append(value - 1)
        return array[tuple(np.broadcast_arrays(*positions))] if positions else array

    def add(self, expr: sp.Add) -> Any:
        total: Any = 0
        for arg in expr.args:
            total = total + self(arg)
        return total

    def mul(self, expr: sp.Mul) -> Any:
        product: Any = 1
        for arg in expr.args:
            product = product * self(arg)
        return product

    def power(self, expr: sp.Pow) -> Any:
        base, exponent = self(expr.base), self(expr.exp)
        if self.precise:
            return np.frompyfunc(mp_power, 2, 1)(base, exponent)
        with np.errstate(all="ignore"):
            base = np.asarray(base, dtype=float)
            exponent = np.asarray(exponent, dtype=float)
            return np.power(base, exponent)

    def kronecker(self, expr: sp.KroneckerDelta) -> Any:
        first, second = (self(arg) for arg in expr.args[:2])
        return np.equal(first, second).astype(int)

    def relation(self, expr: sp.Basic) -> Any:
        return RELATIONS[type(expr)](self(expr.lhs), self(expr.rhs))

    def logical(self, expr: sp.Basic) -> Any:
        values = [np.asarray(self(arg), dtype=bool) for arg in expr.args]
        if isinstance(expr, sp.Not):
            return np.logical_not(values[0])
        combine = np.logical_and if isinstance(expr, sp.And) else np.logical_or
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result

    def piecewise(self, expr: sp.Piecewise) -> Any:
        result: Any = np.nan
        decided: Any = False
        for value, condition in expr.args:
            holds = np.asarray(True if condition == sp.true else self(condition), dtype=bool)
            result = np.where(np.logical_and(holds, np.logical_not(decided)), self(value), result)
            decided = np.logical_or(decided, holds)
        return result

    def extremum(self, expr: sp.Basic) -> Any:
        values = [self(arg) for arg in expr.args]
        pick = np.maximum if isinstance(expr, sp.Max) else np.minimum
        result = values[0]
        for value in values[1:]:
            result = pick(result, value)
        return result

    def big_operator(self, expr: sp.Sum | sp.Product) -> Any:
        return self._loop(expr.function, list(expr.limits), isinstance(expr, sp.Sum))

    def _loop(self, body: Any, limits: list[tuple[Any, ...]], is_sum: bool) -> Any:
        if not limits:
            return self(body)
        (variable, lower, upper), rest = limits[-1], limits[:-1]
        low, high = np.asarray(self(lower)), np.asarray(self(upper))
        start, stop = int(np.min(low)), int(np.max(high))
        if stop - start > 10_000:
            raise EvaluationError("A sum or product runs over more than 10,000 terms; use smaller bounds.")
        total: Any = 0 if is_sum else 1
        saved = self.locals.get(variable)
        try:
            for value in range(start, stop + 1):
                self.locals[variable] = value
                term = self._loop(body, rest, is_sum)
                inside = np.logical_and(low <= value, value <= high)
                term = np.where(inside, term, 0 if is_sum else 1) if np.ndim(inside) else (term if inside else (0 if is_sum else 1))
                total = total + term if is_sum else total * term
        finally:
            if saved is None:
                self.locals.pop(variable, None)
            else:
                self.locals[variable] = saved
        return total

    def ml_multi(self, expr: sp.Function) -> Any:
        """logsumexp(x_1, …) and softmax(k, x_1, …) over written-out arguments."""
        name = type(expr).__name__
        args = list(expr.args)
        component = None
        if name == "softmax":
            component, args = self(args[0]), args[1:]
        stacked = np.stack(np.broadcast_arrays(*[np.asarray(self(arg)) for arg in args]))
        if name == "logsumexp":
            return self._logsumexp(stacked)
        probabilities = self._softmax(stacked)
        chosen = np.asarray(component)
        picks = [np.equal(chosen, k + 1) for k in range(len(args))]
        if not np.all(np.logical_or.reduce(picks)):
            raise EvaluationError("A softmax component index runs outside 1..n.")
        return sum(np.where(pick, probabilities[k], 0) for k, pick in enumerate(picks))

    def _logsumexp(self, stacked: Any) -> Any:
        if self.precise:
            return np.frompyfunc(lambda *xs: mpmath.log(mpmath.fsum(mpmath.exp(x) for x in xs)), len(stacked), 1)(*stacked)
        values = np.asarray(stacked, dtype=float)
        top = np.max(values, axis=0)
        return top + np.log(np.sum(np.exp(values - top), axis=0))

    def _softmax(self, stacked: Any) -> Any:
        if self.precise:
            exps = FUNCTIONS["exp"][1](stacked)
            return exps / np.sum(exps, axis=0)
        values = np.asarray(stacked, dtype=float)
        shifted = np.exp(values - np.max(values, axis=0))
        return shifted / np.sum(shifted, axis=0)

_HANDLERS: dict[type, Callable[[Evaluator, Any], Any]] = {
    sp.Symbol: Evaluator.symbol,
    sp.Indexed: Evaluator.indexed,
    sp.IndexedBase: Evaluator.indexed_base,
    sp.Add: Evaluator.add,
    sp.Mul: Evaluator.mul,
    sp.Pow: Evaluator.power,
    sp.KroneckerDelta: Evaluator.kronecker,
    sp.Piecewise: Evaluator.piecewise,
    sp.Max: Evaluator.extremum,
    sp.Min: Evaluator.extremum,
    sp.Sum: Evaluator.big_operator,
    sp.Product: Evaluator.big_operator,
    sp.And: Evaluator.logical,
    sp.Or: Evaluator.logical,
    sp.Not: Evaluator.logical,
    sp.MatrixSymbol: Evaluator.matrix_symbol,
    sp.MatAdd: Evaluator.mat_add,
    sp.MatMul: Evaluator.mat_mul,
    sp.Transpose: Evaluator.transpose,
    sp.Inverse: Evaluator.inverse,
    sp.MatPow: Evaluator.mat_power,
    HadamardProduct: Evaluator.hadamard,
    HadamardPower: Evaluator.hadamard,
    sp.Trace: Evaluator.trace,
    sp.Determinant: Evaluator.determinant,
    DiagMatrix: Evaluator.diagonal_matrix,
    DiagonalOf: Evaluator.diagonal_matrix,
    DiagonalMatrix: Evaluator.diagonal_matrix,
    sp.Identity: Evaluator.constant_matrix,
    sp.ZeroMatrix: Evaluator.constant_matrix,
    sp.OneMatrix: Evaluator.constant_matrix,
    ElementwiseApplyFunction: Evaluator.entrywise,
    MatrixElement: Evaluator.matrix_element,
    SoftmaxOf: Evaluator.softmax_of,
    LogSumExpOf: Evaluator.logsumexp_of,
    EntrySum: Evaluator.entry_reduction,
    EntryMax: Evaluator.entry_reduction,
    **{kind: Evaluator.relation for kind in RELATIONS},
}
# The ML functions of several written-out arguments.
_HANDLERS[ML_FUNCTIONS["logsumexp"]] = Evaluator.ml_multi
_HANDLERS[ML_FUNCTIONS["softmax"]] = Evaluator.ml_multi


def has_rules(expr: Any) -> bool:
    """Does the evaluator know every node of ``expr`` (with no fallback to printed numpy code)?"""
    nodes = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, sp.Basic) or node.is_Atom:
            continue
        kind = type(node)
        known = any(k in _HANDLERS for k in kind.__mro__) or kind.__name__ in FUNCTIONS or kind.__name__ in MATRIX_FUNCTION_NAMES
        if not known and not (node.is_number and not node.free_symbols):
            return False
        nodes.extend(node.args)
    return True


def evaluate(expr: Any, values: Mapping[str, Any], axes: Sequence[tuple[sp.Symbol, int]] = (), *, precise: bool = False) -> Any:
    """The value of ``expr`` at ``values``: an array over the free ``axes`` (index form) or a matrix (matrix form).

    ``precise=True`` works in mpmath at `CONFIRM_DIGITS` digits and returns arrays of mpmath numbers.
    """
    if precise:
        with mpmath.workdps(CONFIRM_DIGITS):
            return Evaluator(values, axes, precise=True)(expr)
    with np.errstate(all="ignore"):
        return Evaluator(values, axes)(expr)
