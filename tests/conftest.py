"""Shared fixtures: a CLI runner and a folder of user derivations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


USER_DERIVATION = '''
"""A user derivation: the derivative of x cubed."""
import sympy as sp
from symwork import Body, Exercise, Input, Step, derivation

x = sp.Symbol("x")


@derivation(
    id="{id}",
    title="Derivative of a cube",
    topic="calculus",
    question=r"Show that $\\frac{{d}}{{dx}} x^3 = 3x^2$.",
    inputs=[Input("x", (), "real")],
    elementwise=True,
    forward=lambda x: x**3,
    wrt="x",
)
def cube(**sizes):
    return Body(
        steps=(Step(lhs=sp.Derivative(x**3, x), rhs=3 * x**2, why="power rule"),),
        result=Step(rhs=3 * x**2, why="as found"),
    )
'''


@pytest.fixture
def user_library(tmp_path: Path) -> Path:
    folder = tmp_path / "mylib"
    folder.mkdir()
    (folder / "cube.py").write_text(textwrap.dedent(USER_DERIVATION.format(id="cube-derivative")))
    return folder


@pytest.fixture(autouse=True)
def _isolated_registry() -> object:
    """Derivations that a test loads from its own folders are forgotten after it, like in a fresh process."""
    from symwork.core import registry

    with registry.isolated():  # the built-in library stays loaded across tests
        yield
