"""The symwork command line: a thin shell over the library's public API."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(function: F) -> F:
    """Map SymworkError to a one-line message and its exit code: users never see a traceback for bad input."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from symwork.errors import SymworkError

        try:
            return function(*args, **kwargs)
        except SymworkError as exc:
            click.echo(f"symwork: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--library",
    "libraries",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra folder of derivations (repeatable; also SYMWORK_LIBRARY, separated like PATH).",
)
@click.version_option(package_name="symwork")
@click.pass_context
def main(ctx: click.Context, libraries: tuple[Path, ...]) -> None:
    """symwork: the mathematics behind LLMs as verified, printable derivations.

    \b
    Lecturers:  symwork build [WORKSHEET|FILE.toml ...]     worksheets, solutions, keys
                symwork build calculus --roster class.csv   one variant per student, plus key.csv
                symwork grade answers.csv --roster class.csv
    Students:   symwork show ID                             a derivation, step by step
                symwork check ID ANSWER [--seed N]          is my answer right? where does it go wrong?
                symwork verify my-derivation.tex            which step is the first wrong one?
                symwork equal A B                           are two expressions equal?
    Authors:    symwork audit                               check every step of every derivation
                symwork export ID --to latex|markdown|ipynb|json
    """
    ctx.ensure_object(dict)
    ctx.obj["libraries"] = libraries


def _load(ctx: click.Context) -> None:
    from symwork.core import registry

    for folder in ctx.obj.get("libraries", ()):
        registry.add_library(folder)


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of {id, topic, title}.")
@click.option("--topic", type=click.Choice(["linear-algebra", "calculus", "probability"]), help="Only this topic.")
@click.pass_context
@_friendly
def list_command(ctx: click.Context, as_json: bool, topic: str | None) -> None:
    """List the derivations: id, topic and title."""
    _load(ctx)
    import symwork

    items = [d for d in symwork.derivations() if topic is None or d.topic == topic]
    if as_json:
        click.echo(json.dumps([{"id": d.id, "topic": d.topic, "title": d.title} for d in items], indent=2))
        return
    width = max((len(d.id) for d in items), default=2)
    for d in items:
        click.echo(f"{d.id:<{width}}  {d.topic:<14}  {d.title}")


@main.command()
@click.argument("derivation_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "latex", "json"]), default="text", show_default=True)
@click.pass_context
@_friendly
def show(ctx: click.Context, derivation_id: str, fmt: str) -> None:
    """Show a derivation's steps, each with its justification."""
    _load(ctx)
    from symwork.publish import exporting

    click.echo(exporting.show(derivation_id, fmt), nl=False)


@main.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--seed", default=0, show_default=True, help="Seed for the random check points.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.pass_context
@_friendly
def audit(ctx: click.Context, ids: tuple[str, ...], seed: int, as_json: bool) -> None:
    """Check every step of every derivation (or of the given IDs) at random points on small instances,
    and every result against finite differences, autodiff or an independent numpy computation.
    Exits 1 on any failure."""
    _load(ctx)
    import symwork
    from symwork import audit as check

    items = [symwork.get(i) for i in ids] if ids else symwork.derivations()
    rows = []
    start = time.perf_counter()
    for item in items:
        row = check.audit(item, seed=seed)
        rows.append(row)
        if not as_json:
            click.echo(f"{row.id:<32} {row.steps:>5} steps {row.points:>6} points  {row.status}")
            for failure in row.failures:
                click.echo(f"    {failure}")
    failed = [r for r in rows if r.failures]
    if as_json:
        click.echo(json.dumps([{"id": r.id, "steps": r.steps, "points": r.points, "status": r.status, "failures": list(r.failures)} for r in rows], indent=2))
    else:
        click.echo(f"{len(rows) - len(failed)}/{len(rows)} derivations verified in {time.perf_counter() - start:.1f} s")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("targets", nargs=-1, metavar="[WORKSHEET|FILE.toml]...")
@click.option("--version", "versions", multiple=True, type=click.Choice(["student", "solutions", "key"]), help="Only these versions (repeatable).")
@click.option("--seed", default=0, show_default=True, help="Seed of the exercise variants.")
@click.option("--title", help="Title printed on the worksheets (overrides the worksheet's).")
@click.option("--course", help="Course name printed in the header.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True, help="Output folder.")
@click.option("--no-pdf", is_flag=True, help="Write the .tex files only.")
@click.option("--jobs", "-j", default=0, help="Parallel LaTeX runs (default: the number of cores).")
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

    WORKSHEET is linear-algebra, calculus, probability or workbook (default: all four), or a TOML file
    with title, course, instructions, derivations (ordered ids) and versions.
    """
    _load(ctx)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

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
        from symwork.errors import InputError

        if len(sheets) != 1 or not targets:
            raise InputError("--roster needs exactly one worksheet, e.g. 'symwork build calculus --roster roster.csv'.")
        students = load_roster(roster)
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


@main.command()
@click.argument("target", metavar="ID_OR_WORKSHEET")
@click.option("--to", "fmt", type=click.Choice(["latex", "markdown", "ipynb", "json"]), required=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: standard output).")
@click.pass_context
@_friendly
def export(ctx: click.Context, target: str, fmt: str, out: Path | None) -> None:
    """Export a derivation, or every derivation of a worksheet (name or .toml), for course notes.

    \b
    latex     an align* fragment to \\input (no preamble; a comment names the packages it needs)
    markdown  MathJax/KaTeX-ready, with front matter for Jekyll and MkDocs; with --out, the macro
              file symwork-macros.js (matching symwork.sty) is written beside it
    ipynb     a notebook whose code cells rebuild each step in SymPy and check it numerically
    json      the steps as data
    """
    _load(ctx)
    from symwork.core import registry
    from symwork.errors import InputError
    from symwork.files import write_atomic
    from symwork.publish import exporting, worksheets

    try:
        items = [registry.get(target)]
        title = items[0].title
    except InputError:
        try:
            sheet = worksheets.resolve([target])[0]
        except InputError:
            raise InputError(f"{target!r} is neither a derivation id nor a worksheet; see 'symwork list'.") from None
        items = [registry.get(i) for i in sheet.derivation_ids()]
        title = sheet.title
    text = exporting.export(items, fmt, title=title)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomic(out, text)
    if fmt == "markdown":
        write_atomic(out.parent / "symwork-macros.js", exporting.mathjax_config())
    click.echo(f"wrote {out}", err=True)


def _emit(result: dict[str, Any], as_json: bool, formatter: Callable[[dict[str, Any]], str], codes: dict[str, int]) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(formatter(result))
    sys.exit(codes.get(str(result.get("verdict")), 2))


@main.command()
@click.argument("first", metavar="A")
@click.argument("second", metavar="B")
@click.option("--syntax", type=click.Choice(["auto", "latex", "plain"]), default="auto", show_default=True)
@click.option("--timeout", default=2.0, show_default=True, help="Seconds allowed for the check.")
@click.option("--json", "as_json", is_flag=True, help="Print {verdict, method, counterexample, error, elapsed_ms}.")
@click.pass_context
@_friendly
def equal(ctx: click.Context, first: str, second: str, syntax: str, timeout: float, as_json: bool) -> None:
    """Are A and B equal? LaTeX or plain syntax. Exit 0 equal, 1 different, 3 undecided, 2 bad input.

    \b
    symwork equal '\\sigma(x)(1-\\sigma(x))' 'e^{-x}/(1+e^{-x})^2'
    symwork equal 'sqrt(x^2)' 'x'          # different, with a counterexample
    """
    from symwork.answers import checker as answers

    _emit(answers.equal(first, second, syntax=syntax, timeout=timeout), as_json, answers.format_equal, answers.EXIT_CODES)


@main.command()
@click.argument("derivation_id", metavar="ID")
@click.argument("answer")
@click.option("--seed", type=int, default=None, help="Check against the exercise variant with this seed.")
@click.option("--timeout", default=2.0, show_default=True, help="Seconds allowed for the check.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict and feedback as JSON.")
@click.pass_context
@_friendly
def check(ctx: click.Context, derivation_id: str, answer: str, seed: int | None, timeout: float, as_json: bool) -> None:
    """Check ANSWER against a derivation's result (or, with --seed, its exercise variant) and say what is wrong.

    \b
    symwork check sigmoid-derivative '\\sigma(x)(1-\\sigma(x))'
    symwork check softmax-jacobian 's_i(\\delta_{ij} - s_j)'
    symwork check beta-bernoulli-update '[[9],[9]]' --seed 4
    """
    _load(ctx)
    from symwork.answers import checker as answers

    _emit(answers.check(derivation_id, answer, seed=seed, timeout=timeout), as_json, answers.format_check, answers.EXIT_CODES)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--against", "against", metavar="ID", help="Also check that the chain starts from this derivation's question and ends at its result.")
@click.option("--timeout", default=2.0, show_default=True, help="Seconds allowed per step.")
@click.option("--json", "as_json", is_flag=True, help="Print {verdict, steps, first_wrong_line} as JSON.")
@click.pass_context
@_friendly
def verify(ctx: click.Context, file: Path, against: str | None, timeout: float, as_json: bool) -> None:
    """Check a hand derivation line by line: each expression must equal the one before it.

    FILE is LaTeX (align, align*, equation, gather, $$...$$ or \\[...\\], with = chains, &= and \\\\
    line breaks, % comments) or plain text with one expression per line. Exit 0 valid, 1 a wrong
    step, 3 undecided, 2 bad input.
    """
    _load(ctx)
    from symwork.answers import verify as verifier

    _emit(verifier.verify_file(file, against=against, timeout=timeout), as_json, verifier.format_verify, VERIFY_CODES)


VERIFY_CODES = {"valid": 0, "invalid": 1, "undecided": 3, "error": 2}


@main.command()
@click.argument("submissions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Roster CSV (id, name): seeds per student.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.csv"), show_default=True)
@click.option("--course", default=None, help="Course name the roster's variant seeds were derived from (default: the built-in course).")
@click.option("--executor", default=None, help="'process' (default), 'thread', or dask://HOST:PORT for a Dask cluster.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: the number of cores).")
@click.option("--timeout", default=2.0, show_default=True, help="Seconds allowed per answer.")
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
    from symwork.classroom import grading

    options: dict[str, Any] = {"roster": roster, "out": out, "executor": executor, "jobs": jobs, "timeout": timeout}
    if course is not None:
        options["course"] = course
    report = grading.grade_file(submissions, **options)
    click.echo(grading.format_summary(report))


if __name__ == "__main__":  # pragma: no cover
    main()
