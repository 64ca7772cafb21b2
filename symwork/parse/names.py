"""How the parsers make names: which names may be arrays (noncommutative), multi-letter words, and what the text shows.

A scope (a derivation's inputs, or the conventions of ML notation) tells the parser which names may
be vectors or matrices: those become noncommutative symbols, so products keep their order and
``x^\\top`` stays a transpose (see `symwork.parse.unresolved`). While parsing, the parsers record the
*evidence* a text gives about its names (``\\bm{x}`` is bold, ``A^\\top`` is transposed, ``k`` is a
bound index), which `symwork.answers` uses to type names when no derivation is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Names:
    """What the parser is told about names.

    ``arrays``: names read as noncommutative symbols (they may be vectors or matrices).
    ``words``: names of several letters that a LaTeX run of letters spells (``TP`` is one name, not T·P).
    """

    arrays: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    #: Names (LaTeX commands without the backslash, or letters) that a scope uses as functions: \\varphi(u).
    functions: frozenset[str] = frozenset()


NO_NAMES = Names()


@dataclass
class Evidence:
    """What one parse saw about names (mutable, filled while parsing; one per parse)."""

    #: Names written in bold: \bm{x}, \mathbf{W}, \boldsymbol{\mu}.
    bold: set[str] = field(default_factory=set)
    #: Names that something array-like was applied to: a transpose, diag, a norm, ⊙, ∇'s subscript.
    arrays: set[str] = field(default_factory=set)
    #: Names in places only a scalar fits: sum bounds and exponents.
    scalars: set[str] = field(default_factory=set)
    #: Letters bound by a sum or product (\sum_k, \prod_{i=1}^{n}).
    bound: set[str] = field(default_factory=set)
    #: Letters used as indices: bound letters and the letters of Kronecker deltas (\\delta_{ij}).
    indices: set[str] = field(default_factory=set)
    #: Names in the bounds of sums and products: sizes (n in \\sum_{k=1}^{n}).
    sizes: set[str] = field(default_factory=set)
    #: Every name the text uses, in the order first seen.
    seen: dict[str, None] = field(default_factory=dict)

    def merge(self, other: Evidence) -> None:
        self.bold |= other.bold
        self.arrays |= other.arrays
        self.scalars |= other.scalars
        self.bound |= other.bound
        self.indices |= other.indices
        self.sizes |= other.sizes
        self.seen.update(other.seen)


CURRENT_NAMES: ContextVar[Names] = ContextVar("symwork_parse_names", default=NO_NAMES)
CURRENT_EVIDENCE: ContextVar[Evidence | None] = ContextVar("symwork_parse_evidence", default=None)


@contextmanager
def reading(names: Names) -> Iterator[Evidence]:
    """Parse under ``names``, collecting evidence; the evidence object is filled when the block ends."""
    evidence = Evidence()
    name_marker = CURRENT_NAMES.set(names)
    evidence_marker = CURRENT_EVIDENCE.set(evidence)
    try:
        yield evidence
    finally:
        CURRENT_NAMES.reset(name_marker)
        CURRENT_EVIDENCE.reset(evidence_marker)


def symbol(name: str) -> sp.Symbol:
    """The Symbol for a name: noncommutative when the scope says it may be an array."""
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.seen.setdefault(name, None)
    return sp.Symbol(name, commutative=name not in CURRENT_NAMES.get().arrays)


def _names_in(values: Iterable[object]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, sp.Basic):
            found |= {s.name for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return found


def note_arrays(*values: object) -> None:
    """Record that array notation was applied to the names in ``values``."""
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.arrays |= _names_in(values)


def note_sizes(*values: object) -> None:
    """Record that the names in ``values`` bound a sum or product: they are sizes, whole numbers."""
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.sizes |= _names_in(values)
        evidence.scalars |= _names_in(values)


def note_scalars(*values: object) -> None:
    """Record that the names in ``values`` stand where only a scalar fits (a bound, an exponent)."""
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.scalars |= _names_in(values)


def note_bold(name: str) -> None:
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.bold.add(name)


def note_bound(letter: str) -> None:
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.bound.add(letter)
        evidence.indices.add(letter)
        evidence.indices.add(letter)


def note_indices(*values: object) -> None:
    """Record letters used as indices (the arguments of a Kronecker delta)."""
    evidence = CURRENT_EVIDENCE.get()
    if evidence is not None:
        evidence.indices |= _names_in(values)


def words() -> frozenset[str]:
    return CURRENT_NAMES.get().words


def functions() -> frozenset[str]:
    return CURRENT_NAMES.get().functions
