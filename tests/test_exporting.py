"""Exports: LaTeX fragments, Markdown with macros, notebooks that execute, JSON, Jupyter display."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import symwork
from symwork.cli import main
from symwork.publish import exporting


def test_exporting_latex_fragment_has_no_preamble_and_names_packages(runner: CliRunner) -> None:
    text = runner.invoke(main, ["export", "softmax-jacobian", "--to", "latex"]).output
    assert text.startswith("% symwork softmax-jacobian")
    assert "% Needs: amsmath" in text and r"\begin{align*}" in text
    assert r"\documentclass" not in text and r"\begin{document}" not in text


def test_exporting_markdown_front_matter_and_macros(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "notes" / "softmax.md"
    result = runner.invoke(main, ["export", "softmax-jacobian", "--to", "markdown", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert front and 'title: "Jacobian of the softmax"' in front.group(1)
    assert "$$" in text and r"\frac{\partial s_{i}}{\partial z_{j}}" in text
    macros = (out.parent / "symwork-macros.js").read_text()
    config = json.loads(macros.removeprefix("window.MathJax = ").rstrip().rstrip(";"))
    sty = (Path(__file__).parent.parent / "templates" / "symwork.sty").read_text()
    for name in config["tex"]["macros"]:
        assert f"\\providecommand{{\\{name}}}" in sty, name


def test_exporting_json_lists_steps(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(main, ["export", "calculus", "--to", "json"]).output)
    assert {item["topic"] for item in data} == {"calculus"}
    assert all(item["steps"] for item in data)


def test_exporting_unknown_target_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "nothing-here", "--to", "json"])
    assert result.exit_code == 2 and "neither a derivation id nor a worksheet" in result.output


def test_exporting_jupyter_display() -> None:
    derivation = symwork.get("softmax-jacobian")
    assert derivation._repr_latex_().startswith("$$\\begin{aligned}")
    assert "**Step 1.**" in derivation._repr_markdown_()


@pytest.mark.parametrize("topic", ["linear-algebra", "calculus", "probability"])
def test_exporting_notebook_executes(topic: str, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    items = [d for d in symwork.derivations() if d.topic == topic]
    notebook = nbformat.reads(exporting.notebook(items, title=topic), as_version=4)
    nbformat.validate(notebook)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "ok" in outputs
