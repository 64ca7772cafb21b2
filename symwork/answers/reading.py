"""Reading a typed answer in a scope: names resolved, shapes inferred, index and matrix notation made explicit.

`read` parses text with the scope's array names (so products keep their order) and types the result:
every name becomes the derivation's object (a scalar symbol, an n×1 or n×m matrix symbol, an entry
``s[i]`` of an array, a size, an index), every marker of `symwork.parse.unresolved` a matrix expression,
and every product, sum and power is checked for shapes, unknown sizes (of ``I``, ``\\mathbf{1}``, or every
name read without a derivation) being unified as they meet. A 1×1 product such as ``x^\\top y`` is a
scalar wherever a scalar is needed. What was assumed is said in `Answer.notes` ("read ab as a·b").

A shape error is a `ShapeMismatchError` with words for the student; an unknown name a `CheckError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symwork.answers.naming import NameResolver
from symwork.answers.scope import Scope
from symwork.answers.shapes import SCALAR, Dims, Shape, ShapeMismatchError, shape_words
from symwork.answers.typing_rules import TypingRules
from symwork.errors import ParseError
from symwork.parse import read as parse_read
from symwork.parse.names import NO_NAMES, Evidence, Names

__all__ = ["Answer", "Reader", "ShapeMismatchError", "read_answer"]


@dataclass(frozen=True)
class Answer:
    """A typed answer: its value (scalar, index form or matrix form), shape, free indices and how it was read."""

    value: Any
    shape: Shape
    free: tuple[sp.Symbol, ...] = ()
    ranges: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()
    syntax: str = "latex"
    #: (size, least value) pairs the answer needs: z_5 needs n ≥ 5.
    minimum: tuple[tuple[Any, int], ...] = ()

    @property
    def form(self) -> str:
        """"matrix", "index" or "scalar"."""
        return "matrix" if self.shape else ("index" if self.free else "scalar")

    def shape_words(self) -> str:
        if self.shape:
            return shape_words(self.shape)
        if self.free:
            return "an expression in the free indices " + ", ".join(str(f) for f in self.free)
        return "a scalar"


@dataclass
class Reader(NameResolver, TypingRules):
    """Types the answers of one scope; one reader serves all lines of a chain, so a name has one shape in all."""

    scope: Scope
    evidence: Evidence = field(default_factory=Evidence)
    dims: Dims = field(default_factory=Dims)
    notes: list[str] = field(default_factory=list)
    #: Index letter → its range (a size, or an unknown to unify).
    ranges: dict[str, Any] = field(default_factory=dict)
    #: Letters bound by the sums around the node being typed.
    bound: list[str] = field(default_factory=list)
    #: Names read as arrays without a derivation, with their dimensions.
    convention_arrays: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    #: Names read as sizes without a derivation (the n of \sum_{k=1}^{n}), as unknown dimensions.
    convention_sizes: dict[str, Any] = field(default_factory=dict)
    #: Dimensions that default to 1 when nothing fixes them (the columns of \mathbf{1}).
    unit_defaults: list[Any] = field(default_factory=list)
    #: The least value a size may take: z_5 needs n ≥ 5.
    minimum: dict[Any, int] = field(default_factory=dict)
    #: Readings made while scanning, reused when no name turned out to be an array.
    scanned: dict[tuple[str, str], Any] = field(default_factory=dict)

    def names(self) -> Names:
        """What the parser is told: the array names and multi-letter words of the scope (or of the evidence)."""
        if self.scope.derivation is not None:
            return Names(arrays=self.scope.array_names(), words=self.scope.words(), functions=frozenset(self.scope.functions))
        return Names(arrays=frozenset(self.convention_array_names()))

    def convention_array_names(self) -> set[str]:
        """Without a derivation: bold or array-marked names; then upper-case letters too (ML notation)."""
        evidence = self.evidence
        arrays = (evidence.arrays | evidence.bold) - evidence.scalars - evidence.bound
        # (AB)^T marks the product A·B, not a matrix called AB: the letters of a word of capitals are arrays too
        # (the word stays one, so that the parser keeps its transpose; naming then splits it).
        arrays = {
            letter
            for name in arrays
            if "_" not in name
            for letter in (
                [name, *name] if len(name) > 1 and name.isalpha() and name.isupper() and name not in evidence.bold else [name]
            )
        }
        if arrays:
            arrays |= {
                name
                for name in evidence.seen
                if len(name) == 1 and name.isupper() and name not in ("I", "T") and name not in evidence.scalars
            }
        return arrays

    def scan(self, texts: Iterable[str], syntax: str = "auto") -> None:
        """Collect the evidence of every text first, so that all lines read their names alike."""
        for text in texts:
            try:
                reading = parse_read(self.scope.replace_printed(text), syntax=syntax)
            except ParseError:
                continue  # the real read reports it, with its line
            self.evidence.merge(reading.evidence)
            self.scanned[(text, syntax)] = reading

    def read(self, text: str, *, syntax: str = "auto") -> list[Answer]:
        """Every part of an '='-chain in ``text``, typed."""
        names = self.names()
        reading = self.scanned.get((text, syntax)) if names == NO_NAMES else None
        if reading is None:  # a text with arrays is parsed again, its array names now noncommutative
            reading = parse_read(self.scope.replace_printed(text), syntax=syntax, names=names)
        self.evidence.merge(reading.evidence)
        self.syntax = reading.syntax
        return [self.answer(part) for part in reading.parts]

    def answer(self, part: Any) -> Answer:
        start = len(self.notes)
        value, shape = self.typed(part)
        return self.finish(value, shape, tuple(self.notes[start:]))

    def finish(self, value: Any, shape: Shape, notes: Sequence[str]) -> Answer:
        for dim in self.unit_defaults:
            if self.dims.is_unknown(self.dims.find(dim)):
                self.dims.unify(dim, 1)
        value = self.dims.resolve(value)
        shape = self.dims.resolve_shape(shape)
        if shape == (1, 1):
            value, shape = self.scalar_of(value, shape), SCALAR
        free = self.free_indices(value)
        ranges = tuple(self.dims.find(self.ranges.get(index.name, self.dims.new())) for index in free)
        minimum = tuple((self.dims.find(dim), least) for dim, least in self.minimum.items())
        return Answer(value, shape, free, ranges, tuple(notes), getattr(self, "syntax", "latex"), minimum)

    def free_indices(self, value: Any) -> tuple[sp.Symbol, ...]:
        """Index letters left free: also those a derivative hides (∂/∂z_j keeps j free, though SymPy binds z_j)."""
        if not isinstance(value, sp.Basic):
            return ()
        letters = set(self.ranges)
        candidates = set(value.free_symbols)
        bound = {limit[0] for node in value.atoms(sp.Sum, sp.Product) for limit in node.limits}
        for derivative in value.atoms(sp.Derivative):
            for variable in derivative.variables:
                candidates |= {s for s in getattr(variable, "free_symbols", set()) if s not in bound}
        found = {s for s in candidates if isinstance(s, sp.Symbol) and s.name in letters and s.is_integer}
        return tuple(sorted(found, key=lambda s: s.name))


def read_answer(text: str, scope: Scope, *, syntax: str = "auto") -> Answer:
    """The last part of ``text`` (an answer may carry its own label: ``J = …``), typed in ``scope``."""
    reader = Reader(scope)
    if scope.derivation is None:
        reader.scan([text], syntax)
    return reader.read(text, syntax=syntax)[-1]


def split_label(text: str) -> tuple[str, str]:
    """("J", "…") for an answer ``J = …``: the text after the last top-level '=', and what was before it."""
    depth, cut = 0, -1
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "=" and depth == 0 and text[position - 1 : position] not in ("<", ">", "!", "\\"):
            cut = position
    if cut < 0:
        return "", text
    return text[:cut].strip(), text[cut + 1 :].strip()

