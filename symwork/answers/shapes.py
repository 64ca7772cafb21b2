"""Shapes of typed answers: sizes that unify (union–find over dimensions) and shape words for feedback.

A dimension is a size symbol of the derivation (``n``), a number, or an unknown (a `Dims.new` variable
that usage fixes: the length of ``\\mathbf{1}``, the rows of ``I``, the axis ``\\sum_k`` runs over, and
every size of an answer read without a derivation). A shape is ``()`` for a scalar or ``(rows, cols)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from symwork.errors import CheckError

Shape = tuple[Any, ...]

SCALAR: Shape = ()


class ShapeMismatchError(CheckError):
    """Two dimensions that must be equal are not: a verdict ("not correct"), with ``words`` for the student."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


class Dims:
    """Union–find over dimensions: unknowns join knowns; two different knowns are a mismatch."""

    def __init__(self) -> None:
        self.parent: dict[sp.Basic, sp.Basic] = {}
        self.unknowns: dict[sp.Dummy, None] = {}

    def new(self, hint: str = "d") -> sp.Dummy:
        unknown = sp.Dummy(hint, integer=True, positive=True)
        self.unknowns[unknown] = None
        return unknown

    def is_unknown(self, dim: Any) -> bool:
        return dim in self.unknowns

    def find(self, dim: Any) -> Any:
        dim = sp.sympify(dim) if isinstance(dim, int) else dim
        root = dim
        while root in self.parent:
            root = self.parent[root]
        while dim in self.parent and self.parent[dim] is not root:  # path compression
            self.parent[dim], dim = root, self.parent[dim]
        return root

    def equal(self, first: Any, second: Any) -> bool:
        return bool(self.find(first) == self.find(second))

    def unify(self, first: Any, second: Any) -> bool:
        """Make two dimensions one; False (and no change) when both are known and differ."""
        a, b = self.find(first), self.find(second)
        if a == b:
            return True
        if self.is_unknown(a):
            self.parent[a] = b
            return True
        if self.is_unknown(b):
            self.parent[b] = a
            return True
        return False

    def unify_shapes(self, first: Shape, second: Shape) -> bool:
        if len(first) != len(second):
            return False
        snapshot = dict(self.parent)
        if all(self.unify(a, b) for a, b in zip(first, second, strict=True)):
            return True
        self.parent = snapshot
        return False

    def can_be(self, shape: Shape, target: Shape) -> bool:
        """Would ``shape`` unify with ``target``? (No change is made.)"""
        snapshot = dict(self.parent)
        fits = self.unify_shapes(shape, target)
        self.parent = snapshot
        return fits

    def resolve(self, value: Any) -> Any:
        """``value`` with every unknown replaced by what it was unified with."""
        mapping = {unknown: self.find(unknown) for unknown in self.unknowns if self.find(unknown) != unknown}
        if not mapping or not isinstance(value, sp.Basic):
            return value
        # Chains (a → b → n) are already collapsed by find; one xreplace suffices.
        return value.xreplace(mapping)

    def resolve_shape(self, shape: Shape) -> Shape:
        return tuple(self.find(dim) for dim in shape)


def is_scalar_like(shape: Shape, dims: Dims) -> bool:
    """A scalar, or a matrix that is (or can be) 1×1, such as xᵀy."""
    return not shape or dims.can_be(shape, (1, 1))


def dim_text(dim: Any) -> str:
    if isinstance(dim, sp.Dummy):
        return "k"
    return str(dim)


def shape_words(shape: Sequence[Any]) -> str:
    """``n×m``, ``n×1 (a column vector)``, ``1×n (a row vector)`` or ``a scalar``, for feedback."""
    if not shape:
        return "a scalar"
    if len(shape) != 2:
        return "×".join(dim_text(d) for d in shape)
    rows, cols = shape
    text = f"{dim_text(rows)}×{dim_text(cols)}"
    if cols == 1 and rows != 1:
        return text + " (a column vector)"
    if rows == 1 and cols != 1:
        return text + " (a row vector)"
    return text
