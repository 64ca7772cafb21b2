"""LaTeX text to safe HTML: text escaped, symwork.sty macros expanded, math marked up for MathJax or Canvas.

Moodle typesets ``\\( … \\)`` and ``\\[ … \\]`` with its MathJax filter; Canvas renders its own equation
images (``<img class="equation_image" data-equation-content="…">``, what its editor makes: the Canvas
front end typesets them with MathJax, and the ``/equation_images/`` URL renders them on the server where
it does not). Neither knows symwork.sty's macros, so they are expanded before the math leaves symwork.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from symwork.publish.lms.markup import clean

#: Macros from packages symwork.sty loads that the web renderers lack, with what they do have.
PACKAGE_MACROS: dict[str, str] = {"bm": r"\boldsymbol"}


@dataclass(frozen=True)
class MathMarkup:
    """How a math renderer wants inline and display math written into HTML (the TeX already expanded)."""

    inline: Callable[[str], str]
    display: Callable[[str], str]


def _delimited(left: str, right: str) -> Callable[[str], str]:
    # MathJax reads the element's text: HTML-escaping keeps `<` and `&` (matrices) intact for it.
    return lambda tex: f"{left}{html.escape(tex, quote=False)}{right}"


def equation_image(tex: str, *, display: bool = False) -> str:
    """Canvas's equation markup for ``tex``: its editor's ``img.equation_image``, URL doubly encoded as Canvas does."""
    body = (r"\displaystyle " + tex) if display else tex
    attr = html.escape(body, quote=True)
    url = quote(quote(body, safe=""), safe="")
    return (
        f'<img class="equation_image" title="{attr}" src="/equation_images/{url}?scale=1" '
        f'alt="LaTeX: {attr}" data-equation-content="{attr}" data-ignore-a11y-check="" />'
    )


#: Math markup by renderer: ``mathjax`` for Moodle (and KaTeX's auto-render), ``canvas`` for Canvas.
MATH_MARKUP: dict[str, MathMarkup] = {
    "mathjax": MathMarkup(_delimited("\\(", "\\)"), _delimited("\\[", "\\]")),
    "canvas": MathMarkup(equation_image, lambda tex: equation_image(tex, display=True)),
}


def expander(macros: Mapping[str, str]) -> Callable[[str], str]:
    """A function that expands ``macros`` (name → body, as in symwork.sty) and `PACKAGE_MACROS` in TeX."""
    table = {**dict(macros), **PACKAGE_MACROS}
    if not table:
        return lambda tex: tex
    names = "|".join(re.escape(name) for name in sorted(table, key=len, reverse=True))
    pattern = re.compile(rf"\\({names})(?![A-Za-z])")

    def expand(tex: str) -> str:
        for _ in range(5):  # a body may use another macro; five rounds is more than symwork.sty needs
            expanded = pattern.sub(lambda match: table[match.group(1)], tex)
            if expanded == tex:
                return expanded
            tex = expanded
        return tex

    return expand


#: Text-mode commands with one argument, as HTML tags around it.
TEXT_COMMANDS: dict[str, tuple[str, str]] = {
    "emph": ("<em>", "</em>"),
    "textit": ("<em>", "</em>"),
    "textbf": ("<strong>", "</strong>"),
    "texttt": ("<code>", "</code>"),
    "textrm": ("", ""),
    "mbox": ("", ""),
}
#: Text-mode symbols and spacing, as HTML.
TEXT_SYMBOLS: dict[str, str] = {
    r"\ldots": "…", r"\dots": "…", r"\,": "\u2009", r"\;": " ", r"\:": " ", r"\!": "", r"\ ": " ",
    r"\%": "%", r"\&": "&amp;", r"\_": "_", r"\#": "#", r"\{": "{", r"\}": "}", r"\$": "$",
    "---": "—", "--": "–", "``": "“", "''": "”", "~": "\u00a0",
}  # fmt: skip
_TEXT_TOKEN = re.compile(
    r"\\(?P<command>" + "|".join(TEXT_COMMANDS) + r")\{(?P<argument>[^{}]*)\}"
    r"|(?P<symbol>"
    + "|".join(
        re.escape(s) + ("(?![A-Za-z])" if s[-1].isalpha() else "") for s in sorted(TEXT_SYMBOLS, key=len, reverse=True)
    )
    + ")"
)
_OPENERS: tuple[tuple[str, str, bool], ...] = (
    ("$$", "$$", True),
    (r"\[", r"\]", True),
    ("$", "$", False),
    (r"\(", r"\)", False),
)


@dataclass(frozen=True)
class Converter:
    """Turns LaTeX text (prose with ``$…$`` math) into HTML for one math renderer, expanding macros."""

    markup: MathMarkup
    expand: Callable[[str], str]

    def math(self, tex: str, *, display: bool = False) -> str:
        """One formula as HTML; ``tex`` is symwork's own LaTeX (never a person's text)."""
        expanded = " ".join(clean(self.expand(tex)).split())
        return self.markup.display(expanded) if display else self.markup.inline(expanded)

    def text(self, latex_text: str) -> str:
        """Prose with inline and display math, e.g. ``r"Let $x > 0$ and \\emph{so on}"``, as HTML."""
        out: list[str] = []
        source = clean(latex_text)
        position = 0
        while position < len(source):
            found = self._next_math(source, position)
            if found is None:
                out.append(self._prose(source[position:]))
                break
            start, end, inner, display = found
            out.append(self._prose(source[position:start]))
            out.append(self.math(inner, display=display))
            position = end
        return "".join(out)

    @staticmethod
    def _next_math(source: str, position: int) -> tuple[int, int, str, bool] | None:
        """The next math segment at or after ``position``: (start, end, TeX, display), skipping ``\\$``."""
        index = position
        while index < len(source):
            if source.startswith("\\$", index):
                index += 2
                continue
            for left, right, display in _OPENERS:
                if source.startswith(left, index):
                    close = _closing(source, right, index + len(left))
                    if close is not None:
                        return index, close + len(right), source[index + len(left) : close], display
            index += 1
        return None

    def _prose(self, text: str) -> str:
        out, position = [], 0
        for match in _TEXT_TOKEN.finditer(text):
            out.append(html.escape(text[position : match.start()], quote=False))
            if match.group("command"):
                opening, closing = TEXT_COMMANDS[match.group("command")]
                out.append(opening + self.text(match.group("argument")) + closing)
            else:
                out.append(TEXT_SYMBOLS[match.group("symbol")])
            position = match.end()
        out.append(html.escape(text[position:], quote=False))
        return "".join(out)


def _closing(source: str, right: str, start: int) -> int | None:
    """Where ``right`` closes math opened before ``start``, skipping backslash escapes inside the math."""
    index = start
    while index < len(source):
        if source.startswith(right, index) and index > start:
            return index
        if source[index] == "\\":
            if source.startswith(right, index):  # \) or \] closes
                return index
            index += 2
            continue
        index += 1
    return None


def converter(style: str, macros: Mapping[str, str]) -> Converter:
    """A `Converter` for ``style`` (a key of `MATH_MARKUP`) expanding ``macros``."""
    return Converter(MATH_MARKUP[style], expander(macros))
