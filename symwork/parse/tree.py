"""Lark plumbing shared by both parsers: grammar loading, the arithmetic transformer base, error translation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import sympy as sp
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

import symwork.parse.construct as build
from symwork.errors import LimitError, ParseError, SymworkError, quote
from symwork.parse.construct import Value
from symwork.parse.limits import Limits

#: The limits of the parse in progress, read by the post-lexers (a Lark parser is shared and cached).
CURRENT_LIMITS: ContextVar[Limits] = ContextVar("symwork_parse_limits")

#: How much deeper than the bracket nesting the parse tree may be: each bracket level costs about
#: three tree levels, and the slack admits chains like "- - x" without admitting "x^x^x^…" × 1000.
TREE_DEPTH_FACTOR = 4


def load_grammar(name: str, *, strict: bool = False, **options: Any) -> Lark:
    """Build the LALR parser for a grammar file; `strict=True` (tests) fails on any grammar conflict."""
    # Read next to this file so that the grammar ships inside the wheel with the package.
    text = (Path(__file__).parent / name).read_text(encoding="utf-8")
    return Lark(text, parser="lalr", lexer="basic", strict=strict, maybe_placeholders=True, **options)


def excerpt(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def run(
    text: str,
    limits: Limits,
    parser: Callable[[], Lark],
    transformer: Callable[[Limits], Transformer_NonRecursive],
) -> tuple[Value, ...]:
    """Parse and transform `text`, translating every failure into ParseError or LimitError."""
    lark = parser()  # outside the try: a broken grammar is a bug, not bad input
    marker = CURRENT_LIMITS.set(limits)
    try:
        tree = lark.parse(text)
        check_tree_depth(tree, limits)
        parts = transformer(limits).transform(tree)
    except SymworkError:
        raise
    except VisitError as exc:
        if isinstance(exc.orig_exc, SymworkError):
            raise exc.orig_exc from None
        raise _translate(exc.orig_exc, text) from exc.orig_exc
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    except Exception as exc:  # noqa: BLE001 - SymPy's own errors on odd input must not reach the user
        raise _translate(exc, text) from exc
    finally:
        CURRENT_LIMITS.reset(marker)
    return tuple(parts)


def _translate(exc: BaseException, text: str) -> SymworkError:
    if isinstance(exc, SymworkError):
        return exc
    if isinstance(exc, RecursionError):
        return LimitError(f"The expression {quote(excerpt(text))} is nested too deeply; simplify it.")
    return ParseError(f"The expression {quote(excerpt(text))} could not be built ({exc}); check the notation.")


def _syntax_error(exc: UnexpectedInput, text: str) -> ParseError:
    if isinstance(exc, UnexpectedCharacters):
        return ParseError(f"Unexpected character {quote(exc.char)} at column {exc.column}; remove it or check the notation.")
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return ParseError(f"The expression {quote(excerpt(text))} ends too early; check for a missing operand or bracket.")
    if isinstance(exc, UnexpectedToken):
        return ParseError(f"Unexpected {quote(exc.token.value)} at column {exc.column}; check the notation around it.")
    return ParseError(f"The expression {quote(excerpt(text))} could not be read; check the notation.")


def check_tree_depth(tree: Tree[Token], limits: Limits) -> None:
    """Refuse trees deeper than the nesting limit allows, iteratively (recursion is what we avoid)."""
    bound = TREE_DEPTH_FACTOR * limits.max_depth + 50
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > bound:
            raise LimitError(f"The expression is nested more than {quote(bound)} levels deep; simplify it.")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def count_tokens(stream: Any, limits: Limits) -> Any:
    """Pass tokens through, refusing more than `limits.max_nodes` of them."""
    for count, token in enumerate(stream, start=1):
        if count > limits.max_nodes:
            raise LimitError(f"The expression has more than {limits.max_nodes!r} tokens; shorten it.")
        yield token


class ArithmeticTransformer(Transformer_NonRecursive):
    """The rules both grammars share; subclasses say how their own markers become values (`value`)."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def value(self, item: Any) -> Value:
        if isinstance(item, sp.Basic):
            return item
        raise ParseError(f"{item!r} is not an expression; check the notation.")

    def start(self, children: Sequence[Any]) -> list[Value]:
        return [self.value(child) for child in children]

    def add(self, children: Sequence[Any]) -> Value:
        return build.add(self.value(children[0]), self.value(children[1]))

    def sub(self, children: Sequence[Any]) -> Value:
        return build.sub(self.value(children[0]), self.value(children[1]))

    def mul(self, children: Sequence[Any]) -> Value:
        return build.mul(self.value(children[0]), self.value(children[1]))

    def div(self, children: Sequence[Any]) -> Value:
        return build.div(self.value(children[0]), self.value(children[1]))

    def neg(self, children: Sequence[Any]) -> Value:
        return build.neg(self.value(children[0]))

    def pos(self, children: Sequence[Any]) -> Value:
        return self.value(children[0])

    def number(self, children: Sequence[Token]) -> Value:
        return build.number(str(children[0]), self.limits)
