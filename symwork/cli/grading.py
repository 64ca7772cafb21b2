"""The grade command: a class's submissions in, one report row per row out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from symwork.cli.app import SECONDS, _friendly, _load, main


@main.command()
@click.argument("submissions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Roster CSV (id, name): seeds per student.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.csv"), show_default=True)
@click.option("--course", default=None, help="Course name the roster's variant seeds were derived from (default: the built-in course).")
@click.option("--executor", default=None, help="'local' (default: a pool on this machine, one sandbox worker process per job) or dask://HOST:PORT for a Dask cluster.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of cores).")
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed per answer.")
@click.pass_context
@_friendly
def grade(
    ctx: click.Context, submissions: Path, roster: Path | None, out: Path, course: str | None, executor: str | None, jobs: int | None, timeout: float
) -> None:
    """Grade a class: SUBMISSIONS.csv has columns id, derivation, answer and optional seed.

    Writes exactly one report row per input row (id, derivation, seed, status, verdict, feedback) and a
    summary per derivation.
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.classroom import grading

    options: dict[str, Any] = {"roster": roster, "out": out, "executor": executor, "jobs": jobs, "timeout": timeout}
    if course is not None:
        options["course"] = course
    report = grading.grade_file(submissions, **options)
    click.echo(grading.format_summary(report))

