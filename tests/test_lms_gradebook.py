"""Gradebook CSVs from a grade report: a row per roster student, a column per problem plus a total, in the layouts
Moodle's and Canvas's grade imports read; undecided checks left for a person."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from symwork.classroom import gradebook
from symwork.cli import main
from symwork.errors import InputError

REPORT = """id,derivation,seed,status,verdict,feedback
s1,softmax-jacobian,11,ok,correct,Correct.
s1,sigmoid-derivative,12,ok,incorrect,Not equal.
s1,sigmoid-derivative,12,ok,correct,Correct.
s2,sigmoid-derivative,13,timeout,undecided,The check took longer than 2 s and was stopped.
s2,softmax-jacobian,14,parse_error,incorrect,The expression ends too early.
'=cmd,softmax-jacobian,15,ok,correct,Correct.
s1,no-such-derivation,,rejected,undecided,Unknown derivation.
"""
ROSTER = "id,name,email,section\ns1,Ada Lovelace,ada@example.org,A\ns2,Carl Gauss,,B\ns3,No Show,,A\n=cmd,@Mallory,,\n"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8")))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "report.csv").write_text(REPORT, encoding="utf-8")
    (tmp_path / "class.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path / "report.csv", tmp_path / "class.csv"


def test_lms_gradebook_plain_csv_has_every_roster_student(files: tuple[Path, Path]) -> None:
    report, roster = files
    path, book = gradebook.write_gradebook(report, "csv", roster=roster)
    assert path == report.with_name("report-csv-gradebook.csv")
    # Course order puts the sigmoid before the softmax; the last of s1's two sigmoid rows counts.
    assert _rows(path) == [
        ["id", "name", "sigmoid-derivative", "softmax-jacobian", "total", "needs_review"],
        ["s1", "Ada Lovelace", "1", "1", "2", "no-such-derivation"],
        ["s2", "Carl Gauss", "", "0", "", "sigmoid-derivative"],
        ["s3", "No Show", "0", "0", "0", ""],
        ["'=cmd", "'@Mallory", "0", "1", "1", ""],
    ]
    assert book.review == (
        ("s1", "no-such-derivation", "not a derivation of the library (the row was rejected)"),
        ("s2", "sigmoid-derivative", "the check was undecided; decide by hand"),
    )


def test_lms_gradebook_moodle_and_canvas_layouts(files: tuple[Path, Path]) -> None:
    report, roster = files
    moodle, _ = gradebook.write_gradebook(report, "moodle", roster=roster)
    assert _rows(moodle)[:2] == [
        ["ID number", "Full name", "Email address", "sigmoid-derivative", "softmax-jacobian", "Total"],
        ["s1", "Ada Lovelace", "ada@example.org", "1", "1", "2"],
    ]
    canvas, _ = gradebook.write_gradebook(report, "canvas", roster=roster, out=report.with_name("canvas.csv"))
    rows = _rows(canvas)
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "sigmoid-derivative",
        "softmax-jacobian",
        "Final Points",
    ]
    assert rows[1] == ["    Points Possible", "", "", "", "", "1", "1", "(read only)"]
    assert rows[2:4] == [
        ["Ada Lovelace", "", "s1", "", "A", "1", "1", "2"],
        ["Carl Gauss", "", "s2", "", "B", "", "0", ""],
    ]
    assert len(rows) == 2 + 4


def test_lms_gradebook_without_roster_lists_who_submitted(files: tuple[Path, Path]) -> None:
    report, _ = files
    _, book = gradebook.write_gradebook(report, "csv")
    assert [s.id for s in book.students] == ["s1", "s2", "=cmd"]
    with pytest.raises(InputError, match="Unknown gradebook format 'xls'"):
        gradebook.write_gradebook(report, "xls")
    report.write_text("id,answer\ns1,1\n")
    with pytest.raises(InputError, match="lacks the column"):
        gradebook.write_gradebook(report, "csv")


@pytest.mark.slow
def test_lms_gradebook_from_the_grade_command(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "class.csv").write_text("id,name\ns1,Ada\ns2,Carl\n", encoding="utf-8")
    (tmp_path / "answers.csv").write_text(
        "id,derivation,answer,seed\ns1,tanh-derivative,1-\\tanh(x)^2,\n", encoding="utf-8"
    )
    out = tmp_path / "report.csv"
    result = runner.invoke(
        main,
        [
            "grade",
            str(tmp_path / "answers.csv"),
            "--roster",
            str(tmp_path / "class.csv"),
            "--out",
            str(out),
            "--gradebook",
            "canvas",
            "--gradebook",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {tmp_path / 'report-canvas-gradebook.csv'} (2 students, 1 problems)." in result.output
    rows = _rows(tmp_path / "report-csv-gradebook.csv")
    assert rows[1][:2] == ["s1", "Ada"] and rows[2] == ["s2", "Carl", "0", "0", ""]
