"""The web's sandbox pool: warm single-worker sandboxes behind a bounded queue (full means 503 and Retry-After).

Each slot is a `symwork.answers.sandbox.Sandbox` with one worker, so the pool knows which worker a task
ran in: a worker killed at its time or memory limit is replaced and warmed (library loaded) off the
request path, before it takes work again. Beside the ``workers`` that answer everyone, ``spares`` warm
workers stand by. Work still running after ``slow_after`` seconds (a hostile answer, a long hand
derivation) is *set aside*: it keeps its worker and its own hard limit, and a spare takes its place at
once, and the set-aside worker's CPU priority is lowered (`symwork.web.priority`), so a slow check costs
its own request and no one else's. When the slow work ends, its worker
becomes the spare (warmed anew if it was killed): workers swap roles, none is started for it, and what
each has cached (the variants it has built) stays; its priority is restored, or, where this user may not
raise a priority again, it is replaced by a fresh worker. With no spare ready, slow work goes on in its place.
A worker killed at its limit among the shared ones likewise gives its place to the spare.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from symwork.answers.sandbox import PRELOAD, STARTUP_TIMEOUT, Sandbox
from symwork.errors import CheckError, MemoryLimitError, SymworkError, TimeLimitError, WorkerError
from symwork.web.priority import Process

#: The task that makes a fresh worker ready: imports, grammars and the library (see `symwork.web.tasks`).
WARM_TASK = "symwork.web.tasks:warm"
#: Imported by the fork server so that every worker is forked with the library loaded.
PRELOAD_WARM = "symwork.web.preload"
#: Seconds a task (or a lease) may run among the shared workers before it is set aside (see the module docstring).
SLOW_AFTER_SECONDS = 0.25
#: How often the pool looks for work to set aside, in seconds.
WATCH_SECONDS = 0.05
#: Seconds before its hard limit that a set-aside task gets its normal priority back: a worker killed at a low
#: priority on a busy machine takes long to exit, and its request waits for that.
RESTORE_BEFORE_SECONDS = 0.3
#: Least hard limit a request that waited for a worker still gets (its deadline may have passed meanwhile).
LEAST_SECONDS = 0.25
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

    def __init__(
        self,
        workers: int,
        *,
        queue_size: int,
        memory: int | None,
        timeout: float = 2.0,
        slow_after: float = SLOW_AFTER_SECONDS,
        spares: int = 1,
    ) -> None:
        if workers < 1 or queue_size < 0 or spares < 0:
            raise ValueError(
                f"workers={workers!r} must be at least 1, queue_size={queue_size!r} and spares={spares!r} at least 0."
            )
        self.workers = workers
        self.capacity = workers + queue_size
        self.slow_after = slow_after
        self._memory, self._timeout = memory, timeout
        self._boxes = [self._new_box() for _ in range(workers + spares)]
        #: Each box's worker process as its warm-up reported it, and the boxes whose priority was lowered.
        self._processes: dict[Sandbox, Process] = {}
        self._lowered: set[Sandbox] = set()
        #: When each running task's hard limit ends (time.monotonic), for tasks run by `run`.
        self._ends: dict[Sandbox, float] = {}
        self._idle: queue.Queue[Sandbox] = queue.Queue()
        #: Warm workers standing by to take the place of one set aside or killed.
        self._spares: list[Sandbox] = []
        self._admitted = 0
        self._lock = threading.Lock()
        #: Boxes at work (a task or a lease) → when that work began (time.monotonic).
        self._running: dict[Sandbox, float] = {}
        self._set_aside: set[Sandbox] = set()
        self._warming: set[threading.Thread] = set()
        self._closed = False
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="symwork-pool-watch", daemon=True)

    def _new_box(self) -> Sandbox:
        return Sandbox(workers=1, timeout=self._timeout, memory=self._memory)

    # --- life cycle ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start and warm every worker and spare (in parallel); a worker that fails to warm still takes work."""
        threads = [
            threading.Thread(target=self._warm, args=(box,), kwargs={"spare": k >= self.workers}, name="symwork-warm")
            for k, box in enumerate(self._boxes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.slow_after > 0 and len(self._boxes) > self.workers:
            self._watcher.start()

    def close(self) -> None:
        """Stop every worker; requests still waiting get `WorkerError`."""
        self._closed = True
        self._stop.set()
        for thread in list(self._warming):  # a worker being warmed is closed after its warm-up, not during it
            thread.join(timeout=STARTUP_TIMEOUT)
        for box in list(self._boxes):
            # A request still running when the server stops may be retiring the same worker: its pipe can
            # already be closed, which is what we want anyway.
            with contextlib.suppress(OSError):
                box.close()

    def _warm(self, box: Sandbox, *, spare: bool = False) -> None:
        try:
            if not self._closed:
                pid = box.run(WARM_TASK, timeout=STARTUP_TIMEOUT)
                process = Process.of(pid) if isinstance(pid, int) else None
                if process is not None:
                    self._processes[box] = process
        except SymworkError:
            pass  # the next task reports what is wrong, under its own limit
        finally:
            self._warming.discard(threading.current_thread())
            self._ready(box, spare=spare)

    def _ready(self, box: Sandbox, *, spare: bool) -> None:
        """``box`` takes work again, or stands by as a spare."""
        if spare:
            with self._lock:
                self._spares.append(box)
        else:
            self._idle.put(box)

    def _warm_later(self, box: Sandbox, *, spare: bool = False) -> None:
        """Warm ``box`` in a thread of its own, off every request's clock; then it takes work, or stands by."""
        thread = threading.Thread(
            target=self._warm, args=(box,), kwargs={"spare": spare}, name="symwork-rewarm", daemon=True
        )
        self._warming.add(thread)
        thread.start()

    # --- setting slow work aside ---------------------------------------------------------------------------

    @property
    def spares(self) -> int:
        """Spare workers warm and standing by now."""
        return len(self._spares)

    @property
    def set_aside(self) -> int:
        """Workers set aside now (their slow work still running)."""
        return len(self._set_aside)

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            self.set_aside_slow()
            self._restore_ending()

    def _restore_ending(self) -> None:
        """Give set-aside tasks near their hard limit their normal priority back, so that a kill ends them at once."""
        now = time.monotonic()
        with self._lock:
            for box in [b for b in self._lowered if now > self._ends.get(b, float("inf")) - RESTORE_BEFORE_SECONDS]:
                process = self._processes.get(box)
                if process is not None and process.restore():
                    self._lowered.discard(box)

    def set_aside_slow(self, now: float | None = None) -> int:
        """Set aside the work running longer than ``slow_after``, while spares last; how many were set aside."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self._closed:
                return 0
            slow = sorted(
                (start, id(box), box)
                for box, start in self._running.items()
                if box not in self._set_aside and now - start > self.slow_after
            )
            moved = [box for _, _, box in slow[: len(self._spares)]]
            for box in moved:
                self._set_aside.add(box)
                self._idle.put(self._spares.pop())
                process = self._processes.get(box)
                if process is not None and process.lower():
                    self._lowered.add(box)
        return len(moved)

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
                box = self._idle.get(timeout=0.25)
                with self._lock:
                    self._running[box] = time.monotonic()
                return box
        raise WorkerError("The server is stopping; try again when it is back.")

    @contextlib.contextmanager
    def lease(self) -> Iterator[Sandbox]:
        """The next free worker's sandbox, for several tasks in a row (each under its own limit, as `run`).

        The lease counts as one piece of work: running past ``slow_after`` it is set aside like a slow task.
        Afterwards the worker is warmed again off the clock, since one of its tasks may have been stopped
        (its sandbox then starts a fresh worker).
        """
        box = self._next()
        try:
            yield box
        finally:
            self._give_back(box, rewarm=True)

    def _give_back(self, box: Sandbox, *, rewarm: bool) -> None:
        """After a task or lease: back to work, or (set aside, or killed with a spare ready) the next spare."""
        with self._lock:
            self._running.pop(box, None)
            self._ends.pop(box, None)
            aside = box in self._set_aside
            self._set_aside.discard(box)
            swap = not aside and rewarm and bool(self._spares) and not self._closed
            if swap:  # the spare takes this one's place now; this one is warmed as the next spare
                self._idle.put(self._spares.pop())
            lowered = box in self._lowered
            self._lowered.discard(box)
        if lowered:
            process = self._processes.get(box)
            if process is not None and process.alive() and not process.restore():
                box = self._renewed(box)  # it would stay slow for ever: a fresh worker stands by instead
                rewarm = True
        if self._closed:
            self._idle.put(box)
        elif rewarm:
            self._warm_later(box, spare=aside or swap)
        else:
            self._ready(box, spare=aside)

    def _renewed(self, box: Sandbox) -> Sandbox:
        """A new sandbox in ``box``'s place (its worker ended); warm it before it takes work."""
        fresh = self._new_box()
        with self._lock:
            self._boxes[self._boxes.index(box)] = fresh
            self._processes.pop(box, None)
        with contextlib.suppress(OSError):
            box.close()
        return fresh

    def run(
        self, target: str | Callable[..., Any], *args: Any, timeout: float, deadline: float | None = None, **kwargs: Any
    ) -> Any:
        """Run ``target`` (``"module:function"``) in the next free worker under ``timeout`` seconds.

        With ``deadline`` (a `time.monotonic` instant) the hard limit also ends there, so a request that
        waited for a worker still ends in time (it gets at least `LEAST_SECONDS`). Raises what
        `Sandbox.run` raises (`TimeLimitError`, `MemoryLimitError`, `WorkerError`, the task's own
        `SymworkError`). Call it inside `admit`, from a thread (it blocks until a worker is free).
        """
        box = self._next()
        if deadline is not None:
            timeout = min(timeout, max(LEAST_SECONDS, deadline - time.monotonic()))
        with self._lock:
            self._ends[box] = time.monotonic() + timeout
        replaced = False
        try:
            return box.run(target, *args, timeout=timeout, **kwargs)
        except _REPLACED:
            replaced = True
            raise
        finally:
            # A killed worker is replaced by its sandbox; the new one is warmed off every request's clock.
            self._give_back(box, rewarm=replaced)
