"""Resolving `--executor`: a local pool on all cores, any `concurrent.futures.Executor`, or a Dask cluster.

On a Dask cluster every worker process gets a plugin (`symwork.classroom.dask_plugin`) that lets it start
sandbox workers, so answers are checked there under the same time and memory limits as on this machine.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from symwork.classroom.records import shown
from symwork.classroom.run import resume_sandboxes, stop_sandboxes
from symwork.errors import InputError
from symwork.publish.jobs import default_jobs

#: Seconds to reach a Dask scheduler before giving up with a message (Dask's own default waits 30 s).
CONNECT_TIMEOUT = 5.0
#: URL schemes for `--executor`, each a factory taking (address, jobs) and returning an Executor.
_SCHEMES: dict[str, Callable[[str, int], Executor]] = {}
_CLIENTS: dict[int, Any] = {}


def _local(_: str, jobs: int) -> Executor:
    # Threads, not processes: each thread only drives its own sandbox worker process (symwork.sandbox),
    # which does the work under a hard time limit. A process pool on top would double the processes.
    return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="symwork-grade")


def dask_address(spec: str) -> tuple[str, int]:
    """The host and port of ``dask://HOST:PORT`` (or ``tcp://``). Raises InputError for anything else."""
    usage = "use dask://HOST:PORT, e.g. dask://127.0.0.1:8786"
    try:
        parts = urlsplit(spec)
        port = parts.port
    except ValueError:
        raise InputError(f"The executor {shown(spec)} has no valid port; {usage}.") from None
    if not parts.hostname:
        raise InputError(f"The executor {shown(spec)} names no host; {usage}.")
    if port is None:
        raise InputError(f"The executor {shown(spec)} names no port; {usage}.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(f"The executor {shown(spec)} has more than a host and a port; {usage}.")
    return parts.hostname, port


def _dask(spec: str, _: int) -> Executor:
    host, port = dask_address(spec)
    try:
        # Dask is optional (pip install 'dask[distributed]'), and heavy: imported only for a dask:// executor.
        from distributed import Client
    except ImportError as exc:
        raise InputError(f"{spec!r} needs Dask; install it with: pip install 'dask[distributed]'.") from exc
    try:
        # A plain connection first: a wrong address fails in milliseconds with a clear message, not after
        # Dask's own retries.
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
        client = Client(f"tcp://{host}:{port}", timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"Cannot reach a Dask scheduler at {host}:{port} ({exc.strerror or type(exc).__name__}); "
            "start one (dask scheduler) or check the address."
        ) from None
    try:
        # Lazy, like Dask itself: the plugin module imports distributed.
        from symwork.classroom.dask_plugin import SandboxPlugin

        client.register_plugin(SandboxPlugin())
    except Exception:
        client.close()
        raise
    executor: Executor = client.get_executor()
    _CLIENTS[id(executor)] = client
    return executor


_SCHEMES.update({"local": _local, "dask": _dask, "tcp": _dask})


def check(executor: str | Executor | None) -> None:
    """Refuse an executor that names no known kind, or a Dask address without a host and port, before any work."""
    if executor is None or isinstance(executor, Executor):
        return
    scheme = executor.partition("://")[0] if "://" in executor else executor
    if scheme not in _SCHEMES:
        raise InputError(f"Unknown executor {shown(executor)}; use 'local' or 'dask://HOST:PORT'.")
    if _SCHEMES[scheme] is _dask:
        dask_address(executor)


@contextlib.contextmanager
def resolve(executor: str | Executor | None, *, jobs: int | None = None) -> Iterator[tuple[Executor, int]]:
    """An executor and how many tasks it runs at once; executors given by the caller are not shut down.

    ``None`` or ``"local"`` is a local pool of ``jobs`` workers (default: all cores); ``"dask://HOST:PORT"``
    is a Dask cluster through ``distributed.Client(address).get_executor()``. On an interrupt the work not
    started is cancelled and this process's sandboxes are stopped, so Ctrl-C returns at once (a chunk that was
    starting its sandbox finishes in the background, unchecked).
    """
    resume_sandboxes()
    if isinstance(executor, Executor):
        try:
            yield executor, jobs or _capacity(executor)
        except BaseException:
            stop_sandboxes()
            raise
        return
    spec = executor or "local"
    scheme = spec.partition("://")[0] if "://" in spec else spec
    factory = _SCHEMES.get(scheme)
    if factory is None:
        raise InputError(f"Unknown executor {shown(spec)}; use 'local' or 'dask://HOST:PORT'.")
    width = jobs or default_jobs()
    created = factory(spec, width)
    interrupted = False
    try:
        yield created, (jobs or _capacity(created))
    except BaseException:
        interrupted = True
        raise
    finally:
        if interrupted:
            created.shutdown(wait=False, cancel_futures=True)
            stop_sandboxes()
        else:
            created.shutdown(wait=True)
        client = _CLIENTS.pop(id(created), None)
        if client is not None:
            client.close()


def _capacity(executor: Executor) -> int:
    """How many tasks an executor runs at once, to size the chunks (a guess for unknown executors)."""
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int):
        return workers
    client = _CLIENTS.get(id(executor)) or getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a cluster that cannot answer still gets work
            return default_jobs()
    return default_jobs()
