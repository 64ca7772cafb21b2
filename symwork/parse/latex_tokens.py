"""Token plumbing for the LaTeX post-lexer stages: an iterator with push-back, and retyping a token."""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token

from symwork.errors import ParseError, quote


class Tokens:
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
            raise ParseError(f"{quote(after)} at the end of the expression needs an argument; complete it.")
        return token

    def push(self, token: Token) -> None:
        self._pushed.append(token)


def retyped(token: Token, kind: str, value: str | None = None) -> Token:
    return Token.new_borrow_pos(kind, token.value if value is None else value, token)
