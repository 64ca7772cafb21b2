"""Layout in LaTeX that is not mathematics: aligned lines, row spacing, and runs of letters that spell a scope's names."""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token

from symwork.parse.latex_tables import LAYOUT_ENVIRONMENTS
from symwork.parse.latex_tokens import Tokens, retyped
from symwork.parse.names import words


def row_spacing(stream: Iterator[Token]) -> Iterator[Token]:
    """``\\\\[4pt]`` is a row break with extra space: the bracket is layout, not an expression."""
    tokens = Tokens(stream)
    for token in tokens:
        yield token
        if token.type != "ROWSEP":
            continue
        following = next(tokens, None)
        if following is None or following.type != "_LSQB":
            if following is not None:
                tokens.push(following)
            continue
        skipped = [following]
        for inner in tokens:
            skipped.append(inner)
            if inner.type == "_RSQB" or len(skipped) > 6:
                break
        if skipped[-1].type != "_RSQB" or not all(t.type in ("NUMBER", "LETTER", "_LSQB", "_RSQB", "_MINUS") for t in skipped):
            for inner in reversed(skipped):
                tokens.push(inner)
            continue


def layout(stream: Iterator[Token]) -> Iterator[Token]:
    """An aligned (or split, gathered) environment inside an expression is layout: drop it and its & and \\\\."""
    open_environments: list[tuple[str, int]] = []
    depth = 0
    for token in stream:
        if token.type == "_LBRACE":
            depth += 1
        elif token.type == "_RBRACE":
            depth -= 1
        elif token.type == "BEGIN":
            open_environments.append((token.value, depth))
            if token.value in LAYOUT_ENVIRONMENTS:
                continue
        elif token.type == "END":
            if open_environments:
                open_environments.pop()
            if token.value in LAYOUT_ENVIRONMENTS:
                continue
        elif token.type in ("_AMP", "ROWSEP") and open_environments:
            name, level = open_environments[-1]
            if name in LAYOUT_ENVIRONMENTS and level == depth:
                continue
        yield token


def letter_words(stream: Iterator[Token]) -> Iterator[Token]:
    """Runs of adjacent letters that spell a name of the scope (TP, FN, MSE) become that name, longest first."""
    known = words()
    if not known:
        yield from stream
        return
    longest = max(len(word) for word in known)
    tokens = Tokens(stream)
    for token in tokens:
        if token.type != "LETTER":
            yield token
            continue
        run = [token]
        while len(run) < longest:
            following = next(tokens, None)
            if following is None:
                break
            if following.type != "LETTER" or following.start_pos != run[-1].end_pos:
                tokens.push(following)
                break
            run.append(following)
        for size in range(len(run), 1, -1):
            if "".join(t.value for t in run[:size]) in known:
                yield retyped(run[0], "NAMESYM", "".join(t.value for t in run[:size]))
                for rest in reversed(run[size:]):
                    tokens.push(rest)
                break
        else:
            yield token
            for rest in reversed(run[1:]):
                tokens.push(rest)
