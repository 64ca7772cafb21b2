"""Reading submissions CSV text into records, without ever raising or losing a line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from symwork.errors import InputError

#: A field longer than this is refused on reading (the parser's own limit is 10,000 characters).
MAX_FIELD_CHARS = 20_000
#: A quoted field may span this many lines; past it the quote is taken as unterminated, so that one
#: stray quote cannot swallow the rest of the file.
MAX_FIELD_LINES = 64

# Outside quotes a quote is an ordinary character, as in Python's csv module: `f("x")` reads as typed.
_UNQUOTED = re.compile(r"[^,\r\n]*")


@dataclass(frozen=True)
class Record:
    """One logical CSV row: the line it starts on, its fields (None if unreadable) and what is wrong with it."""

    line: int
    fields: tuple[str, ...] | None
    problem: str = ""
    partial: tuple[str, ...] = ()  # fields read before the problem, to name the row in the report


def read_records(text: str) -> Iterator[Record]:
    """Split CSV text into records without ever raising or losing a line.

    A malformed record (unterminated or stray quote) becomes a Record with a ``problem`` that covers only
    its first line; reading resumes on the next line. Blank lines are not records.
    """
    position, line, end = 0, 1, len(text)
    while position < end:
        if text[position] in "\r\n":
            line += text[position] == "\n"
            position += 1
            continue
        fields, stop, problem = _read_record(text, position)
        if problem:
            newline = text.find("\n", position)
            stop = end if newline < 0 else newline + 1
            yield Record(line, None, problem, tuple(fields))
        else:
            yield Record(line, tuple(fields), "")
        line += text.count("\n", position, stop)
        position = stop


def _read_record(text: str, position: int) -> tuple[list[str], int, str]:
    fields: list[str] = []
    end = len(text)
    while True:
        if position < end and text[position] == '"':
            pieces: list[str] = []
            cursor = position + 1
            while True:
                close = text.find('"', cursor)
                if close < 0 or text.count("\n", position, close) > MAX_FIELD_LINES:
                    return fields, position, "it has an unterminated quote"
                pieces.append(text[cursor:close])
                if text.startswith('""', close):
                    pieces.append('"')
                    cursor = close + 2
                    continue
                position = close + 1
                break
            fields.append("".join(pieces))
            if position < end and text[position] not in ",\r\n":
                # A quote that ran over a line break before this stray one was most likely never closed.
                if "\n" in "".join(pieces):
                    return fields, position, "it has an unterminated quote"
                return fields, position, "it has an unmatched quote; double quotes inside a quoted field"
        else:
            match = _UNQUOTED.match(text, position)
            assert match is not None  # the pattern matches the empty string
            fields.append(match.group())
            position = match.end()
        if position >= end:
            return fields, end, ""
        if text[position] == ",":
            position += 1
            continue
        # End of record: \n, \r\n or a lone \r.
        if text.startswith("\r\n", position):
            return fields, position + 2, ""
        return fields, position + 1, ""


def read_text(path: Path, what: str) -> str:
    """The text of a CSV file; undecodable bytes become U+FFFD (their row is refused, not the file)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the {what} {str(path)!r}: {exc.strerror}; check the path.") from exc
    # A BOM at the start is an encoding mark, not data.
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def clean_key(value: str) -> str:
    """A header name or key field as meant: without stray BOMs and surrounding spaces."""
    return value.replace("\ufeff", "").strip()
