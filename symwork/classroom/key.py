"""The answer key of a roster: for every student and problem, the variant seed and the exact answer; and reading it back."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp

from symwork.classroom.records import shown
from symwork.core import registry
from symwork.errors import InputError
from symwork.files import clash, csv_text, write_atomic
from symwork.parse.plain_printer import PlainUnwritableError, plain
from symwork.publish import printing
from symwork.publish.worksheets import Worksheet
from symwork.seeds import problem_seed, student_seed

KEY_COLUMNS: tuple[str, ...] = ("id", "name", "student_seed", "derivation", "seed", "answer", "answer_latex", "parts")


def typed_answer(expr: Any) -> str:
    """An exact answer as a student types it in plain syntax, on one line: ``[[1, 2], [3, 4]]`` for a matrix.

    `symwork grade` reads it back (key.csv's ``answer`` column can be graded as submissions).
    """
    if isinstance(expr, (list, tuple)):
        expr = sp.ImmutableMatrix(expr)
    try:
        if isinstance(expr, sp.MatrixBase):
            return "[" + ", ".join("[" + ", ".join(plain(e) for e in row) + "]" for row in expr.tolist()) + "]"
        # symwork's own plain spelling (e, not SymPy's E), so that the key reads back as a correct answer.
        return " ".join(plain(expr).split())
    except PlainUnwritableError:
        return " ".join(sp.sstr(expr).split())  # a sum or derivative: no plain spelling; answer_latex has it


def write_key(
    sheet: Worksheet, students: Sequence[Any], out: Path, *, inputs: Sequence[Path] = ()
) -> tuple[Path, Path]:
    """key.csv and key.json: for every student and problem, the variant seed and the exact answer.

    key.json also names the course and worksheet, so that `symwork grade --key` takes the seeds from the
    build itself. Every key.csv cell is spreadsheet-safe. Raises InputError if a key file would overwrite
    one of ``inputs`` (the roster).
    """
    folder = out / sheet.name
    paths = (folder / "key.csv", folder / "key.json")
    overlap = clash(paths, inputs)
    if overlap is not None:
        raise InputError(f"The key {str(overlap[0])!r} would overwrite {str(overlap[1])!r}; choose another --out.")
    rows = []
    for student in students:
        seed = student_seed(sheet.course, student.id)
        for derivation_id in sheet.derivation_ids():
            derivation = registry.get(derivation_id)
            if derivation.exercise is None:
                continue
            exercise_seed = problem_seed(seed, derivation_id)
            exercise = derivation.make_exercise(exercise_seed)
            answer = exercise.answer
            parts = [_part(item) for item in exercise.parts]
            rows.append(
                {
                    "id": student.id,
                    "name": student.name,
                    "student_seed": seed,
                    "derivation": derivation_id,
                    "seed": exercise_seed,
                    "answer": typed_answer(answer),
                    "answer_latex": printing.latex(answer),
                    # What each part asks for, with the label `check --part` takes: "a) 9; b) 9" in key.csv.
                    "parts": parts,
                    "course": sheet.course,
                    "worksheet": sheet.name,
                }
            )
    table = [list(KEY_COLUMNS), *([_cell(row[column]) for column in KEY_COLUMNS] for row in rows)]
    write_atomic(paths[0], csv_text(table))
    write_atomic(paths[1], json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return paths


def _part(item: Any) -> dict[str, str]:
    """One part of an exercise in the key: its label, what it names, and its answer typed and printed."""
    name = item.name if isinstance(item.name, str) else printing.latex(item.name)
    answer = item.answer if item.is_word else typed_answer(item.answer)
    latex = item.answer if item.is_word else printing.latex(item.answer)
    return {"label": item.label, "name": name, "answer": answer, "answer_latex": latex}


def _cell(value: Any) -> Any:
    if isinstance(value, list):  # the parts, on one line: "a) 9; b) 9"
        return "; ".join(f"{part['label']}) {part['answer']}" for part in value)
    return value


@dataclass(frozen=True)
class Key:
    """A key.json read back: the course, each student's seed, each (student, derivation)'s exercise seed."""

    path: Path
    course: str | None
    students: Mapping[str, int]
    problems: Mapping[tuple[str, str], int]
    warnings: tuple[str, ...] = field(default=())


def load_key(path: Path) -> Key:
    """Read a key.json written by `write_key`; warn where its seeds disagree with its course. Raises InputError."""
    where = str(path)
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except IsADirectoryError:
        raise InputError(f"The key {where!r} is a folder; give the key.json the build wrote.") from None
    except OSError as exc:
        raise InputError(f"Cannot read the key {where!r}: {exc.strerror}; give the key.json the build wrote.") from None
    except (UnicodeDecodeError, ValueError):
        raise InputError(f"The key {where!r} is not JSON; give the key.json the build wrote (not key.csv).") from None
    if not isinstance(rows, list) or not rows:
        raise InputError(f"The key {where!r} has no rows; give the key.json of a roster build.")
    courses: set[str] = set()
    students: dict[str, int] = {}
    problems: dict[tuple[str, str], int] = {}
    disagreements = 0
    for number, row in enumerate(rows, start=1):
        try:
            student, derivation = str(row["id"]), str(row["derivation"])
            own, seed = int(row["student_seed"]), int(row["seed"])
        except (TypeError, KeyError, ValueError):
            raise InputError(
                f"The key {where!r} row {number} lacks id, derivation, student_seed or seed; rebuild it."
            ) from None
        if isinstance(row.get("course"), str):
            courses.add(row["course"])
            disagreements += student_seed(row["course"], student) != own
        disagreements += problem_seed(own, derivation) != seed
        if students.setdefault(student, own) != own:
            raise InputError(f"The key {where!r} gives the student {shown(student)} two seeds; rebuild it.")
        problems[(student, derivation)] = seed
    if len(courses) > 1:
        raise InputError(f"The key {where!r} mixes the courses {', '.join(map(repr, sorted(courses)))}; rebuild it.")
    warnings: tuple[str, ...] = ()
    if disagreements:
        warnings = (
            f"{disagreements} seed(s) in the key {where!r} disagree with its course; was it edited? Its seeds are used.",
        )
    return Key(Path(path), courses.pop() if courses else None, students, problems, warnings)
