"""Gradebook CSVs from a grade report: one row per student, one column per problem plus a total, as an LMS imports them.

The report (``symwork grade``'s CSV: id, derivation, seed, status, verdict, feedback) is read back, so a
gradebook can also be made later from a report on disk. A correct answer earns the problem's points, an
incorrect or unreadable one 0, a missing one 0; an undecided check (the checker could not tell, timed out
or failed) earns nothing *yet*: its cell and the student's total stay blank and it is listed for review,
because a guessed score would be wrong either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from symwork.classroom.records import read_text
from symwork.classroom.roster import Student, load_roster
from symwork.core import registry
from symwork.errors import InputError, SymworkError
from symwork.files import write_atomic

#: The report's verdict → the share of a problem's points it earns (None: a person must decide).
SCORES: dict[str, float | None] = {"correct": 1.0, "incorrect": 0.0, "undecided": None}
#: Columns a report must have to make a gradebook.
NEEDED = ("id", "derivation", "verdict")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Gradebook:
    """Scores by student and problem (None: needs review), with the students and problems in order."""

    students: tuple[Student, ...]
    problems: tuple[str, ...]
    scores: dict[tuple[str, str], float | None]
    review: tuple[tuple[str, str, str], ...]  # (student id, problem, why)
    points: float = 1.0

    def total(self, student_id: str) -> float | None:
        """The student's total, or None when a cell needs review."""
        cells = [self.scores.get((student_id, problem), 0.0) for problem in self.problems]
        return None if any(cell is None for cell in cells) else sum(c for c in cells if c is not None)


def _undefused(value: str) -> str:
    # The report writes "'=x" for a cell starting with a formula character; read back what was meant.
    return value[1:] if value.startswith("'") and value[1:2] in _FORMULA else value


def _safe(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA) else value


def read_report(path: Path) -> list[dict[str, str]]:
    """The rows of a report CSV, keys lower-cased. Raises InputError when it lacks id, derivation or verdict."""
    text = read_text(Path(path), "grade report")
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in NEEDED if name not in header]
    if missing:
        raise InputError(
            f"The report {str(path)!r} lacks the column(s) {', '.join(missing)}; pass a report made by symwork grade."
        )
    return [{(k or "").strip().lower(): _undefused(v or "") for k, v in row.items()} for row in reader]


def _ordered_problems(ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """The library's derivations among ``ids`` in course order, and the ids that are not derivations."""
    known, unknown = [], []
    for derivation_id in dict.fromkeys(ids):
        try:
            known.append(registry.get(derivation_id))
        except SymworkError:
            unknown.append(derivation_id)
    return [d.id for d in registry.in_course_order(known)], unknown


def gradebook(rows: Sequence[dict[str, str]], students: Sequence[Student] | None, *, points: float = 1.0) -> Gradebook:
    """Scores from report rows: the last row of a student and problem counts; roster students without a row
    score 0 (no answer); ids missing from the roster are added after it and listed for review."""
    problems, unknown = _ordered_problems([row["derivation"] for row in rows])
    roster = list(students) if students is not None else []
    on_roster = {student.id for student in roster}
    review: list[tuple[str, str, str]] = []
    extra: dict[str, Student] = {}
    scores: dict[tuple[str, str], float | None] = {}
    for row in rows:
        student, problem, verdict = row["id"], row["derivation"], row["verdict"]
        if problem in unknown:
            review.append((student, problem, "not a derivation of the library (the row was rejected)"))
            continue
        if student not in on_roster and student not in extra:
            extra[student] = Student(student, "")
            if students is not None:
                review.append((student, "", "not on the roster"))
        share = SCORES.get(verdict)
        scores[(student, problem)] = None if share is None else share * points
    for (student, problem), score in scores.items():
        if score is None:
            review.append((student, problem, "the check was undecided; decide by hand"))
    return Gradebook(tuple(roster) + tuple(extra.values()), tuple(problems), scores, tuple(review), points)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cells(book: Gradebook, student: Student) -> list[str]:
    return [_score(book.scores.get((student.id, problem), 0.0)) for problem in book.problems]


def _extra(student: Student, *names: str) -> str:
    found = dict(student.extra)
    return next((found[name] for name in names if found.get(name)), "")


def moodle_rows(book: Gradebook) -> list[list[str]]:
    """Moodle (Grades → Import → CSV file): map "ID number" to the user's ID number, each problem to a grade item."""
    header = ["ID number", "Full name", "Email address", *book.problems, "Total"]
    body = [
        [_safe(s.id), _safe(s.name), _safe(_extra(s, "email")), *_cells(book, s), _score(book.total(s.id))]
        for s in book.students
    ]
    return [header, *body]


def canvas_rows(book: Gradebook) -> list[list[str]]:
    """Canvas (Grades → Import): students matched by "SIS User ID" (the roster id); a new column becomes an
    assignment; "Final Points" is one of Canvas's read-only columns, which an import skips."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *book.problems, "Final Points"]
    possible = ["    Points Possible", "", "", "", "", *[f"{book.points:g}"] * len(book.problems), "(read only)"]
    body = [
        [_safe(s.name or s.id), "", _safe(s.id), _safe(_extra(s, "sis_login_id", "login")), _safe(_extra(s, "section")),
         *_cells(book, s), _score(book.total(s.id))]
        for s in book.students
    ]  # fmt: skip
    return [header, possible, *body]


def plain_rows(book: Gradebook) -> list[list[str]]:
    """A plain table: id, name, one column per problem, total, and what needs review."""
    header = ["id", "name", *book.problems, "total", "needs_review"]
    waiting: dict[str, list[str]] = {}
    for student, problem, _ in book.review:
        waiting.setdefault(student, []).append(problem or "roster")
    body = [
        [_safe(s.id), _safe(s.name), *_cells(book, s), _score(book.total(s.id)), " ".join(waiting.get(s.id, []))]
        for s in book.students
    ]
    return [header, *body]


#: `symwork grade --gradebook` choices → the rows of that file.
GRADEBOOK_FORMATS: dict[str, Callable[[Gradebook], list[list[str]]]] = {
    "moodle": moodle_rows,
    "canvas": canvas_rows,
    "csv": plain_rows,
}


def gradebook_path(report: Path, fmt: str) -> Path:
    """Where a gradebook goes: ``report.csv`` → ``report-moodle-gradebook.csv``."""
    return report.with_name(f"{report.stem}-{fmt}-gradebook.csv")


def write_gradebook(
    report: Path, fmt: str, *, roster: Path | None = None, out: Path | None = None, points: float = 1.0
) -> tuple[Path, Gradebook]:
    """Write the ``fmt`` gradebook of a report CSV (atomically) and return its path and contents."""
    if fmt not in GRADEBOOK_FORMATS:
        raise InputError(f"Unknown gradebook format {fmt!r}; use one of {', '.join(GRADEBOOK_FORMATS)}.")
    students = load_roster(roster) if roster is not None else None
    book = gradebook(read_report(Path(report)), students, points=points)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(GRADEBOOK_FORMATS[fmt](book))
    target = out or gradebook_path(Path(report), fmt)
    write_atomic(target, buffer.getvalue())
    return target, book
