"""Planning a grading run: submission records to rows, each with a task to check or an outcome decided early.

With a roster or a key, the roster is the authority on variants: a row's seed is the student's, and a seed
column that names another variant rejects the row (a student cannot choose the variant they are graded on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from symwork.classroom.records import MAX_FIELD_CHARS, Record, clean_key, header_problem, read_records, shown
from symwork.classroom.roster import load_roster
from symwork.errors import InputError
from symwork.files import unsafe_cell
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


@dataclass(frozen=True)
class Authority:
    """Where variants come from: each student's seed (a roster or key) and, from a key, each problem's seed."""

    students: Mapping[str, int]
    problems: Mapping[tuple[str, str], int] | None = None
    source: str = "roster"

    def seed(self, student: str, derivation: str) -> tuple[int | None, str]:
        """The exercise seed of a student's problem, or None and why the row cannot be graded."""
        if student not in self.students:
            return None, f"the id {shown(student, 40)} is not in the {self.source}"
        if self.problems is None:
            return problem_seed(self.students[student], derivation), ""
        found = self.problems.get((student, derivation))
        if found is None:
            return None, f"{shown(derivation, 40)} is not on this student's worksheet in the {self.source}"
        return found, ""


def _rejected(record: Record, problem: str) -> Early:
    return Early("rejected", "undecided", f"CSV line {record.line}: {problem}.")


class Planner:
    """Reads a submissions file's header, then turns each record into a `PlannedRow`, one at a time."""

    def __init__(self, authority: Authority | Mapping[str, int] | None) -> None:
        if authority is not None and not isinstance(authority, Authority):
            authority = Authority(authority)
        self.authority = authority
        self.width = 0
        self.column: dict[str, int] = {}

    def header(self, record: Record | None) -> None:
        """Take the header row. Raises InputError for a missing or incomplete header, naming a wrong separator."""
        if record is None or record.fields is None:
            raise InputError(
                "The submissions file has no readable header row; it needs the columns id, derivation, answer."
            )
        problem = header_problem(record.fields, REQUIRED, "submissions file")
        if problem:
            raise InputError(problem)
        names = [clean_key(name).lower() for name in record.fields]
        self.width = len(names)
        self.column = {name: names.index(name) for name in (*REQUIRED, "seed") if name in names}

    def row(self, record: Record, index: int) -> PlannedRow:
        """One submission row; ``index`` numbers the row's task."""
        fields = record.fields if record.fields is not None else record.partial
        student, derivation = clean_key(self._field(fields, "id")), clean_key(self._field(fields, "derivation"))
        answer, seed_text = self._field(fields, "answer"), clean_key(self._field(fields, "seed"))
        if record.fields is None:
            return PlannedRow(student[:200], derivation[:200], "", "", None, _rejected(record, record.problem))
        problem = _row_problem(record, self.width)
        seed: int | None = None
        if not problem and seed_text:
            seed = _seed(seed_text)
            if seed is None:
                problem = f"the seed {shown(seed_text, 40)} is not a whole number from 0 to 2**63 - 1"
        if not problem and self.authority is not None:
            own, problem = self.authority.seed(student, derivation)
            if not problem and seed is not None and seed != own:
                problem = (
                    f"the seed {seed} is not this student's variant of {shown(derivation, 40)} ({own}, from the "
                    f"{self.authority.source}); the {self.authority.source} decides the variant, so remove the seed column"
                )
            seed = own
        if problem:
            return PlannedRow(student, derivation, seed_text, answer, None, _rejected(record, problem))
        task = Task(index, derivation, seed, answer)
        return PlannedRow(student, derivation, "" if seed is None else str(seed), answer, task, None)

    def _field(self, fields: Sequence[str], name: str) -> str:
        position = self.column.get(name)
        if position is None or position >= len(fields):
            return ""
        value = fields[position]
        # A cell symwork wrote spreadsheet-safe ('-1/2) is read as what it stands for (-1/2).
        return unsafe_cell(value) if value[:1] == "'" else value


def plan_records(records: Iterable[Record], authority: Authority | Mapping[str, int] | None) -> Iterator[PlannedRow]:
    """The rows of a stream of records, in input order; the header is read before the first row is given."""
    planner = Planner(authority)
    stream = iter(records)
    planner.header(next(stream, None))
    return (planner.row(record, index) for index, record in enumerate(stream))


def plan(text: str, seeds: Authority | Mapping[str, int] | None) -> list[PlannedRow]:
    """The rows of a submissions CSV, in input order. Raises InputError for a missing or incomplete header.

    A row's seed is its ``seed`` column, or with a roster (``seeds``: id → student seed) the student's own,
    which a seed column must then agree with; else none (the general form is checked).
    """
    return list(plan_records(read_records(text), seeds))


def _row_problem(record: Record, width: int) -> str:
    fields = record.fields or ()
    joined = "".join(fields)  # one scan of the row for the common case where nothing is wrong
    if len(joined) > MAX_FIELD_CHARS:
        longest = max(len(field) for field in fields)
        if longest > MAX_FIELD_CHARS:
            return f"a field has {longest:,} characters, more than the limit of {MAX_FIELD_CHARS:,}"
    if "\x00" in joined:
        return "it contains a NUL byte"
    if "\ufffd" in joined:
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
