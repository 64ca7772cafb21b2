"""Persistent worker processes with a hard wall-clock limit and a memory limit for untrusted work.

Workers come from multiprocessing's "forkserver" context (never a fork of a threaded parent, never
SIGALRM), so a `Sandbox` is safe to use from threads and notebooks. Each task is sent over a pipe; the
parent waits with `Connection.poll(timeout)`, and a worker that overruns is killed (SIGKILL) and
replaced, and the task raises `TimeLimitError`. The worker caps its own address space with
`resource.setrlimit(RLIMIT_AS)`, so a memory bomb ends in `MemoryError` inside the worker, which is
then replaced too.

    >>> with Sandbox(workers=1, timeout=2.0) as box:
    ...     box.run("symwork.answers.checker:equal_in_process", "x^2", "x*x")["verdict"]
    'equal'
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import queue
import resource
import signal
import statistics
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from symwork import errors
from symwork.errors import CheckError, MemoryLimitError, SymworkError, TimeLimitError, WorkerError

#: Modules the fork server imports once, so that a replacement worker starts warm (in ~20 ms, not ~1 s):
#: the checker and what it needs (SymPy, the parser, the comparison engine). A worker imports them again
#: (a no-op when forked warm) before it reports ready, so imports never count against a task's time limit.
PRELOAD = ("symwork.answers.marking",)
DEFAULT_MEMORY = 1 << 30
#: Generous limit for a new worker's start-up; not counted against any task's time limit.
STARTUP_TIMEOUT = 120.0


# The sandbox's errors live with the others; re-exported here for callers that catch them by module.
__all__ = ["MemoryLimitError", "Sandbox", "TimeLimitError", "WorkerError", "default_sandbox"]


def _resolve(target: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    function = getattr(importlib.import_module(module_name), attribute)
    if not callable(function):
        raise WorkerError(f"{target!r} is not a function; pass 'module:function'.")
    return function


#: What a worker's pipe raises once the parent has gone (closed its end, exited, or was interrupted).
_PARENT_GONE = (BrokenPipeError, ConnectionResetError, EOFError)


def _worker_main(conn: Connection, memory: int | None) -> None:
    """The worker's process: Ctrl-C ignored (the parent stops its workers), then `_serve` until the pipe closes.

    A parent that goes away mid-task (Ctrl-C, a crash) ends the worker quietly: there is nobody to report to,
    and a traceback on the terminal would only hide the parent's own message.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(conn, memory)
    except _PARENT_GONE:
        return


def _serve(conn: Connection, memory: int | None) -> None:
    """The worker loop: apply the memory limit, warm up, then answer tasks until the pipe closes."""
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    for name in PRELOAD:
        importlib.import_module(name)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        target, args, kwargs = message
        try:
            result = _resolve(target)(*args, **kwargs)
            conn.send(("ok", result))
        except _PARENT_GONE:
            raise
        except MemoryError:
            conn.send(("memory", "the check ran out of memory"))
            return  # the heap may be in a poor state: let the parent replace this worker
        except SymworkError as exc:
            conn.send(("symwork", (type(exc).__name__, str(exc))))
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the parent as data
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _quiet_fork_server() -> None:
    """Start multiprocessing's fork server with Ctrl-C ignored, so that no worker is ever forked listening for it.

    Only the main thread can change a signal's handler; elsewhere the server starts on first use as usual and
    each worker ignores Ctrl-C from its first line (`_worker_main`).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver  # lazy: only sandboxes start it

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _hidden_main() -> Iterator[None]:
    """Start workers without re-running the caller's ``__main__`` in them.

    forkserver and spawn children normally re-import the parent's main script, which re-runs any
    script without an ``if __name__ == "__main__"`` guard (and the CLI). The worker needs nothing from
    it, so an empty ``__main__`` is shown to multiprocessing while the process starts.
    """
    with _MAIN_LOCK:
        real = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if real is not None:
                sys.modules["__main__"] = real


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, memory: int | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, memory), daemon=True)
        with _hidden_main():
            self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            self.kill()
            raise WorkerError("A sandbox worker did not start within the start-up limit; try again.")
        try:
            self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise WorkerError("A sandbox worker exited while starting; check the memory limit.") from exc
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Sandbox:
    """A pool of persistent worker processes; `run` sends one task to an idle worker.

    Thread-safe: concurrent `run` calls use different workers (or wait for one).
    """

    def __init__(self, workers: int = 1, *, timeout: float = 2.0, memory: int | None = DEFAULT_MEMORY) -> None:
        if workers < 1:
            raise ValueError(f"workers={workers!r} must be at least 1.")
        # Stop numpy's BLAS from starting thread pools in every worker: they waste memory under RLIMIT_AS.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.timeout = timeout
        self.memory = memory
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(PRELOAD))
        _quiet_fork_server()
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(workers):
            self._idle.put(None)  # a slot: the worker starts on first use

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.memory)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def warm(self) -> None:
        """Start every worker now (otherwise they start on first use)."""
        slots = []
        while True:
            try:
                slots.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for slot in slots:
            worker = slot or self._start()
            worker.wait_ready()
            self._idle.put(worker)

    def run(self, target: str | Callable[..., Any], *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Run ``target(*args, **kwargs)`` in a worker and return its result.

        ``target`` is ``"module:function"`` or a picklable module-level function. Raises
        `TimeLimitError` past ``timeout`` seconds (default: the sandbox's), `MemoryLimitError`, the
        worker's own `SymworkError` (re-raised as `CheckError` with its message) or `WorkerError`.
        """
        if self._closed:
            raise WorkerError("This sandbox is closed; create a new one.")
        limit = self.timeout if timeout is None else timeout
        worker = self._idle.get()
        kind, payload = "error", "no result"
        try:
            if worker is None or not worker.process.is_alive():
                if worker is not None:
                    self._retire(worker)
                worker = self._start()
            worker.wait_ready()
            worker.conn.send((target, args, kwargs))
            if not worker.conn.poll(limit):
                kind = "time"
            else:
                kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            kind = "died"
        except BaseException:
            if worker is not None:
                self._retire(worker)
            self._idle.put(None)
            raise
        if kind in ("time", "died", "memory"):
            # The worker is stuck, dead or exiting: kill it; its slot starts a fresh one on next use.
            if worker is not None:
                self._retire(worker)
            worker = None
        # Always give the slot back, with a live worker or empty, so the pool never shrinks.
        self._idle.put(worker)
        if kind == "ok":
            return payload
        if kind == "time":
            raise TimeLimitError(f"The check took longer than {limit:g} s and was stopped; simplify the input.")
        if kind == "memory":
            raise MemoryLimitError("The check ran out of memory and was stopped; simplify the input.")
        if kind == "died":
            raise WorkerError("The sandbox worker died during the check (possibly out of memory).")
        if kind == "symwork":
            name, message = tuple(payload)
            raise _ERRORS.get(name, CheckError)(message)
        raise WorkerError(f"The check failed inside the sandbox: {payload}")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            worker.process.join(timeout=0.5)
            worker.kill()


def _error_table() -> dict[str, type[SymworkError]]:
    table: dict[str, type[SymworkError]] = {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, SymworkError)
    }
    table.update({cls.__name__: cls for cls in (TimeLimitError, MemoryLimitError, WorkerError)})
    return table


_ERRORS = _error_table()

_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide sandbox used by `symwork.answers`, created on first use (one worker)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = Sandbox(workers=1)
        return _default


def measure_overhead(rounds: int = 200) -> float:
    """Median seconds of a no-op round trip through a warm sandbox (for benchmarks)."""
    with Sandbox(workers=1) as box:
        box.warm()
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            box.run("symwork.answers.sandbox:noop")
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def noop() -> None:
    """A task that does nothing: measures the round trip."""
    return None
