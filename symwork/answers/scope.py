"""The scope of a general answer: the student's names resolved to a derivation's objects on a small instance.

The student's symbols are matched to the derivation's objects by name, in this order:

1. a scalar of the derivation (inputs, defined names, auxiliary variables): ``x``, ``eps``, ``T``;
2. a free index of the result: ``i``, ``j``;
3. a size: ``n`` becomes the checked instance's size (e.g. 3);
4. ``base_sub`` where ``base`` is an array of the derivation (``s``, ``z``, ``y``, ``W``): ``s_i`` is
   ``s[i]``, ``W_{jl}`` is ``W[j, l]`` (one letter or digit per axis), ``z_1`` is ``z[1]``;
5. the bound variable of a typed sum (``\\sum_{k=1}^{n} s_k z_k``).

``\\delta_{ij}`` is already KroneckerDelta(i, j) and ``\\sigma(x)`` the sigmoid; Greek aliases such as
``\\epsilon`` → ``eps`` are in `ALIASES`. Results written with matrix symbols (``(A + A^T) x``) or
with notation that cannot be typed are `untypable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symwork.core import instances
from symwork.core.derivation import Derivation
from symwork.core.spec import Instance
from symwork.errors import CheckError

#: Names a student may type for a derivation's symbol of another name (typed → derivation).
ALIASES: dict[str, str] = {"epsilon": "eps", "varepsilon": "eps", "beta_1": "beta1", "beta_2": "beta2"}

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def untypable(rhs: Any) -> str:
    """Why a general result cannot be typed back in (``""`` if it can), e.g. "is written with vectors and matrices"."""
    if not isinstance(rhs, sp.Basic) or isinstance(rhs, (sp.MatrixBase, sp.MatrixExpr)) or rhs.has(sp.MatrixSymbol):
        return "is written with vectors and matrices"
    if rhs.has(sp.Integral, sp.Derivative, sp.Subs):
        return "contains integrals or derivatives"
    # Sorted: a set's order changes from run to run, and grade reports must not.
    odd = sorted(s.name for s in rhs.free_symbols if isinstance(s, sp.Symbol) and not _IDENTIFIER.match(s.name))
    if odd:
        return f"uses notation that cannot be typed ({odd[0]!r})"
    return ""


@dataclass(frozen=True)
class Scope:
    """A derivation at its smallest checked sizes: what a general answer is read in and compared on."""

    derivation: Derivation
    instance: Instance

    @classmethod
    def smallest(cls, derivation: Derivation) -> Scope:
        return cls(derivation, derivation.instance(**instances.instance_sizes(derivation)[0]))

    def read(self, student: Any) -> Any:
        """The student's expression in the derivation's objects, with definitions expanded for comparing."""
        return self.prepare(map_symbols(student, self.derivation, self.instance))

    def prepare(self, expr: Any) -> Any:
        """A derivation's own expression (its result or question), ready for comparing."""
        return instances.prepare(expr, self.instance.body)

    def indices(self, *exprs: Any) -> list[tuple[Any, int]]:
        """The instance's free indices that occur in ``exprs``, with their sizes."""
        free = {symbol for expr in exprs for symbol in getattr(expr, "free_symbols", set())}
        return [(index, int(bound)) for index, bound in self.instance.body.indices.items() if index in free]

    def compare_options(self, *exprs: Any, seed: int, **options: Any) -> dict[str, Any]:
        """Keyword arguments of `compare` for ``exprs`` on this instance: its sampler and their free indices."""
        sampler = instances.point_sampler(self.instance)
        return {"sampler": sampler, "indices": self.indices(*exprs), "seed": seed, **options}


def map_symbols(student: Any, derivation: Derivation, instance: Instance) -> Any:
    """Replace the student's symbols by the derivation's objects by name (see the module docstring)."""
    body = instance.body
    scalars: dict[str, Any] = {}
    bases: dict[str, tuple[Any, int]] = {}
    for item in (*derivation.inputs, *body.variables):
        if item.shape:
            bases[item.name] = (sp.IndexedBase(item.name), len(item.shape))
    for definition in body.definitions:
        symbol = definition.symbol
        if isinstance(symbol, sp.IndexedBase):
            bases[str(symbol.label)] = (symbol, len(definition.indices))
        elif isinstance(symbol, sp.Symbol):
            scalars[symbol.name] = symbol
    expressions = [body.result.rhs, *(d.expr for d in body.definitions if isinstance(d.expr, sp.Basic))]
    for expr in expressions:
        if not isinstance(expr, sp.Basic):
            continue
        for indexed in expr.atoms(sp.Indexed):
            bases.setdefault(str(indexed.base.label), (indexed.base, len(indexed.indices)))
        for symbol in expr.free_symbols:
            if isinstance(symbol, sp.Symbol):
                scalars.setdefault(symbol.name, symbol)
    for item in derivation.inputs:
        if not item.shape:
            scalars.setdefault(item.name, sp.Symbol(item.name))
    index_symbols = {str(index): index for index in body.indices}
    sizes = {name: sp.Integer(value) for name, value in instance.sizes.items()}
    bound = {str(var) for node in student.atoms(sp.Sum, sp.Product) for var, *_ in node.limits}

    def index_for(letter: str) -> Any:
        if letter.isdigit():
            return sp.Integer(int(letter))
        if letter in index_symbols:
            return index_symbols[letter]
        return sp.Symbol(letter, integer=True)

    def resolve(name: str) -> Any:
        name = ALIASES.get(name, name) if name not in scalars and ALIASES.get(name) in scalars else name
        if name in index_symbols:
            return index_symbols[name]
        if name in bound:
            return sp.Symbol(name, integer=True)
        if name in scalars:
            return scalars[name]
        if name in sizes:
            return sizes[name]
        base_name, _, sub = name.partition("_")
        if sub and base_name in bases:
            base, rank = bases[base_name]
            letters = list(sub) if len(sub) == rank else ([sub] if rank == 1 else None)
            if letters is not None:
                return base[tuple(index_for(letter) for letter in letters)]
        known = sorted({*scalars, *(f"{b}_{'ijkl'[:r]}" for b, (_, r) in bases.items()), *index_symbols})
        raise CheckError(
            f"Your answer uses {name!r}, which is not a name in this derivation; use names such as {', '.join(known[:8])}."
        )

    mapping = {s: resolve(s.name) for s in student.free_symbols if isinstance(s, sp.Symbol)}
    # Bound variables of typed sums are not free symbols; map them too, so s_k and the sum's k agree.
    for node in student.atoms(sp.Sum, sp.Product):
        for var, *_ in node.limits:
            mapping.setdefault(var, resolve(var.name))
    return student.xreplace(mapping)
