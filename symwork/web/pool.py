"""The web's sandbox pool: warm single-worker sandboxes behind a bounded queue (full means 503 and Retry-After).

Each slot is a `symwork.answers.sandbox.Sandbox` with one worker, so the pool knows which worker a task
ran in: a worker killed at its time or memory limit is replaced and warmed (library loaded) off the
request path, before its slot takes work again, so one hostile answer costs its own request and no one
else's time limit. Admission is counted per request (waiting and running); past ``workers + queue`` a
request is refused at once with `BusyError` rather than left to wait without end.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import queue
import signal
import threading
from collections.abc import Iterator
from typing import Any

from symwork.answers.sandbox import PRELOAD, STARTUP_TIMEOUT, Sandbox
from symwork.errors import CheckError, MemoryLimitError, SymworkError, TimeLimitError, WorkerError

#: The task that makes a fresh worker ready: imports, grammars and the library (see `symwork.web.tasks`).
WARM_TASK = "symwork.web.tasks:warm"
#: Imported by the fork server so that every worker is forked with the library loaded.
PRELOAD_WARM = "symwork.web.preload"
#: Errors after which the worker was killed (or died) and its slot starts a fresh one.
_REPLACED = (TimeLimitError, MemoryLimitError, WorkerError)


def start_fork_server() -> None:
    """Start multiprocessing's fork server now, with Ctrl-C ignored, so every sandbox worker ignores it too.

    The fork server imports `symwork.web.preload` (the library, warm), so replacement workers start warm.
    A terminal's Ctrl-C goes to the whole process group: without this each worker would die with a
    KeyboardInterrupt of its own while the server is still shutting down. With it, only the server sees
    Ctrl-C, and it ends its workers itself. Call from the main thread, before any sandbox starts.
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload([*PRELOAD, PRELOAD_WARM])
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class BusyError(CheckError):
    """Every worker is busy and the queue is full; the client should retry after a moment."""


class Pool:
    """``workers`` warm sandboxes shared by every request; at most ``workers + queue`` requests admitted."""

    def __init__(self, workers: int, *, queue_size: int, memory: int | None, timeout: float = 2.0) -> None:
        if workers < 1 or queue_size < 0:
            raise ValueError(f"workers={workers!r} must be at least 1 and queue_size={queue_size!r} at least 0.")
        self.workers = workers
        self.capacity = workers + queue_size
        self._boxes = [Sandbox(workers=1, timeout=timeout, memory=memory) for _ in range(workers)]
        self._idle: queue.Queue[Sandbox] = queue.Queue()
        self._admitted = 0
        self._lock = threading.Lock()
        self._warming: set[threading.Thread] = set()
        self._closed = False

    # --- life cycle ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start and warm every worker (in parallel); a worker that fails to warm still takes work."""
        threads = [threading.Thread(target=self._warm, args=(box,), name="symwork-warm") for box in self._boxes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def close(self) -> None:
        """Stop every worker; requests still waiting get `WorkerError`."""
        self._closed = True
        for thread in list(self._warming):  # a worker being warmed is closed after its warm-up, not during it
            thread.join(timeout=STARTUP_TIMEOUT)
        for box in self._boxes:
            # A request still running when the server stops may be retiring the same worker: its pipe can
            # already be closed, which is what we want anyway.
            with contextlib.suppress(OSError):
                box.close()

    def _warm(self, box: Sandbox) -> None:
        try:
            if not self._closed:
                box.run(WARM_TASK, timeout=STARTUP_TIMEOUT)
        except SymworkError:
            pass  # the next task reports what is wrong, under its own limit
        finally:
            self._warming.discard(threading.current_thread())
            self._idle.put(box)

    # --- admission -----------------------------------------------------------------------------------------

    @property
    def admitted(self) -> int:
        """Requests admitted and not yet finished (waiting for a worker or running)."""
        return self._admitted

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Hold a place for one request; `BusyError` at once when every place is taken."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise BusyError(
                    f"All {self.workers} checkers are busy and {self.capacity - self.workers} requests are waiting; "
                    "try again in a moment."
                )
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    # --- running -------------------------------------------------------------------------------------------

    def _next(self) -> Sandbox:
        # Wake up now and then, so that a request waiting while the server stops does not wait for ever.
        while not self._closed:
            with contextlib.suppress(queue.Empty):
                return self._idle.get(timeout=0.25)
        raise WorkerError("The server is stopping; try again when it is back.")

    def run(self, target: str, *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Run ``target`` (``"module:function"``) in the next free worker under ``timeout`` seconds.

        Raises what `Sandbox.run` raises (`TimeLimitError`, `MemoryLimitError`, `WorkerError`, the task's own
        `SymworkError`). Call it inside `admit`, from a thread (it blocks until a worker is free).
        """
        box = self._next()
        replaced = False
        try:
            return box.run(target, *args, timeout=timeout, **kwargs)
        except _REPLACED:
            replaced = True
            raise
        finally:
            if replaced and not self._closed:
                # The killed worker's slot starts a fresh one: warm it here, off every request's clock.
                thread = threading.Thread(target=self._warm, args=(box,), name="symwork-rewarm", daemon=True)
                self._warming.add(thread)
                thread.start()
            else:
                self._idle.put(box)
