"""Tests of symwork.grading: robust CSV reading, one report row per input row, determinism, executors."""

from __future__ import annotations

import csv
import io
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from symwork import get
from symwork.classroom.grading import grade_file
from symwork.classroom.records import Record, read_records
from symwork.classroom.report import summary_path
from symwork.errors import InputError
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed

GOOD = "attention-scaling"
ANSWER = str(get(GOOD).make_exercise(0).answer)  # a fraction such as 14/3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\n1,2\n", [Record(1, ("a", "b")), Record(2, ("1", "2"))]),
        ("a,b\r\n1,2\r\n", [Record(1, ("a", "b")), Record(2, ("1", "2"))]),
        ('a,"x\ny"\n3,4\n', [Record(1, ("a", "x\ny")), Record(3, ("3", "4"))]),
        ('a,"say ""hi"""\n', [Record(1, ("a", 'say "hi"'))]),
        ('a,f("x")\n', [Record(1, ("a", 'f("x")'))]),
        ('a,"open\nb,c\n', [Record(1, None, "it has an unterminated quote", ("a",)), Record(2, ("b", "c"))]),
        (
            'a,"x"y\nb,c\n',
            [
                Record(1, None, "it has an unmatched quote; double quotes inside a quoted field", ("a", "x")),
                Record(2, ("b", "c")),
            ],
        ),
        ("\n\na,b\n\n", [Record(3, ("a", "b"))]),
        ("a,b", [Record(1, ("a", "b"))]),
    ],
)
def test_read_records_never_drops_a_line(text: str, expected: list[Record]) -> None:
    assert list(read_records(text)) == expected


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


MALFORMED = (
    "\ufeffid,derivation,answer,seed\n"
    f"s1,{GOOD},{ANSWER},0\n"
    f"s2,{GOOD},-{ANSWER},0\n"
    f's3,{GOOD},"unterminated,0\n'
    f"s4,{GOOD},{'x' * 200_000},0\n"
    f"s5,{GOOD},4\x009/12,0\n"
    f"s6,{GOOD},x +,0\n"
    f"s7,{GOOD},9^9^9,0\n"
    f"s8,no-such-derivation,1,0\n"
    f"s9,{GOOD},1,not-a-seed\n"
    f"=cmd(),{GOOD},{ANSWER},0,extra\n"
    f"s11,{GOOD},\"__import__('os').system('touch marker')\",0\n"
)

EXPECTED = [
    ("s1", "ok", "correct", "Correct."),
    ("s2", "ok", "incorrect", "Close: your answer has the opposite sign (a sign error)."),
    ("s3", "rejected", "undecided", "CSV line 4: it has an unterminated quote."),
    ("s4", "rejected", "undecided", "CSV line 5: a field has 200,000 characters, more than the limit of 20,000."),
    ("s5", "rejected", "undecided", "CSV line 6: it contains a NUL byte."),
    ("s6", "parse_error", "incorrect", "The expression 'x +' ends too early; check for a missing operand or bracket."),
    ("s7", "rejected", "incorrect", None),
    ("s8", "rejected", "undecided", None),
    ("s9", "rejected", "undecided", "CSV line 10: the seed 'not-a-seed' is not a whole number from 0 to 2**63 - 1."),
    (
        "'=cmd()",
        "rejected",
        "undecided",
        "CSV line 11: it has 5 fields but the header has 4; quote fields that contain commas.",
    ),
    ("s11", "parse_error", "incorrect", None),
]


@pytest.fixture(scope="module")
def malformed_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("grade")
    submissions = folder / "submissions.csv"
    submissions.write_bytes(MALFORMED.encode("utf-8"))
    out = folder / "report.csv"
    grade_file(submissions, roster=None, out=out, jobs=2)
    return submissions, out


def test_grade_file_gives_one_row_per_input_row(malformed_report: tuple[Path, Path]) -> None:
    _, out = malformed_report
    rows = _rows(out)
    assert [(r["id"], r["status"], r["verdict"]) for r in rows] == [e[:3] for e in EXPECTED]
    for row, (_, _, _, feedback) in zip(rows, EXPECTED, strict=True):
        if feedback is not None:
            assert row["feedback"] == feedback
    assert not Path("marker").exists()


def test_grade_file_is_deterministic(malformed_report: tuple[Path, Path], tmp_path: Path) -> None:
    submissions, out = malformed_report
    again = tmp_path / "again.csv"
    grade_file(submissions, roster=None, out=again, executor=ThreadPoolExecutor(max_workers=1))
    assert again.read_bytes() == out.read_bytes()
    assert summary_path(again).read_bytes() == summary_path(out).read_bytes()


def test_grade_file_writes_summary_per_derivation(malformed_report: tuple[Path, Path]) -> None:
    _, out = malformed_report
    summary = {row["derivation"]: row for row in _rows(summary_path(out))}
    good = summary[GOOD]
    assert (good["rows"], good["correct"], good["share_correct"]) == ("10", "1", "0.100")
    assert (good["wrong_answer_1"], good["count_1"]) == (f"'-{ANSWER}", "1")


def test_grade_file_takes_seeds_from_roster(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nalice,Alice A\nbob,Bob B\n", encoding="utf-8")
    submissions = tmp_path / "submissions.csv"
    submissions.write_text(f"id,derivation,answer\nalice,{GOOD},1\nbob,{GOOD},2\ncarol,{GOOD},3\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    grade_file(submissions, roster=roster, out=out, jobs=1)
    rows = _rows(out)
    expected = [str(problem_seed(student_seed(DEFAULT_COURSE, s), GOOD)) for s in ("alice", "bob")]
    assert [r["seed"] for r in rows] == [*expected, ""]
    assert rows[2]["feedback"] == "CSV line 4: the id 'carol' is not in the roster."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no readable header"),
        ("id,answer\ns1,1\n", "lacks derivation"),
    ],
)
def test_grade_file_refuses_unusable_header(tmp_path: Path, content: str, message: str) -> None:
    submissions = tmp_path / "submissions.csv"
    submissions.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        grade_file(submissions, roster=None, out=tmp_path / "report.csv")


@pytest.mark.parametrize("processes", [False, True])
def test_grade_file_on_dask_matches_local_run(
    malformed_report: tuple[Path, Path], tmp_path: Path, processes: bool
) -> None:
    distributed = pytest.importorskip("distributed")
    submissions, out = malformed_report
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=processes,
        host="127.0.0.1",
        protocol="tcp://",
        dashboard_address=None,
    ) as cluster:
        dask_out = tmp_path / "dask.csv"
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        grade_file(submissions, roster=None, out=dask_out, executor=address)
    assert dask_out.read_bytes() == out.read_bytes()


def test_grade_file_reads_block_by_block_with_the_same_report(
    malformed_report: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seven-byte blocks put a block boundary inside every field, quote and line end of the malformed file.
    from symwork.classroom import records

    submissions, out = malformed_report
    monkeypatch.setattr(records, "BLOCK_BYTES", 7)
    small = tmp_path / "small-blocks.csv"
    grade_file(submissions, roster=None, out=small, jobs=2)
    assert small.read_bytes() == out.read_bytes()


def test_grade_file_checks_each_distinct_answer_once_across_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from symwork.classroom import grading

    monkeypatch.setattr(grading, "WINDOW_ROWS", 3)  # many windows, two in flight
    sent: list[int] = []
    real = grading.submit_chunks

    def counting(tasks, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(len(tasks))
        return real(tasks, *args, **kwargs)

    monkeypatch.setattr(grading, "submit_chunks", counting)
    submissions = tmp_path / "submissions.csv"
    rows = [f"s{k},{GOOD},{ANSWER if k % 2 else '1'}" for k in range(12)]
    submissions.write_text("id,derivation,answer,seed\n" + "".join(f"{row},0\n" for row in rows), encoding="utf-8")
    report = grade_file(submissions, roster=None, out=tmp_path / "report.csv", jobs=1)
    assert sum(sent) == 2  # the right answer and the wrong one, each checked once
    assert [r["verdict"] for r in _rows(tmp_path / "report.csv")] == ["incorrect", "correct"] * 6
    assert len(report.rows) == 12 and report.statuses == {"ok": 12} and report.verdicts == {"correct": 6, "incorrect": 6}
    assert [r.verdict for r in report.rows] == ["incorrect", "correct"] * 6


def test_grade_chunks_keep_each_variant_in_one_chunk() -> None:
    # Each chunk warms its worker with the reference answers of its variants: a variant split over two
    # chunks (which two workers may take) would be built twice. Only a variant larger than a chunk is split.
    from symwork.classroom.plan import Task
    from symwork.classroom.run import MAX_CHUNK, _chunks

    rng = random.Random(3)
    tasks = [Task(k, f"d{rng.randrange(7)}", rng.randrange(40), f"a{k}") for k in range(3000)]
    tasks += [Task(3000 + k, "big", 1, f"b{k}") for k in range(3 * MAX_CHUNK)]
    chunks = _chunks(tasks, capacity=2)
    assert sorted(t.index for chunk in chunks for t in chunk) == list(range(len(tasks)))
    assert max(len(chunk) for chunk in chunks) <= MAX_CHUNK
    homes: dict[tuple[str, int | None], set[int]] = {}
    for number, chunk in enumerate(chunks):
        for task in chunk:
            homes.setdefault((task.derivation, task.seed), set()).add(number)
    assert {key for key, found in homes.items() if len(found) > 1} == {("big", 1)}


def test_grade_chunks_keep_each_derivation_with_one_worker_largest_first() -> None:
    # A worker prepares each derivation it sees (tens of ms) and, with two workers, rows of one derivation
    # in two chunks may be prepared twice: a derivation that fits in a chunk is in exactly one.
    from symwork.classroom.plan import Task
    from symwork.classroom.run import MAX_CHUNK, _chunks

    rng = random.Random(5)
    sizes = {f"d{k}": rng.randrange(1, MAX_CHUNK) for k in range(40)}
    tasks = [Task(n, d, rng.randrange(20), f"a{n}") for n, d in enumerate(d for d, size in sizes.items() for _ in range(size))]
    chunks = _chunks(tasks, capacity=2)
    assert sorted(t.index for chunk in chunks for t in chunk) == list(range(len(tasks)))
    homes: dict[str, set[int]] = {}
    for number, chunk in enumerate(chunks):
        for task in chunk:
            homes.setdefault(task.derivation, set()).add(number)
    assert all(len(found) == 1 for found in homes.values())
    assert [len(chunk) for chunk in chunks] == sorted((len(chunk) for chunk in chunks), reverse=True)
    assert _chunks(list(reversed(tasks)), capacity=2) == chunks  # deterministic whatever the input order


def test_grade_reference_is_the_exercise_answer_and_tidied_once_per_structure() -> None:
    # Grading builds only the variant's answer (not its parts): the same value, structure for structure.
    import sympy as sp

    from symwork import derivations
    from symwork.core import instances
    from symwork.core.exercises import exercise_result

    for derivation in derivations():
        if derivation.exercise is None:
            continue
        seed = problem_seed(3, derivation.id)
        assert sp.srepr(exercise_result(derivation, seed)) == sp.srepr(derivation.make_exercise(seed).answer)
    # The memo of tidied constants is keyed by structure: 2.0 and 2 are different constants, kept apart.
    exact, floating = sp.sqrt(2) + sp.Integer(2), sp.sqrt(2) + sp.Float(2.0)
    assert sp.srepr(instances.tidy_all(exact)) == sp.srepr(sp.simplify(exact))
    assert instances.tidy_all(floating).has(sp.Float) and not instances.tidy_all(exact).has(sp.Float)


def test_grade_command_forks_its_workers_with_the_library_loaded() -> None:
    # A fork server runs with the preload of whoever starts it first: the CLI must leave it to grade_file.
    from symwork.cli.app import FORK_SERVER_COMMANDS, SANDBOXED_COMMANDS

    assert "grade" in SANDBOXED_COMMANDS and "grade" not in FORK_SERVER_COMMANDS
