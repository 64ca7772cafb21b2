"""The Gradescope autograder: its zip (setup.sh, run_autograder, the wheel), the answers-file reader, and a run end
to end in a folder standing in for /autograder on a right, a wrong and a malformed submission."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sympy as sp

import symwork
from symwork.publish import exporting
from symwork.publish.lms import autograder, gradescope, variants
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed

#: Keys Gradescope's results.json accepts (gradescope-autograders.readthedocs.io, "Autograder Specifications").
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format", "visibility",
            "stdout_visibility", "extra_data", "tests", "leaderboard"}  # fmt: skip
TEST_KEYS = {
    "score",
    "max_score",
    "status",
    "name",
    "name_format",
    "number",
    "output",
    "output_format",
    "tags",
    "visibility",
    "extra_data",
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
PROBLEMS = ["sigmoid-derivative", "softmax-jacobian"]
STUDENTS = (
    SimpleNamespace(id="s1", name="Ada", slug="s1", extra=(("email", "ada@example.org"),)),
    SimpleNamespace(id="s2", name="Carl", slug="s2", extra=()),
)


def check_results(results: dict[str, Any]) -> None:
    """results.json as Gradescope's specification has it."""
    assert set(results) <= TOP_KEYS and isinstance(results["tests"], list)
    assert results["visibility"] in VISIBILITY and results["stdout_visibility"] in VISIBILITY
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS
        assert (
            isinstance(test["score"], float)
            and isinstance(test["max_score"], float)
            and 0 <= test["score"] <= test["max_score"]
        )
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
        assert isinstance(test["output"], str) and test["output"]
    assert results["score"] == sum(t["score"] for t in results["tests"])


def _request(**options: Any) -> variants.Request:
    return variants.Request(tuple(symwork.get(i) for i in PROBLEMS), "Week 3", macros=exporting.macros(), **options)


def _answer(derivation_id: str, student_id: str) -> str:
    seed = problem_seed(student_seed(DEFAULT_COURSE, student_id), derivation_id)
    value = symwork.get(derivation_id).make_exercise(seed).answer
    return sp.sstr(value.tolist() if isinstance(value, sp.MatrixBase) else value)


def test_lms_gradescope_answers_file_is_read_line_by_line() -> None:
    text = "\ufeff# mine\n\nSigmoid-Derivative: 2/9\nsoftmax-jacobian: [[1, 2],\n   [3, 4]]\nfoo: 3\nvariant: 2\nsigmoid-derivative: 1/9\n"
    parsed = autograder.parse_answers(text.lstrip("\ufeff"), PROBLEMS)
    assert parsed.answers == {"sigmoid-derivative": (8, "1/9"), "softmax-jacobian": (4, "[[1, 2], [3, 4]]")}
    assert parsed.variant == "2"
    assert parsed.problems == [
        "line 6: 'foo: 3' does not start with a problem id and a colon; the ids are sigmoid-derivative, softmax-jacobian (indent a line to continue the answer above).",
        "line 8: sigmoid-derivative is answered again; the last answer counts.",
    ]


def test_lms_gradescope_submission_file_is_found_or_refused(tmp_path: Path) -> None:
    folder = tmp_path / "submission"
    folder.mkdir()
    assert autograder.read_submission(folder) == (
        None,
        "Submit one text file named answers.txt; the submission holds nothing.",
    )
    (folder / "notes.md").write_text("x")
    (folder / "Answers.TXT").write_text("sigmoid-derivative: 1\n")
    assert autograder.read_submission(folder) == ("sigmoid-derivative: 1\n", "Answers.TXT")
    (folder / "Answers.TXT").write_bytes(b"\xff\xfe bad")
    assert autograder.read_submission(folder)[1] == "Answers.TXT is not UTF-8 text; save it as plain UTF-8 text."
    (folder / "Answers.TXT").write_bytes(b"x" * (autograder.MAX_BYTES + 1))
    assert "more than 200,000" in autograder.read_submission(folder)[1]


def test_lms_gradescope_variant_comes_from_the_roster_or_the_file() -> None:
    roster = {
        "mode": "roster",
        "course": "C",
        "students": [{"id": "s1", "email": "Ada@Example.org"}, {"id": "s2", "email": ""}],
    }
    empty = autograder.Parsed()
    assert autograder.sheet_seed(roster, empty, {"users": [{"email": "ada@example.org"}]}) == (
        student_seed("C", "s1"),
        "Variant of s1.",
    )
    assert autograder.sheet_seed(roster, empty, {"users": [{"email": "x@y", "sid": "s2"}]})[0] == student_seed(
        "C", "s2"
    )
    seed, why = autograder.sheet_seed(roster, empty, {"users": [{"email": "eve@example.org"}]})
    assert seed is None and "(eve@example.org) is not on the roster" in why
    numbered = {"mode": "variants", "variants": 3, "seed": 10}
    assert autograder.sheet_seed(numbered, autograder.Parsed(variant="3"), {}) == (12, "Variant 3.")
    assert autograder.sheet_seed(numbered, autograder.Parsed(variant="4"), {})[0] is None
    assert autograder.sheet_seed({"mode": "seed", "seed": 5}, empty, {}) == (5, "Variant with seed 5.")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A symwork wheel built from this checkout, as `symwork export --to gradescope` builds it (needs pip and
    PyPI for the build backend); SYMWORK_TEST_WHEEL names a prebuilt one instead."""
    given = os.environ.get("SYMWORK_TEST_WHEEL")
    if given:
        return gradescope.checked_wheel(Path(given))
    return gradescope.build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def autograder_zip(wheel: Path) -> bytes:
    return gradescope.autograder(_request(students=STUDENTS, wheel=wheel)).data


@pytest.mark.slow
def test_lms_gradescope_zip_holds_the_scripts_the_wheel_and_the_config(
    autograder_zip: bytes, wheel: Path, tmp_path: Path
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(autograder_zip))
    names = archive.namelist()
    assert names[:5] == ["setup.sh", "run_autograder", "symwork_autograder.py", "autograder.json", "answers.txt"]
    assert names[5] == wheel.name and archive.read(wheel.name) == wheel.read_bytes()
    for script in ("setup.sh", "run_autograder"):
        assert (archive.getinfo(script).external_attr >> 16) & 0o111, f"{script} must be executable"
        assert archive.read(script).startswith(b"#!/usr/bin/env bash\n")
        (tmp_path / script).write_bytes(archive.read(script))
        assert subprocess.run(["bash", "-n", str(tmp_path / script)]).returncode == 0
    assert wheel.name.encode() in archive.read("setup.sh")
    config = json.loads(archive.read("autograder.json"))
    assert config["mode"] == "roster" and [p["id"] for p in config["problems"]] == PROBLEMS
    assert config["students"] == [{"id": "s1", "email": "ada@example.org"}, {"id": "s2", "email": ""}]
    assert archive.read("answers.txt").decode().splitlines()[-2:] == ["sigmoid-derivative: ", "softmax-jacobian: "]
    assert gradescope.autograder(_request(students=STUDENTS, wheel=wheel)).data == autograder_zip  # reproducible


@pytest.fixture(scope="module")
def installed(autograder_zip: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder standing in for /autograder: source/ unpacked from the zip, the wheel installed into site/."""
    root = tmp_path_factory.mktemp("autograder")
    zipfile.ZipFile(io.BytesIO(autograder_zip)).extractall(root / "source")
    wheel = next((root / "source").glob("symwork-*.whl"))
    pip = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--target",
        str(root / "site"),
        str(wheel),
    ]
    subprocess.run(pip, check=True, capture_output=True)
    return root


def _run(
    root: Path, submission: str | None, metadata: dict[str, Any], *, python: str = sys.executable
) -> dict[str, Any]:
    for old in (root / "submission").glob("*"):
        old.unlink()
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "results.json").unlink(missing_ok=True)
    if submission is not None:
        (root / "submission" / "answers.txt").write_text(submission, encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    # The wheel's copy of symwork comes first on the path, and the working directory is the root, as on Gradescope.
    env = {
        **os.environ,
        "SYMWORK_AUTOGRADER_ROOT": str(root),
        "SYMWORK_AUTOGRADER_PYTHON": python,
        "PYTHONPATH": str(root / "site"),
    }
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
    if python == sys.executable:
        assert f"symwork from {root / 'site' / 'symwork'}" in done.stdout, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    check_results(results)
    return results


@pytest.mark.slow
def test_lms_gradescope_end_to_end_right_wrong_and_malformed(installed: Path) -> None:
    ada = {"users": [{"email": "ada@example.org", "id": 1, "name": "Ada"}]}
    right = "".join(f"{pid}: {_answer(pid, 's1')}\n" for pid in PROBLEMS)
    results = _run(installed, right, ada)
    assert results["score"] == 2.0 and results["output"] == "Variant of s1."
    assert [(t["name"], t["status"], t["max_score"]) for t in results["tests"]] == [
        ("1. Derivative of the sigmoid (sigmoid-derivative)", "passed", 1.0),
        ("2. Jacobian of the softmax (softmax-jacobian)", "passed", 1.0),
    ]
    assert all(t["output"].startswith(f"line {n}: correct") for n, t in enumerate(results["tests"], start=1))

    # Carl's answers are right for Carl, not for Ada: the variant is Ada's (from Gradescope's metadata).
    wrong = f"sigmoid-derivative: {_answer('sigmoid-derivative', 's1')}\nsoftmax-jacobian: {_answer('softmax-jacobian', 's2')}\n"
    results = _run(installed, wrong, ada)
    assert results["score"] == 1.0
    second = results["tests"][1]
    assert second["status"] == "failed" and second["score"] == 0.0
    assert (
        second["output"].startswith("line 2: not correct\n  Not equal: entry (1, 1): ")
        and "(expected)" in second["output"]
    )

    malformed = "sigmoid-derivative: (((\nthis line is not an answer\n"
    results = _run(installed, malformed, ada)
    assert results["score"] == 0.0
    assert (
        results["output"]
        .splitlines()[1]
        .startswith("line 2: 'this line is not an answer' does not start with a problem id")
    )
    first, second = results["tests"]
    assert first["output"].startswith("line 1: error: ") and "(((" in first["output"]
    assert second["output"] == "No answer: add a line 'softmax-jacobian: your answer' to answers.txt."

    stranger = _run(installed, right, {"users": [{"email": "eve@example.org", "name": "Eve"}]})
    assert stranger["score"] == 0.0 and all(
        t["output"].startswith("Not checked: This submission's student (eve@example.org)") for t in stranger["tests"]
    )


@pytest.mark.slow
def test_lms_gradescope_run_autograder_reports_a_python_that_cannot_start(installed: Path) -> None:
    results = _run(installed, "sigmoid-derivative: 1\n", {}, python="/nonexistent/python3")
    assert results == {
        "score": 0.0,
        "output": "The autograder could not start; your lecturer can see the details.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


@pytest.mark.slow
def test_lms_gradescope_setup_installs_the_wheel_into_a_venv(installed: Path, tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    for item in (installed / "source").iterdir():
        (root / "source" / item.name).write_bytes(item.read_bytes())
    # Offline here: no dependencies from PyPI and no build-time self-check; the wheel itself is installed.
    env = {
        **os.environ,
        "SYMWORK_AUTOGRADER_ROOT": str(root),
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "SYMWORK_AUTOGRADER_SMOKE": "0",
    }
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    python = root / "venv" / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import symwork.seeds as s; print(s.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    assert where.returncode == 0 and where.stdout.startswith(str(root / "venv")), where.stdout + where.stderr
