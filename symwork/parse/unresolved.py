"""Notation whose value depends on the shapes of the names in it: kept as markers until a scope reads them.

``x^\\top``, ``\\operatorname{diag}(\\bm{s})``, ``\\|x\\|``, ``a \\odot b``, ``\\nabla_{\\bm{x}} f``, ``\\mathbf{1}`` and
``\\sum_k`` without bounds mean different things for a scalar, a vector or a matrix. The parsers build
these markers (SymPy functions, never evaluated numerically); `symwork.answers.reading` replaces them
with matrix expressions once it knows the shapes. An expression that still contains one is not a
number: `has_unresolved` says so, and the comparison engine refuses it instead of guessing.

Names that may be arrays are noncommutative symbols (``Symbol("A", commutative=False)``), so that
``x^\\top A`` and ``A x^\\top`` stay apart; scalars stay commutative and behave as before.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.symbol import Str


class Unresolved(sp.Function):
    """Base of the markers: notation that only a scope (names with shapes) can give a value."""

    #: Read by the comparison engine, which does not import the parser: such an expression is not a number.
    needs_scope = True

    def _sympystr(self, printer: Any) -> str:
        return f"{type(self).__name__}({', '.join(printer._print(arg) for arg in self.args)})"


class Transposed(Unresolved):
    """``x^\\top`` of a name that may be an array; a scalar is its own transpose."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Basic) -> sp.Basic | None:
        if isinstance(arg, Transposed):
            return arg.args[0]
        if arg.is_commutative:
            return arg
        return None


class Diag(Unresolved):
    """``\\operatorname{diag}(\\bm{s})``: the diagonal matrix of a vector (or the diagonal of a matrix)."""

    nargs = 1
    is_commutative = False


class TraceOf(Unresolved):
    """``\\operatorname{tr}(A^\\top B)``: the trace of a product or sum of names."""

    nargs = 1


class DetOf(Unresolved):
    """``\\det(A B)``: the determinant of a product or sum of names."""

    nargs = 1


class Norm(Unresolved):
    """``\\|x\\|_p``: ``kind`` is 2 (Euclidean or spectral), 1, oo or the symbol F (Frobenius)."""

    nargs = 2


class Hadamard(Unresolved):
    """``a \\odot b``: the entrywise product."""

    nargs = 2


class Gradient(Unresolved):
    """``\\nabla_{\\bm{x}} f``: the gradient of ``f`` with respect to ``x`` (it has the shape of ``x``)."""

    nargs = 2
    is_commutative = False


class Ones(Unresolved):
    """``\\mathbf{1}``: a vector of ones whose size comes from where it is used (or ``\\mathbf{1}_n``)."""

    nargs = (0, 1)
    is_commutative = False


class Zeros(Unresolved):
    """``\\mathbf{0}``: a vector of zeros whose size comes from where it is used (or ``\\mathbf{0}_n``)."""

    nargs = (0, 1)
    is_commutative = False


class VectorCall(Unresolved):
    """``\\operatorname{softmax}(\\bm{z})``, ``\\operatorname{softmax}_k(z_1, \\dots, z_n)``, ``\\logsumexp(\\bm{z})``.

    Arguments: the function's name (a Str), the vector, and the component (or the Str "all").
    """

    nargs = 3


class EntriesOf(Unresolved):
    """``z_1, \\dots, z_n`` with a symbolic end: the entries ``first..last`` of the vector named ``base``."""

    nargs = 3


class AxisSize(Unresolved):
    """The upper bound of ``\\sum_k`` written without bounds: the length of the axis that ``k`` runs over."""

    nargs = 1
    is_integer = True
    is_positive = True


class Applied(Unresolved):
    """``\\varphi(u)``: a function the scope's derivation defines, applied; the first argument is its name (a Str)."""


def applied(name: str, *args: sp.Basic) -> Applied:
    return Applied(Str(name), *args)


def vector_call(name: str, vector: sp.Basic, component: sp.Basic | None) -> VectorCall:
    return VectorCall(Str(name), vector, Str("all") if component is None else component)


def axis_size(letter: str) -> AxisSize:
    return AxisSize(Str(letter))


def has_unresolved(expr: Any) -> bool:
    """True when ``expr`` still holds notation that needs a scope (a marker, or a name that may be an array)."""
    if isinstance(expr, sp.MatrixBase):
        return any(has_unresolved(entry) for entry in expr)
    if not isinstance(expr, sp.Basic):
        return False
    if expr.atoms(Unresolved):
        return True
    return any(not symbol.is_commutative for symbol in expr.free_symbols)
