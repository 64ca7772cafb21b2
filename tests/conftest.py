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


#: Tests that need more than a moment, by what they need: `make test-fast` leaves them out, `make test`
#: (and CI) runs them. Matched against the test's node id (file::name[params]).
MARKERS: dict[str, tuple[str, ...]] = {
    "slow": (
        "test_library.py::test_library_exercise_stress_200_seeds",
        "test_library.py::test_library_every_step_holds_on_every_instance",
        "test_library.py::test_library_result_matches_independent_computation",
        "test_library.py::test_library_key_and_rows_hold_as_printed",
        "test_grading.py::test_grade_file_on_dask",
        "test_sandbox.py::test_memory_limit",
    ),
    "tex": (
        "test_build.py::test_build_every_worksheet",
        "test_build.py::test_build_solutions_show_every_title",
        "test_build.py::test_build_second_run_is_cached",
        "test_build.py::test_build_is_byte_identical",
        "test_build.py::test_build_prints_hostile_titles_literally",
        "test_build.py::test_build_latex_error",
        "test_build.py::test_build_nothing_runs_into_the_margin",
        "test_build.py::test_build_changing_one",
        "test_build.py::test_build_roster",
        "test_build.py::test_build_toml_worksheet",
        "test_build.py::test_build_cache",
        "test_build.py::test_build_outside",
        "test_build.py::test_build_running_header",
    ),
    "kernel": ("test_exporting.py::test_exporting_notebook_executes",),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker, prefixes in MARKERS.items():
            if any(prefix in item.nodeid for prefix in prefixes):
                item.add_marker(getattr(pytest.mark, marker))


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children, ...), read from /proc."""
    parents: dict[int, int] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat_file.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
