"""The build command: worksheets, worked solutions and keys, per class or per student."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from symwork.cli.app import _friendly, _load, main


@main.command()
@click.argument("targets", nargs=-1, metavar="[WORKSHEET|FILE.toml]...")
@click.option(
    "--only",
    "versions",
    multiple=True,
    type=click.Choice(["student", "solutions", "key"]),
    help="Only these versions (repeatable).",
)
@click.option(
    "--version",
    "old_versions",
    multiple=True,
    type=click.Choice(["student", "solutions", "key"]),
    hidden=True,
    help="Deprecated spelling of --only.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the exercise variants.")
@click.option("--title", help="Title printed on the worksheets (overrides the worksheet's).")
@click.option("--course", help="Course name printed in the header.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder.",
)
@click.option("--no-pdf", is_flag=True, help="Write the .tex files only.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Parallel LaTeX runs (default, 0: the number of cores)."
)
@click.option("--force", is_flag=True, help="Rebuild even what the cache says is up to date.")
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with columns id, name: one variant per student in OUT/<worksheet>/students/<id>/, plus key.csv and key.json.",
)
@click.option("--prune", is_flag=True, help="With --roster: remove the folders of students no longer in the roster.")
@click.pass_context
@_friendly
def build(
    ctx: click.Context,
    targets: tuple[str, ...],
    versions: tuple[str, ...],
    old_versions: tuple[str, ...],
    seed: int,
    title: str | None,
    course: str | None,
    out: Path,
    no_pdf: bool,
    jobs: int,
    force: bool,
    roster: Path | None,
    prune: bool = False,
) -> None:
    """Build worksheets into OUT/<worksheet>/{student,solutions,key}.{tex,pdf}.

    WORKSHEET is a topic (linear-algebra, calculus, probability, or one of --library) or workbook
    (default: all of them), or a TOML file with title, course, instructions, derivations (ordered ids)
    and versions.
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.errors import InputError

    _check_targets(targets)
    if roster is not None and ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT:
        raise InputError(
            "--seed does not apply with --roster: each student's variant comes from the course and their id."
        )
    if prune and roster is None:
        raise InputError("--prune needs --roster: it removes the folders of students no longer in the roster.")
    if old_versions:
        click.echo(
            "symwork: warning: 'build --version' is deprecated (it reads like 'symwork --version'); use --only.",
            err=True,
        )
        versions = versions + old_versions
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table
    from rich.text import Text

    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.classroom import roster as rosters
    from symwork.classroom.key import write_key
    from symwork.publish import build as builder
    from symwork.publish import jobs as build_jobs
    from symwork.publish import worksheets
    from symwork.publish.latexmk import tex_available

    console = Console(stderr=True)
    options = build_jobs.Options(
        out=out,
        versions=versions or None,
        seed=seed,
        title=title,
        course=course,
        pdf=not no_pdf,
        jobs=jobs,
        force=force,
    )
    sheets = worksheets.resolve(targets)
    key_files: list[Path] = []
    notes: list[str] = []
    if roster is not None:
        if len(sheets) != 1 or not targets:
            raise InputError("--roster needs exactly one worksheet, e.g. 'symwork build calculus --roster roster.csv'.")
        students = rosters.load_roster(roster)
        # Lazy: `symwork --help` must not import SymPy or numpy.
        from dataclasses import replace

        # The course names the variant seeds, so the key must see the same (possibly overridden) course.
        sheet = replace(sheets[0], title=title or sheets[0].title, course=course or sheets[0].course)
        jobs_list = build_jobs.roster_jobs(sheet, students, options)
        key_files = list(write_key(sheet, students, out, inputs=[roster]))
        folder = out / sheet.name / "students"
        key_files.append(rosters.write_manifest(folder, students))
        notes += _stale_notes(rosters, folder, students, prune)
    else:
        jobs_list = build_jobs.plan(sheets, options)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("building", total=len(jobs_list))

        def advance(label: str, outcome: Any) -> None:
            bar.update(task, advance=1, description=label)

        report = builder.build(sheets, options, progress=advance, jobs_list=jobs_list)
    table = Table(title="symwork build", show_lines=False)
    roster_table = any(outcome.job.student for outcome in report.outcomes)
    for column in ("worksheet", *(("student",) if roster_table else ()), "version", "status", "seconds"):
        table.add_column(column, overflow="fold")
    table.add_column("file", overflow="fold", ratio=3)
    for outcome in report.outcomes:
        file = (
            outcome.job.pdf
            if outcome.status in {"built", "cached"} and options.pdf and tex_available()
            else outcome.job.tex
        )
        student = outcome.job.student
        who = (f"{student['id']} {student['name']}".strip() if student else "",) if roster_table else ()
        # Text, not markup: a name such as '[bold]' or '@SUM(1)' prints as it is.
        cells = (
            outcome.job.worksheet.name,
            *who,
            outcome.job.name,
            outcome.status,
            f"{outcome.seconds:.2f}",
            str(file),
        )
        table.add_row(*(Text(cell) for cell in cells))
    console.print(table)
    for note in report.notes:
        console.print(Text(note))
    for file in key_files:
        console.print(Text(f"wrote {file}"))
    for note in notes:
        click.echo(f"symwork: {note}", err=True)
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            click.echo(f"symwork: warning: {warning}", err=True)
    for outcome in report.failed:
        click.echo(f"symwork: {outcome.message}", err=True)
    sys.exit(1 if report.failed else 0)


def _check_targets(targets: tuple[str, ...]) -> None:
    """Refuse a TOML target that is a folder or unreadable, in one sentence (before any work)."""
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.errors import InputError

    for target in targets:
        path = Path(target)
        if target.endswith(".toml") and path.is_dir():
            raise InputError(f"The worksheet {target!r} is a folder; give a .toml file, e.g. week3.toml.")


def _stale_notes(rosters: Any, folder: Path, students: Any, prune: bool) -> list[str]:
    """Say which student folders an earlier roster left behind, and remove them with --prune."""
    stale = rosters.stale_folders(folder, students)
    notes = []
    if stale.prunable and prune:
        rosters.prune(stale.prunable)
        notes.append(
            f"removed {len(stale.prunable)} folder(s) of students not in the roster: {_names(stale.prunable)}."
        )
    elif stale.prunable:
        notes.append(
            f"{len(stale.prunable)} folder(s) in {folder} belong to no student of this roster ({_names(stale.prunable)}); "
            "--prune removes them."
        )
    if stale.kept:
        notes.append(
            f"kept {len(stale.kept)} folder(s) of students not in the roster that hold other files: {_names(stale.kept)}."
        )
    return notes


def _names(folders: Any) -> str:
    names = [folder.name for folder in folders]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
