"""The command group, its shared options and error handling: bad input is one line and an exit code."""

from __future__ import annotations

import json
import math
import os
import sys
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
        # Lazy: `symwork --help` must not import SymPy or numpy.
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
    # Lazy: `symwork --help` must not import SymPy.
    from symwork.core import registry

    folders = [str(Path(folder).expanduser().resolve()) for folder in ctx.obj.get("libraries", ())]
    if folders:
        # Sandbox workers (check, verify, grade) load the library in their own processes: the
        # environment is how they see --library too.
        current = [p for p in os.environ.get(registry.LIBRARY_ENV, "").split(os.pathsep) if p.strip()]
        os.environ[registry.LIBRARY_ENV] = os.pathsep.join([*current, *(f for f in folders if f not in current)])
    for folder in folders:
        registry.add_library(folder)


class Seconds(click.ParamType):
    """A time limit: a finite number of seconds, more than 0 and at most an hour."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        if not math.isfinite(seconds) or not 0 < seconds <= 3600:
            self.fail(f"{value!r} must be more than 0 and at most 3600 seconds.", param, ctx)
        return seconds


SECONDS = Seconds()


def _emit(result: dict[str, Any], as_json: bool, formatter: Callable[[dict[str, Any]], str], codes: dict[str, int]) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(formatter(result))
    sys.exit(codes.get(str(result.get("verdict")), 2))

