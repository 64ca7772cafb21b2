"""Writing output files safely: atomic moves into place, spreadsheet-safe CSV, outputs that never overwrite inputs."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

#: A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV-injection rule).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(FORMULA_STARTS)


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    current = os.umask(0)
    os.umask(current)
    return current


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


@contextlib.contextmanager
def _atomic(path: Path, mode: str, encoding: str | None = None, newline: str | None = None) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside ``path``, synced, given the mode of `write_atomic` and moved into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    permissions = _mode_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, mode, encoding=encoding, newline=newline) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """A UTF-8 text stream to a temporary file beside ``path``, moved into place when the block ends without an error.

    For outputs written piece by piece (a class's report, row by row): readers never see half a file, and
    an error or Ctrl-C leaves the old file as it was. The mode rules are those of `write_atomic`.
    """
    with _atomic(path, "w", encoding="utf-8", newline="") as stream:
        yield stream


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and move it into place: readers never see half a file.

    The file gets the mode of the file it replaces, or the usual mode for a new file under the umask
    (mkstemp alone would leave every output 0600, unreadable to a TA or a web server).
    """
    with _atomic(path, "wb") as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``= + - @`` tab or CR gets a ``'`` in front (OWASP).

    `unsafe_cell` undoes it, so that symwork reads back what it wrote (``'-1/2`` is the answer ``-1/2``).
    """
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text[:1] in _FORMULA_SET else text


def unsafe_cell(text: str) -> str:
    """The value of a cell written by `safe_cell` (a ``'`` before a formula character is dropped)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """CSV text of ``rows`` with every cell passed through `safe_cell`: the one way symwork writes CSV."""
    buffer = io.StringIO()
    write_csv_rows(buffer, rows)
    return buffer.getvalue()


def write_csv_rows(stream: IO[str], rows: Iterable[Sequence[object]]) -> None:
    """Write ``rows`` to an open text stream as CSV, every cell spreadsheet-safe (`safe_cell`), ``\\n`` line ends."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: equal once resolved, or (for existing files) the same inode.

    The inode test catches hard links and case-insensitive disks (``Answers.csv`` and ``answers.csv``).
    """
    a, b = Path(a), Path(b)
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def clash(outputs: Iterable[Path], inputs: Iterable[Path | None]) -> tuple[Path, Path] | None:
    """The first (output, input) pair naming one file, or (output, output) for two outputs that coincide; else None.

    Callers refuse to run on a clash (``grade answers.csv --out answers.csv`` would destroy the submissions).
    """
    given = [Path(p) for p in inputs if p is not None]
    seen: list[Path] = []
    for output in (Path(p) for p in outputs):
        for other in (*given, *seen):
            if same_file(output, other):
                return output, other
        seen.append(output)
    return None
