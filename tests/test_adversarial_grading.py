"""Attacks on grading and a lecturer's slips: choosing one's variant, the key's authority, outputs over inputs, odd files."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from symwork import get
from symwork.classroom import key as keys
from symwork.classroom.grading import grade_file
from symwork.classroom.records import iter_records, read_records, shown
from symwork.classroom.report import MAX_DISTINCT_WRONG, ReportRow, Tally
from symwork.classroom.roster import Student
from symwork.errors import InputError
from symwork.publish.worksheets import Worksheet
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed

PROBLEM = "attention-scaling"


def _answer(seed: int) -> str:
    return str(get(PROBLEM).make_exercise(seed).answer)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _roster(folder: Path, ids: tuple[str, ...] = ("s001", "s002")) -> Path:
    roster = folder / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"{i},Student {i}\n" for i in ids), encoding="utf-8")
    return roster


def test_adversarial_variant_choice_is_rejected_with_the_roster(tmp_path: Path) -> None:
    # s001 answers variant 1 (an easy one they solved) and names its seed; the roster gives them another.
    own = problem_seed(student_seed(DEFAULT_COURSE, "s001"), PROBLEM)
    chosen = problem_seed(1, PROBLEM)
    submissions = tmp_path / "answers.csv"
    submissions.write_text(
        "id,derivation,answer,seed\n"
        f"s001,{PROBLEM},{_answer(chosen)},{chosen}\n"
        f"s002,{PROBLEM},{_answer(problem_seed(student_seed(DEFAULT_COURSE, 's002'), PROBLEM))},"
        f"{problem_seed(student_seed(DEFAULT_COURSE, 's002'), PROBLEM)}\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.csv"
    grade_file(submissions, roster=_roster(tmp_path), out=out, jobs=1)
    first, second = _rows(out)
    assert (first["status"], first["verdict"]) == ("rejected", "undecided")
    assert first["feedback"] == (
        f"CSV line 2: the seed {chosen} is not this student's variant of '{PROBLEM}' ({own}, from the roster); "
        "the roster decides the variant, so remove the seed column."
    )
    assert (second["status"], second["verdict"]) == ("ok", "correct")


def test_adversarial_without_a_roster_the_seed_column_is_used(tmp_path: Path) -> None:
    seed = problem_seed(1, PROBLEM)
    submissions = tmp_path / "answers.csv"
    submissions.write_text(f"id,derivation,answer,seed\nx,{PROBLEM},{_answer(seed)},{seed}\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    grade_file(submissions, roster=None, out=out, jobs=1)
    assert _rows(out)[0]["verdict"] == "correct"


def _key(folder: Path, course: str, ids: tuple[str, ...] = ("s001", "s002")) -> tuple[Path, Path]:
    sheet = Worksheet(name="week3", title="Week 3", course=course, ids=(PROBLEM, "sigmoid-derivative"))
    return keys.write_key(sheet, [Student(i, f"Student {i}") for i in ids], folder)


def test_adversarial_key_json_is_the_one_source_of_seeds(tmp_path: Path) -> None:
    # The worksheet's own course named the variants; grading with the roster alone would use the default course.
    key_csv, key_json = _key(tmp_path, "Week 3 course")
    out = tmp_path / "report.csv"
    report = grade_file(key_csv, roster=None, key=key_json, out=out, jobs=1)
    assert {(r["status"], r["verdict"]) for r in _rows(out)} == {("ok", "correct")}
    assert report.warnings == ()
    # The roster alone, with the default course: every row's seed disagrees, so every row is rejected with
    # the reason (never a silent 0 %).
    wrong = tmp_path / "wrong.csv"
    grade_file(key_csv, roster=_roster(tmp_path), out=wrong, jobs=1)
    assert {r["status"] for r in _rows(wrong)} == {"rejected"}
    assert all("is not this student's variant" in r["feedback"] for r in _rows(wrong))


def test_adversarial_course_that_disagrees_with_the_key_is_an_error(tmp_path: Path) -> None:
    key_csv, key_json = _key(tmp_path, "Week 3 course")
    with pytest.raises(InputError, match="--course 'Other' disagrees with the course 'Week 3 course'"):
        grade_file(key_csv, roster=None, key=key_json, course="Other", out=tmp_path / "r.csv")
    grade_file(key_csv, roster=None, key=key_json, course="Week 3 course", out=tmp_path / "r.csv", jobs=1)


def test_adversarial_key_and_roster_mismatches_are_warned(tmp_path: Path) -> None:
    key_csv, key_json = _key(tmp_path, "C", ids=("s001", "s002"))
    roster = _roster(tmp_path, ids=("s001", "s003"))
    report = grade_file(key_csv, roster=roster, key=key_json, out=tmp_path / "r.csv", jobs=1)
    assert report.warnings == (
        "1 roster ids are not in the key (e.g. 's003'); the key decides.",
        "1 key ids are not in the roster (e.g. 's002'); the key decides.",
    )


def test_adversarial_edited_key_is_warned_and_a_problem_off_the_sheet_rejected(tmp_path: Path) -> None:
    key_csv, key_json = _key(tmp_path, "C")
    rows = json.loads(key_json.read_text())
    rows[0]["seed"] += 1
    key_json.write_text(json.dumps(rows))
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\ns001,softmax-jacobian,1\n", encoding="utf-8")
    report = grade_file(submissions, roster=None, key=key_json, out=tmp_path / "r.csv", jobs=1)
    assert report.warnings == (
        f"1 seed(s) in the key {str(key_json)!r} disagree with its course; was it edited? Its seeds are used.",
    )
    assert _rows(tmp_path / "r.csv")[0]["feedback"] == (
        "CSV line 2: 'softmax-jacobian' is not on this student's worksheet in the key."
    )


@pytest.mark.parametrize("which", ["submissions", "roster", "key", "summary"])
def test_adversarial_output_equal_to_an_input_is_refused(tmp_path: Path, which: str) -> None:
    key_csv, key_json = _key(tmp_path, DEFAULT_COURSE)
    roster = _roster(tmp_path)
    submissions = tmp_path / "answers.csv"
    submissions.write_bytes(key_csv.read_bytes())
    out = {
        "submissions": submissions,
        "roster": roster,
        "key": key_json,
        "summary": tmp_path / "x.csv",
    }[which]
    if which == "summary":  # --out x.csv writes x-summary.csv: that must not be an input either
        submissions = submissions.rename(tmp_path / "x-summary.csv")
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(InputError, match="is also an input"):
        grade_file(submissions, roster=roster, key=key_json, out=out)
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_adversarial_output_equal_to_an_input_through_another_spelling(tmp_path: Path) -> None:
    submissions = tmp_path / "answers.csv"
    submissions.write_text(f"id,derivation,answer\ns1,{PROBLEM},1\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError, match="is also an input"):
        grade_file(submissions, roster=None, out=tmp_path / "sub" / ".." / "answers.csv")
    (tmp_path / "link.csv").hardlink_to(submissions)
    with pytest.raises(InputError, match="is also an input"):
        grade_file(submissions, roster=None, out=tmp_path / "link.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"id;derivation;answer\ns1;x;1\n",
            "The submissions file is separated by semicolons ('id;derivation;answer'); save it as comma-separated CSV "
            "with the columns id, derivation, answer.",
        ),
        (b"id\tderivation\tanswer\ns1\tx\t1\n", "The submissions file is separated by tabs"),
        (
            "id,derivation,answer\ns1,x,1\n".encode("utf-16"),
            "is UTF-16 text; save it as UTF-8 CSV (in Excel: 'CSV UTF-8').",
        ),
        ("id,derivation,answer\ns1,x,1\n".encode("utf-16-le"), "is UTF-16 text"),
        ("id,derivation,answer\n".encode("utf-32"), "is UTF-32 text"),
    ],
)
def test_adversarial_spreadsheet_exports_get_a_precise_message(tmp_path: Path, content: bytes, message: str) -> None:
    submissions = tmp_path / "answers.csv"
    submissions.write_bytes(content)
    with pytest.raises(InputError) as raised:
        grade_file(submissions, roster=None, out=tmp_path / "report.csv")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id;name\ns1;Ada\n", "is separated by semicolons"),
        ("id,name\ns1,Ada\n".encode("utf-16"), "is UTF-16 text"),
    ],
)
def test_adversarial_roster_from_a_spreadsheet_gets_a_precise_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    from symwork.classroom.roster import load_roster

    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_roster(roster)


def test_adversarial_messages_do_not_double_backslashes(tmp_path: Path) -> None:
    assert shown(r"\frac{6}{25") == r"'\frac{6}{25'"
    assert shown("it's") == '"it\'s"'
    submissions = tmp_path / "answers.csv"
    submissions.write_text(f"id,derivation,answer,seed\ns1,{PROBLEM},1,\\frac12\n", encoding="utf-8")
    grade_file(submissions, roster=None, out=tmp_path / "r.csv", jobs=1)
    assert _rows(tmp_path / "r.csv")[0]["feedback"] == (
        "CSV line 2: the seed '\\frac12' is not a whole number from 0 to 2**63 - 1."
    )


def test_adversarial_file_over_the_size_limit_is_refused_and_the_limit_named(tmp_path: Path) -> None:
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\n" + f"s1,{PROBLEM},1\n" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"has 2\.3 MB, more than the limit of 1 MB; raise it with --max-size 3\."):
        grade_file(submissions, roster=None, out=tmp_path / "r.csv", max_bytes=1_000_000)


def test_adversarial_folder_as_submissions_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; give a CSV file"):
        grade_file(tmp_path, roster=None, out=tmp_path / "r.csv")


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_adversarial_records_read_in_pieces_equal_records_read_whole(seed: int) -> None:
    # The stream reader sees a file block by block; a record may straddle any block boundary.
    rng = random.Random(seed)
    alphabet = ["a", "b", ",", '"', "\n", "\r", "\r\n", 'x"y', '""', "\n" * 70, "abc,def"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 150)))
        cuts = sorted({rng.randrange(len(text) + 1) for _ in range(rng.randrange(0, 10))})
        pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert list(iter_records(pieces)) == list(read_records(text)), (text, pieces)


def test_adversarial_summary_of_a_flood_of_distinct_wrong_answers_is_bounded_and_keeps_the_common_one() -> None:
    tally = Tally()
    for k in range(5 * MAX_DISTINCT_WRONG):
        tally.add(ReportRow("s", PROBLEM, "", "ok", "incorrect", "", f"x+{k}"))
        if k % 3 == 0:
            tally.add(ReportRow("s", PROBLEM, "", "ok", "incorrect", "", "2x"))
    group = tally.groups[PROBLEM]
    assert len(group.wrong) <= MAX_DISTINCT_WRONG
    (common, count), *_ = tally.summary()[0].common_wrong
    exact = len(range(0, 5 * MAX_DISTINCT_WRONG, 3))
    # Misra-Gries undercounts by at most (rows) / (table size + 1).
    assert common == "2x" and exact - tally.count // (MAX_DISTINCT_WRONG + 1) <= count <= exact
    assert tally.notes() and "estimates" in tally.notes()[0]


def test_adversarial_matrix_answer_to_a_scalar_exercise_is_graded_not_crashed(tmp_path: Path) -> None:
    seed = problem_seed(0, "sigmoid-derivative")
    submissions = tmp_path / "answers.csv"
    rows = [
        f's1,sigmoid-derivative,"[[1,2],[3,4]]",{seed}',
        f's2,sigmoid-derivative,"\\begin{{pmatrix}}1\\\\2\\end{{pmatrix}}",{seed}',
        's3,sigmoid-derivative,"[[1,2],[3,4]]",',
        f's4,{PROBLEM},"[[1,2]]",{problem_seed(0, PROBLEM)}',
    ]
    submissions.write_text("id,derivation,answer,seed\n" + "\n".join(rows) + "\n", encoding="utf-8")
    grade_file(submissions, roster=None, out=tmp_path / "r.csv", jobs=1)
    got = _rows(tmp_path / "r.csv")
    assert [(r["status"], r["verdict"]) for r in got] == [("ok", "incorrect")] * 4
    assert all("shape" in r["feedback"].lower() for r in got)


def test_adversarial_key_csv_answers_grade_back_as_correct(tmp_path: Path) -> None:
    # key.csv is itself a submissions file (id, derivation, answer, seed): its answers, matrices included,
    # must read back and be judged correct.
    ids = ("quadratic-form-gradient", "softmax-jacobian", "sigmoid-derivative", PROBLEM, "gaussian-moments")
    sheet = Worksheet(name="m", title="M", ids=ids)
    key_csv, key_json = keys.write_key(sheet, [Student(f"s{k}", "S") for k in range(3)], tmp_path)
    assert all("\n" not in row["answer"] for row in _rows(key_csv))
    out = tmp_path / "report.csv"
    grade_file(key_csv, roster=None, key=key_json, out=out, jobs=2)
    assert {(r["derivation"], r["status"], r["verdict"]) for r in _rows(out)} == {(i, "ok", "correct") for i in ids}


def test_adversarial_interpolation_through_grade_fails(tmp_path: Path) -> None:
    # A student collects the points that "Not equal" reveals, then submits the right answer plus a polynomial
    # that vanishes at all of them. The points depend on the secret and on the answer's own text, so the
    # crafted answer is checked elsewhere and stays wrong.
    import re

    revealed: list[str] = []
    for k in range(8):
        submissions = tmp_path / f"probe{k}.csv"
        submissions.write_text(
            f"id,derivation,answer\ns1,sigmoid-derivative,sigma(x)*(1-sigma(x)) + {k + 1}\n", encoding="utf-8"
        )
        grade_file(
            submissions, roster=None, out=tmp_path / f"r{k}.csv", jobs=1, secret=b"the lecturer's own 32-byte secret"
        )
        found = re.search(r"x = (-?[0-9.]+)", _rows(tmp_path / f"r{k}.csv")[0]["feedback"])
        assert found is not None
        revealed.append(found.group(1))
    crafted = "sigma(x)*(1-sigma(x)) + 100" + "".join(f"*(x-({p}))" for p in revealed)
    submissions = tmp_path / "attack.csv"
    submissions.write_text(f'id,derivation,answer\ns1,sigmoid-derivative,"{crafted}"\n', encoding="utf-8")
    grade_file(
        submissions,
        roster=None,
        out=tmp_path / "attack-report.csv",
        jobs=1,
        secret=b"the lecturer's own 32-byte secret",
    )
    assert _rows(tmp_path / "attack-report.csv")[0]["verdict"] == "incorrect"


def test_adversarial_secret_keys_the_points_but_not_the_verdicts(tmp_path: Path) -> None:
    rows = "".join(f"s{k},sigmoid-derivative,sigma(x)*(1-sigma(x)) + {k}x\n" for k in range(6))
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\n" + rows, encoding="utf-8")
    reports = {}
    for name, secret in (("a", b"a" * 32), ("a2", b"a" * 32), ("b", b"b" * 32)):
        grade_file(submissions, roster=None, out=tmp_path / f"{name}.csv", jobs=1, secret=secret)
        reports[name] = (tmp_path / f"{name}.csv").read_bytes()
    assert reports["a"] == reports["a2"]  # the lecturer's secret: reproducible
    assert reports["a"] != reports["b"]  # another secret: other points
    verdicts = {name: [(r["status"], r["verdict"]) for r in _rows(tmp_path / f"{name}.csv")] for name in ("a", "b")}
    assert verdicts["a"] == verdicts["b"] == [("ok", "correct")] + [("ok", "incorrect")] * 5


def test_adversarial_secret_file_must_be_long_enough(tmp_path: Path) -> None:
    from symwork.classroom.grading import read_secret

    (tmp_path / "short.secret").write_bytes(b"abc")
    with pytest.raises(InputError, match="has 3 bytes; it needs at least 16"):
        read_secret(tmp_path / "short.secret")
    (tmp_path / "course.secret").write_bytes(bytes(range(32)))
    assert len(read_secret(tmp_path / "course.secret")) >= 16
