"""The build command: worksheets, worked solutions and keys, per class or per student."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from symwork.cli.app import _friendly, _load, main


@main.command()
@click.argument("targets", nargs=-1, metavar="[WORKSHEET|FILE.toml]...")
@click.option("--only", "versions", multiple=True, type=click.Choice(["student", "solutions", "key"]), help="Only these versions (repeatable).")
@click.option("--version", "old_versions", multiple=True, type=click.Choice(["student", "solutions", "key"]), hidden=True, help="Deprecated spelling of --only.")
@click.option("--seed", default=0, show_default=True, help="Seed of the exercise variants.")
@click.option("--title", help="Title printed on the worksheets (overrides the worksheet's).")
@click.option("--course", help="Course name printed in the header.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True, help="Output folder.")
@click.option("--no-pdf", is_flag=True, help="Write the .tex files only.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Parallel LaTeX runs (default, 0: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild even what the cache says is up to date.")
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with columns id, name: one variant per student in OUT/<worksheet>/students/<id>/, plus key.csv and key.json.",
)
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
) -> None:
    """Build worksheets into OUT/<worksheet>/{student,solutions,key}.{tex,pdf}.

    WORKSHEET is a topic (linear-algebra, calculus, probability, or one of --library) or workbook
    (default: all of them), or a TOML file with title, course, instructions, derivations (ordered ids)
    and versions.
    """
    _load(ctx)
    if old_versions:
        click.echo("symwork: warning: 'build --version' is deprecated (it reads like 'symwork --version'); use --only.", err=True)
        versions = versions + old_versions
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.classroom.key import write_key
    from symwork.classroom.roster import load_roster
    from symwork.publish import build as builder
    from symwork.publish import jobs as build_jobs
    from symwork.publish import worksheets
    from symwork.publish.latexmk import tex_available

    console = Console(stderr=True)
    options = build_jobs.Options(
        out=out, versions=versions or None, seed=seed, title=title, course=course, pdf=not no_pdf, jobs=jobs, force=force
    )
    sheets = worksheets.resolve(targets)
    key_files: list[Path] = []
    if roster is not None:
        # Lazy: `symwork --help` must not import SymPy or numpy.
        from symwork.errors import InputError

        if len(sheets) != 1 or not targets:
            raise InputError("--roster needs exactly one worksheet, e.g. 'symwork build calculus --roster roster.csv'.")
        students = load_roster(roster)
        # Lazy: `symwork --help` must not import SymPy or numpy.
        from dataclasses import replace

        # The course names the variant seeds, so the key must see the same (possibly overridden) course.
        sheet = replace(sheets[0], title=title or sheets[0].title, course=course or sheets[0].course)
        jobs_list = build_jobs.roster_jobs(sheet, students, options)
        key_files = list(write_key(sheet, students, out))
    else:
        jobs_list = build_jobs.plan(sheets, options)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("building", total=len(jobs_list))

        def advance(label: str, outcome: Any) -> None:
            bar.update(task, advance=1, description=label)

        report = builder.build(sheets, options, progress=advance, jobs_list=jobs_list)
    table = Table(title="symwork build", show_lines=False)
    for column in ("worksheet", "version", "status", "seconds", "file"):
        table.add_column(column)
    for outcome in report.outcomes:
        file = outcome.job.pdf if outcome.status in {"built", "cached"} and options.pdf and tex_available() else outcome.job.tex
        who = f" [{outcome.job.student['id']}]" if outcome.job.student else ""
        table.add_row(outcome.job.worksheet.name + who, outcome.job.name, outcome.status, f"{outcome.seconds:.2f}", str(file))
    console.print(table)
    for note in report.notes:
        console.print(note)
    for file in key_files:
        console.print(f"wrote {file}")
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            click.echo(f"symwork: warning: {warning}", err=True)
    for outcome in report.failed:
        click.echo(f"symwork: {outcome.message}", err=True)
    sys.exit(1 if report.failed else 0)

