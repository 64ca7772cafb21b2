"""Commands for reading and exporting the library: list, show, audit, export."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

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
@click.pass_context
@_friendly
def show(ctx: click.Context, derivation_id: str, fmt: str) -> None:
    """Show a derivation's steps, each with its justification."""
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
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
    # Lazy: `symwork --help` must not import SymPy or numpy.
    import symwork
    import symwork.audit as check

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
    # Lazy: `symwork --help` must not import SymPy or numpy.
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

