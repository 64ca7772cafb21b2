"""The LaTeX parser: clean the text, then post-lex (`latex_lexer`) and transform (`latex_transformer`)."""

from __future__ import annotations

from symwork.parse.construct import Value
from symwork.parse.latex_lexer import LatexPostLex, parser
from symwork.parse.latex_transformer import LatexTransformer
from symwork.parse.limits import Limits
from symwork.parse.tree import run

__all__ = ["LatexPostLex", "LatexTransformer", "clean", "parse_parts", "parser"]


def parse_parts(text: str, limits: Limits) -> tuple[Value, ...]:
    """The parts of a LaTeX expression or '='-chain, each as SymPy."""
    return run(clean(text), limits, parser, LatexTransformer)


_WRAPPERS = [("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")]
#: Removed from the end, repeatedly: spacing, and one sentence's punctuation ('x^2.' or 'x^2,').
_TRAILING = ("\\,", "\\;", "\\!", "\\:", "\\qquad", "\\quad", "~", ".", ",")


def clean(text: str) -> str:
    """Strip math delimiters ($...$, \\(...\\)) and trailing punctuation ('x^2.' ends a sentence)."""
    stripped = text.strip()
    for opening, closing in _WRAPPERS:
        if len(stripped) >= len(opening) + len(closing) and stripped.startswith(opening) and stripped.endswith(closing):
            stripped = stripped[len(opening) : -len(closing)].strip()
            break
    while True:
        stripped = stripped.rstrip()
        if stripped.endswith("\\right."):
            return stripped
        suffix = next((end for end in _TRAILING if stripped.endswith(end)), None)
        if suffix is None:
            return stripped
        stripped = stripped[: -len(suffix)]
