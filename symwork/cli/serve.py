"""The serve command: the workbook as a local web page for a class (`symwork.web`), stopped with Ctrl-C."""

from __future__ import annotations

import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from symwork.cli.app import SECONDS, _friendly, _load, main


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0 picks a free one); a clear error when it is taken."""
    # Lazy: `symwork --help` must not import the web stack or SymPy.
    from symwork.errors import InputError

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise InputError(f"--host {host!r} is not an address of this machine; use 127.0.0.1 or 0.0.0.0.") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"Cannot listen on {host}:{port} ({exc.strerror}); pass another --port or --host.") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback opens the page to that network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--library",
    "libraries",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra folder of derivations (repeatable).",
)
@click.option(
    "--course", default=None, help="Course name the roster's variant seeds were derived from (as for build and grade)."
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Roster CSV (id, name): students open their own variant by id.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Sandbox worker processes (default: one per core)."
)
@click.option(
    "--queue",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    help="Requests that may wait for a worker; more get 503 and Retry-After.",
)
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed per check.")
@click.option(
    "--lecturer-token-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="File whose first line is the lecturer's token (default: a new token for every start, printed).",
)
@click.pass_context
@_friendly
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    libraries: tuple[Path, ...],
    course: str | None,
    roster: Path | None,
    workers: int | None,
    queue: int,
    timeout: float,
    lecturer_token_file: Path | None,
) -> None:
    """Serve the library, exercises, verify and grading as a web page for a class (Ctrl-C stops it).

    Students need nothing but the address. Grading is for the lecturer only: at start the command
    prints a lecturer link (http://HOST:PORT/lecturer?token=...) with a token made for this run, or
    read from --lecturer-token-file; opening the link unlocks the grade page in that browser, and
    scripts send 'Authorization: Bearer TOKEN'. Without it, grading answers 403. Keep the link to
    yourself: whoever has it can grade and download the class's reports.

    \b
    symwork serve                                   http://127.0.0.1:8000 on this machine only
    symwork serve --roster class.csv                students open their own variant by id
    symwork serve --host 0.0.0.0 --port 8000        the whole network (a warning says so)
    symwork serve --lecturer-token-file token.txt   the same lecturer link at every start
    """
    ctx.obj["libraries"] = (*ctx.obj.get("libraries", ()), *libraries)
    _load(ctx)
    try:
        # Lazy: the web stack is an extra (pip install 'symwork[web]') and `symwork --help` must stay quick.
        import uvicorn

        # Lazy for the same reasons: the web package imports Starlette and SymPy.
        from symwork.web import app as web
        from symwork.web import lecturer, pages, pool, settings
    except ImportError as exc:
        raise click.ClickException(
            f"symwork serve needs the web extra ({exc.name} is missing); install it with: pip install 'symwork[web]'."
        ) from None
    # Lazy: as above.
    from symwork.seeds import DEFAULT_COURSE

    chosen = settings.Settings(
        host=host,
        port=port,
        course=course or DEFAULT_COURSE,
        roster=roster,
        workers=workers or settings.default_workers(),
        queue=queue,
        timeout=timeout,
    )
    if lecturer_token_file is not None:
        chosen = replace(chosen, lecturer_token=lecturer.read_token_file(str(lecturer_token_file)))
    if chosen.public:
        click.echo(
            f"symwork serve: warning: listening on {host}, so anyone on that network can open the page.", err=True
        )
    missing = pages.katex_missing()
    if missing:
        click.echo(f"symwork serve: {missing}", err=True)
    sock = _bind(host, port)
    where = sock.getsockname()
    shown = f"[{where[0]}]" if ":" in where[0] else where[0]
    url = f"http://{shown}:{where[1]}/"

    def ready(service: Any) -> None:
        roster_words = f", roster of {len(service.roster)} students" if service.roster is not None else ""
        click.echo(
            f"symwork serve: lecturer link (grading; keep it to yourself): {lecturer.link(url, chosen.lecturer_token)}",
            err=True,
        )
        click.echo(
            f"symwork serve: {url} ({chosen.workers} checker processes and a spare{roster_words}); Ctrl-C stops it.", err=True
        )

    click.echo(f"symwork serve: starting {chosen.workers} checker processes…", err=True)
    pool.start_fork_server()
    # The event loop answers kept results while threads wait on sandbox workers; with Python's default 5 ms
    # switch interval each thread's hand-back to the loop waits up to 5 ms for the interpreter, several times
    # per check. A shorter interval keeps those waits short.
    sys.setswitchinterval(settings.SWITCH_SECONDS)
    application = web.create_app(chosen, on_ready=ready)
    config = uvicorn.Config(
        application, log_level="warning", access_log=False, timeout_graceful_shutdown=5, lifespan="on"
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shut down gracefully and passes Ctrl-C on: we are done
    finally:
        sock.close()
    click.echo("symwork serve: stopped; every checker process has ended.", err=True)
