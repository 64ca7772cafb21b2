"""Reading submissions CSV as a stream of records, without ever raising or losing a line."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from symwork.errors import InputError

#: A field longer than this is refused on reading (the parser's own limit is 10,000 characters).
MAX_FIELD_CHARS = 20_000
#: A quoted field may span this many lines; past it the quote is taken as unterminated, so that one
#: stray quote cannot swallow the rest of the file.
MAX_FIELD_LINES = 64
#: Bytes read from a file at a time: memory stays bounded whatever the file's size.
BLOCK_BYTES = 1 << 20
#: The default largest submissions file `grade` reads (``--max-size`` raises it).
DEFAULT_MAX_BYTES = 200 * 10**6

# Outside quotes a quote is an ordinary character, as in Python's csv module: `f("x")` reads as typed.
_UNQUOTED = re.compile(r"[^,\r\n]*")
#: Byte-order marks of encodings that are not UTF-8, and how to name them.
_FOREIGN_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
#: Separators other than commas that spreadsheets write, and their names in messages.
SEPARATORS: dict[str, str] = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


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
    return iter_records([text])


def iter_records(pieces: Iterable[str]) -> Iterator[Record]:
    """`read_records` over text that arrives in pieces (a file read block by block): the same records.

    Only the record being read is held, plus the block it ends in, so memory does not grow with the file.
    """
    source = iter(pieces)
    text, position, line, final = "", 0, 1, False

    def refill() -> None:
        # Read until the unread text at least doubles (or the input ends): a record that needs more text is
        # parsed again from its start, and doubling keeps that linear in the record's length.
        nonlocal text, position, final
        wanted = max(1, len(text) - position)
        gathered = [text[position:]]
        got = 0
        while got < wanted:
            piece = next(source, None)
            if piece is None:
                final = True
                break
            gathered.append(piece)
            got += len(piece)
        text, position = "".join(gathered), 0

    while True:
        if position >= len(text):
            if final:
                return
            refill()
            continue
        if text[position] in "\r\n":
            line += text[position] == "\n"
            position += 1
            continue
        newline = text.find("\n", position)
        if newline > 0:
            # The common line: no quote, no lone carriage return, so its fields are its comma-separated parts.
            end = newline - 1 if text[newline - 1] == "\r" else newline
            if text.find('"', position, end) < 0 and text.find("\r", position, end) < 0:
                yield Record(line, tuple(text[position:end].split(",")), "")
                line += 1
                position = newline + 1
                continue
        parsed = _read_record(text, position, final)
        if parsed is None:
            refill()
            continue
        fields, stop, problem = parsed
        if problem:
            newline = text.find("\n", position)
            if newline < 0 and not final:
                refill()
                continue
            stop = len(text) if newline < 0 else newline + 1
            yield Record(line, None, problem, tuple(fields))
        else:
            yield Record(line, tuple(fields), "")
        line += text.count("\n", position, stop)
        position = stop


def _read_record(text: str, position: int, final: bool) -> tuple[list[str], int, str] | None:
    """The fields of the record at ``position``, where it stops, and its problem; None if more text is needed."""
    fields: list[str] = []
    end = len(text)
    while True:
        if position < end and text[position] == '"':
            pieces: list[str] = []
            cursor = position + 1
            while True:
                close = text.find('"', cursor)
                if close < 0 and not final and text.count("\n", position) <= MAX_FIELD_LINES:
                    return None  # the closing quote may be in the text not read yet
                if close < 0 or text.count("\n", position, close) > MAX_FIELD_LINES:
                    return fields, position, "it has an unterminated quote"
                if close + 1 >= end and not final:
                    return None  # a doubled quote may straddle the end of what was read
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
            return (fields, end, "") if final else None
        if text[position] == ",":
            position += 1
            continue
        # End of record: \n, \r\n or a lone \r.
        if text.startswith("\r\n", position):
            return fields, position + 2, ""
        return fields, position + 1, ""


def _foreign_encoding(head: bytes) -> str:
    """The name of a non-UTF-8 Unicode encoding ``head`` is in (a BOM, or the NUL bytes of UTF-16), else ""."""
    for bom, name in _FOREIGN_BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        return "UTF-16"  # ASCII in UTF-16 is every other byte NUL
    return ""


class CsvSource:
    """A CSV file read block by block: its records as a stream, and how far reading has got (for progress)."""

    def __init__(self, path: Path, what: str, *, max_bytes: int | None = None) -> None:
        self.path, self.what = Path(path), what
        try:
            self.size = self.path.stat().st_size
            with self.path.open("rb") as stream:
                head = stream.read(4096)
        except IsADirectoryError:
            raise InputError(f"The {what} {str(path)!r} is a folder; give a CSV file.") from None
        except OSError as exc:
            raise InputError(f"Cannot read the {what} {str(path)!r}: {exc.strerror}; check the path.") from exc
        if max_bytes is not None and self.size > max_bytes:
            raise InputError(
                f"The {what} {str(path)!r} has {self.size / 1e6:,.1f} MB, more than the limit of {max_bytes / 1e6:,.0f} MB; "
                f"raise it with --max-size {int(self.size / 1e6) + 1}."
            )
        foreign = _foreign_encoding(head)
        if foreign:
            raise InputError(
                f"The {what} {str(path)!r} is {foreign} text; save it as UTF-8 CSV (in Excel: 'CSV UTF-8')."
            )
        self.bytes_read = 0

    def pieces(self) -> Iterator[str]:
        """The file's text block by block; undecodable bytes become U+FFFD (their row is refused, not the file)."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        first = True
        with self.path.open("rb") as stream:
            while block := stream.read(BLOCK_BYTES):
                self.bytes_read += len(block)
                text = decoder.decode(block)
                if first:
                    text, first = text.removeprefix("\ufeff"), False  # a BOM at the start is a mark, not data
                yield text
            yield decoder.decode(b"", final=True)

    def records(self) -> Iterator[Record]:
        return iter_records(self.pieces())


def read_text(path: Path, what: str) -> str:
    """The whole text of a CSV file (small files only); undecodable bytes become U+FFFD. Raises InputError."""
    return "".join(CsvSource(path, what).pieces())


def shown(value: object, limit: int = 60) -> str:
    """User text quoted for a message as typed: unlike ``!r`` it keeps ``\\frac`` single-backslashed."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    return f'"{text}"' if "'" in text and '"' not in text else f"'{text}'"


def clean_key(value: str) -> str:
    """A header name or key field as meant: without stray BOMs and surrounding spaces."""
    return value.replace("\ufeff", "").strip()


def header_problem(fields: Sequence[str], required: Sequence[str], what: str) -> str:
    """Why a header row lacks ``required`` columns, in a user's terms ("" if it has them all).

    A header such as ``id;derivation;answer`` is one field to a CSV reader: the message names the separator.
    """
    names = [clean_key(name).lower() for name in fields]
    missing = [name for name in required if name not in names]
    if not missing:
        return ""
    if len(fields) == 1:
        for separator, called in SEPARATORS.items():
            if separator in fields[0] and all(name in fields[0].lower() for name in required):
                return (
                    f"The {what} is separated by {called} ({shown(fields[0])}); save it as comma-separated CSV "
                    f"with the columns {', '.join(required)}."
                )
    return f"The {what} header {shown(','.join(fields))} lacks {', '.join(missing)}; add those columns."
