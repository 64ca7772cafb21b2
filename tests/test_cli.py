"""The command line: list, show, audit, exit codes and a --help that does not import SymPy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symwork.cli import main

FIRST_THREE = ["sigmoid-derivative", "softmax-jacobian", "cross-entropy-gradient"]


def test_cli_list_shows_ids_topics_titles(runner: CliRunner) -> None:
    result = runner.invoke(main, ["list"])
    assert result.exit_code == 0
    for derivation_id in FIRST_THREE:
        assert derivation_id in result.output


def test_cli_list_json_is_machine_readable(runner: CliRunner) -> None:
    result = runner.invoke(main, ["list", "--json"])
    rows = json.loads(result.output)
    assert {"id", "topic", "title"} == set(rows[0])
    assert set(FIRST_THREE) <= {row["id"] for row in rows}


def test_cli_show_formats(runner: CliRunner) -> None:
    text = runner.invoke(main, ["show", "softmax-jacobian"])
    assert text.exit_code == 0 and "Steps:" in text.output and "because" in text.output
    latex = runner.invoke(main, ["show", "softmax-jacobian", "--format", "latex"])
    assert r"\begin{align*}" in latex.output and r"\frac{\partial s_{i}}{\partial z_{j}}" in latex.output
    data = json.loads(runner.invoke(main, ["show", "softmax-jacobian", "--format", "json"]).output)
    assert data["id"] == "softmax-jacobian" and data["steps"]


def test_cli_unknown_id_is_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "softmax-jacobain"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Did you mean 'softmax-jacobian'" in result.output
    assert "Traceback" not in result.output


def test_cli_audit_passes_for_the_first_three(runner: CliRunner) -> None:
    result = runner.invoke(main, ["audit", *FIRST_THREE])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok") == 3 and "3/3 derivations verified" in result.output


def test_cli_audit_fails_on_a_wrong_step(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "wrong.py").write_text(
        "import sympy as sp\n"
        "from symwork import Body, Input, Step, derivation\n"
        "x = sp.Symbol('x')\n"
        "@derivation(id='wrong-cube', title='t', topic='calculus', question='q', inputs=[Input('x')],"
        " forward=lambda x: x**3, wrt='x', elementwise=True)\n"
        "def wrong(**sizes):\n"
        "    return Body(steps=(Step(lhs=sp.Derivative(x**3, x), rhs=2*x**2, why='power rule'),),"
        " result=Step(rhs=3*x**2, why='fixed'))\n"
    )
    result = runner.invoke(main, ["--library", str(tmp_path), "audit", "wrong-cube"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "step 1 (power rule)" in result.output


def test_cli_library_option_adds_a_folder(runner: CliRunner, user_library: Path) -> None:
    result = runner.invoke(main, ["--library", str(user_library), "list"])
    assert "cube-derivative" in result.output


def test_cli_help_does_not_import_sympy() -> None:
    code = "import sys; from symwork.cli import main; print('sympy' in sys.modules, 'numpy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False False"


def test_cli_python_m_symwork_help() -> None:
    result = subprocess.run([sys.executable, "-m", "symwork", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "build" in result.stdout and "audit" in result.stdout


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(
    ("a", "b", "code", "verdict"),
    [
        (r"\sigma(x)(1-\sigma(x))", r"e^{-x}/(1+e^{-x})^2", 0, "equal"),
        ("sqrt(x^2)", "x", 1, "different"),
        ("x^{10^{10^{10}}}", "x", 2, "error"),
        ("__import__('os')", "x", 2, "error"),
    ],
)
def test_cli_equal_exit_codes_and_json(runner: CliRunner, a: str, b: str, code: int, verdict: str) -> None:
    result = runner.invoke(main, ["equal", a, b, "--json"])
    assert result.exit_code == code, result.output
    data = json.loads(result.output)
    assert data["verdict"] == verdict
    assert set(data) >= {"verdict", "method", "counterexample", "error", "elapsed_ms"}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["check", "sigmoid-derivative", r"\sigma(x)(1-\sigma(x))"], 0),
        (["check", "softmax-jacobian", r"s_i(\delta_{ij} + s_j)"], 1),
        (["check", "beta-bernoulli-update", "[[9],[9]]", "--seed", "4"], 0),
        (["check", "no-such-id", "x"], 2),
    ],
)
def test_cli_check_exit_codes(runner: CliRunner, args: list[str], code: int) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("file", "code", "first_wrong"), [("verify-valid.tex", 0, None), ("verify-wrong-step.tex", 1, 5)])
def test_cli_verify_reports_first_wrong_line(runner: CliRunner, file: str, code: int, first_wrong: int | None) -> None:
    result = runner.invoke(main, ["verify", str(EXAMPLES / file), "--json"])
    assert result.exit_code == code, result.output
    assert json.loads(result.output)["first_wrong_line"] == first_wrong


def test_cli_grade_writes_one_row_per_submission(runner: CliRunner, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ada\ns2,Grace\n")
    submissions = tmp_path / "answers.csv"
    submissions.write_text(
        "id,derivation,answer\n"
        "s1,sigmoid-derivative,x\n"
        's2,beta-bernoulli-update,"[[1],[2]]"\n'
        "s3,softmax-jacobian,\x00\n"
    )
    out = tmp_path / "report.csv"
    result = runner.invoke(main, ["grade", str(submissions), "--roster", str(roster), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = out.read_text().strip().splitlines()
    assert rows[0].startswith("id,derivation,seed,status,verdict,feedback")
    assert len(rows) == 4


def test_cli_build_unknown_worksheet_suggests_the_closest_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "calclus", "--no-pdf", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Did you mean 'calculus'?" in result.output
