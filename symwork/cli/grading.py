"""The grade command: a class's submissions in, one report row per row out."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from symwork.cli.app import SECONDS, _friendly, _load, main


class _Progress:
    """Rows graded so far, on stderr: rewritten in place on a terminal, a line every few seconds otherwise."""

    def __init__(self, submissions: Path) -> None:
        self.name = submissions.name
        self.tty = sys.stderr.isatty()
        self.last = time.monotonic()
        self.shown = False

    def show(self, rows: int, read: int, size: int) -> None:
        now = time.monotonic()
        if now - self.last < (0.5 if self.tty else 5.0):
            return
        self.last, self.shown = now, True
        share = f" ({read / size:.0%} of {size / 1e6:,.1f} MB)" if size >= 1e6 else ""
        start = "\r" if self.tty else ""
        click.echo(f"{start}grading {self.name}: {rows:,} rows{share}", err=True, nl=not self.tty)

    def done(self) -> None:
        if self.shown and self.tty:
            click.echo("", err=True)


@main.command()
@click.argument("submissions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Roster CSV (id, name): seeds per student.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.csv"), show_default=True)
@click.option("--course", default=None, help="Course name the roster's variant seeds were derived from (default: the built-in course).")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The key.json of the roster build (OUT/WORKSHEET/key.json): each student's variants, and the course, as built.",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The course's secret (at least 16 bytes, e.g. head -c 32 /dev/urandom > course.secret; keep it from students): "
    "it keys the random points, so reports are reproducible for you and unpredictable for a student.",
)
@click.option(
    "--max-size",
    "max_size",
    type=click.FloatRange(min=0, min_open=True, max=1e6),
    default=200.0,
    show_default=True,
    help="Largest submissions file to read, in MB (reading is a stream: memory does not grow with the file).",
)
@click.option("--executor", default=None, help="'local' (default: a pool on this machine, one sandbox worker process per job) or dask://HOST:PORT for a Dask cluster.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of cores).")
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed per answer.")
@click.option(
    "--gradebook",
    "gradebooks",
    type=click.Choice(["moodle", "canvas", "csv"]),
    multiple=True,
    help="Also write a per-student gradebook (one row per student, a column per problem, a total) as this LMS imports it: REPORT-FORMAT-gradebook.csv (repeatable).",
)
@click.pass_context
@_friendly
def grade(
    ctx: click.Context,
    submissions: Path,
    roster: Path | None,
    out: Path,
    course: str | None,
    executor: str | None,
    jobs: int | None,
    timeout: float,
    gradebooks: tuple[str, ...],
    key: Path | None = None,
    max_size: float = 200.0,
    secret_file: Path | None = None,
) -> None:
    """Grade a class: SUBMISSIONS.csv has columns id, derivation, answer and optional seed.

    Writes exactly one report row per input row (id, derivation, seed, status, verdict, feedback) and a
    summary per derivation; with --gradebook, a gradebook per student for Moodle, Canvas or a spreadsheet
    (students of --roster without a submission get a row too; undecided checks are left blank for review).

    With --key (the build's key.json) or --roster, each student is graded on their own variant: a seed column
    that names another variant rejects the row. The file is read as a stream (progress on stderr); the
    report never overwrites an input.
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.classroom import grading
    from symwork.seeds import DEFAULT_COURSE

    options: dict[str, Any] = {"roster": roster, "out": out, "executor": executor, "jobs": jobs, "timeout": timeout}
    if course is not None:
        options["course"] = course
    if roster is not None and key is None and course is None:
        click.echo(
            f"symwork: note: variants from the course {DEFAULT_COURSE!r}; if the build used another "
            "(a TOML's course or --course), pass --key OUT/WORKSHEET/key.json.",
            err=True,
        )
    progress = _Progress(submissions)
    secret = grading.read_secret(secret_file) if secret_file is not None else None
    report = grading.grade_file(
        submissions, key=key, max_bytes=int(max_size * 1e6), progress=progress.show, secret=secret, **options
    )
    progress.done()
    for warning in report.warnings:
        click.echo(f"symwork: warning: {warning}", err=True)
    click.echo(grading.format_summary(report))
    if gradebooks:
        # Lazy, like the import above: only a run that asks for a gradebook reads the report back.
        from symwork.classroom.gradebook import write_gradebook

        for fmt in gradebooks:
            path, book = write_gradebook(out, fmt, roster=roster)
            click.echo(f"Wrote {path} ({len(book.students)} students, {len(book.problems)} problems).")
            for student, problem, why in book.review:
                click.echo(f"  review: {student} {problem}: {why}")

