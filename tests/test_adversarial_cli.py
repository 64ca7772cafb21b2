"""Bad input and Ctrl-C at the command line: one sentence and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symwork.cli import main

from .conftest import USER_DERIVATION, descendants


def _symwork(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symwork", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.mark.parametrize(
    "command", [["check", "sigmoid-derivative", "x"], ["equal", "x", "x"], ["verify", "FILE"], ["grade", "FILE"]]
)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e9", "-1", "0", "soon"])
def test_adversarial_timeout_out_of_range_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: list[str], value: str
) -> None:
    file = tmp_path / "in.csv"
    file.write_text("id,derivation,answer\n", encoding="utf-8")
    args = [str(file) if part == "FILE" else part for part in command]
    result = runner.invoke(main, [*args, "--timeout", value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--timeout': '{value}'" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (ValueError, OverflowError))


@pytest.mark.parametrize("jobs", ["-3", "0", "many"])
def test_adversarial_grade_jobs_out_of_range_is_a_usage_error(runner: CliRunner, tmp_path: Path, jobs: str) -> None:
    file = tmp_path / "in.csv"
    file.write_text("id,derivation,answer\n", encoding="utf-8")
    result = runner.invoke(main, ["grade", str(file), "-j", jobs])
    assert result.exit_code == 2 and "Invalid value for '--jobs' / '-j'" in result.output


def test_adversarial_grade_help_offers_only_executors_that_work(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["grade", "--help"]).output.split())
    assert "'local'" in text and "dask://HOST:PORT" in text
    assert "process" not in text.replace("processes", "").replace("process per job", "") and "thread" not in text


def test_adversarial_exit_codes_are_documented(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["--help"]).output.split())
    assert "Exit codes: 0 done (or correct), 1 a failed build or a wrong answer, 2 bad input" in text
    assert "130 interrupted (Ctrl-C)" in text


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "mylib"
    folder.mkdir()
    (folder / "cube.py").write_text(textwrap.dedent(USER_DERIVATION.format(id="cube-from-library")))
    return folder


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "SYMWORK_LIBRARY"}


@pytest.mark.slow  # a fresh symwork process, as a user runs it
def test_adversarial_library_reaches_check(tmp_path: Path, library: Path) -> None:
    result = _symwork("--library", str(library), "check", "cube-from-library", "3x^2", cwd=tmp_path, env=_clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "correct" in result.stdout.lower()
    wrong = _symwork("--library", str(library), "check", "cube-from-library", "2x^2", cwd=tmp_path, env=_clean_env())
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr


@pytest.mark.slow  # a fresh symwork process, as a user runs it
def test_adversarial_library_reaches_grade(tmp_path: Path, library: Path) -> None:
    (tmp_path / "answers.csv").write_text("id,derivation,answer\ns1,cube-from-library,3x^2\ns2,cube-from-library,3x\n")
    result = _symwork(
        "--library",
        str(library),
        "grade",
        "answers.csv",
        "--out",
        "report.csv",
        "-j",
        "1",
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "report.csv").read_text().splitlines()
    assert lines[1].startswith("s1,cube-from-library,,ok,correct") and lines[2].startswith(
        "s2,cube-from-library,,ok,incorrect"
    )


@pytest.mark.slow  # a fresh symwork process, as a user runs it
def test_adversarial_library_reaches_verify_against(tmp_path: Path, library: Path) -> None:
    (tmp_path / "work.tex").write_text("\\begin{align*}\n\\frac{d}{dx} x^3 &= 3x^2\n\\end{align*}\n")
    result = _symwork(
        "--library",
        str(library),
        "verify",
        "work.tex",
        "--against",
        "cube-from-library",
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unknown" not in result.stdout.lower() and "No derivation" not in result.stderr


def test_adversarial_ctrl_c_during_grading_stops_cleanly(tmp_path: Path) -> None:
    # 30,000 distinct answers take half a minute or more: on a loaded machine, 3,000 could finish before the Ctrl-C.
    rows = "".join(f"s{k},sigmoid-derivative,sigma(x)*(1-sigma(x))+{k}x\n" for k in range(30_000))
    (tmp_path / "answers.csv").write_text("id,derivation,answer\n" + rows)
    # PYTHONFAULTHANDLER: if the command does not stop, SIGABRT makes it print where each thread waits.
    process = subprocess.Popen(
        [sys.executable, "-m", "symwork", "grade", "answers.csv", "--out", "report.csv", "-j", "2"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1", "SYMWORK_TRACE": "1"},
        # As from a terminal: a test runner started in the background has Ctrl-C ignored, and a command
        # started with it ignored rightly keeps ignoring it (that is how `cmd &` works).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # Wait until both sandbox workers run (the fork server and its two workers are up), then press Ctrl-C.
    # (A worker still starting when the command exits prints a BrokenPipeError: symwork.answers.sandbox's to fix.)
    while process.poll() is None and time.monotonic() < deadline and len(descendants(process.pid)) < 3:
        time.sleep(0.1)
    time.sleep(1.0)
    assert process.poll() is None, "the grading finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    started = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGABRT)
        _, stderr = process.communicate(timeout=30)
        pytest.fail(f"grade did not stop within 60 s of Ctrl-C; its threads:\n{stderr[-6000:]}")
    assert process.returncode == 130, stderr
    assert time.monotonic() - started < 15
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip().endswith(
        "symwork: interrupted; every file written is complete, and the next run redoes the rest."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]


def test_adversarial_grade_options_for_the_key_the_secret_and_the_size(runner: CliRunner, tmp_path: Path) -> None:
    from symwork.classroom.key import write_key
    from symwork.classroom.roster import Student
    from symwork.publish.worksheets import Worksheet

    sheet = Worksheet(name="w", title="W", course="Week course", ids=("sigmoid-derivative",))
    key_csv, key_json = write_key(sheet, [Student("ada", "Ada")], tmp_path)
    (tmp_path / "course.secret").write_bytes(b"x" * 32)
    base = ["grade", str(key_csv), "--key", str(key_json), "--out", str(tmp_path / "r.csv"), "-j", "1"]
    wrong = runner.invoke(main, [*base, "--course", "Other"])
    assert wrong.exit_code == 2 and "--course 'Other' disagrees with the course 'Week course'" in wrong.output
    good = runner.invoke(main, [*base, "--secret-file", str(tmp_path / "course.secret")])
    assert good.exit_code == 0, good.output
    assert "1 rows: 1 ok" in good.output
    small = runner.invoke(main, [*base, "--max-size", "0.0001"])
    assert small.exit_code == 2 and "raise it with --max-size" in small.output
    noted = runner.invoke(
        main, ["grade", str(key_csv), "--roster", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "q.csv")]
    )
    assert noted.exit_code == 2 and "pass --key OUT/WORKSHEET/key.json" in noted.output
