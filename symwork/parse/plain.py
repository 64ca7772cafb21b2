"""The plain-syntax parser: calculator notation (x^2, 2x, sigmoid(x), [[1,2],[3,4]]) to SymPy."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp
from lark import Lark, Token
from lark.lark import PostLex

import symwork.parse.construct as build
from symwork.errors import ParseError, quote
from symwork.parse.construct import Value
from symwork.parse.functions import ELLIPSIS, FUNCTIONS, GENERIC_FUNCTIONS, apply_function, ml_aliases, scope_function
from symwork.parse.limits import Limits
from symwork.parse.names import functions as scope_functions
from symwork.parse.names import symbol
from symwork.parse.tree import CURRENT_LIMITS, ArithmeticTransformer, count_tokens, load_grammar, run

#: Function names, as typed, to the names in FUNCTIONS. Only these may be called.
PLAIN_FUNCTIONS = {
    **{name: name for name in GENERIC_FUNCTIONS},
    **ml_aliases(lambda notation: notation.plain + notation.symbol),
    "Phi": "Phi",
    "phi": "phi",
    "ln": "log",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sgn": "sign",
    "trace": "tr",
    "binom": "binomial",
    "Abs": "abs",
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "oo": sp.oo, "inf": sp.oo, "infinity": sp.oo}
#: Function names that are also ordinary symbols when not called: sigma(x) is sigmoid, sigma^2 a variance.
SYMBOL_FUNCTIONS = frozenset({"delta", "Phi", "phi", *ml_aliases(lambda notation: notation.symbol)})


#: Token types after which a '|' closes an absolute value rather than opening one.
_ENDS_OPERAND = frozenset({"NUMBER", "NAME", "_RPAR", "_RSQB", "ABS_CLOSE", "_BANG"})


def _bars(stream: Iterator[Token]) -> Iterator[Token]:
    """Decide whether each '|' opens or closes an absolute value, from the token before it (as in LaTeX)."""
    opened, previous = 0, ""
    for token in stream:
        if token.type == "BAR":
            closing = opened > 0 and previous in _ENDS_OPERAND
            token = Token.new_borrow_pos("ABS_CLOSE" if closing else "ABS_OPEN", token.value, token)
            opened += -1 if closing else 1
        previous = token.type
        yield token


#: Token types that can begin a factor after a space: x y, x |y|.
_STARTS_FACTOR = frozenset({"NAME", "ABS_OPEN"})


def _spaced_products(stream: Iterator[Token]) -> Iterator[Token]:
    """A space between two factors is a product, as in TeX: ``x y`` is x·y and ``a b c`` is a·b·c.

    Only where nothing else is meant: ``sin x`` is refused (a function's argument goes in brackets), and
    inside ``[...]`` entries are separated by commas, so ``[a b]`` stays an error rather than a product.
    """
    previous: Token | None = None
    brackets = 0
    for token in stream:
        brackets += {"_LSQB": 1, "_RSQB": -1}.get(token.type, 0)
        spaced = previous is not None and token.start_pos is not None and previous.end_pos is not None and (
            token.start_pos > previous.end_pos
        )
        if spaced and previous is not None and previous.type in _ENDS_OPERAND and token.type in _STARTS_FACTOR:
            if previous.type == "NAME" and str(previous) in PLAIN_FUNCTIONS and str(previous) not in SYMBOL_FUNCTIONS:
                raise ParseError(
                    f"'{previous} {token}' at column {previous.column}: write {previous}({token}); "
                    "in plain syntax a function's argument goes in brackets."
                )
            if brackets == 0 and previous.type != "NUMBER":  # after a number the grammar joins them already (2 x)
                yield Token.new_borrow_pos("_STAR", "*", token)
        previous = token
        yield token


class PlainPostLex(PostLex):
    always_accept = ("BAR",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return _spaced_products(_bars(count_tokens(stream, CURRENT_LIMITS.get())))


@cache
def parser() -> Lark:
    return load_grammar("plain.lark", postlex=PlainPostLex())


@dataclass(frozen=True)
class ListLiteral:
    """[a, b] or [[a, b], [c, d]]: a column vector or, when every item is a list, a matrix."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Grouped:
    """(x): kept apart from a bare name so that x^T is a transpose but x^(T) a power."""

    value: Any


#: x^T is a transpose in both syntaxes; for a scalar it is x itself.
TRANSPOSE = sp.Symbol("T")


#: One-letter names that conventionally denote functions: f(x) is refused, not read as f*x.
FUNCTION_LETTERS = frozenset("fgh")


class PlainTransformer(ArithmeticTransformer):
    """Builds SymPy from the plain-syntax parse tree."""

    def value(self, item: Any) -> Value:
        if isinstance(item, Grouped):
            return self.value(item.value)
        if isinstance(item, ListLiteral):
            if all(isinstance(row, ListLiteral) for row in item.items):
                if any(isinstance(entry, ListLiteral) for row in item.items for entry in row.items):
                    raise ParseError("Lists nest at most two deep, as in [[1, 2], [3, 4]]; flatten the inner lists.")
                return build.matrix([[self.value(entry) for entry in row.items] for row in item.items])
            if any(isinstance(entry, ListLiteral) for entry in item.items):
                raise ParseError("A matrix needs every row in brackets, as in [[1, 2], [3, 4]]; bracket each row.")
            return build.column([self.value(entry) for entry in item.items])
        return super().value(item)

    def name(self, children: Sequence[Token]) -> Value:
        name = str(children[0])
        if name in CONSTANTS:
            return CONSTANTS[name]
        if "__" in name:
            raise ParseError(f"The name {quote(name)} contains '__'; use letters, digits and single underscores.")
        if name in PLAIN_FUNCTIONS and name not in SYMBOL_FUNCTIONS:
            raise ParseError(f"The function {quote(name)} needs parentheses; write {name}(...).")
        return symbol(name)

    def args(self, children: Sequence[Any]) -> list[Any]:
        return [child if child is ELLIPSIS else self.value(child) for child in children]

    def ellipsis(self, children: Sequence[Any]) -> Any:
        return ELLIPSIS

    def abs(self, children: Sequence[Any]) -> Value:
        return build.absolute(self.value(children[1]))

    def call(self, children: Sequence[Any]) -> Value:
        name, args = str(children[0]), children[1]
        one_letter = len(name) == 1 and name not in FUNCTION_LETTERS
        if (one_letter or "_" in name) and name not in PLAIN_FUNCTIONS and len(args) == 1 and args[0] is not ELLIPSIS:
            # A one-letter or subscripted name before a parenthesis is a product, as in 1/(n(n+1)), x(x-1)
            # or s_i(1 - s_j); f, g and h are the usual names of functions, so f(x) stays an error.
            return build.product([self.name([children[0]]), args[0]])
        if name in scope_functions():
            return apply_function(scope_function(name), args, None, self.limits)
        if name not in PLAIN_FUNCTIONS:
            raise ParseError(
                f"Unknown function {quote(name)}; use a known function such as exp, log or sigmoid, "
                f"or write {name}*(...) for a product."
            )
        return apply_function(FUNCTIONS[PLAIN_FUNCTIONS[name]], args, None, self.limits)

    def list(self, children: Sequence[Any]) -> ListLiteral:
        return ListLiteral(tuple(children))

    def implicit(self, children: Sequence[Any]) -> Value:
        return build.product([self.value(child) for child in children])

    def group(self, children: Sequence[Any]) -> Grouped:
        return Grouped(children[0])

    def pow(self, children: Sequence[Any]) -> Value:
        base, exponent = self.value(children[0]), children[1]
        if isinstance(exponent, sp.Symbol) and exponent == TRANSPOSE:
            return build.transpose(base)
        return build.power(base, self.value(exponent), self.limits)

    def fact(self, children: Sequence[Any]) -> Value:
        return build.factorial(self.value(children[0]), self.limits)


#: A power whose exponent is one name, number or bracket, then a space and another factor: e^a e^b, x^2 y.
_SPACED_POWER = re.compile(r"((?:\^|\*\*)\s*-?(?:[A-Za-z0-9_.]+|\([^()]*\)))[ \t]+(?=[A-Za-z0-9(|])")


def parse_parts(text: str, limits: Limits) -> tuple[Value, ...]:
    """The parts of a plain expression or '='-chain, each as SymPy."""
    stripped = text.strip()
    # A sentence may end the answer: 'x^2.' and 'x^2,' mean x^2 (but 'z_1, ..., z_n' keeps its dots).
    while stripped.endswith((".", ",")) and not stripped.endswith("..."):
        stripped = stripped[:-1].rstrip()
    # As in TeX, an exponent ends at a space: e^a e^b is e^a * e^b and x^2 y is x^2 * y.
    stripped = _SPACED_POWER.sub(r"\1*", stripped)
    return run(stripped, limits, parser, PlainTransformer)
