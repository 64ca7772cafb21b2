"""The class roster: students (id, name, other columns) read from a CSV, with injective folder names and a manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from symwork.classroom.records import SEPARATORS, header_problem, read_text, shown
from symwork.errors import InputError
from symwork.files import write_atomic

#: Ids that name their folder as they are: lower case (so no two differ only in case, which macOS and
#: Windows disks do not tell apart), not ending like a hashed name, not a name Windows reserves.
PLAIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_HASHED_END = re.compile(r"-[0-9a-f]{8}$", re.IGNORECASE)
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{k}" for k in range(10)), *(f"lpt{k}" for k in range(10))})
#: The manifest of a roster build: folder name → id and name, in OUT/<worksheet>/students/.
MANIFEST = "manifest.json"
#: The files a student's folder holds when symwork made it: a folder with anything else is never pruned.
_BUILT_FILE = re.compile(
    r"^(student|solutions|key)\.(tex|pdf|log)$|^symwork\.sty$|^fig-[A-Za-z0-9._-]+\.pdf$|^\.build-|^\..+\.tmp$"
)
#: Kept for callers that test ids against the old rule.
NAME_PATTERN = PLAIN_ID


def folder_name(student_id: str) -> str:
    """The folder of a student: the id itself when it is a plain lower-case name, else a slug plus a hash.

    Injective: a plain name never ends in ``-`` and eight hex digits, and every other name does, with the
    hash of the whole id; so ``Zoë`` and ``Zo-c6a12698``, or ``S001`` and ``s001``, get different folders,
    different even to a disk that ignores case.
    """
    if PLAIN_ID.match(student_id) and not _HASHED_END.search(student_id) and not student_id.endswith("."):
        if student_id.split(".")[0] not in _RESERVED:
            return student_id
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", student_id).strip("-.")[:40] or "student"
    return f"{cleaned}-{hashlib.sha256(student_id.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Student:
    """One roster row: id and name (printed, escaped) plus any other columns."""

    id: str
    name: str
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def slug(self) -> str:
        """The student's folder name (`folder_name`)."""
        return folder_name(self.id)


def load_roster(path: str | Path) -> list[Student]:
    """Students from a CSV with columns ``id`` and ``name`` (others kept); errors name the row.

    Raises InputError for a missing, non-UTF-8 or semicolon-separated file, an empty or repeated id, and
    for two ids whose folders would coincide on a disk that ignores case.
    """
    file = Path(path)
    if not file.exists():
        raise InputError(f"Roster {str(path)!r} does not exist.")
    text = read_text(file, "roster")
    if "\ufffd" in text:
        raise InputError(f"Roster {str(path)!r} is not UTF-8 text; save it as UTF-8 CSV.")
    reader = csv.DictReader(text.replace("\x00", "").splitlines())
    header = reader.fieldnames or []
    problem = header_problem(header, ("id", "name"), f"roster {str(path)!r}")
    if problem:
        if len(header) == 1 and any(separator in header[0] for separator in SEPARATORS):
            raise InputError(problem)
        raise InputError(f"Roster {str(path)!r} needs the columns 'id' and 'name'; it has {shown(','.join(header))}.")
    students: list[Student] = []
    seen: dict[str, int] = {}
    folders: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items()}
        student_id = clean.get("id", "")
        if not student_id:
            raise InputError(f"Roster {str(path)!r} line {number}: the id is empty.")
        if student_id in seen:
            raise InputError(
                f"Roster {str(path)!r} line {number}: id {shown(student_id)} already appears on line {seen[student_id]}."
            )
        seen[student_id] = number
        folder = folder_name(student_id).lower()
        if folder in folders:
            other, line = folders[folder]
            raise InputError(
                f"Roster {str(path)!r} line {number}: id {shown(student_id)} would share a folder with "
                f"{shown(other)} (line {line}); change one of the ids."
            )
        folders[folder] = (student_id, number)
        extra = tuple(sorted((k, v) for k, v in clean.items() if k not in {"id", "name"}))
        students.append(Student(student_id, clean.get("name", ""), extra))
    if not students:
        raise InputError(f"Roster {str(path)!r} has no students.")
    return students


@dataclass(frozen=True)
class StaleFolders:
    """Student folders from an earlier roster: those that may be pruned, and those kept for other files in them."""

    prunable: tuple[Path, ...]
    kept: tuple[Path, ...]


def write_manifest(students_folder: Path, students: Sequence[Student]) -> Path:
    """``students/manifest.json``: each folder name with its student's id and name, in roster order."""
    entries = [{"folder": s.slug, "id": s.id, "name": s.name} for s in students]
    path = students_folder / MANIFEST
    write_atomic(path, json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    return path


def stale_folders(students_folder: Path, students: Sequence[Student]) -> StaleFolders:
    """Folders in ``students_folder`` that belong to no student of this roster (an earlier roster's)."""
    wanted = {s.slug for s in students}
    try:
        entries = sorted(p for p in students_folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return StaleFolders((), ())
    stale = [p for p in entries if p.name not in wanted]
    prunable = tuple(p for p in stale if all(_BUILT_FILE.match(f.name) for f in p.iterdir()))
    return StaleFolders(prunable, tuple(p for p in stale if p not in prunable))


def prune(folders: Sequence[Path]) -> None:
    """Remove student folders that `stale_folders` found prunable (only symwork's own files are in them)."""
    for folder in folders:
        shutil.rmtree(folder)
