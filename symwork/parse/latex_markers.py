"""Markers of the LaTeX transformer: parsed pieces whose meaning depends on their neighbours in a juxtaposition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symwork.parse.construct import Value
from symwork.parse.functions import FunctionRule


@dataclass(frozen=True)
class Sup:
    value: Value | None  # the exponent, or None for a transpose


@dataclass(frozen=True)
class Top:
    """\\top or \\intercal as a superscript."""


@dataclass(frozen=True)
class Sub:
    text: str  # the subscript as it becomes part of a Symbol name: 'ij', '10', 'alpha', 't-1'
    parts: tuple[Value, ...]  # its index values, for \delta_{ij}, \log_2 and \operatorname{softmax}_k


@dataclass(frozen=True)
class Fact:
    pass


@dataclass(frozen=True)
class Prime:
    """f' after a function name: its derivative."""


Post = Sup | Sub | Fact | Prime


@dataclass(frozen=True)
class FuncHead:
    """A function waiting for its argument, with the subscript and power written on its name."""

    rule: FunctionRule
    sub: Value | None = None
    power: Value | None = None
    primes: int = 0


@dataclass(frozen=True)
class CallableSymbol:
    """\\sigma: the Symbol sigma, unless directly followed by a parenthesis, when it is a call."""

    symbol: sp.Symbol
    rule: FunctionRule


@dataclass(frozen=True)
class Paren:
    """(a) or (a, b): a value, or the arguments of the function written before it."""

    args: tuple[Value, ...]


@dataclass(frozen=True)
class ScriptedParen:
    """(x)^2: after a function name the parenthesis is the argument, so \\sin(x)^2 = sin(x)**2."""

    paren: Paren
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Braced:
    """{x}: a value whose braces end a function's argument, as in \\sin{\\left(x\\right)} (x + y)."""

    value: Value


@dataclass(frozen=True)
class NormBars:
    """\\|x\\|, waiting for a subscript that says which norm (\\|A\\|_F)."""

    inner: Value


@dataclass(frozen=True)
class Nabla:
    """\\nabla, waiting for the subscript that names the variable (\\nabla_{\\bm{x}})."""


@dataclass(frozen=True)
class ConstantVector:
    """\\mathbf{1} or \\mathbf{0}, with an optional size subscript (\\mathbf{1}_n)."""

    kind: str  # "ONES" or "ZEROS"


@dataclass(frozen=True)
class Operator:
    """\\sum, \\prod and \\frac{d}{dx}: they apply to everything after them in the product."""

    name: str
    apply: Callable[[Value], Value]


@dataclass(frozen=True)
class DiffChain:
    """A product starting with d or \\partial, which may be one side of a derivative fraction."""

    kind: sp.Symbol
    order: int
    items: tuple[Any, ...]


#: The superscripts ^T, ^{T}, ^\top and ^{\top} all mean transpose.
TRANSPOSE = sp.Symbol("T")
DIFFERENTIAL = sp.Symbol("d")
#: \partial outside a derivative fraction is an error, so it is a Dummy no user name can equal.
PARTIAL = sp.Dummy("partial")


def diff_mark(item: Any) -> tuple[sp.Symbol, int] | None:
    if not isinstance(item, sp.Basic):
        return None
    if item == DIFFERENTIAL or item == PARTIAL:
        return item, 1
    if isinstance(item, sp.Pow) and item.base in (DIFFERENTIAL, PARTIAL) and item.exp.is_Integer and item.exp > 0:
        return item.base, int(item.exp)
    return None


def derivative_variables(den: DiffChain) -> list[tuple[sp.Symbol, int]] | None:
    """The variables of a derivative denominator 'dx^2' or '\\partial x \\partial y', or None."""
    items, variables = list(den.items), []
    while items:
        mark = diff_mark(items.pop(0))
        if mark is None or mark != (den.kind, 1) or not items:
            return None
        var = items.pop(0)
        if isinstance(var, sp.Symbol):
            variables.append((var, 1))
        elif isinstance(var, sp.Pow) and isinstance(var.base, sp.Symbol) and var.exp.is_Integer and var.exp > 0:
            variables.append((var.base, int(var.exp)))
        else:
            return None
    return variables
