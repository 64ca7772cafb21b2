"""The answer key of a roster: for every student and problem, the variant seed and the exact answer."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from symwork.core import registry
from symwork.files import write_atomic
from symwork.publish import printing
from symwork.publish.worksheets import Worksheet
from symwork.seeds import problem_seed, student_seed


def write_key(sheet: Worksheet, students: Sequence[Any], out: Path) -> tuple[Path, Path]:
    """key.csv and key.json: for every student and problem, the variant seed and the exact answer."""
    rows = []
    for student in students:
        seed = student_seed(sheet.course, student.id)
        for derivation_id in sheet.derivation_ids():
            derivation = registry.get(derivation_id)
            if derivation.exercise is None:
                continue
            exercise_seed = problem_seed(seed, derivation_id)
            exercise = derivation.make_exercise(exercise_seed)
            rows.append(
                {
                    "id": student.id,
                    "name": student.name,
                    "student_seed": seed,
                    "derivation": derivation_id,
                    "seed": exercise_seed,
                    "answer": sp.sstr(exercise.answer),
                    "answer_latex": printing.latex(exercise.answer),
                }
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    folder = out / sheet.name
    write_atomic(folder / "key.csv", buffer.getvalue())
    write_atomic(folder / "key.json", json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return folder / "key.csv", folder / "key.json"


