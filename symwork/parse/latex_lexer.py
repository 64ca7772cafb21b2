"""The LaTeX post-lexer: commands, delimiters, TeX arguments and bars, in four small stages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from lark import Lark, Token
from lark.lark import PostLex

from symwork.errors import LimitError, ParseError, quote
from symwork.parse.latex_layout import layout, letter_words, row_spacing
from symwork.parse.latex_tables import (
    ACCENTS,
    BOLD_FONTS,
    COMMAND_TYPES,
    CONSTANT_VECTORS,
    DETERMINANT_ENVIRONMENTS,
    FONT_COMMANDS,
    GREEK,
    GREEK_VARIANTS,
    LATEX_FUNCTIONS,
    LAYOUT_ENVIRONMENTS,
    MATRIX_ENVIRONMENTS,
    OPERATOR_NAMES,
    SYMBOL_COMMANDS,
    symbol_name,
)
from symwork.parse.latex_tokens import Tokens, retyped
from symwork.parse.limits import Limits
from symwork.parse.names import note_bold
from symwork.parse.tree import CURRENT_LIMITS, count_tokens, load_grammar

_DELIMITERS = frozenset({"(", ")", "[", "]", "\\{", "\\}", "\\lbrace", "\\rbrace"})
_BARS = frozenset({"|", "\\vert", "\\lvert", "\\rvert"})
_NORM_BARS = frozenset({"\\|", "\\Vert", "\\lVert", "\\rVert"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: Token types after which a "|" closes an absolute value rather than opening one.
_ENDS_OPERAND = frozenset(
    {
        "NUMBER",
        "LETTER",
        "SYMCMD",
        "NAMESYM",
        "_RPAR",
        "_RSQB",
        "_RBRACE",
        "RBRACE_LIT",
        "ABS_CLOSE",
        "NORM_CLOSE",
        "_BANG",
        "TOP",
        "END",
        "ONES",
        "ZEROS",
        "PRIME",
    }
)
#: Commands taking TeX arguments, where an unbraced number contributes one digit: \frac12 = 1/2.
_ARGUMENT_COUNTS = {"FRAC": 2, "BINOM": 2, "SQRT": 1, "_CARET": 1, "_UNDERSCORE": 1}


def _braced_group(tokens: Tokens, command: str) -> list[Token]:
    """The tokens of `{...}` after a command (no nesting), or the single next token."""
    first = tokens.take(command)
    if first.type != "_LBRACE":
        return [first]
    group: list[Token] = []
    for token in tokens:
        if token.type == "_RBRACE":
            return group
        if token.type == "_LBRACE":
            raise ParseError(f"Nested braces inside {quote(command)} are not supported; write {command}{{name}}.")
        group.append(token)
    raise ParseError(f"The argument of {quote(command)} is missing its closing brace; add '}}'.")


def _left_right(token: Token, tokens: Tokens) -> Iterator[Token]:
    opening = token.value == "\\left"
    delimiter = tokens.take(token.value)
    if delimiter.value == ".":
        return  # \left. and \right. are invisible
    if delimiter.value in _BARS:
        yield retyped(delimiter, "ABS_OPEN" if opening else "ABS_CLOSE")
    elif delimiter.value in _NORM_BARS:
        yield retyped(delimiter, "NORM_OPEN" if opening else "NORM_CLOSE")
    elif delimiter.value in _DELIMITERS:
        tokens.push(delimiter)
    else:
        raise ParseError(
            f"The delimiter {quote(delimiter.value)} after {token.value} is not supported; use ( ), [ ] or | |."
        )


def _environment(token: Token, tokens: Tokens) -> Iterator[Token]:
    name = "".join(part.value for part in _braced_group(tokens, token.value))
    if name not in MATRIX_ENVIRONMENTS | DETERMINANT_ENVIRONMENTS | LAYOUT_ENVIRONMENTS:
        raise ParseError(f"The environment {quote(name)} is not supported; use pmatrix, bmatrix or vmatrix.")
    if name == "array" and token.value == "\\begin":
        _braced_group(tokens, "\\begin{array}")  # the column specification, {cc}: layout only
    yield retyped(token, "BEGIN" if token.value == "\\begin" else "END", name)


def _followed_by_call(tokens: Tokens) -> bool:
    following = next(tokens, None)
    if following is None:
        return False
    tokens.push(following)
    return following.value in ("(", "\\left")


def _font_group(tokens: Tokens, command: str) -> list[Token] | None:
    """The tokens of a font's argument, or None when it nests braces (they are pushed back as a plain group)."""
    first = tokens.take(command)
    if first.type != "_LBRACE":
        return [first]
    group: list[Token] = [first]
    depth = 1
    for token in tokens:
        group.append(token)
        depth += {"_LBRACE": 1, "_RBRACE": -1}.get(token.type, 0)
        if depth == 0:
            break
    else:
        raise ParseError(f"The argument of {quote(command)} is missing its closing brace; add '}}'.")
    if any(token.type == "_LBRACE" for token in group[1:-1]):
        # \bm{\mu_{1}}: a font around an expression changes nothing but its look.
        for token in reversed(group):
            tokens.push(token)
        return None
    return group[1:-1]


def _font(token: Token, tokens: Tokens) -> Iterator[Token]:
    group = _font_group(tokens, token.value)
    if group is None:
        return
    bold = token.value[1:] in BOLD_FONTS
    if len(group) == 1 and group[0].type == "CMD":
        if bold:
            note_bold(group[0].value.lstrip("\\"))
        tokens.push(group[0])  # \boldsymbol{\mu} is \mu
        return
    name = "".join(part.value for part in group)
    if name in CONSTANT_VECTORS and (bold or token.value == "\\mathbb"):
        yield retyped(token, CONSTANT_VECTORS[name], name)
    elif name in OPERATOR_NAMES:
        yield retyped(token, "FUNC", OPERATOR_NAMES[name])
    elif token.value == "\\operatorname" and (_followed_by_call(tokens) or not _NAME.fullmatch(name)):
        known = ", ".join(sorted(OPERATOR_NAMES))
        raise ParseError(f"The operator name {quote(name)} is unknown; use one of {known}.")
    elif not _NAME.fullmatch(name):
        raise ParseError(f"{token.value}{{{name}}} is not a name; use letters and digits only.")
    else:
        if bold:
            note_bold(name)
        # A single letter stays a letter, so \mathrm{e} is Euler's number and \mathrm{d} a differential.
        yield retyped(token, "LETTER" if len(name) == 1 else "NAMESYM", name)


def _accent_group(tokens: Tokens, command: str) -> list[Token]:
    """The tokens of an accent's argument, with fonts and their braces dropped: \\hat{\\bm{\\theta}} gives \\theta."""
    first = tokens.take(command)
    if first.type != "_LBRACE":
        return [first]
    group: list[Token] = []
    depth = 1
    for token in tokens:
        if token.type == "_LBRACE":
            depth += 1
        elif token.type == "_RBRACE":
            depth -= 1
            if depth == 0:
                return group
        elif not (token.type == "CMD" and token.value[1:] in FONT_COMMANDS):
            group.append(token)
        if depth > 3:
            break
    raise ParseError(f"The argument of {quote(command)} is missing its closing brace or nests too deeply; write {command}{{x}}.")


def _accent(token: Token, tokens: Tokens) -> Iterator[Token]:
    group = _accent_group(tokens, token.value)
    if len(group) != 1 or group[0].type not in ("LETTER", "CMD"):
        raise ParseError(f"{token.value} needs a single letter, as in {token.value}{{x}}; simplify its argument.")
    base = group[0].value.lstrip("\\")
    if group[0].type == "CMD" and base not in GREEK and base not in GREEK_VARIANTS:
        raise ParseError(f"{token.value} needs a letter, not {quote(group[0].value)}; use a letter or a Greek letter.")
    yield retyped(token, "NAMESYM", symbol_name(base) + ACCENTS[token.value[1:]])


SPECIAL_COMMANDS: dict[str, Callable[[Token, Tokens], Iterator[Token]]] = {
    "left": _left_right,
    "right": _left_right,
    "begin": _environment,
    "end": _environment,
    **{name: _font for name in FONT_COMMANDS},
    **{name: _accent for name in ACCENTS},
}


def _commands(stream: Iterator[Token]) -> Iterator[Token]:
    tokens = Tokens(stream)
    for token in tokens:
        if token.type == "CMD":
            name = token.value[1:]
            if name in SPECIAL_COMMANDS:
                yield from SPECIAL_COMMANDS[name](token, tokens)
            elif name in COMMAND_TYPES:
                kind = COMMAND_TYPES[name]
                if kind is not None:
                    yield retyped(token, kind, LATEX_FUNCTIONS[name] if kind == "FUNC" else name)
            else:
                raise ParseError(f"The LaTeX command {quote(token.value)} is not supported; see the parser conventions.")
        elif token.type == "CMDSYM":
            if token.value not in SYMBOL_COMMANDS:
                raise ParseError(f"The LaTeX command {quote(token.value)} is not supported; see the parser conventions.")
            kind = SYMBOL_COMMANDS[token.value]
            if kind is not None:
                yield retyped(token, kind)
        elif token.type == "DOT":
            following = [next(tokens, None), next(tokens, None)]
            if all(t is not None and t.type == "DOT" for t in following):
                yield retyped(token, "ELLIPSIS", "...")
                continue
            raise ParseError(f"Unexpected '.' at column {token.column}; write decimals as 0.5.")
        else:
            yield token


class _Pending:
    """A command still waiting for `remaining` TeX arguments at brace depth `depth`."""

    def __init__(self, remaining: int, depth: int, optional: bool) -> None:
        self.remaining, self.depth, self.optional, self.in_optional = remaining, depth, optional, False


def _arguments(stream: Iterator[Token]) -> Iterator[Token]:
    """Split unbraced numbers in argument positions to one digit, as TeX does: x^22 = x^2·2, \\frac12 = 1/2."""
    tokens = Tokens(stream)
    pending: list[_Pending] = []
    depth = 0

    def argument_done() -> None:
        pending[-1].remaining -= 1
        pending[-1].optional = False
        if pending[-1].remaining == 0:
            pending.pop()

    for token in tokens:
        waiting = pending[-1] if pending and pending[-1].depth == depth and not pending[-1].in_optional else None
        if waiting and token.type == "NUMBER" and len(token.value) > 1:
            yield retyped(token, "NUMBER", token.value[0])
            tokens.push(retyped(token, "NUMBER", token.value[1:]))
            argument_done()
            continue
        yield token
        if token.type in _ARGUMENT_COUNTS:
            pending.append(_Pending(_ARGUMENT_COUNTS[token.type], depth, token.type == "SQRT"))
        elif token.type == "_LBRACE":
            depth += 1
        elif token.type == "_RBRACE":
            depth -= 1
            if pending and pending[-1].depth == depth and not pending[-1].in_optional:
                argument_done()
        elif token.type == "_LSQB" and waiting and waiting.optional:
            waiting.in_optional = True  # \sqrt[n]{x}: the index is not the argument
        elif token.type == "_RSQB" and pending and pending[-1].in_optional and pending[-1].depth == depth:
            pending[-1].in_optional = pending[-1].optional = False
        elif waiting and token.type not in ("_MINUS", "_PLUS", "_LSQB"):
            argument_done()


def _bars(stream: Iterator[Token], limits: Limits) -> Iterator[Token]:
    """Decide whether each '|' (or '\\|') opens or closes an absolute value (a norm), from the token before it."""
    kinds = {"BAR": ("ABS_OPEN", "ABS_CLOSE"), "NORM_BAR": ("NORM_OPEN", "NORM_CLOSE")}
    opened = {"ABS_OPEN": 0, "NORM_OPEN": 0}
    closers = {"ABS_CLOSE": "ABS_OPEN", "NORM_CLOSE": "NORM_OPEN"}
    previous = ""
    for token in stream:
        if token.type in kinds:
            opening, closing = kinds[token.type]
            token = retyped(token, closing if opened[opening] > 0 and previous in _ENDS_OPERAND else opening)
        if token.type in opened:
            opened[token.type] += 1
            if opened[token.type] > limits.max_depth:
                raise LimitError(f"Absolute values nest more than {limits.max_depth!r} deep; simplify the expression.")
        elif token.type in closers:
            opened[closers[token.type]] -= 1
        previous = token.type
        yield token


class LatexPostLex(PostLex):
    always_accept = ("CMD", "CMDSYM", "BAR", "DOT")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        limits = CURRENT_LIMITS.get()
        return _bars(_arguments(letter_words(layout(row_spacing(_commands(count_tokens(stream, limits)))))), limits)


@cache
def parser() -> Lark:
    return load_grammar("latex.lark", postlex=LatexPostLex())
