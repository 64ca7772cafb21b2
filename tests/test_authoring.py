"""Authoring from outside the engine: a new folder with its own topic, figure and exercise needs no engine edit."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import symwork
from symwork.cli import main
from symwork.core import registry
from symwork.publish import build as builder
from symwork.publish import jobs, worksheets

TOPIC = """
id = "information-theory"
title = "Information theory for LLMs"
order = 4
derivations = ["bits-of-a-fair-die"]
"""

DERIVATION = '''
"""The information content of a fair die roll, with its own figure and exercise."""

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation

n = sp.Symbol("n", positive=True)


def _exercise(rng: np.random.Generator) -> Exercise:
    sides = int(rng.choice([2, 4, 8, 16]))
    return Exercise(prompt=rf"How many nats does a fair ${sides}$-sided die carry?", values={"n": sides}, answer_label="H")


def _figure() -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 4, 8], [0.0, 0.69, 1.39, 2.08])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "Producer": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


@derivation(
    id="bits-of-a-fair-die",
    title="Entropy of a fair die",
    topic="information-theory",
    question=r"Show that a fair $n$-sided die has entropy $\\log n$.",
    inputs=[Input("n", (), "count", "sides")],
    reference=lambda n: np.log(n),
    exercise=_exercise,
    figure=_figure,
)
def bits_of_a_fair_die() -> Body:
    return Body(
        steps=(Step(lhs=-n * (1 / n) * sp.log(1 / n), rhs=-sp.log(1 / n), why=r"$n$ equal terms $p_k \\log p_k$, $p_k = 1/n$"),),
        result=Step(rhs=sp.log(n), why=r"$-\\log(1/n) = \\log n$"),
    )
'''


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "mycourse" / "information_theory"
    folder.mkdir(parents=True)
    (folder / "topic.toml").write_text(textwrap.dedent(TOPIC), encoding="utf-8")
    (folder / "fair_die.py").write_text(textwrap.dedent(DERIVATION), encoding="utf-8")
    return tmp_path / "mycourse"


def test_authoring_outside_folder_adds_topic_derivation_and_exercise(outside: Path) -> None:
    assert registry.add_library(outside) == ["bits-of-a-fair-die"]
    item = symwork.get("bits-of-a-fair-die")
    assert [t.id for t in registry.topics()][-1] == "information-theory"
    assert item.evaluate(n=8.0) == pytest.approx(np.log(8.0))
    exercise = item.make_exercise(3)
    assert exercise.answer == symwork.parse(r"\log " + str(exercise.values["n"]))  # computed by the engine
    assert symwork.audit(item).status == "ok"
    assert "information-theory" in [sheet.name for sheet in worksheets.builtin_worksheets()]


def test_authoring_outside_folder_builds_a_worksheet_with_its_figure(outside: Path, tmp_path: Path) -> None:
    registry.add_library(outside)
    sheet = next(s for s in worksheets.builtin_worksheets() if s.name == "information-theory")
    options = jobs.Options(out=tmp_path / "out", versions=("solutions", "key"), pdf=False)
    report = builder.build([sheet], options)
    assert [o.status for o in report.outcomes] == ["tex only", "tex only"]
    folder = tmp_path / "out" / "information-theory"
    solutions = (folder / "solutions.tex").read_text(encoding="utf-8")
    assert "Entropy of a fair die" in solutions
    assert "fig-bits-of-a-fair-die.pdf" in solutions
    assert (folder / "fig-bits-of-a-fair-die.pdf").read_bytes().startswith(b"%PDF")
    assert r"\ln" in (folder / "key.tex").read_text(encoding="utf-8")


def test_authoring_outside_folder_from_the_command_line(outside: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--library", str(outside), "list", "--json", "--topic", "information-theory"])
    assert listed.exit_code == 0, listed.output
    assert [row["id"] for row in json.loads(listed.output)] == ["bits-of-a-fair-die"]
    built = runner.invoke(
        main, ["--library", str(outside), "build", "information-theory", "--only", "key", "--no-pdf", "--out", str(tmp_path / "o")]
    )
    assert built.exit_code == 0, built.output
    assert (tmp_path / "o" / "information-theory" / "key.tex").is_file()
