"""Reading a hand-written derivation file: the chain of expressions (with line numbers) and the reasons given for them.

LaTeX files give the parts of every display (``align``, ``equation``, ``gather``, ``$$…$$``, ``\\[…\\]``) at
top-level ``=`` and ``\\\\``; other files one expression (or ``=`` chain) per line. Justifications are
kept as text: an ``&&`` column, ``\\text{…}``, ``\\tag{…}``, a ``%`` comment (``#`` in plain files).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from symwork.errors import InputError

#: Displayed-maths environments whose body is a chain of expressions (starred forms included).
_ENVIRONMENTS = ("align", "aligned", "equation", "gather", "gathered", "multline", "eqnarray", "flalign", "alignat")
_DISPLAY = re.compile(
    r"\\begin\{(?P<env>(?:" + "|".join(_ENVIRONMENTS) + r")\*?)\}(?:\{\d+\})?"  # alignat takes {n}
    r"|\$\$|\\\[",
)
#: Markup that says nothing about the mathematics; blanked out (same length, so offsets keep their lines).
_NOISE = re.compile(
    r"\\(?:label|intertext|shortintertext|eqref|ref)\s*\{[^{}]*\}|\\(?:nonumber|notag|displaystyle)\b"
)
#: Justifications: text that gives the reason for a line (kept, reported, never read as mathematics).
_REASONS = re.compile(r"\\(?:tag\*?|text|textrm|textit|mbox)\s*\{(?P<text>[^{}]*)\}")
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%(?P<text>[^\n]*)")
_PLAIN_COMMENT = re.compile(r"^\s*#[^\n]*", re.MULTILINE)
_PLAIN_REASON = re.compile(r"#(?P<text>[^\n]*)")


@dataclass(frozen=True)
class Expression:
    """One expression of the chain: where it begins in the file (1-based line) and its text."""

    line: int
    text: str


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _strip_comments(text: str, reasons: dict[int, list[str]] | None = None) -> str:
    # `\%` is a percent sign, `\\%` a line break followed by a comment: count the backslashes.
    def blank(match: re.Match[str]) -> str:
        if reasons is not None and match.group("text").strip():
            reasons.setdefault(_line_of(text, match.start()), []).append(match.group("text").strip())
        return match.group(1) + " " * (len(match.group()) - len(match.group(1)))

    return _COMMENT.sub(blank, text)


def _strip_reasons(text: str, start: int, end: int, reasons: dict[int, list[str]]) -> str:
    """Blank the justifications of one display (``&&`` columns, \\text{…}, \\tag{…}), recording them by line."""
    region = text[start:end]
    rows = re.split(r"(\\\\)", region)
    out, offset = [], start
    for row in rows:
        if row != "\\\\":
            column = _double_ampersand(row)
            if column >= 0:
                reason = re.sub(r"\\(?:text|textrm|mbox|quad|qquad)\b|[{}]", " ", row[column + 2 :])
                if reason.strip():
                    reasons.setdefault(_line_of(text, offset + column), []).append(" ".join(reason.split()))
                row = row[:column] + re.sub(r"[^\n]", " ", row[column:])
        out.append(row)
        offset += len(row)
    region = "".join(out)

    def blank(match: re.Match[str]) -> str:
        if match.group("text").strip():
            reasons.setdefault(_line_of(text, start + match.start()), []).append(match.group("text").strip())
        return re.sub(r"[^\n]", " ", match.group())

    return text[:start] + _REASONS.sub(blank, region) + text[end:]


def _double_ampersand(row: str) -> int:
    """Where ``&&`` (the justification column) starts in an aligned row, outside braces and environments; -1 if not."""
    braces = environments = 0
    position = 0
    while position < len(row) - 1:
        if row.startswith("\\begin", position):
            environments += 1
        elif row.startswith("\\end", position):
            environments -= 1
        char = row[position]
        braces += {"{": 1, "}": -1}.get(char, 0)
        if char == "&" and row[position + 1] == "&" and braces == 0 and environments == 0:
            return position
        position += 2 if char == "\\" else 1
    return -1


def _display_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the bodies of every displayed-maths region, in document order."""
    regions: list[tuple[int, int]] = []
    position = 0
    while (match := _DISPLAY.search(text, position)) is not None:
        if match.group("env"):
            closing = f"\\end{{{match.group('env')}}}"
        else:
            closing = "$$" if match.group() == "$$" else "\\]"
        end = text.find(closing, match.end())
        if end < 0:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"Line {line}: {match.group()!r} is never closed; add {closing!r}.")
        regions.append((match.end(), end))
        position = end + len(closing)
    return regions


def _split_region(text: str, start: int, end: int, marks: set[int]) -> list[tuple[int, int]]:
    """Split a display into its parts at top-level `\\\\` and `=`, dropping `&` alignment marks.

    Braces and nested environments (matrices, cases) are skipped over: their `\\\\`, `&` and `=` belong
    to them. Returns (start, end) offsets of each part; adds the offsets of top-level `&` to ``marks``.
    """
    parts: list[tuple[int, int]] = []
    braces = environments = 0
    part_start = i = start
    while i < end:
        char = text[i]
        if char == "\\":
            command = re.match(r"\\(?:[A-Za-z]+|.)", text[i:end], re.DOTALL)
            word = command.group() if command else "\\"
            if word == "\\begin":
                environments += 1
            elif word == "\\end":
                environments -= 1
            elif word == "\\\\" and braces == 0 and environments == 0:
                parts.append((part_start, i))
                i += 2
                optional = re.match(r"\s*\[[^\]]*\]", text[i:end])  # \\[2pt]
                i += optional.end() if optional else 0
                part_start = i
                continue
            i += len(word)
            continue
        if char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif braces == 0 and environments == 0 and char == "=":
            parts.append((part_start, i))
            part_start = i + 1
        elif braces == 0 and environments == 0 and char == "&":
            marks.add(i)
        i += 1
    parts.append((part_start, end))
    return parts


def _plain_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Parts of one plain line: split at `=` outside brackets (`==` counts as one `=`)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    part_start = start
    for i in range(start, end):
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "=" and depth == 0:
            parts.append((part_start, i))
            part_start = i + 1
    parts.append((part_start, end))
    return parts


def extract(text: str) -> tuple[list[Expression], str]:
    """The chain of expressions in a derivation file, and the syntax to read them with (see `extract_reasons`)."""
    chain, syntax, _ = extract_reasons(text)
    return chain, syntax


def extract_reasons(text: str) -> tuple[list[Expression], str, dict[int, list[str]]]:
    """The chain of expressions in a derivation file, and the syntax to read them with.

    LaTeX files (any `align`, `equation`, `gather`, `$$…$$` or `\\[…\\]`) give the parts of every display in
    order; other files give one expression (or one `=` chain) per non-blank line, `#` lines being comments.

    Also returns the justifications found, by line (``&&`` columns, ``\\text{…}``, ``\\tag{…}``, comments).

    >>> extract("\\\\begin{align*} f &= x^2 \\\\\\\\ &= x \\\\cdot x \\\\end{align*}")[0][1]
    Expression(line=1, text='x \\\\cdot x')
    """
    reasons: dict[int, list[str]] = {}
    text = text.removeprefix("\ufeff")
    latex = _display_regions(_NOISE.sub(_blank, _strip_comments(text)))
    text = _strip_comments(text, reasons if latex else None)
    text = _NOISE.sub(_blank, text)
    regions = _display_regions(text)
    for start, end in regions:
        text = _strip_reasons(text, start, end, reasons)
    marks: set[int] = set()
    if regions:
        syntax = "latex"
        spans = [part for start, end in regions for part in _split_region(text, start, end, marks)]
    else:
        syntax = "auto"
        text = _PLAIN_COMMENT.sub(_blank, text)

        def plain_reason(match: re.Match[str]) -> str:
            if match.group("text").strip():
                reasons.setdefault(_line_of(text, match.start()), []).append(match.group("text").strip())
            return " " * len(match.group())

        text = _PLAIN_REASON.sub(plain_reason, text)
        spans = []
        offset = 0
        for line in text.split("\n"):
            spans.extend(_plain_parts(text, offset, offset + len(line)))
            offset += len(line) + 1
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    chain: list[Expression] = []
    for start, end in spans:
        body = "".join(" " if start + k in marks else char for k, char in enumerate(text[start:end]))
        stripped = body.strip()
        # Empty parts are continuations (`&= b`), doubled signs or a trailing `=` before a line break.
        if not stripped.strip(".,;"):
            continue
        first = start + len(body) - len(body.lstrip())
        chain.append(Expression(bisect.bisect_right(line_starts, first), " ".join(stripped.split())))
    return chain, syntax, reasons
