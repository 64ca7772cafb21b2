"""The class roster: students (id, name, other columns) read from a CSV, with safe folder names."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from symwork.errors import InputError

#: Ids that can name a folder as they are; others get a slug plus a hash.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Student:
    """One roster row: id and name (printed, escaped) plus any other columns."""

    id: str
    name: str
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def slug(self) -> str:
        """A folder name for the student: the id where it is safe, else a slug plus a short hash."""
        if NAME_PATTERN.match(self.id):
            return self.id
        cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", self.id).strip("-.")[:40] or "student"
        return f"{cleaned}-{hashlib.sha256(self.id.encode()).hexdigest()[:8]}"


def load_roster(path: str | Path) -> list[Student]:
    """Students from a CSV with columns ``id`` and ``name`` (others kept); errors name the row."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"Roster {str(path)!r} does not exist.") from None
    except UnicodeDecodeError:
        raise InputError(f"Roster {str(path)!r} is not UTF-8 text; save it as UTF-8 CSV.") from None
    reader = csv.DictReader(text.replace("\x00", "").splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "id" not in fields or "name" not in fields:
        raise InputError(f"Roster {str(path)!r} needs the columns 'id' and 'name'; it has {reader.fieldnames!r}.")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items()}
        if not clean.get("id"):
            raise InputError(f"Roster {str(path)!r} line {number}: the id is empty.")
        if clean["id"] in seen:
            raise InputError(f"Roster {str(path)!r} line {number}: id {clean['id']!r} already appears on line {seen[clean['id']]}.")
        seen[clean["id"]] = number
        extra = tuple(sorted((k, v) for k, v in clean.items() if k not in {"id", "name"}))
        students.append(Student(clean["id"], clean.get("name", ""), extra))
    if not students:
        raise InputError(f"Roster {str(path)!r} has no students.")
    return students
