"""How each piece of a parsed answer is typed: shapes of sums, products, powers, functions, sums over indices, markers.

A mixin of `reading.Reader`: ``typed(node)`` returns ``(value, shape)`` for a node of the parse, with
the names resolved by `naming.NameResolver`. Products keep their order and unify inner sizes; a 1×1
factor (xᵀy) is a scalar; a function of a matrix applies entrywise; ``\\nabla_{\\bm{x}} f`` and
``\\frac{\\partial L}{\\partial W}`` are gradients (the shape of the variable) and ``\\frac{\\partial \\bm{s}}{\\partial
\\bm{z}}`` a Jacobian in numerator layout (`symwork.core.tensor_notation`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.hadamard import HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from symwork.answers.shapes import SCALAR, Shape, ShapeMismatchError, shape_words
from symwork.core.tensor_notation import EntryMax, EntrySum, Jacobian, LogSumExpOf, SoftmaxOf
from symwork.errors import CheckError
from symwork.parse.unresolved import (
    Applied,
    AxisSize,
    DetOf,
    Diag,
    EntriesOf,
    Gradient,
    Hadamard,
    Norm,
    Ones,
    TraceOf,
    Transposed,
    VectorCall,
    Zeros,
)


def _entrywise(function: Callable[[sp.Expr], sp.Expr], matrix: Any) -> ElementwiseApplyFunction:
    point = sp.Dummy("t")
    return ElementwiseApplyFunction(sp.Lambda(point, function(point)), matrix)


class TypingRules:
    """The typing rules; the Reader supplies ``dims``, ``notes``, ``bound``, ``ranges`` and the name resolver."""

    scope: Any
    dims: Any
    notes: list[str]
    bound: list[str]
    ranges: dict[str, Any]
    unit_defaults: list[Any]
    resolve: Callable[[str], tuple[Any, Shape]]
    index: Callable[[str], sp.Symbol]
    index_range: Callable[[str], Any]

    def typed(self, node: Any) -> tuple[Any, Shape]:
        if isinstance(node, sp.MatrixBase):
            return self.literal(node)
        if node is sp.E and self.scope.lookup("e") is not None:
            # A problem with a size or input named e: a bare e is that name (e^{x} is still the exponential).
            return self.resolve("e")
        for kind in type(node).__mro__:
            rule = _RULES.get(kind)
            if rule is not None:
                return rule(self, node)
        if isinstance(node, sp.Function):
            return self.function(node)
        if isinstance(node, sp.Basic) and node.is_number:
            return node, SCALAR
        if isinstance(node, sp.Expr) and node.args:
            # Max, Min and other scalar operations: their arguments typed as scalars, the node rebuilt.
            return node.func(*[self.scalar(*self.typed(arg), type(node).__name__) for arg in node.args]), SCALAR
        raise CheckError(f"{type(node).__name__} ({node}) is not understood in an answer; rewrite it.")

    # --- scalars from 1×1 matrices -------------------------------------------------------------------------

    def scalar_of(self, value: Any, shape: Shape) -> Any:
        if not shape:
            return value
        self.dims.unify_shapes(shape, (1, 1))
        if isinstance(value, sp.MatrixBase):
            return value[0, 0]
        return MatrixElement(value, 0, 0)

    def scalar(self, value: Any, shape: Shape, where: str) -> Any:
        if shape and not self.dims.can_be(shape, (1, 1)):
            raise ShapeMismatchError(f"{where} needs a scalar, but {self.words(value)} is {shape_words(self.dims.resolve_shape(shape))}.")
        return self.scalar_of(value, shape)

    def words(self, value: Any) -> str:
        text = str(self.dims.resolve(value))
        return text if len(text) <= 40 else "this part"

    def known_unit(self, shape: Shape) -> bool:
        resolved = self.dims.resolve_shape(shape)
        return bool(resolved) and all(dim == 1 for dim in resolved)

    # --- the rules ------------------------------------------------------------------------------------------------

    def literal(self, matrix: sp.MatrixBase) -> tuple[Any, Shape]:
        entries = [self.scalar(*self.typed(entry), "A matrix entry") for entry in matrix]
        return sp.ImmutableMatrix(matrix.rows, matrix.cols, entries), (sp.Integer(matrix.rows), sp.Integer(matrix.cols))

    def symbol(self, node: sp.Symbol) -> tuple[Any, Shape]:
        return self.resolve(node.name)

    def matrix_symbol(self, node: sp.MatrixSymbol) -> tuple[Any, Shape]:
        return self.resolve(node.name)

    def add(self, node: sp.Add) -> tuple[Any, Shape]:
        items = [self.typed(arg) for arg in node.args]
        matrices = [(value, shape) for value, shape in items if shape and not self.known_unit(shape)]
        if not matrices:
            return sp.Add(*[self.scalar_of(value, shape) for value, shape in items]), SCALAR
        shape = matrices[0][1]
        for value, other in matrices[1:]:
            if not self.dims.unify_shapes(shape, other):
                raise ShapeMismatchError(
                    f"Cannot add {shape_words(self.dims.resolve_shape(shape))} and "
                    f"{shape_words(self.dims.resolve_shape(other))} ({self.words(value)}); check the shapes."
                )
        scalars = [self.scalar_of(value, s) for value, s in items if not s or self.known_unit(s)]
        scalars = [value for value in scalars if value != 0]
        if scalars:
            if self.dims.can_be(shape, (1, 1)):
                return sp.Add(*scalars, *[self.scalar_of(v, s) for v, s in matrices]), SCALAR
            raise ShapeMismatchError(
                f"Cannot add a scalar to {shape_words(self.dims.resolve_shape(shape))}; "
                "multiply it by a vector of ones or the identity, or check the shapes."
            )
        return sp.MatAdd(*[value for value, _ in matrices]), shape

    def mul(self, node: sp.Mul) -> tuple[Any, Shape]:
        scalars: list[Any] = []
        chain: list[tuple[Any, Shape]] = []
        for arg in node.args:
            value, shape = self.typed(arg)
            if not shape:
                scalars.append(value)
                continue
            if chain and self.known_unit(self._chain_shape(chain)):
                scalars.append(self.scalar_of(sp.MatMul(*[v for v, _ in chain]), self._chain_shape(chain)))
                chain = []
            if chain and not self.dims.unify(self._chain_shape(chain)[1], shape[0]):
                if self.dims.can_be(shape, (1, 1)):
                    scalars.append(self.scalar_of(value, shape))
                    continue
                raise ShapeMismatchError(
                    f"Cannot multiply {shape_words(self.dims.resolve_shape(self._chain_shape(chain)))} by "
                    f"{shape_words(self.dims.resolve_shape(shape))} ({self.words(value)}); check the order and the transposes."
                )
            chain.append((value, shape))
        if not chain:
            return sp.Mul(*scalars), SCALAR
        shape = self._chain_shape(chain)
        factors = [value for value, _ in chain]
        product = sp.Mul(*scalars)
        if product == 1:
            return (sp.MatMul(*factors) if len(factors) > 1 else factors[0]), shape
        return sp.MatMul(product, *factors), shape

    @staticmethod
    def _chain_shape(chain: list[tuple[Any, Shape]]) -> Shape:
        return (chain[0][1][0], chain[-1][1][1])

    def power(self, node: sp.Pow) -> tuple[Any, Shape]:
        base, shape = self.typed(node.base)
        exponent = self.scalar(*self.typed(node.exp), "An exponent")
        if not shape or self.known_unit(shape):
            return sp.Pow(self.scalar_of(base, shape), exponent), SCALAR
        if exponent == -1 or (exponent.is_Integer and exponent > 0):
            resolved = self.dims.resolve_shape(shape)
            if resolved[1] == 1 and resolved[0] != 1:
                raise ShapeMismatchError(
                    f"{self.words(base)} is {shape_words(resolved)}; a power of a vector is undefined: "
                    "did you mean x^\\top x, \\|x\\|^2 or x \\odot x?"
                )
            if self.dims.unify(shape[0], shape[1]):
                square = (shape[0], shape[0])
                if exponent == 1:
                    return base, square
                return (sp.Inverse(base) if exponent == -1 else sp.MatPow(base, exponent)), square
        if self.dims.can_be(shape, (1, 1)):
            return sp.Pow(self.scalar_of(base, shape), exponent), SCALAR
        raise ShapeMismatchError(f"{self.words(base)}^{exponent} is undefined for {shape_words(self.dims.resolve_shape(shape))}.")

    def transposed(self, node: Transposed) -> tuple[Any, Shape]:
        value, shape = self.typed(node.args[0])
        if not shape:
            return value, SCALAR
        return (value.T if isinstance(value, sp.MatrixBase) else sp.Transpose(value)), (shape[1], shape[0])

    def function(self, node: sp.Function) -> tuple[Any, Shape]:
        items = [self.typed(arg) for arg in node.args]
        if len(items) == 1 and items[0][1] and not self.dims.can_be(items[0][1], (1, 1)):
            value, shape = items[0]
            return _entrywise(node.func, value), shape
        return node.func(*[self.scalar(value, shape, f"{type(node).__name__}") for value, shape in items]), SCALAR

    def vector(self, value: Any, shape: Shape, where: str) -> Any:
        if not shape or not self.dims.unify(shape[1], 1):
            raise ShapeMismatchError(f"{where} needs a vector, but {self.words(value)} is {shape_words(self.dims.resolve_shape(shape))}.")
        return value

    def diag(self, node: Diag) -> tuple[Any, Shape]:
        value, shape = self.typed(node.args[0])
        if not shape:
            return value, SCALAR
        self.vector(value, shape, "diag")
        return DiagMatrix(value), (shape[0], shape[0])

    def norm(self, node: Norm) -> tuple[Any, Shape]:
        value, shape = self.typed(node.args[0])
        kind = node.args[1]
        if not shape or self.known_unit(shape):
            return sp.Abs(self.scalar_of(value, shape)), SCALAR
        resolved = self.dims.resolve_shape(shape)
        is_vector = resolved[1] == 1 or resolved[0] == 1
        if kind == 1:
            return EntrySum(_entrywise(sp.Abs, value)), SCALAR
        if kind == sp.oo:
            return EntryMax(_entrywise(sp.Abs, value)), SCALAR
        if kind == 2 and not is_vector:
            raise ShapeMismatchError("The spectral norm \\|A\\|_2 of a matrix is not supported; write \\|A\\|_F for the Frobenius norm.")
        return sp.sqrt(sp.Trace(sp.MatMul(sp.Transpose(value), value))), SCALAR

    def hadamard(self, node: Hadamard) -> tuple[Any, Shape]:
        (left, left_shape), (right, right_shape) = (self.typed(arg) for arg in node.args)
        if not left_shape or not right_shape:
            return self.mul(sp.Mul(*node.args, evaluate=False))
        if not self.dims.unify_shapes(left_shape, right_shape):
            raise ShapeMismatchError(
                f"An entrywise product needs equal shapes, not {shape_words(self.dims.resolve_shape(left_shape))} and "
                f"{shape_words(self.dims.resolve_shape(right_shape))}."
            )
        return HadamardProduct(left, right), left_shape

    def differentiate(self, function: Any, shape: Shape, variable: Any, variable_shape: Shape) -> tuple[Any, Shape]:
        """∂function/∂variable: a derivative of entries, a gradient (shape of the variable) or a Jacobian (numerator layout)."""
        if not variable_shape:
            if not isinstance(variable, (sp.Symbol, sp.Indexed)):
                raise ShapeMismatchError(f"Cannot differentiate with respect to {self.words(variable)}; use a name or an entry.")
            if not shape:
                return sp.Derivative(function, variable), SCALAR
            return Jacobian(function, variable), shape
        if not isinstance(variable, sp.MatrixSymbol):
            raise ShapeMismatchError(f"Cannot differentiate with respect to {self.words(variable)}; use a vector or matrix name.")
        if not shape or self.known_unit(shape):
            return Jacobian(self.scalar_of(function, shape), variable), variable_shape
        if self.dims.equal(shape[1], 1) and self.dims.equal(variable_shape[1], 1):
            return Jacobian(function, variable), (shape[0], variable_shape[0])
        raise ShapeMismatchError("The derivative of a matrix by a vector or matrix has more than two axes; write it in index notation.")

    def gradient(self, node: Gradient) -> tuple[Any, Shape]:
        function, shape = self.typed(node.args[0])
        variable, variable_shape = self.typed(node.args[1])
        return self.differentiate(function, shape, variable, variable_shape)

    def derivative(self, node: sp.Derivative) -> tuple[Any, Shape]:
        value, shape = self.typed(node.expr)
        for variable, count in node.variable_count:
            typed_variable, variable_shape = self.typed(variable)
            for _ in range(int(count)):
                value, shape = self.differentiate(value, shape, typed_variable, variable_shape)
        return value, shape

    def big_operator(self, node: sp.Sum | sp.Product) -> tuple[Any, Shape]:
        limits, saved = [], []
        for variable, lower, upper in node.limits:
            letter = variable.name
            symbol = self.index(letter)
            saved.append((letter, self.ranges.get(letter)))
            self.ranges[letter] = self.dims.new(letter)
            if isinstance(upper, AxisSize):
                low, high = sp.Integer(1), self.ranges[letter]
            else:
                low = self.scalar(*self.typed(lower), "A lower bound")
                high = self.scalar(*self.typed(upper), "An upper bound")
                if low == 1 and (high.is_Symbol or high.is_Integer):
                    self.dims.unify(self.ranges[letter], high)
            self.bound.append(letter)
            limits.append((symbol, low, high))
        try:
            body = self.scalar(*self.typed(node.function), "A sum or product in index notation")
        finally:
            for letter, previous in reversed(saved):
                self.bound.pop()
                if previous is None:
                    self.ranges.pop(letter, None)
                else:
                    self.ranges[letter] = previous
        kind = sp.Sum if isinstance(node, sp.Sum) else sp.Product
        return kind(body, *limits), SCALAR

    def kronecker(self, node: sp.KroneckerDelta) -> tuple[Any, Shape]:
        values = []
        for arg in node.args[:2]:
            if isinstance(arg, sp.Symbol) and len(arg.name) == 1:
                values.append(self.index(arg.name))
            else:
                values.append(self.scalar(*self.typed(arg), "A Kronecker delta"))
        letters = [str(arg) for arg in node.args[:2] if isinstance(arg, sp.Symbol) and len(arg.name) == 1]
        if len(letters) == 2:
            first, second = (self.index_range(letter) for letter in letters)
            if self.dims.is_unknown(self.dims.find(first)) or self.dims.is_unknown(self.dims.find(second)):
                self.dims.unify(first, second)
        return sp.KroneckerDelta(*values), SCALAR

    def vector_call(self, node: VectorCall) -> tuple[Any, Shape]:
        name, argument, component = str(node.args[0]), node.args[1], node.args[2]
        vector, shape = self.typed(argument)
        self.vector(vector, shape, name)
        if name == "logsumexp":
            return LogSumExpOf(vector), SCALAR
        softmax = SoftmaxOf(vector)
        if isinstance(component, sp.core.symbol.Str):
            return softmax, shape
        k = self.scalar(*self.typed(component), "A softmax component")
        if isinstance(component, sp.Symbol) and len(component.name) == 1:
            self.dims.unify(self.index_range(component.name), shape[0])
        return MatrixElement(softmax, k - 1, 0), SCALAR

    def entries_of(self, node: EntriesOf) -> tuple[Any, Shape]:
        base, first, last = node.args
        value, shape = self.resolve(base.name)
        self.vector(value, shape, f"{base.name}_1, ..., {base.name}_n")
        last_value = self.scalar(*self.typed(last), "The last entry")
        if first != 1 or not self.dims.unify(shape[0], last_value):
            raise ShapeMismatchError(f"{base.name}_{first}, ..., {base.name}_{last} must run over all of {base.name}; write its entries from 1 to its length.")
        return value, shape

    def trace_or_det(self, node: sp.Basic) -> tuple[Any, Shape]:
        value, shape = self.typed(node.args[0])
        if not shape:
            return value, SCALAR
        if not self.dims.unify(shape[0], shape[1]):
            raise ShapeMismatchError(f"A trace or determinant needs a square matrix, not {shape_words(self.dims.resolve_shape(shape))}.")
        kind = sp.Trace if isinstance(node, (sp.Trace, TraceOf)) else sp.Determinant
        return kind(value), SCALAR

    def constant_vector(self, node: sp.Basic) -> tuple[Any, Shape]:
        if node.args:
            rows = self.scalar(*self.typed(node.args[0]), "The size of a constant vector")
        else:
            rows = self.dims.new("n")
        cols = self.dims.new("c")
        self.unit_defaults.append(cols)
        kind = sp.OneMatrix if isinstance(node, Ones) else sp.ZeroMatrix
        return kind(rows, cols), (rows, cols)

    def applied(self, node: Applied) -> tuple[Any, Shape]:
        name = str(node.args[0])
        function = self.scope.functions.get(name)
        if function is None:
            raise CheckError(f"{name!r} is not a function of this problem; write it out.")
        items = [self.typed(arg) for arg in node.args[1:]]
        if len(items) == 1 and items[0][1] and not self.dims.can_be(items[0][1], (1, 1)):
            return _entrywise(function, items[0][0]), items[0][1]
        return function(*[self.scalar(value, shape, name) for value, shape in items]), SCALAR

    def refuse(self, node: sp.Basic) -> tuple[Any, Shape]:
        raise CheckError(f"{node} is not understood in an answer; write the expression without it.")


_RULES: dict[type, Callable[[Any, Any], tuple[Any, Shape]]] = {
    sp.Symbol: TypingRules.symbol,
    sp.MatrixSymbol: TypingRules.matrix_symbol,
    sp.Add: TypingRules.add,
    sp.Mul: TypingRules.mul,
    sp.Pow: TypingRules.power,
    Transposed: TypingRules.transposed,
    Diag: TypingRules.diag,
    Norm: TypingRules.norm,
    Hadamard: TypingRules.hadamard,
    Gradient: TypingRules.gradient,
    sp.Derivative: TypingRules.derivative,
    sp.Sum: TypingRules.big_operator,
    sp.Product: TypingRules.big_operator,
    sp.KroneckerDelta: TypingRules.kronecker,
    VectorCall: TypingRules.vector_call,
    EntriesOf: TypingRules.entries_of,
    TraceOf: TypingRules.trace_or_det,
    DetOf: TypingRules.trace_or_det,
    sp.Trace: TypingRules.trace_or_det,
    sp.Determinant: TypingRules.trace_or_det,
    Ones: TypingRules.constant_vector,
    Zeros: TypingRules.constant_vector,
    Applied: TypingRules.applied,
    sp.core.relational.Relational: TypingRules.refuse,
    sp.Integral: TypingRules.refuse,
}
