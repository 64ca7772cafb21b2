"""The command group, its shared options and error handling: bad input is one line and an exit code."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


#: Commands that check answers in sandbox workers (see `_load`).
SANDBOXED_COMMANDS = frozenset({"check", "verify", "equal", "grade"})
#: The commands whose fork server `_load` starts. Not `grade`: `grade_file` starts its own, preloading the
#: whole library, and a fork server started here first would run without it.
FORK_SERVER_COMMANDS = SANDBOXED_COMMANDS - {"grade"}
#: Exit codes beyond a command's own (0 done, 1 a failed build or a wrong answer): documented in `main`'s help.
EXIT_INTERRUPTED = 130
EXIT_OS_ERROR = 2


def _friendly(function: F) -> F:
    """Map errors to a one-line message and an exit code: users never see a traceback for bad input or Ctrl-C.

    SymworkError exits with its own code; a file the system refuses (permissions, a full disk) with 2; Ctrl-C
    with 130 after the command's own clean-up ran (outputs are written atomically, so none is half-written).
    """

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Lazy: `symwork --help` must not import SymPy or numpy.
        from symwork.errors import SymworkError

        try:
            return function(*args, **kwargs)
        except SymworkError as exc:
            click.echo(f"symwork: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the message
            # This command's helper processes (figures, sandboxes) ignore Ctrl-C and hold nothing half-written:
            # stop them now rather than wait at exit for the task they are on.
            for child in multiprocessing.active_children():
                child.kill()
            click.echo(
                "\nsymwork: interrupted; every file written is complete, and the next run redoes the rest.", err=True
            )
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if os.environ.get("SYMWORK_TRACE"):
                import traceback  # noqa: PLC0415 - diagnostics only

                traceback.print_exc()
            where = f" {str(exc.filename)!r}" if exc.filename else ""
            click.echo(
                f"symwork: the system refused{where}: {exc.strerror or exc}; check the path and permissions.", err=True
            )
            sys.exit(EXIT_OS_ERROR)

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

    \b
    Exit codes: 0 done (or correct), 1 a failed build or a wrong answer, 2 bad input (one line on
    stderr says what to fix), 3 not supported or undecided, 130 interrupted (Ctrl-C).
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
        if ctx.info_name in SANDBOXED_COMMANDS:
            # Their sandbox workers load what they need; here, only say at once if a folder is missing.
            registry.check_folder(folder)
        else:
            registry.add_library(folder)
    if ctx.info_name in FORK_SERVER_COMMANDS:
        # Lazy, like the imports above. The sandbox's workers fork from multiprocessing's fork server: started
        # here with Ctrl-C ignored, they leave an interrupt to this process (no traceback from a worker).
        from symwork.answers.sandbox import PRELOAD
        from symwork.publish.jobs import quiet_children

        quiet_children(PRELOAD)


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


def _emit(
    result: dict[str, Any], as_json: bool, formatter: Callable[[dict[str, Any]], str], codes: dict[str, int]
) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(formatter(result))
    sys.exit(codes.get(str(result.get("verdict")), 2))
