"""The library's LaTeX text (questions, justifications, prompts) as safe HTML: text escaped, maths left to KaTeX.

Text outside ``$…$`` is escaped, with the little text-mode LaTeX the library uses (``\\emph{…}``, ``~``,
escaped specials, dashes and quotes) turned into HTML; each ``$…$`` becomes an element whose text is the
(escaped) LaTeX source, which the page's script renders with KaTeX, so without scripts the source shows.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: Text-mode LaTeX → plain text, in order (longest first where they overlap).
_TEXT: tuple[tuple[str, str], ...] = (
    ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", "\u00a0"),
    ("\\%", "%"), ("\\$", "$"), ("\\&", "&"), ("\\_", "_"), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"),
)  # fmt: skip
_PIECES = re.compile(r"(?<!\\)\$(?P<math>(?:[^$\\]|\\.)+)(?<!\\)\$|\\emph\{(?P<emph>[^{}$]*)\}", re.DOTALL)


def _plain(text: str) -> str:
    for source, target in _TEXT:
        text = text.replace(source, target)
    return text


def math(tex: str, *, display: bool = False) -> Markup:
    """One formula for KaTeX: ``<span class="math">`` with the escaped LaTeX as its text."""
    kind = "math display" if display else "math"
    return Markup('<span class="{}">{}</span>').format(kind, tex)


def text(source: str) -> Markup:
    """LaTeX text with inline maths as HTML (every character of ``source`` escaped or rendered by KaTeX).

    >>> str(text(r"Show that $x^2 \\geq 0$, \\emph{always}."))
    'Show that <span class="math">x^2 \\\\geq 0</span>, <em>always</em>.'
    """
    out: list[Markup] = []
    position = 0
    for found in _PIECES.finditer(source):
        out.append(escape(_plain(source[position : found.start()])))
        if found.group("math") is not None:
            out.append(math(found.group("math")))
        else:
            out.append(Markup("<em>{}</em>").format(_plain(found.group("emph"))))
        position = found.end()
    out.append(escape(_plain(source[position:])))
    return Markup("").join(out)
