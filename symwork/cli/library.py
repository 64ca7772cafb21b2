"""Commands for reading and exporting the library: list, show, audit, export."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from symwork.cli.app import _friendly, _load, main


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of {id, topic, title}.")
@click.option("--topic", metavar="TOPIC", help="Only this topic (linear-algebra, calculus, probability, or a topic of --library).")
@click.pass_context
@_friendly
def list_command(ctx: click.Context, as_json: bool, topic: str | None) -> None:
    """List the derivations: id, topic and title."""
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy.
    from symwork.core import registry

    if topic is not None:
        registry.topic(topic)  # an unknown topic is an error that lists the known ones
    items = [d for d in registry.derivations() if topic is None or d.topic == topic]
    if as_json:
        click.echo(json.dumps([{"id": d.id, "topic": d.topic, "title": d.title} for d in items], indent=2))
        return
    width = max((len(d.id) for d in items), default=2)
    for d in items:
        click.echo(f"{d.id:<{width}}  {d.topic:<14}  {d.title}")


@main.command()
@click.argument("derivation_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "latex", "json"]), default="text", show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Text format: also the exercise variant with this seed, every part answered.")
@click.pass_context
@_friendly
def show(ctx: click.Context, derivation_id: str, fmt: str, seed: int | None) -> None:
    """Show a derivation's steps, each with its relation and justification, and its result (the key's equation)."""
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.core import registry
    from symwork.publish import exporting, problems

    if fmt == "text":
        click.echo(problems.plain_text(registry.get(derivation_id), seed=seed), nl=False)
        return
    click.echo(exporting.show(derivation_id, fmt), nl=False)


@main.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--seed", default=0, show_default=True, help="Seed for the random check points.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.pass_context
@_friendly
def audit(ctx: click.Context, ids: tuple[str, ...], seed: int, as_json: bool) -> None:
    """Check every printed line of every derivation (or of the given IDs): each row of the worked solution
    and the key's equation at random points on small instances (claims sampled with a counterexample
    search), every result against finite differences, autodiff or an independent numpy computation, and
    every exercise part's answer against the result at its values. Exits 1 on any failure; worksheet
    order warnings (a problem using a result derived later) are printed but do not fail."""
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    import symwork
    import symwork.audit as check
    from symwork.publish import worksheets

    items = [symwork.get(i) for i in ids] if ids else symwork.derivations()
    rows = []
    start = time.perf_counter()
    for item in items:
        row = check.audit(item, seed=seed)
        rows.append(row)
        if not as_json:
            click.echo(
                f"{row.id:<34} {row.steps:>3} rows {row.claims:>2} claims  key {row.key:<5} {row.parts:>2} parts "
                f"{row.points:>6} points  {row.status}"
            )
            for failure in row.failures:
                click.echo(f"    {failure}")
    warnings = [] if ids else [w for sheet in worksheets.builtin_worksheets() for w in sheet.order_warnings()]
    failed = [r for r in rows if r.failures]
    if as_json:
        fields = ("id", "steps", "claims", "key", "parts", "points", "status")
        report = [{**{name: getattr(r, name) for name in fields}, "failures": list(r.failures)} for r in rows]
        click.echo(json.dumps(report, indent=2))
    else:
        for warning in warnings:
            click.echo(f"warning: {warning}")
        lines = sum(r.steps + (r.key == "chain") + r.parts for r in rows)
        click.echo(
            f"{len(rows) - len(failed)}/{len(rows)} derivations verified ({lines} printed lines and answers) "
            f"in {time.perf_counter() - start:.1f} s"
        )
    sys.exit(1 if failed else 0)


#: `symwork export --to` choices (the tables `exporting.EXPORT_FORMATS` and `exporting.LMS_FORMATS`, listed here
#: so that `symwork --help` need not import them).
TEXT_FORMATS = ("latex", "markdown", "ipynb", "json")
LMS_FORMATS = ("moodle", "qti", "gradescope")
#: The file an LMS export goes to without --out, by format.
LMS_FILES = {"moodle": "{name}-moodle.xml", "qti": "{name}-qti.zip", "gradescope": "{name}-gradescope.zip"}


@main.command()
@click.argument("target", metavar="ID_OR_WORKSHEET")
@click.option("--to", "fmt", type=click.Choice([*TEXT_FORMATS, *LMS_FORMATS]), required=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: standard output; for moodle, qti and gradescope NAME-FORMAT.xml/.zip here).")
@click.option("--variants", type=click.IntRange(1, 500), default=None, help="moodle/qti/gradescope: this many variants, seeds S, S+1, … (as `symwork build --seed`).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="moodle/qti/gradescope: one variant per student of this roster CSV (id, name), as `symwork build --roster`.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="moodle/qti/gradescope: the first variant's seed (default 0).")
@click.option("--course", default=None, help="The course name the roster's seeds come from (default: the worksheet's course).")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path), default=None, help="gradescope: the symwork wheel to put in the zip (default: build one from this checkout with pip).")
@click.pass_context
@_friendly
def export(
    ctx: click.Context,
    target: str,
    fmt: str,
    out: Path | None,
    variants: int | None,
    roster: Path | None,
    seed: int | None,
    course: str | None,
    wheel: Path | None,
) -> None:
    """Export a derivation, or every derivation of a worksheet (name or .toml), for course notes or an LMS.

    \b
    latex       an align* fragment to \\input (no preamble; a comment names the packages it needs)
    markdown    MathJax/KaTeX-ready, with front matter for Jekyll and MkDocs; with --out, the macro
                file symwork-macros.js (matching symwork.sty) is written beside it
    ipynb       a notebook whose code cells rebuild each step in SymPy and check it numerically
    json        the steps as data
    moodle      Moodle XML: a category per derivation holding its variants (numerical or cloze questions
                with tolerances, worked solutions as feedback); import it into the question bank
    qti         a QTI 1.2 zip for Canvas Classic Quizzes: a question group per derivation
    gradescope  an autograder zip: students submit answers.txt, symwork checks every answer
    See docs/lms.md for how each file is imported and graded.
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.core import registry
    from symwork.errors import InputError
    from symwork.files import write_atomic
    from symwork.publish import exporting, worksheets

    try:
        items = [registry.get(target)]
        title, name, sheet_course = items[0].title, items[0].id, None
    except InputError:
        try:
            sheet = worksheets.resolve([target])[0]
        except InputError:
            raise InputError(f"{target!r} is neither a derivation id nor a worksheet; see 'symwork list'.") from None
        items = [registry.get(i) for i in sheet.derivation_ids()]
        title, name, sheet_course = sheet.title, sheet.name, sheet.course
    if fmt in TEXT_FORMATS:
        given = [flag for flag, value in (("--variants", variants), ("--roster", roster), ("--seed", seed), ("--course", course), ("--wheel", wheel)) if value is not None]
        if given:
            raise InputError(f"{given[0]} applies to --to {', '.join(LMS_FORMATS)} only; leave it out for --to {fmt}.")
        _export_text(items, fmt, title, out)
        return
    if variants is not None and roster is not None:
        raise InputError("Give --variants or --roster, not both: a roster makes one variant per student.")
    if wheel is not None and fmt != "gradescope":
        raise InputError(f"--wheel applies to --to gradescope only; leave it out for --to {fmt}.")
    # Lazy, like the imports above: the roster reader is needed only here.
    from symwork.classroom.roster import load_roster

    students = load_roster(roster) if roster is not None else None
    package = exporting.export_lms(
        items, fmt, title=title, course=course or sheet_course, variants=variants or 1, seed=seed or 0,
        students=students, name=name, wheel=wheel,
    )  # fmt: skip
    target_file = out if out is not None else Path(LMS_FILES[fmt].format(name=name))
    write_atomic(target_file, package.data)
    kinds = f"{len(students)} students" if students is not None else f"{variants or 1} variant(s)"
    plural = "" if package.questions == 1 else "s"
    click.echo(f"wrote {target_file}: {package.questions} question{plural} ({kinds})", err=True)
    for note in package.notes:
        click.echo(f"  note: {note}", err=True)


def _export_text(items: list[Any], fmt: str, title: str, out: Path | None) -> None:
    """The text formats: to standard output, or to a file (markdown with its macro file beside it)."""
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.files import write_atomic
    from symwork.publish import exporting

    text = exporting.export(items, fmt, title=title)
    if out is None:
        click.echo(text, nl=False)
        return
    write_atomic(out, text)
    if fmt == "markdown":
        write_atomic(out.parent / "symwork-macros.js", exporting.mathjax_config())
    click.echo(f"wrote {out}", err=True)
