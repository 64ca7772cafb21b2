"""Keys match: for a 30-student roster, the Moodle and QTI variants, the printed (PDF) variant, key.csv and the
grader use the same seed per student and agree on every answer."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import sympy as sp

from symwork.answers.marking import check_answer
from symwork.classroom.grading import grade_file
from symwork.classroom.key import write_key
from symwork.classroom.roster import load_roster
from symwork.core import registry
from symwork.parse import parse
from symwork.publish import exporting, problems, worksheets
from symwork.publish.jobs import Options, roster_jobs

IDS = ["sigmoid-derivative", "softmax-jacobian", "gaussian-entropy"]
Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CLOZE_FIELD = re.compile(r"\{1:NUMERICAL:=([^:}]*):([^}]*)\}")


def _numbers(value: sp.Basic) -> list[float]:
    return [float(v) for v in value] if isinstance(value, sp.MatrixBase) else [float(value)]


def _moodle(data: bytes) -> dict[tuple[str, str], tuple[int, list[float]]]:
    """(student slug, derivation) → (exercise seed, the numbers the question accepts)."""
    found = {}
    for question in ET.fromstring(data):
        if question.get("type") == "category":
            continue
        tags = [t.text or "" for t in question.findall("tags/tag/text")]
        seed = int(next(t for t in tags if t.startswith("symwork-seed-")).rsplit("-", 1)[1])
        derivation = next(t.removeprefix("symwork-") for t in tags if t.removeprefix("symwork-") in IDS)
        student = question.findtext("idnumber", "").removeprefix(f"keys-{derivation}-")
        if question.get("type") == "numerical":
            values = [float(question.findtext("answer/text", ""))]
        else:
            values = [float(v) for v, _ in CLOZE_FIELD.findall(question.findtext("questiontext/text", ""))]
        found[(student, derivation)] = (seed, values)
    return found


def _qti(data: bytes) -> dict[tuple[str, str], int]:
    """(student slug, derivation) → exercise seed, from the item identifiers."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assessment = next(n for n in archive.namelist() if n.endswith(".xml") and n != "imsmanifest.xml")
    found = {}
    for item in ET.fromstring(archive.read(assessment)).iter(f"{Q}item"):
        derivation = next(d for d in IDS if f"-{d}-" in item.get("ident", ""))
        rest = item.get("ident", "").split(f"-{derivation}-", 1)[1]
        student, seed = rest.rsplit("-", 1)
        found[(student, derivation)] = int(seed)
    return found


@pytest.mark.slow
def test_lms_keys_agree_for_a_30_student_roster(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\n" + "".join(f"s{n:02d},Student {n}\n" for n in range(1, 31)), encoding="utf-8")
    sheet_file = tmp_path / "keys.toml"
    sheet_file.write_text(
        f'name = "keys"\ntitle = "Keys"\ncourse = "Keys 101"\nderivations = {IDS!r}\n'.replace("'", '"')
    )
    sheet = worksheets.load_toml(sheet_file)
    students = load_roster(roster)
    assert len(students) == 30

    # 1. The printed variant: the seed `symwork build --roster` gives each student's worksheet.
    printed = {
        (job.student["id"], d): problems.problem(registry.get(d), seed=job.seed).exercise_seed
        for job in roster_jobs(sheet, students, Options(out=tmp_path / "out"))
        for d in IDS
    }
    # 2. key.csv.
    key_csv, _ = write_key(sheet, students, tmp_path / "out")
    key = {(row["id"], row["derivation"]): row for row in csv.DictReader(key_csv.open(encoding="utf-8"))}
    # 3. The LMS banks.
    items = [registry.get(i) for i in IDS]
    common = {"title": sheet.title, "course": sheet.course, "students": students, "name": sheet.name}
    moodle = _moodle(exporting.export_lms(items, "moodle", **common).data)
    qti = _qti(exporting.export_lms(items, "qti", **common).data)
    # 4. The grader, given key.csv's answers, and given each answer under the next student's id.
    submissions = tmp_path / "answers.csv"
    with submissions.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "derivation", "answer"])
        for (student, derivation), row in key.items():
            writer.writerow([student, derivation, row["answer_latex"]])  # what the key prints, typed back
        for number, student in enumerate(students):
            other = students[(number + 1) % len(students)]
            writer.writerow([other.id, "softmax-jacobian", key[(student.id, "softmax-jacobian")]["answer_latex"]])
    report = grade_file(submissions, roster=roster, out=tmp_path / "report.csv", course=sheet.course, jobs=2)
    graded = list(report.rows)

    assert len(key) == len(printed) == len(moodle) == len(qti) == 90
    for student in students:
        for derivation in IDS:
            row = key[(student.id, derivation)]
            seed = int(row["seed"])
            assert printed[(student.id, derivation)] == seed
            assert qti[(student.slug, derivation)] == seed
            moodle_seed, values = moodle[(student.slug, derivation)]
            assert moodle_seed == seed
            exact = _numbers(parse(row["answer"], syntax="plain"))  # key.csv reads back in symwork's plain syntax
            assert len(values) == len(exact)
            for value, truth in zip(values, exact, strict=True):
                assert abs(value - truth) <= 1e-9 * max(1.0, abs(truth))
    answered = graded[:90]
    assert [(r.id, r.derivation) for r in answered] == list(key)
    assert [r.seed for r in answered] == [key[(r.id, r.derivation)]["seed"] for r in answered]
    assert {r.verdict for r in answered} == {"correct"}, [r for r in answered if r.verdict != "correct"][:3]
    # Another student's answer is wrong for this student wherever the two variants differ.
    for number, row in enumerate(graded[90:]):
        mine = key[(students[number].id, "softmax-jacobian")]["answer"]
        theirs = key[(row.id, "softmax-jacobian")]["answer"]
        assert row.verdict == ("correct" if mine == theirs else "incorrect"), row


@pytest.mark.slow
def test_key_answers_and_part_answers_typed_back_are_correct_for_every_exercise(tmp_path: Path) -> None:
    # key.csv's plain answers (and each part's) are what a TA pastes into a regrade: our own checker must
    # read every one of them back as correct, whatever constants (e, pi) or shapes the answer has.
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,One\ns2,Two\n", encoding="utf-8")
    ids = [d.id for d in registry.derivations() if d.exercise is not None]
    sheet = worksheets.Worksheet(name="all", title="All", ids=tuple(ids))
    key_csv, key_json = write_key(sheet, load_roster(roster), tmp_path / "out")
    rows = list(csv.DictReader(key_csv.open(encoding="utf-8")))
    assert len(rows) == 2 * len(ids) and all("\n" not in row["answer"] for row in rows)
    submissions = tmp_path / "answers.csv"
    with submissions.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "derivation", "answer"])
        # Plain syntax nests lists two deep: a four-axis Jacobian is typed back from its LaTeX.
        writer.writerows(
            [row["id"], row["derivation"], row["answer_latex"] if "[[[" in row["answer"] else row["answer"]]
            for row in rows
        )
    report = grade_file(submissions, roster=roster, out=tmp_path / "report.csv", course=sheet.course, jobs=2)
    wrong = [(r.derivation, r.verdict, r.feedback) for r in report.rows if r.verdict != "correct"]
    assert not wrong, wrong[:5]
    checked = 0
    for row in json.loads(key_json.read_text(encoding="utf-8")):
        for part in row["parts"]:
            typed = part["answer_latex"] if "[[[" in part["answer"] else part["answer"]
            result = check_answer(registry.get(row["derivation"]), typed, seed=row["seed"], part=part["label"])
            assert result.verdict.value == "equal", (row["derivation"], part, result.feedback)
            checked += 1
    assert checked >= len(ids)
