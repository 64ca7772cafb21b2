"""Planning a grading run: submission records to rows, each with a task to check or an outcome decided early."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from symwork.classroom.records import MAX_FIELD_CHARS, Record, clean_key, read_records
from symwork.classroom.roster import load_roster
from symwork.errors import InputError
from symwork.seeds import problem_seed, student_seed

#: Columns a submissions file must have (``seed`` is optional).
REQUIRED: tuple[str, ...] = ("id", "derivation", "answer")
_SEED = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Task:
    """One answer to check; ``seed=None`` checks the derivation's general form."""

    index: int
    derivation: str
    seed: int | None
    answer: str


@dataclass(frozen=True)
class Early:
    """An outcome decided without checking (an unreadable row, a bad seed, an id not in the roster)."""

    status: str
    verdict: str
    feedback: str


@dataclass(frozen=True)
class PlannedRow:
    """A submission row after reading: its report identity, and either a task or an early outcome."""

    id: str
    derivation: str
    seed: str
    answer: str
    task: Task | None
    early: Early | None


def _rejected(record: Record, problem: str) -> Early:
    return Early("rejected", "undecided", f"CSV line {record.line}: {problem}.")


def plan(text: str, seeds: Mapping[str, int] | None) -> list[PlannedRow]:
    """The rows of a submissions CSV, in input order. Raises InputError for a missing or incomplete header.

    A row's seed is its ``seed`` column, else derived from the student's seed in ``seeds`` (the roster),
    else none (the general form is checked).
    """
    records = list(read_records(text))
    if not records or records[0].fields is None:
        raise InputError(
            "The submissions file has no readable header row; it needs the columns id, derivation, answer."
        )
    header = [clean_key(name).lower() for name in records[0].fields]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(f"The submissions header {records[0].fields!r} lacks {', '.join(missing)}; add those columns.")
    column = {name: header.index(name) for name in (*REQUIRED, "seed") if name in header}
    rows: list[PlannedRow] = []
    for record in records[1:]:
        index = len(rows)
        fields = record.fields if record.fields is not None else record.partial
        student, derivation = clean_key(_field(fields, column, "id")), clean_key(_field(fields, column, "derivation"))
        answer, seed_text = _field(fields, column, "answer"), clean_key(_field(fields, column, "seed"))
        if record.fields is None:
            rows.append(PlannedRow(student[:200], derivation[:200], "", "", None, _rejected(record, record.problem)))
            continue
        problem = _row_problem(record, len(header))
        seed: int | None = None
        if not problem and seed_text:
            seed = _seed(seed_text)
            if seed is None:
                problem = f"the seed {seed_text[:40]!r} is not a whole number from 0 to 2**63 - 1"
        elif not problem and seeds is not None:
            if student not in seeds:
                problem = f"the id {student[:40]!r} is not in the roster"
            else:
                seed = problem_seed(seeds[student], derivation)
        if problem:
            rows.append(PlannedRow(student, derivation, seed_text, answer, None, _rejected(record, problem)))
            continue
        task = Task(index, derivation, seed, answer)
        rows.append(PlannedRow(student, derivation, "" if seed is None else str(seed), answer, task, None))
    return rows


def _field(fields: Sequence[str], column: dict[str, int], name: str) -> str:
    position = column.get(name)
    return fields[position] if position is not None and position < len(fields) else ""


def _row_problem(record: Record, width: int) -> str:
    fields = record.fields or ()
    longest = max((len(field) for field in fields), default=0)
    if longest > MAX_FIELD_CHARS:
        return f"a field has {longest:,} characters, more than the limit of {MAX_FIELD_CHARS:,}"
    if any("\x00" in field for field in fields):
        return "it contains a NUL byte"
    if any("\ufffd" in field for field in fields):
        return "it contains bytes that are not UTF-8; save the file as UTF-8"
    if len(fields) != width:
        return f"it has {len(fields)} fields but the header has {width}; quote fields that contain commas"
    return ""


def _seed(text: str) -> int | None:
    if not _SEED.fullmatch(text):
        return None
    value = int(text)
    return value if value < 2**63 else None


def roster_seeds(roster: Path, course: str) -> dict[str, int]:
    """Each student's seed for ``course``, by id, from a roster CSV."""
    return {student.id: student_seed(course, student.id) for student in load_roster(roster)}
