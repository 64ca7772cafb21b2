"""Size limits for parsed text and the cheap checks on the raw string that run before any parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from symwork.errors import LimitError, ParseError, quote


@dataclass(frozen=True)
class Limits:
    """Bounds that keep parsing (and SymPy's automatic evaluation) fast on hostile input."""

    max_chars: int = 10_000
    #: Nesting of brackets and braces in the raw text (the parse tree may be a few times deeper).
    max_depth: int = 200
    #: Tokens after lexing; a proxy for the size of the expression.
    max_nodes: int = 5_000
    #: Largest |e| for a numeric exponent (x^{1000} is fine, x^{10^{10}} is refused).
    max_exponent: int = 10_000
    #: Largest numeric argument of n! and \binom{n}{k}.
    max_factorial: int = 1000
    #: Longest run of digits in the text, and the largest exact number a power may produce.
    max_integer_digits: int = 400
    #: Functions applied to functions, as in log(log(log(x))): SymPy's automatic simplification of
    #: nested logarithms and trigonometric functions grows quadratically (199 nested logs take ~1 s).
    max_function_depth: int = 32
    #: Largest side of a matrix with symbols that may be inverted, raised to a power or expanded
    #: into a determinant; symbolic inverses grow exponentially with the side.
    max_symbolic_matrix_side: int = 4
    #: Largest side of a purely numeric matrix for the same operations.
    max_numeric_matrix_side: int = 12
    #: Largest |n| in M^n for a matrix literal M.
    max_matrix_power: int = 16


LIMITS = Limits()

# Tab, newline and carriage return are ordinary white space; every other control character
# (including NUL and the C1 range) is refused, since it can only come from a broken or hostile client.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_OPENERS = frozenset("([{")
#: A lower bound on the tokens each lexer will produce, counted with one regex before parsing, so
#: that over-long input is refused in a millisecond instead of after lexing it.
_TOKEN_ESTIMATES = {
    "latex": re.compile(r"\\[A-Za-z]+|[0-9.]+|\S"),
    "plain": re.compile(r"[A-Za-z0-9_.]+|\*\*|\S"),
}
_CLOSERS = frozenset(")]}")


def check_text(text: object, limits: Limits) -> str:
    """Return `text` if it is a string within `limits`, else raise before any parser sees it."""
    if not isinstance(text, str):
        raise ParseError(f"Expected the expression as text, got {type(text).__name__!r}; pass a str.")
    if len(text) > limits.max_chars:
        raise LimitError(
            f"The expression has {len(text)!r} characters, more than the limit of {limits.max_chars}; shorten it."
        )
    bad = _CONTROL.search(text)
    if bad:
        raise ParseError(f"The expression contains the control character {quote(bad.group())}; remove it.")
    digits = re.search(rf"[0-9]{{{limits.max_integer_digits + 1},}}", text)
    if digits:
        raise LimitError(
            f"The number {digits.group()[:20] + '...'!r} has more than {limits.max_integer_digits} digits; "
            "use a shorter number."
        )
    # The LALR parser itself is iterative, but everything after it recurses over the tree, so deep
    # nesting is refused on the raw text, which is cheap and cannot be fooled by the grammar.
    depth = deepest = 0
    for char in text:
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth -= 1
    if deepest > limits.max_depth:
        raise LimitError(
            f"The expression nests brackets {quote(deepest)} deep, more than the limit of {limits.max_depth}; simplify it."
        )
    return text


def check_tokens(text: str, syntax: str, limits: Limits) -> None:
    """Refuse text that certainly has more than `limits.max_nodes` tokens in `syntax`."""
    count = sum(1 for _ in _TOKEN_ESTIMATES[syntax].finditer(text))
    if count > limits.max_nodes:
        raise LimitError(
            f"The expression has about {count!r} tokens, more than the limit of {limits.max_nodes}; shorten it."
        )
