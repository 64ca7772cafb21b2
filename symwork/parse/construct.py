"""Safe SymPy constructors shared by both parsers: exact numbers, guarded powers, matrices, determinants."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TypeAlias

import sympy as sp

from symwork.errors import LimitError, ParseError, quote
from symwork.parse.limits import Limits
from symwork.parse.names import note_arrays, note_scalars
from symwork.parse.unresolved import DetOf, Hadamard, Norm, TraceOf, Transposed

#: What the parsers produce: a scalar `sp.Expr` or an `sp.ImmutableMatrix`.
Value: TypeAlias = sp.Basic

#: The size of a matrix named by a bare symbol inside \det or \operatorname{tr}: square, n × n.
MATRIX_SIDE = sp.Symbol("n", integer=True, positive=True)

_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?")


def is_matrix(value: object) -> bool:
    return isinstance(value, sp.MatrixBase)


def scalar(value: Value, where: str) -> sp.Expr:
    """`value` as a scalar expression, or a ParseError naming the operation that needed one."""
    if is_matrix(value) or not isinstance(value, sp.Expr):
        raise ParseError(f"{quote(where)} needs a scalar, not a matrix; apply it to the entries instead.")
    return value


def number(text: str, limits: Limits) -> sp.Rational:
    """An exact Rational from a decimal string: '0.1' is 1/10 and '1e-3' is 1/1000, never a float."""
    match = _NUMBER.fullmatch(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise ParseError(f"{quote(text)} is not a number; write digits with at most one decimal point.")
    whole, frac, exponent = match.group(1), match.group(2) or "", match.group(3)
    value = sp.Rational(int(whole + frac or "0"), 10 ** len(frac))
    if exponent is None:
        return value
    # Scientific notation goes through the same guard as 10^{e}, so 1e999999 is refused, not computed.
    scale = power(sp.Integer(10), sp.Integer(int(exponent[:12])), limits)
    return sp.Mul(value, scale) if isinstance(scale, sp.Rational) else value


def _digits(value: sp.Expr) -> float:
    """Roughly how many decimal digits an exact numeric value carries (0 for symbols)."""
    if isinstance(value, sp.Rational):
        # math.log10 accepts integers of any size without converting them to strings.
        return max(math.log10(abs(value.p)) if value.p else 0.0, math.log10(value.q))
    if isinstance(value, sp.Pow) and isinstance(value.exp, sp.Rational):
        return _digits(value.base) * abs(float(value.exp))
    if isinstance(value, sp.Mul):
        return sum(_digits(arg) for arg in value.args)
    return 0.0


def _short(value: sp.Basic) -> str:
    """A value for an error message, cut short: quoting a 400-digit number helps nobody."""
    text = str(value)
    return repr(text if len(text) <= 30 else text[:27] + "...")


def power(base: Value, exponent: Value, limits: Limits) -> Value:
    """base**exponent, refusing exponents and exact results that would be too large to compute."""
    exp = scalar(exponent, "exponent")
    note_scalars(exp)
    if is_matrix(base):
        return matrix_power(base, exp, limits)
    base = scalar(base, "power")
    if isinstance(exp, sp.Rational):
        if abs(exp) > limits.max_exponent:
            raise LimitError(
                f"The exponent {exp!r} is larger than {limits.max_exponent} in magnitude; use a smaller exponent."
            )
        if base.is_number and _digits(base) * abs(float(exp)) > limits.max_integer_digits:
            raise LimitError(
                f"The power {_short(base)}^{_short(exp)} would have more than {limits.max_integer_digits} "
                "digits; use smaller numbers."
            )
    return sp.Pow(base, exp)


def _check_square(matrix: sp.ImmutableMatrix, what: str, limits: Limits) -> None:
    if matrix.rows != matrix.cols:
        raise ParseError(f"{quote(what)} needs a square matrix, not {matrix.rows}x{matrix.cols}; check the rows.")
    side = limits.max_symbolic_matrix_side if matrix.free_symbols else limits.max_numeric_matrix_side
    if matrix.rows > side:
        raise LimitError(
            f"{quote(what)} of a {matrix.rows}x{matrix.cols} matrix is refused above {side}x{side}; use a smaller matrix."
        )


def matrix_power(matrix: sp.ImmutableMatrix, exp: sp.Expr, limits: Limits) -> sp.ImmutableMatrix:
    if not isinstance(exp, sp.Integer):
        raise ParseError(f"A matrix can only be raised to an integer power, not {exp!r}; use -1 for the inverse.")
    if abs(exp) > limits.max_matrix_power:
        raise LimitError(
            f"The matrix power {exp!r} exceeds {limits.max_matrix_power} in magnitude; use a smaller power."
        )
    _check_square(matrix, "matrix power", limits)
    if exp < 0 and matrix.det() == 0:
        raise ParseError(f"The matrix {matrix.tolist()!r} is singular and has no inverse; check its entries.")
    return sp.ImmutableMatrix(matrix ** int(exp))


def transpose(value: Value) -> Value:
    """The transpose of a matrix literal; a scalar is its own transpose (x^T = x); a name that may be an array keeps it."""
    if isinstance(value, sp.MatrixBase):
        return value.T
    note_arrays(value)
    return Transposed(value)


def hadamard(left: Value, right: Value) -> Value:
    """``a \\odot b``: entrywise for matrix literals, a product for scalars, a marker for names that may be arrays."""
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        if left.shape != right.shape:
            raise ParseError(f"Cannot multiply entrywise matrices of shapes {left.shape!r} and {right.shape!r}; check the rows.")
        return sp.ImmutableMatrix(left.multiply_elementwise(right))
    if is_matrix(left) or is_matrix(right):
        raise ParseError("An entrywise product needs two matrices of the same shape; write the other side as a matrix too.")
    note_arrays(left, right)
    if left.is_commutative and right.is_commutative:
        return sp.Mul(left, right)
    return Hadamard(left, right)


#: The norms people write: \\|x\\|, \\|x\\|_2, \\|A\\|_F, \\|x\\|_1, \\|x\\|_\\infty.
NORM_KINDS: dict[str, sp.Basic] = {"": sp.Integer(2), "2": sp.Integer(2), "F": sp.Symbol("F"), "1": sp.Integer(1), "infty": sp.oo}


def norm(value: Value, kind: str = "") -> Value:
    """``\\|x\\|_p`` of a vector literal, a scalar (its absolute value) or a name that may be an array (a marker)."""
    if kind not in NORM_KINDS:
        raise ParseError(f"The norm \\|.\\|_{kind} is not supported; use \\|x\\|, \\|x\\|_1, \\|x\\|_2, \\|A\\|_F or \\|x\\|_\\infty.")
    p = NORM_KINDS[kind]
    if isinstance(value, sp.MatrixBase):
        items = list(value)
        if p == 1:
            return sp.Add(*[sp.Abs(e) for e in items])
        if p == sp.oo:
            return sp.Max(*[sp.Abs(e) for e in items])
        if p == 2 and value.rows > 1 and value.cols > 1:
            raise ParseError("The 2-norm of a matrix literal is its largest singular value; write \\|A\\|_F for the Frobenius norm.")
        return sp.sqrt(sp.Add(*[sp.Abs(e) ** 2 for e in items]))
    note_arrays(value)
    if value.is_commutative:
        return sp.Abs(value)
    return Norm(value, p)


def add(left: Value, right: Value) -> Value:
    if is_matrix(left) != is_matrix(right):
        raise ParseError("Cannot add a matrix and a scalar; multiply the scalar by a matrix of the right shape.")
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        if left.shape != right.shape:
            raise ParseError(f"Cannot add matrices of shapes {left.shape!r} and {right.shape!r}; check the rows.")
        return left + right
    return sp.Add(left, right)


def neg(value: Value) -> Value:
    return -value if is_matrix(value) else sp.Mul(sp.S.NegativeOne, value)


def sub(left: Value, right: Value) -> Value:
    return add(left, neg(right))


def mul(left: Value, right: Value) -> Value:
    if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
        if left.cols != right.rows:
            raise ParseError(f"Cannot multiply matrices of shapes {left.shape!r} and {right.shape!r}; check the order.")
        return sp.ImmutableMatrix(left * right)
    if is_matrix(left) or is_matrix(right):
        other = right if is_matrix(left) else left
        if not other.is_commutative:
            raise ParseError(
                "A matrix literal times a vector or matrix name is not supported; write both as literals or both as names."
            )
        return sp.ImmutableMatrix(left * right)
    return sp.Mul(left, right)


def product(values: Sequence[Value]) -> Value:
    result: Value = sp.S.One
    for value in values:
        result = mul(result, value)
    return result


def div(left: Value, right: Value) -> Value:
    denominator = scalar(right, "division")
    if is_matrix(left):
        return sp.ImmutableMatrix(left / denominator)
    return sp.Mul(left, sp.Pow(denominator, sp.S.NegativeOne))


def factorial(value: Value, limits: Limits) -> sp.Expr:
    arg = scalar(value, "factorial")
    _check_factorial_argument(arg, limits)
    return sp.factorial(arg)


def binomial(top: Value, bottom: Value, limits: Limits) -> sp.Expr:
    n, k = scalar(top, "binomial"), scalar(bottom, "binomial")
    _check_factorial_argument(n, limits)
    _check_factorial_argument(k, limits)
    return sp.binomial(n, k)


def _check_factorial_argument(arg: sp.Expr, limits: Limits) -> None:
    if isinstance(arg, sp.Rational) and abs(arg) > limits.max_factorial:
        raise LimitError(
            f"The factorial argument {_short(arg)} is larger than {limits.max_factorial}; use a smaller number."
        )


def absolute(value: Value) -> sp.Expr:
    if is_matrix(value):
        raise ParseError("Bars |...| around a matrix are ambiguous; write \\det or a vmatrix for a determinant.")
    return sp.Abs(value)


def matrix(rows: Sequence[Sequence[Value]]) -> Value:
    """A matrix literal from rows of scalars, all of the same length; blocks of equal shape make an array.

    A matrix of matrices is how a four-index array is printed (a block per pair of outer indices): it
    becomes an array of shape (rows, cols, *block shape), its entries in reading order.
    """
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ParseError(f"The matrix rows have different lengths {sorted(widths)!r}; give every row the same length.")
    blocks = [entry for row in rows for entry in row if isinstance(entry, (sp.MatrixBase, sp.NDimArray))]
    if blocks:
        if len(blocks) != sum(len(row) for row in rows) or len({tuple(block.shape) for block in blocks}) != 1:
            raise ParseError("A matrix of matrices needs every entry to be a matrix of the same shape; check the blocks.")
        return sp.ImmutableDenseNDimArray([[entry.tolist() for entry in row] for row in rows])
    return sp.ImmutableMatrix([[scalar(entry, "matrix entry") for entry in row] for row in rows])


def column(entries: Sequence[Value]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(len(entries), 1, [scalar(entry, "vector entry") for entry in entries])


def determinant(value: Value, limits: Limits) -> sp.Expr:
    note_arrays(value)
    if isinstance(value, sp.MatrixBase):
        _check_square(value, "determinant", limits)
        return sp.expand(value.det()) if value.free_symbols else value.det()
    if isinstance(value, sp.Symbol):
        return sp.Determinant(sp.MatrixSymbol(value.name, MATRIX_SIDE, MATRIX_SIDE))
    if isinstance(value, sp.Expr) and value.free_symbols:
        return DetOf(value)  # det(AB): a scope says whether A and B are matrices
    raise ParseError(f"The determinant of {quote(value)} is undefined; apply it to a matrix or a single matrix name.")


def trace(value: Value, limits: Limits) -> sp.Expr:
    note_arrays(value)
    if isinstance(value, sp.MatrixBase):
        if value.rows != value.cols:
            raise ParseError(f"The trace needs a square matrix, not {value.rows}x{value.cols}; check the rows.")
        return value.trace()
    if isinstance(value, sp.Symbol):
        return sp.Trace(sp.MatrixSymbol(value.name, MATRIX_SIDE, MATRIX_SIDE))
    if isinstance(value, sp.Expr) and value.free_symbols:
        return TraceOf(value)  # tr(AB): a scope says whether A and B are matrices
    raise ParseError(f"The trace of {quote(value)} is undefined; apply it to a matrix or a single matrix name.")


def entries(args: Sequence[Value]) -> list[sp.Expr]:
    """The arguments of a variadic function, where one vector literal stands for its entries."""
    if len(args) == 1 and isinstance(args[0], sp.MatrixBase):
        return list(args[0])
    return [scalar(arg, "function argument") for arg in args]
