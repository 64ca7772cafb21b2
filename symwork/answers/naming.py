"""Names in typed answers: what a symbol a student typed stands for in a scope (a mixin of `reading.Reader`).

In a derivation's scope: its scalars, arrays (as matrix symbols), entries (``s_i`` is ``s[i]``, ``W_{jl}``
is ``W[j, l]``, ``z_1`` is ``z[1]``), sizes, indices, ``I``/``I_n`` and, in plain syntax, words that are
products of known letters (``ab`` is a·b, with a note). Without a derivation, ML notation decides
(`symwork.answers.scope`): array-marked names are matrices of unknown size, names subscripted by an
index letter (bound by a sum, or in a Kronecker delta) are arrays, everything else is a scalar.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from symwork.answers.scope import Entry
from symwork.answers.shapes import SCALAR, Shape, ShapeMismatchError
from symwork.errors import CheckError, SymworkError
from symwork.parse import parse
from symwork.parse.latex_tables import GREEK, GREEK_VARIANTS

#: Domains whose scalars are positive: the comparison's scalar path samples them so.
POSITIVE_DOMAINS = frozenset({"positive", "unit", "small", "count", "spd"})
#: Words that stay one name in plain syntax without a derivation: Greek letters and their usual abbreviations.
CONVENTION_WORDS = frozenset({*GREEK, *GREEK_VARIANTS, "eps", "lam", "lamda", "ell", "inf", "oo", "pi"})
_OFFSET = re.compile(r"([A-Za-z])([+-])([0-9]+)")


class NameResolver:
    """Resolves names for a `Reader` (which supplies scope, dims, ranges, bound, notes, evidence, syntax)."""

    # Attributes provided by the Reader dataclass.
    scope: Any
    dims: Any
    ranges: dict[str, Any]
    bound: list[str]
    notes: list[str]
    evidence: Any
    convention_arrays: dict[str, tuple[Any, ...]]
    convention_sizes: dict[str, Any]
    minimum: dict[Any, int]

    # --- indices -------------------------------------------------------------------------------------

    def index(self, letter: str) -> sp.Symbol:
        """The symbol of an index letter: the derivation's own when it declares the letter."""
        declared = self.scope.indices.get(letter)
        symbol = declared[0] if declared is not None else sp.Symbol(letter, integer=True, positive=True)
        if letter not in self.ranges:
            axis_names = {str(axis) for axis in self.scope.axes}
            # The result's own indices run over their stated ranges; other letters over what they index.
            self.ranges[letter] = declared[1] if declared is not None and letter in axis_names else self.dims.new(letter)
        return symbol

    def index_range(self, letter: str) -> Any:
        self.index(letter)
        return self.ranges[letter]

    def is_index_letter(self, letter: str) -> bool:
        if letter in self.bound or letter in self.evidence.indices:
            return True
        return letter in {str(axis) for axis in self.scope.axes}

    # --- names -----------------------------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[Any, Shape]:
        """The value and shape a typed name stands for; CheckError if it is not a name here."""
        if name in self.bound:
            return self.index(name), SCALAR
        entry = self.scope.lookup(name)
        if entry is not None:
            return self.entry_value(entry)
        if name == "I" or name.startswith("I_"):
            return self.identity(name)
        if "_" in name:
            found = self.subscripted(name)
            if found is not None:
                return found
        if self.scope.derivation is None:
            return self.convention_name(name)
        split = self.split_word(name)
        if split is not None:
            return split
        known = ", ".join(self.scope.known())
        raise CheckError(f"Your answer uses {name!r}, which is not a name in this problem; use names such as {known}.")

    def entry_value(self, entry: Entry) -> tuple[Any, Shape]:
        if entry.kind == "index":
            return self.index(entry.name), SCALAR
        if entry.kind == "size":
            return entry.symbol, SCALAR
        if not entry.is_array:
            if isinstance(entry.symbol, sp.Symbol):
                return entry.symbol, SCALAR
            return sp.Symbol(entry.name, positive=True if entry.domain in POSITIVE_DOMAINS else None), SCALAR
        return self.array_symbol(entry.name, entry.dims)

    def array_symbol(self, name: str, dims: tuple[Any, ...]) -> tuple[Any, Shape]:
        if len(dims) > 2:
            letters = "ijkl"[: len(dims)]
            raise ShapeMismatchError(f"{name} has {len(dims)} axes; write its entries in index notation, as in {name}_{{{letters}}}.")
        shape = (dims[0], sp.Integer(1)) if len(dims) == 1 else tuple(dims)
        return sp.MatrixSymbol(name, *shape), shape

    def identity(self, name: str) -> tuple[Any, Shape]:
        size = name.partition("_")[2]
        if size:
            entry = self.scope.lookup(size)
            dim = entry.symbol if entry is not None and entry.kind == "size" else (sp.Integer(int(size)) if size.isdigit() else None)
            if dim is None:
                dim = self.dims.new("n")
                if self.scope.derivation is not None:
                    raise CheckError(f"{name!r} names no size of this problem; write I for the identity of the right size.")
        else:
            dim = self.dims.new("n")
        return sp.Identity(dim), (dim, dim)

    def subscripted(self, name: str) -> tuple[Any, Shape] | None:
        """``s_i`` as the entry s[i] of an array s; None when the base is no array here."""
        base, sub = name.split("_", 1)
        entry = self.scope.lookup(base)
        if entry is not None and entry.is_array:
            return self.entry(entry.name, entry.dims, sub), SCALAR
        if entry is None and self.scope.derivation is None:
            dims = self.convention_indexed(base, sub)
            if dims is not None:
                return self.entry(base, dims, sub), SCALAR
        return None

    def entry(self, base: str, dims: tuple[Any, ...], sub: str) -> sp.Indexed:
        parts = sub.split(",") if "," in sub else ([sub] if len(dims) == 1 else list(sub))
        if len(parts) != len(dims):
            raise ShapeMismatchError(
                f"{base}_{{{sub}}} has {len(parts)} index(es) but {base} has {len(dims)} axes; "
                f"write one index per axis, as in {base}_{{{'ijkl'[: len(dims)]}}}."
            )
        indices = [self.index_value(base, sub, part, axis, dim) for axis, (part, dim) in enumerate(zip(parts, dims, strict=True))]
        return sp.IndexedBase(base)[tuple(indices)]

    def index_value(self, base: str, sub: str, part: str, axis: int, dim: Any) -> Any:
        if part.isdigit():
            self.minimum[dim] = max(self.minimum.get(dim, 0), int(part))
            return sp.Integer(int(part))
        size = self.scope.lookup(part)
        if size is not None and size.kind == "size" and part not in self.bound:
            return size.symbol  # z_n: the last entry
        offset = _OFFSET.fullmatch(part)
        if offset is not None:
            letter, sign, amount = offset.groups()
            return self.index(letter) + (1 if sign == "+" else -1) * int(amount)
        if len(part) != 1 or not part.isalpha():
            return self.index_expression(base, sub, part)
        symbol = self.index(part)
        if part in self.bound and not self.dims.is_unknown(self.dims.find(self.ranges[part])):
            return symbol  # a sum over part of an axis (σ_l for l ≤ k); the bounds are checked when evaluated
        if not self.dims.unify(self.ranges[part], dim):
            raise ShapeMismatchError(
                f"In {base}_{{{sub}}} the index {part} runs over 1..{self.dims.find(self.ranges[part])}, but axis "
                f"{axis + 1} of {base} has {dim} entries; check the order of the indices."
            )
        return symbol

    def index_expression(self, base: str, sub: str, part: str) -> Any:
        """An index computed from other indices, as in W_{j + k(i - 1), b}."""
        try:
            expr = parse(part, syntax="plain")
        except SymworkError:
            expr = None
        if not isinstance(expr, sp.Expr) or not expr.free_symbols or any(len(s.name) != 1 for s in expr.free_symbols):
            raise ShapeMismatchError(f"{base}_{{{sub}}}: {part!r} is not an index; use one letter or number per axis.")
        values = {}
        for symbol in expr.free_symbols:
            size = self.scope.lookup(symbol.name)
            values[symbol] = size.symbol if size is not None and size.kind == "size" and symbol.name not in self.bound else self.index(symbol.name)
        return expr.xreplace(values)

    # --- without a derivation: the conventions of ML notation ------------------------------------------

    def convention_indexed(self, base: str, sub: str) -> tuple[Any, ...] | None:
        """The dimensions of ``base`` read as an array, if ``base_sub`` is an entry by the conventions."""
        if base in self.convention_arrays:
            dims = self.convention_arrays[base]
            return (dims[0],) if len(dims) == 2 and dims[1] == 1 else dims
        letters = [c for c in sub.replace(",", "") if c.isalpha()]
        indexed = bool(letters) and all(self.is_index_letter(c) for c in letters) and sub.replace(",", "").isalpha()
        if not indexed and not self.indexed_elsewhere(base):
            return None
        rank = len(sub.split(",")) if "," in sub else (1 if sub.isdigit() or len(sub) == 1 else len(sub))
        dims = tuple(self.dims.new(base) for _ in range(rank))
        self.convention_arrays[base] = dims if rank != 1 else (dims[0], sp.Integer(1))
        return dims

    def indexed_elsewhere(self, base: str) -> bool:
        """Is ``base`` subscripted by an index letter somewhere in the text(s)? Then z_1 is its entry too."""
        for name in self.evidence.seen:
            head, _, sub = name.partition("_")
            if head == base and sub.isalpha() and all(self.is_index_letter(c) for c in sub):
                return True
        return base in self.evidence.bold or base in self.evidence.arrays

    def convention_name(self, name: str) -> tuple[Any, Shape]:
        if len(name) > 1 and name.isalpha() and name.isupper() and name not in self.evidence.bold:
            split = self.split_word(name)  # AB in plain syntax is A·B, each letter a matrix (ML notation)
            if split is not None:
                return split
        if name in self.convention_arrays:
            dims = self.convention_arrays[name]
            return sp.MatrixSymbol(name, *dims), dims
        if name in self.convention_array_names():  # type: ignore[attr-defined]
            vector = name in self.evidence.bold and name[:1].islower() or name[:1].islower()
            dims = (self.dims.new(name), sp.Integer(1)) if vector else (self.dims.new(name), self.dims.new(name))
            self.convention_arrays[name] = dims
            return sp.MatrixSymbol(name, *dims), dims
        if name in self.evidence.sizes:
            # n in \sum_{k=1}^{n}: a size, drawn as a whole number like every other size.
            if name not in self.convention_sizes:
                self.convention_sizes[name] = self.dims.new(name)
            return self.convention_sizes[name], SCALAR
        split = self.split_word(name)
        if split is not None:
            return split
        return sp.Symbol(name), SCALAR

    def split_word(self, name: str) -> tuple[Any, Shape] | None:
        """In plain syntax, a word that is no name is the product of its letters: ``ab`` is a·b (with a note)."""
        if getattr(self, "syntax", "latex") != "plain" or not name.isalpha() or len(name) < 2:
            return None
        if self.scope.derivation is None and name in CONVENTION_WORDS:
            return None
        if self.scope.derivation is not None and any(self.scope.lookup(letter) is None for letter in name):
            return None
        arrays = self.names().arrays  # type: ignore[attr-defined]
        letters = [sp.Symbol(letter, commutative=letter not in arrays) for letter in name]
        value = self.typed(sp.Mul(*letters))  # type: ignore[attr-defined]
        self.notes.append(f"read {name} as {'·'.join(name)}")
        return value
