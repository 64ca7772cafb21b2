"""Attacks on the files symwork writes: formula injection, colliding folders, stale folders, modes, interrupted builds."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symwork.classroom.grading import grade_file
from symwork.classroom.roster import folder_name, load_roster
from symwork.cli import main
from symwork.files import FORMULA_STARTS, atomic_writer, safe_cell, unsafe_cell, write_atomic
from symwork.publish import build as builder

needs_tex = pytest.mark.skipif(not builder.tex_available(), reason="TeX Live is not installed")

HOSTILE_IDS = (
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTab",
    "\rCR",
    "Zoë",
    "Zo-c6a12698",
    "../../x/pwn",
    "x-pwn-cff76066",
    "S001",
    "s001",
    "con",
    "李雷",
)


def _csv_cells(path: Path) -> Iterator[str]:
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
        yield from row


@pytest.fixture
def week(tmp_path: Path) -> str:
    """A small worksheet (a scalar and a matrix answer): builds in seconds."""
    sheet = tmp_path / "week.toml"
    sheet.write_text('title = "W"\nderivations = ["sigmoid-derivative", "quadratic-form-gradient"]\n', encoding="utf-8")
    return str(sheet)


def _roster(folder: Path, ids: tuple[str, ...] = HOSTILE_IDS) -> Path:
    roster = folder / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "name"])
        writer.writerows([student_id, f"={student_id} name"] for student_id in ids)
    return roster


# --- formula injection: every CSV symwork writes --------------------------------------------------------


def test_adversarial_formula_injection_is_defused_in_every_csv_symwork_writes(
    tmp_path: Path, runner: CliRunner, week: str
) -> None:
    roster = _roster(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["build", week, "--roster", str(roster), "--out", str(out), "--no-pdf", "--only", "key"]
    )
    assert result.exit_code == 0, result.output
    key_csv = out / "week" / "key.csv"
    submissions = tmp_path / "answers.csv"
    shutil.copy(key_csv, submissions)
    with submissions.open("a", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["=1+1", "n", "0", "=HYPERLINK(1)", "0", "-x+@1", ""])
        writer.writerow(["@SUM(1)", "n", "0", "sigmoid-derivative", "0", "=1+2", ""])
        writer.writerow(["\tx", "n", "0", "+cmd", "0", "\r1", ""])
    report = tmp_path / "report.csv"
    args = ["grade", str(submissions), "--out", str(report), "--gradebook", "csv", "--gradebook", "moodle"]
    graded = runner.invoke(main, args)
    assert graded.exit_code == 0, graded.output
    written = [key_csv, report, *sorted(tmp_path.glob("report-*.csv"))]
    assert len(written) >= 4
    for path in written:
        bad = [cell for cell in _csv_cells(path) if cell[:1] in FORMULA_STARTS]
        assert bad == [], f"{path.name}: {bad[:5]}"
    # What was defused reads back as it was: the key's ids are the roster's.
    key_ids = {unsafe_cell(row["id"]) for row in csv.DictReader(io.StringIO(key_csv.read_text(encoding="utf-8")))}
    assert key_ids == {student_id.strip() for student_id in HOSTILE_IDS}  # a roster's ids are read stripped


@given(st.text(max_size=20))
def test_adversarial_safe_cell_round_trips_and_never_starts_a_formula(text: str) -> None:
    assert safe_cell(text)[:1] not in FORMULA_STARTS
    assert unsafe_cell(safe_cell(text)) == text or text.startswith("'")


# --- student folders: injective, case-insensitive-safe, with a manifest and stale folders found -----------


@settings(max_examples=300)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=8, unique=True))
def test_adversarial_folder_names_are_injective_even_ignoring_case(ids: list[str]) -> None:
    folders = [folder_name(student_id) for student_id in ids]
    assert len({f.lower() for f in folders}) == len(ids)
    assert all(f not in {".", ".."} and "/" not in f and "\\" not in f for f in folders)


def test_adversarial_colliding_ids_get_one_folder_each(tmp_path: Path, runner: CliRunner, week: str) -> None:
    roster = _roster(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", week, "--roster", str(roster), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    students = out / "week" / "students"
    folders = sorted(p.name for p in students.iterdir() if p.is_dir())
    assert len(folders) == len(HOSTILE_IDS) and len({f.lower() for f in folders}) == len(HOSTILE_IDS)
    assert not (tmp_path / "x").exists()  # ../../x/pwn stayed inside
    manifest = json.loads((students / "manifest.json").read_text(encoding="utf-8"))
    assert [(m["id"], m["folder"]) for m in manifest] == [(i.strip(), folder_name(i.strip())) for i in HOSTILE_IDS]
    for entry in manifest:
        assert (students / entry["folder"] / "student.tex").is_file()
    assert {"s001", "con"} & set(folders) == {"s001"}  # a name Windows reserves gets a hashed folder


def test_adversarial_roster_ids_that_would_share_a_folder_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import symwork.classroom.roster as roster_module

    monkeypatch.setattr(roster_module, "folder_name", lambda student_id: student_id.lower())
    roster = _roster(tmp_path, ("Ada", "ada"))
    with pytest.raises(roster_module.InputError, match="would share a folder with 'Ada'"):
        load_roster(roster)


def test_adversarial_stale_student_folders_are_reported_then_pruned(
    tmp_path: Path, runner: CliRunner, week: str
) -> None:
    out = tmp_path / "out"
    first = _roster(tmp_path, ("ada", "bob", "cy"))
    base = ["build", week, "--out", str(out), "--no-pdf", "--only", "student"]
    assert runner.invoke(main, [*base, "--roster", str(first)]).exit_code == 0
    students = out / "week" / "students"
    (students / "cy" / "notes.txt").write_text("the TA's notes")
    second = _roster(tmp_path, ("ada",))
    result = runner.invoke(main, [*base, "--roster", str(second)])
    assert result.exit_code == 0, result.output
    assert (
        f"1 folder(s) in {students} belong to no student of this roster (bob); --prune removes them." in result.output
    )
    assert "kept 1 folder(s) of students not in the roster that hold other files: cy." in result.output
    assert (students / "bob").is_dir()
    pruned = runner.invoke(main, [*base, "--roster", str(second), "--prune"])
    assert pruned.exit_code == 0, pruned.output
    assert "removed 1 folder(s) of students not in the roster: bob." in pruned.output
    assert not (students / "bob").exists() and (students / "cy" / "notes.txt").is_file() and (students / "ada").is_dir()


# --- build options that used to be ignored or crash --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "3"], "--seed does not apply with --roster"),
        (["--seed", "0"], "--seed does not apply with --roster"),
    ],
)
def test_adversarial_seed_with_roster_is_an_error(
    tmp_path: Path, runner: CliRunner, week: str, args: list[str], message: str
) -> None:
    roster = _roster(tmp_path, ("ada",))
    result = runner.invoke(
        main, ["build", week, "--roster", str(roster), "--out", str(tmp_path / "o"), "--no-pdf", *args]
    )
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_adversarial_prune_without_roster_is_an_error(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "calculus", "--prune", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 2 and "--prune needs --roster" in result.output


def test_adversarial_key_never_overwrites_the_roster(tmp_path: Path, runner: CliRunner, week: str) -> None:
    roster = tmp_path / "out" / "week" / "key.csv"
    roster.parent.mkdir(parents=True)
    roster.write_text("id,name\nada,Ada\n", encoding="utf-8")
    result = runner.invoke(main, ["build", week, "--roster", str(roster), "--out", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 2 and "would overwrite" in result.output
    assert roster.read_text(encoding="utf-8") == "id,name\nada,Ada\n"


@pytest.mark.parametrize(
    ("content", "message", "times"),
    [
        ('derivations = ["sigmoid-derivative", "tanh-derivative", "sigmoid-derivative"]', "is listed twice", 1),
        ('derivations = ["sigmoid-derivative", "no-such-derivation"]', "no-such-derivation", 1),
    ],
)
def test_adversarial_toml_derivation_twice_or_unknown_is_one_message(
    tmp_path: Path, runner: CliRunner, content: str, message: str, times: int
) -> None:
    sheet = tmp_path / "week.toml"
    sheet.write_text(f'title = "W"\n{content}\n', encoding="utf-8")
    result = runner.invoke(main, ["build", str(sheet), "--out", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 2 and result.output.count(message) == times, result.output
    assert "Traceback" not in result.output


def test_adversarial_folder_named_like_a_toml_is_one_sentence(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "dir.toml").mkdir()
    result = runner.invoke(main, ["build", str(tmp_path / "dir.toml"), "--out", str(tmp_path / "o"), "--no-pdf"])
    assert result.exit_code == 2 and "is a folder; give a .toml file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_adversarial_build_table_names_each_student_and_keeps_paths_whole(tmp_path: Path, week: str) -> None:
    roster = _roster(tmp_path, ("ada", "[bold]mallory[/bold]", "@SUM(1)"))
    out = tmp_path / "a-rather-long-output-folder-name" / "and-deeper"
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "symwork", "build", week, "--roster", str(roster), "--out", str(out), "--no-pdf", "--only", "key"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line.split("│")[1:-1] for line in result.stderr.splitlines() if line.startswith("│")]
    # A long cell folds onto the next lines of its own column: each column, read down, holds its texts whole.
    students, files = ("".join(cells[k].strip() for cells in rows) for k in (1, -1))
    for student_id in ("ada", "[bold]mallory[/bold]", "@SUM(1)"):
        assert f"{student_id}={student_id}name" in students.replace(" ", "")
        assert str(out / "week" / "students" / folder_name(student_id) / "key.tex") in files
    assert "…" not in result.stderr


# --- modes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_adversarial_new_files_follow_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "a.pdf", b"%PDF")
        with atomic_writer(tmp_path / "b.csv") as stream:
            stream.write("id\n")
    finally:
        os.umask(previous)
    for name in ("a.pdf", "b.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask


def test_adversarial_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    for name, mode in (("key.pdf", 0o644), ("report.csv", 0o640), ("shared.csv", 0o664)):
        path = tmp_path / name
        path.write_bytes(b"old")
        path.chmod(mode)
        previous = os.umask(0o077)
        try:
            write_atomic(path, b"new")
        finally:
            os.umask(previous)
        assert stat.S_IMODE(path.stat().st_mode) == mode and path.read_bytes() == b"new"


def test_adversarial_failed_streamed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), atomic_writer(path) as stream:
        stream.write("half a rep")
        raise KeyboardInterrupt
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_adversarial_interrupted_grading_leaves_no_report(tmp_path: Path) -> None:
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\n" + "s1,sigmoid-derivative,x\n" * 10, encoding="utf-8")

    def interrupt(rows: int, read: int, size: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_file(submissions, roster=None, out=tmp_path / "report.csv", progress=interrupt, jobs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]


# --- Ctrl-C during a build, and the build after it -----------------------------------------------------------

WEEK = 'title = "Interrupted"\ncourse = "C"\nderivations = ["gradient-descent-quadratic", "sigmoid-derivative", "softmax-jacobian", "attention-scaling"]\n'


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _has_children(pid: int) -> bool:
    """Whether process ``pid`` has started a child (the build starts its helpers once rendering has begun)."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            return True
    return False


def _interrupt_when(
    command: list[str], cwd: Path, ready: object, timeout: float = 300.0
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in its own process group and send it Ctrl-C (SIGINT to the group, as a terminal does)."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready(process.pid) and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@needs_tex
@pytest.mark.tex
@pytest.mark.skipif(
    shutil.which("pdftotext") is None or not Path("/proc/self/stat").exists(), reason="needs pdftotext and /proc"
)
@pytest.mark.parametrize("moment", ["while rendering", "while TeX runs", "after a PDF is in place"])
def test_adversarial_interrupted_build_leaves_no_stale_cache_and_no_tex_against_its_pdf(
    tmp_path: Path, moment: str
) -> None:
    (tmp_path / "week.toml").write_text(WEEK, encoding="utf-8")
    folder = tmp_path / "out" / "week"
    build = [sys.executable, "-m", "symwork", "build", "week.toml", "--out", "out"]
    assert subprocess.run(build, cwd=tmp_path, capture_output=True, timeout=600).returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}
    ready = {
        "while rendering": _has_children,  # the figure helper starts with the first render
        "while TeX runs": lambda pid: any(folder.glob(".build-*")),
        "after a PDF is in place": lambda pid: any(
            p.stat().st_mtime_ns != before[p.name] for p in folder.glob("*.pdf")
        ),
    }[moment]
    interrupted = _interrupt_when([*build, "--seed", "7"], tmp_path, ready)
    # 130: stopped cleanly; -SIGINT: stopped before Python had started (nothing written); 0: it had finished.
    assert interrupted.returncode in (0, 130, -signal.SIGINT), interrupted.stderr
    assert "Traceback" not in interrupted.stderr and "KeyboardInterrupt" not in interrupted.stderr
    if interrupted.returncode == 130:
        assert "symwork: interrupted; every file written is complete" in interrupted.stderr
    assert not list(folder.glob(".build-*")) and not list(folder.glob(".*.tmp"))
    for version in ("student", "solutions", "key"):  # on disk, each .tex is the one its PDF was made from
        assert ("variant 7" in (folder / f"{version}.tex").read_text()) == (
            "variant 7" in _pdf_text(folder / f"{version}.pdf")
        )
    rebuilt = subprocess.run(build, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rebuilt.returncode == 0, rebuilt.stderr
    for version in ("student", "solutions", "key"):
        assert "variant 7" not in (folder / f"{version}.tex").read_text()
        assert "variant 7" not in _pdf_text(folder / f"{version}.pdf")
    again = subprocess.run(build, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert again.stderr.count("cached") == 3, again.stderr


@needs_tex
@pytest.mark.tex
@pytest.mark.skipif(shutil.which("kpsewhich") is None or shutil.which("pdftotext") is None, reason="no TeX tools")
def test_adversarial_cjk_names_print_in_cjk_fonts(tmp_path: Path) -> None:
    if (
        subprocess.run(["kpsewhich", "CJKutf8.sty", "c70gbsn.fd"], capture_output=True, text=True).stdout.count("\n")
        < 2
    ):
        pytest.skip("TeX Live's CJK fonts are not installed (Debian: latex-cjk-chinese-arphic-gbsn00lp)")
    roster = _roster(tmp_path, ("li", "chen"))
    roster.write_text("id,name\nli,李雷\nchen,陳大文\n", encoding="utf-8")
    (tmp_path / "week.toml").write_text('title = "W"\nderivations = ["sigmoid-derivative"]\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "symwork", "build", "week.toml", "--roster", "roster.csv", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for student_id, name in (("li", "李雷"), ("chen", "陳大文")):
        text = _pdf_text(tmp_path / "out" / "week" / "students" / student_id / "student.pdf")
        assert name in text.replace(" ", "") and "U+" not in text
