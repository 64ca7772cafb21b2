"""Resolving `--executor`: a local pool on all cores, any `concurrent.futures.Executor`, or a Dask cluster."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from symwork.errors import InputError
from symwork.publish.jobs import default_jobs

#: URL schemes for `--executor`, each a factory taking (address, jobs) and returning an Executor.
_SCHEMES: dict[str, Callable[[str, int], Executor]] = {}


def _local(_: str, jobs: int) -> Executor:
    # Threads, not processes: each thread only drives its own sandbox worker process (symwork.sandbox),
    # which does the work under a hard time limit. A process pool on top would double the processes.
    return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="symwork-grade")


def _dask(address: str, _: int) -> Executor:
    try:
        # Dask is optional (pip install 'dask[distributed]'), and heavy: imported only for a dask:// executor.
        from distributed import Client
    except ImportError as exc:
        raise InputError(f"{address!r} needs Dask; install it with: pip install 'dask[distributed]'.") from exc
    client = Client(address.replace("dask://", "tcp://", 1), set_as_default=False)
    executor: Executor = client.get_executor()
    _CLIENTS[id(executor)] = client
    return executor


_SCHEMES.update({"local": _local, "dask": _dask, "tcp": _dask})
_CLIENTS: dict[int, Any] = {}


@contextlib.contextmanager
def resolve(executor: str | Executor | None, *, jobs: int | None = None) -> Iterator[tuple[Executor, int]]:
    """An executor and how many tasks it runs at once; executors given by the caller are not shut down.

    ``None`` or ``"local"`` is a local pool of ``jobs`` workers (default: all cores); ``"dask://HOST:PORT"``
    is a Dask cluster through ``distributed.Client(address).get_executor()``.
    """
    if isinstance(executor, Executor):
        yield executor, jobs or _capacity(executor)
        return
    spec = executor or "local"
    scheme = spec.partition("://")[0] if "://" in spec else spec
    factory = _SCHEMES.get(scheme)
    if factory is None:
        raise InputError(f"Unknown executor {spec!r}; use 'local' or 'dask://HOST:PORT'.")
    width = jobs or default_jobs()
    created = factory(spec, width)
    try:
        yield created, (jobs or _capacity(created))
    finally:
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
