"""The Jinja2 environment for LaTeX: safe delimiters, StrictUndefined, and escaping of all user text."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import latexcodec  # noqa: F401 - registers the "latex" codec

#: LaTeX's special characters and what prints each literally.
SPECIALS: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
}


class TeX(str):
    """LaTeX that symwork wrote itself (printer output, library text): inserted without escaping."""

    __slots__ = ()


@lru_cache(maxsize=4096)
def _escape_char(char: str) -> str:
    if char in SPECIALS:
        return SPECIALS[char]
    code = ord(char)
    if char in "\n\t\r":
        return " "
    if code < 32 or code == 127:
        return ""  # NUL and other control characters would confuse TeX's input reader
    if code < 128:
        return char
    try:
        encoded = codecs.encode(char, "latex").decode("ascii")
    except (UnicodeError, ValueError):
        encoded = ""
    if not encoded or "\\char" in encoded or encoded == "?":
        # pdflatex has no glyph for it (emoji, CJK): show its code point instead of failing.
        return rf"\symworkchar{{{code:04X}}}"
    return "{" + encoded + "}"


#: CJK fonts of TeX Live (CJKutf8 families) and the legacy encoding each covers: a character goes to the
#: first font whose encoding has it. Debian: latex-cjk-chinese with latex-cjk-chinese-arphic-gbsn00lp and
#: -bsmi00lp (simplified and traditional Chinese, with the Japanese kana).
CJK_FONTS: tuple[tuple[str, str], ...] = (("gbsn", "gb2312"), ("bsmi", "big5"))


@lru_cache(maxsize=4096)
def _cjk_font(char: str) -> str | None:
    """The CJK font family that prints ``char``, or None for a character that is not CJK (or no font has)."""
    code = ord(char)
    if code < 0x2E80 or 0xA000 <= code < 0xF900 or code > 0x2FFFF or 0xFF00 <= code <= 0xFFEF:
        return None  # not ideographs, kana or CJK punctuation (fullwidth Latin goes through latexcodec)
    for family, encoding in CJK_FONTS:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            continue
        return family
    return None


def escape_tex(text: Any) -> str:
    """User text as LaTeX that prints it literally, e.g. ``50% & $5`` → ``50\\% \\& \\$5``.

    Runs of Chinese or Japanese characters (a name such as 李雷) become ``\\symworkcjk{font}{text}{fallback}``:
    symwork.sty prints them in TeX Live's CJK fonts when installed, else as their code points.
    """
    out: list[str] = []
    run: list[str] = []
    for char in str(text):
        if _cjk_font(char) is not None:
            run.append(char)
            continue
        if run:
            out.append(_cjk_run(run))
            run = []
        out.append(_escape_char(char))
    if run:
        out.append(_cjk_run(run))
    return "".join(out)


def _cjk_run(chars: list[str]) -> str:
    """A run of CJK characters in one font when one covers them all (a name is not set in two), else char by char."""
    text = "".join(chars)
    for family, encoding in CJK_FONTS:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            continue
        fallback = "".join(rf"\symworkchar{{{ord(char):04X}}}" for char in chars)
        return rf"\symworkcjk{{{family}}}{{{text}}}{{{fallback}}}"
    return "".join(_cjk_run([char]) for char in chars) if len(chars) > 1 else rf"\symworkchar{{{ord(chars[0]):04X}}}"


def _finalize(value: Any) -> Any:
    # Every value reaching the page is escaped unless symwork marked it as its own LaTeX.
    if isinstance(value, TeX):
        return value
    if isinstance(value, str):
        return escape_tex(value)
    return value


def template_folders(extra: list[Path] | None = None) -> list[Path]:
    """User template folders first (they override), then the built-in templates."""
    builtin = resources.files("symwork") / "templates"
    here = Path(__file__).resolve().parent.parent  # the symwork package
    candidates = [Path(str(builtin)), here.parent / "templates"]
    found = [p for p in candidates if p.is_dir()]
    return [*(extra or []), *found[:1]]


class LineMarkingLoader(jinja2.FileSystemLoader):
    """Replaces ``__LINE__`` in a template by the number of the line after it, so that the markers
    written into the .tex trace a LaTeX error back to the template line that produced the text."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        marked = "\n".join(
            line.replace("__LINE__", str(number + 1)) for number, line in enumerate(source.split("\n"), start=1)
        )
        return marked, filename, uptodate


@lru_cache(maxsize=8)
def environment(extra: tuple[Path, ...] = ()) -> jinja2.Environment:
    """The LaTeX Jinja2 environment: ``((( var )))``, ``((* block *))``, ``((= comment =))``."""
    env = jinja2.Environment(
        loader=LineMarkingLoader([str(p) for p in template_folders(list(extra))]),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    env.filters["tex"] = lambda value: TeX(value) if isinstance(value, TeX) else TeX(escape_tex(value))
    return env


def render(template: str, context: dict[str, Any], *, extra: tuple[Path, ...] = ()) -> str:
    """Render a template by name with the LaTeX environment."""
    return environment(extra).get_template(template).render(**context)


def template_path(name: str) -> Path:
    for folder in template_folders():
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(name)
