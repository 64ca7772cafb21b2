"""The LaTeX post-lexer: commands, delimiters, TeX arguments and bars, in four small stages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from lark import Lark, Token
from lark.lark import PostLex

from symwork.errors import LimitError, ParseError
from symwork.parse.latex_tables import (
    ACCENTS,
    COMMAND_TYPES,
    DETERMINANT_ENVIRONMENTS,
    FONT_COMMANDS,
    GREEK,
    GREEK_VARIANTS,
    LATEX_FUNCTIONS,
    MATRIX_ENVIRONMENTS,
    OPERATOR_NAMES,
    SYMBOL_COMMANDS,
    symbol_name,
)
from symwork.parse.limits import Limits
from symwork.parse.tree import CURRENT_LIMITS, count_tokens, load_grammar

_DELIMITERS = frozenset({"(", ")", "[", "]", "\\{", "\\}", "\\lbrace", "\\rbrace"})
_BARS = frozenset({"|", "\\vert", "\\lvert", "\\rvert"})
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
        "_BANG",
        "TOP",
        "END",
    }
)
#: Commands taking TeX arguments, where an unbraced number contributes one digit: \frac12 = 1/2.
_ARGUMENT_COUNTS = {"FRAC": 2, "BINOM": 2, "SQRT": 1, "_CARET": 1, "_UNDERSCORE": 1}


class _Tokens:
    """A token iterator with push-back, for the stages that need to look ahead."""

    def __init__(self, tokens: Iterator[Token]) -> None:
        self._tokens = tokens
        self._pushed: list[Token] = []

    def __iter__(self) -> Iterator[Token]:
        return self

    def __next__(self) -> Token:
        return self._pushed.pop() if self._pushed else next(self._tokens)

    def take(self, after: str) -> Token:
        token = next(self, None)
        if token is None:
            raise ParseError(f"{after!r} at the end of the expression needs an argument; complete it.")
        return token

    def push(self, token: Token) -> None:
        self._pushed.append(token)


def _retyped(token: Token, kind: str, value: str | None = None) -> Token:
    return Token.new_borrow_pos(kind, token.value if value is None else value, token)


def _braced_group(tokens: _Tokens, command: str) -> list[Token]:
    """The tokens of `{...}` after a command (no nesting), or the single next token."""
    first = tokens.take(command)
    if first.type != "_LBRACE":
        return [first]
    group: list[Token] = []
    for token in tokens:
        if token.type == "_RBRACE":
            return group
        if token.type == "_LBRACE":
            raise ParseError(f"Nested braces inside {command!r} are not supported; write {command}{{name}}.")
        group.append(token)
    raise ParseError(f"The argument of {command!r} is missing its closing brace; add '}}'.")


def _left_right(token: Token, tokens: _Tokens) -> Iterator[Token]:
    opening = token.value == "\\left"
    delimiter = tokens.take(token.value)
    if delimiter.value == ".":
        return  # \left. and \right. are invisible
    if delimiter.value in _BARS:
        yield _retyped(delimiter, "ABS_OPEN" if opening else "ABS_CLOSE")
    elif delimiter.value in _DELIMITERS:
        tokens.push(delimiter)
    else:
        raise ParseError(
            f"The delimiter {delimiter.value!r} after {token.value} is not supported; use ( ), [ ] or | |."
        )


def _environment(token: Token, tokens: _Tokens) -> Iterator[Token]:
    name = "".join(part.value for part in _braced_group(tokens, token.value))
    if name not in MATRIX_ENVIRONMENTS | DETERMINANT_ENVIRONMENTS:
        raise ParseError(f"The environment {name!r} is not supported; use pmatrix, bmatrix or vmatrix.")
    yield _retyped(token, "BEGIN" if token.value == "\\begin" else "END", name)


def _font(token: Token, tokens: _Tokens) -> Iterator[Token]:
    group = _braced_group(tokens, token.value)
    if len(group) == 1 and group[0].type == "CMD":
        tokens.push(group[0])  # \boldsymbol{\mu} is \mu
        return
    name = "".join(part.value for part in group)
    if name in OPERATOR_NAMES:
        yield _retyped(token, "FUNC", OPERATOR_NAMES[name])
    elif token.value == "\\operatorname":
        known = ", ".join(sorted(OPERATOR_NAMES))
        raise ParseError(f"The operator name {name!r} is unknown; use one of {known}.")
    elif not _NAME.fullmatch(name):
        raise ParseError(f"{token.value}{{{name}}} is not a name; use letters and digits only.")
    else:
        # A single letter stays a letter, so \mathrm{e} is Euler's number and \mathrm{d} a differential.
        yield _retyped(token, "LETTER" if len(name) == 1 else "NAMESYM", name)


def _accent(token: Token, tokens: _Tokens) -> Iterator[Token]:
    group = _braced_group(tokens, token.value)
    if len(group) != 1 or group[0].type not in ("LETTER", "CMD"):
        raise ParseError(f"{token.value} needs a single letter, as in {token.value}{{x}}; simplify its argument.")
    base = group[0].value.lstrip("\\")
    if group[0].type == "CMD" and base not in GREEK and base not in GREEK_VARIANTS:
        raise ParseError(f"{token.value} needs a letter, not {group[0].value!r}; use a letter or a Greek letter.")
    yield _retyped(token, "NAMESYM", symbol_name(base) + ACCENTS[token.value[1:]])


SPECIAL_COMMANDS: dict[str, Callable[[Token, _Tokens], Iterator[Token]]] = {
    "left": _left_right,
    "right": _left_right,
    "begin": _environment,
    "end": _environment,
    **{name: _font for name in FONT_COMMANDS},
    **{name: _accent for name in ACCENTS},
}


def _commands(stream: Iterator[Token]) -> Iterator[Token]:
    tokens = _Tokens(stream)
    for token in tokens:
        if token.type == "CMD":
            name = token.value[1:]
            if name in SPECIAL_COMMANDS:
                yield from SPECIAL_COMMANDS[name](token, tokens)
            elif name in COMMAND_TYPES:
                kind = COMMAND_TYPES[name]
                if kind is not None:
                    yield _retyped(token, kind, LATEX_FUNCTIONS[name] if kind == "FUNC" else name)
            else:
                raise ParseError(f"The LaTeX command {token.value!r} is not supported; see the parser conventions.")
        elif token.type == "CMDSYM":
            if token.value not in SYMBOL_COMMANDS:
                raise ParseError(f"The LaTeX command {token.value!r} is not supported; see the parser conventions.")
            kind = SYMBOL_COMMANDS[token.value]
            if kind is not None:
                yield _retyped(token, kind)
        elif token.type == "DOT":
            raise ParseError(f"Unexpected '.' at column {token.column}; write decimals as 0.5.")
        else:
            yield token


class _Pending:
    """A command still waiting for `remaining` TeX arguments at brace depth `depth`."""

    def __init__(self, remaining: int, depth: int, optional: bool) -> None:
        self.remaining, self.depth, self.optional, self.in_optional = remaining, depth, optional, False


def _arguments(stream: Iterator[Token]) -> Iterator[Token]:
    """Split unbraced numbers in argument positions to one digit, as TeX does: x^22 = x^2·2, \\frac12 = 1/2."""
    tokens = _Tokens(stream)
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
            yield _retyped(token, "NUMBER", token.value[0])
            tokens.push(_retyped(token, "NUMBER", token.value[1:]))
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
    """Decide whether each '|' opens or closes an absolute value, from the token before it."""
    open_bars = 0
    previous = ""
    for token in stream:
        if token.type == "BAR":
            closing = open_bars > 0 and previous in _ENDS_OPERAND
            token = _retyped(token, "ABS_CLOSE" if closing else "ABS_OPEN")
        if token.type == "ABS_OPEN":
            open_bars += 1
            if open_bars > limits.max_depth:
                raise LimitError(f"Absolute values nest more than {limits.max_depth!r} deep; simplify the expression.")
        elif token.type == "ABS_CLOSE":
            open_bars -= 1
        previous = token.type
        yield token


class LatexPostLex(PostLex):
    always_accept = ("CMD", "CMDSYM", "BAR", "DOT")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        limits = CURRENT_LIMITS.get()
        return _bars(_arguments(_commands(count_tokens(stream, limits))), limits)


@cache
def parser() -> Lark:
    return load_grammar("latex.lark", postlex=LatexPostLex())
