"""Running a grading plan: chunks of tasks through an executor, each chunk in a sandbox worker under limits.

The work is split into chunks of rows (grouped by derivation and seed, so each derivation is prepared and each
reference answer built by one worker) and sent through a `concurrent.futures.Executor`. Each task drives a persistent sandbox
worker process (`symwork.answers.sandbox`): a chunk runs there under one generous limit, and a chunk that
overruns is re-run row by row, each under the per-row ``timeout``, so one hostile answer costs only its row.
Every row is checked by the one checker, `symwork.answers.marking.check_answer`.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from functools import lru_cache

from symwork.answers.marking import check_answer, exercise_answer, parsed
from symwork.answers.result import AnswerVerdict
from symwork.answers.sandbox import STARTUP_TIMEOUT, Sandbox
from symwork.classroom.plan import Task
from symwork.core import registry
from symwork.errors import (
    CheckError,
    InputError,
    LimitError,
    MemoryLimitError,
    ParseError,
    SymworkError,
    TimeLimitError,
    UnknownDerivationError,
)

#: The key of a grading run's random points when the lecturer gives none (``grade --secret-file``): reports
#: are reproducible, and since the points also depend on each answer's text, a crafted answer cannot be made
#: to vanish at them; a secret of the lecturer's own makes them unpredictable too.
DEFAULT_SECRET = b"symwork grade: the default secret; give a course's own with --secret-file"
#: Seconds per row added to a chunk's limit; a chunk past its limit is re-run row by row.
CHUNK_SECONDS_PER_ROW = 0.5
#: The most rows in a chunk: a class's derivation (a few variants, a few hundred distinct answers at most) fits.
MAX_CHUNK = 128
#: Answers longer than this are not kept in a worker's cache of checked rows.
MAX_CACHED_ANSWER = 400
#: The checker's verdict → the report's verdict.
GRADES: dict[AnswerVerdict, str] = {
    AnswerVerdict.EQUAL: "correct",
    AnswerVerdict.DIFFERENT: "incorrect",
    AnswerVerdict.UNDECIDED: "undecided",
}
#: Exceptions raised while checking → (status, verdict), most specific first: an unreadable answer earns
#: no credit, a problem on our side needs a human.
_ERROR_TABLE: tuple[tuple[type[Exception], str, str], ...] = (
    (UnknownDerivationError, "rejected", "undecided"),
    (LimitError, "rejected", "incorrect"),
    (ParseError, "parse_error", "incorrect"),
    (InputError, "rejected", "undecided"),
    (CheckError, "ok", "undecided"),
    (SymworkError, "internal_error", "undecided"),
)


@dataclass(frozen=True)
class Outcome:
    """The checked result of one task: the report's status, verdict and feedback."""

    index: int
    status: str
    verdict: str
    feedback: str


# --- checking (inside a sandbox worker) ----------------------------------------------------------------------


def _read_answer(text: str) -> None:
    """Raise the answer's parse error, if any: the report names an unreadable answer before anything else."""
    if not text.strip():
        raise ParseError("The answer is empty; type an expression.")
    parsed(text)


def _check_row(derivation_id: str, seed: int | None, answer: str, budget: float, secret: bytes) -> tuple[str, str, str]:
    # The grader sends each distinct answer once; the cache serves re-runs (a chunk re-run row by row) and is
    # kept to short answers, so that a flood of long hostile ones cannot fill the worker's memory.
    if len(answer) <= MAX_CACHED_ANSWER:
        return _check_row_cached(derivation_id, seed, answer, budget, secret)
    return _check_row_now(derivation_id, seed, answer, budget, secret)


def _check_row_now(
    derivation_id: str, seed: int | None, answer: str, budget: float, secret: bytes
) -> tuple[str, str, str]:
    try:
        derivation = registry.get(derivation_id)  # an unknown id is the row's problem, reported before the answer's
        _read_answer(answer)
        result = check_answer(derivation, answer, seed=seed, budget=budget, secret=secret)
    except Exception as exc:  # noqa: BLE001 - every row gets an outcome; the table decides which
        for kind, status, verdict in _ERROR_TABLE:
            if isinstance(exc, kind):
                return status, verdict, str(exc)
        return "internal_error", "undecided", f"The checker failed ({type(exc).__name__}); please report it."
    return "ok", GRADES.get(result.verdict, "undecided"), result.feedback or result.detail


_check_row_cached = lru_cache(maxsize=16384)(_check_row_now)


def check_rows(tasks: Sequence[Task], budget: float, secret: bytes = DEFAULT_SECRET) -> list[Outcome]:
    """Check a chunk of rows in this process (a sandbox worker): cached references, cached parses."""
    return [Outcome(task.index, *_check_row(task.derivation, task.seed, task.answer, budget, secret)) for task in tasks]


def warm(keys: Sequence[tuple[str, int]]) -> None:
    """Load the library and build the reference answers of ``keys`` in this (sandbox) process."""
    registry.derivations()
    for derivation_id, seed in keys:
        try:
            exercise_answer(registry.get(derivation_id), seed)
        except Exception:  # noqa: BLE001 - the row's own check reports it, with the row's status
            continue


# --- running chunks (inside an executor worker) ------------------------------------------------------------

#: Idle single-worker sandboxes of this process, reused across tasks and calls (their caches stay warm).
_idle_sandboxes: list[Sandbox] = []
#: Every sandbox of this process, idle or busy: an interrupt stops them all.
_all_sandboxes: set[Sandbox] = set()
_sandbox_lock = threading.Lock()
#: Set by `stop_sandboxes` (Ctrl-C): chunks not yet checked end at once, unchecked.
_stopping = threading.Event()


def allow_sandboxes() -> None:
    """Let this process start sandbox workers even if it is a daemonic process (a Dask worker under a nanny).

    multiprocessing refuses children to a daemonic process because they could outlive it; a sandbox worker
    cannot: it exits as soon as its pipe to this process closes. Without this, answers on a cluster would be
    checked with no hard time or memory limit.
    """
    process = multiprocessing.current_process()
    if process.daemon:
        # The documented flag is read-only once the process runs; its config entry is what start() checks.
        process._config["daemon"] = False  # type: ignore[attr-defined]


def _acquire() -> Sandbox:
    with _sandbox_lock:
        if _idle_sandboxes:
            return _idle_sandboxes.pop()
        box = Sandbox(workers=1)
        _all_sandboxes.add(box)
        return box


def _release(box: Sandbox) -> None:
    with _sandbox_lock:
        if box in _all_sandboxes:  # not stopped meanwhile
            _idle_sandboxes.append(box)


def stop_sandboxes() -> None:
    """Stop every sandbox of this process (on Ctrl-C): busy rows end at once as internal errors."""
    _stopping.set()
    with _sandbox_lock:
        boxes = list(_all_sandboxes)
        _all_sandboxes.clear()
        _idle_sandboxes.clear()
    for box in boxes:
        box.close()


def resume_sandboxes() -> None:
    """Let chunks run again after `stop_sandboxes` (a new grading run in the same process)."""
    _stopping.clear()


def _stopped(tasks: Sequence[Task]) -> list[Outcome]:
    return [Outcome(t.index, "internal_error", "undecided", "Grading was interrupted before this row.") for t in tasks]


def grade_chunk(tasks: Sequence[Task], timeout: float, secret: bytes = DEFAULT_SECRET) -> list[Outcome]:
    """Grade one chunk in a sandbox; if the chunk overruns, re-run its rows one by one under ``timeout`` each.

    This is the function the executor runs; it is module-level so that process pools and Dask can pickle it.
    Warming the worker (loading the library, building the chunk's reference answers) is trusted work and
    runs under the start-up limit, not against a student's row. No row is ever checked outside a sandbox.
    """
    if _stopping.is_set():
        return _stopped(tasks)
    allow_sandboxes()
    budget = max(0.05, timeout * 0.5)
    keys = sorted({(t.derivation, t.seed) for t in tasks if t.seed is not None})
    box = _acquire()
    try:
        try:
            box.run(warm, keys, timeout=STARTUP_TIMEOUT)
        except (AssertionError, OSError) as exc:
            reason = f"The sandbox could not start here ({type(exc).__name__}), so the answer was not checked."
            return [Outcome(task.index, "internal_error", "undecided", reason) for task in tasks]
        except SymworkError:
            pass  # a worker that cannot warm up is replaced; each row below still gets its own limit
        if _stopping.is_set():
            return _stopped(tasks)
        limit = timeout + CHUNK_SECONDS_PER_ROW * len(tasks)
        try:
            return list(box.run(check_rows, list(tasks), budget, secret, timeout=limit))
        except (TimeLimitError, MemoryLimitError, CheckError):
            return [_single(box, task, timeout, budget, secret) for task in tasks]
    finally:
        _release(box)


def _single(box: Sandbox, task: Task, timeout: float, budget: float, secret: bytes) -> Outcome:
    try:
        # The worker may be a fresh replacement: warm it outside the row's limit.
        box.run(warm, [(task.derivation, task.seed)] if task.seed is not None else [], timeout=STARTUP_TIMEOUT)
        return list(box.run(check_rows, [task], budget, secret, timeout=timeout))[0]
    except TimeLimitError:
        return Outcome(task.index, "timeout", "undecided", f"The check took longer than {timeout:g} s and was stopped.")
    except MemoryLimitError:
        return Outcome(
            task.index, "rejected", "incorrect", "The check ran out of memory and was stopped; simplify the answer."
        )
    except SymworkError as exc:
        return Outcome(task.index, "internal_error", "undecided", f"The checker failed: {exc}")


def _chunks(tasks: list[Task], capacity: int) -> list[list[Task]]:
    """Chunks that keep each derivation's rows together, and within it each variant's, largest chunk first.

    A worker prepares a derivation's result once (about 30 ms) and builds each variant's reference answer
    once (about 10 ms): rows of one derivation sent to two workers would cost both twice. So a derivation's
    rows share a chunk when they fit; a larger one is split between variants, and only a variant larger than
    a chunk is split. Small derivations share chunks. The largest chunks go first, so that the last ones,
    which decide when the workers finish, are short. The order is deterministic.
    """
    ordered = sorted(tasks, key=lambda t: (t.derivation, -1 if t.seed is None else t.seed, t.answer))
    size = max(1, min(MAX_CHUNK, -(-len(ordered) // (capacity * 4))))
    chunks: list[list[Task]] = []
    current: list[Task] = []
    for _, same_derivation in itertools.groupby(ordered, key=lambda t: t.derivation):
        rows = list(same_derivation)
        if current and len(current) + len(rows) > size:
            chunks.append(current)
            current = []
        if len(current) + len(rows) <= size:
            current += rows
            continue
        for _, grouped in itertools.groupby(rows, key=lambda t: t.seed):
            group = list(grouped)
            if current and len(current) + len(group) > size:
                chunks.append(current)
                current = []
            while len(current) + len(group) > size:
                chunks.append(group[:size])
                group = group[size:]
            current += group
    if current:
        chunks.append(current)
    return sorted(chunks, key=len, reverse=True)  # stable: equal sizes keep their order


def submit_chunks(
    tasks: list[Task], executor: Executor, capacity: int, *, timeout: float, secret: bytes = DEFAULT_SECRET
) -> list[tuple[list[Task], Future[list[Outcome]]]]:
    """Send the chunks of ``tasks`` to ``executor``; each chunk with the future of its outcomes."""
    return [(chunk, executor.submit(grade_chunk, chunk, timeout, secret)) for chunk in _chunks(tasks, capacity)]


def collect(chunk: Sequence[Task], future: Future[list[Outcome]]) -> list[Outcome]:
    """The outcomes of a chunk; a chunk whose task failed outright gets internal errors (no row is lost)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a lost worker must not lose rows
        return [
            Outcome(t.index, "internal_error", "undecided", f"The worker failed ({type(exc).__name__}).") for t in chunk
        ]


def run_tasks(
    tasks: list[Task], executor: Executor, capacity: int, *, timeout: float, secret: bytes = DEFAULT_SECRET
) -> dict[int, Outcome]:
    """Check every task through ``executor``; a chunk whose task fails outright gets internal errors."""
    outcomes: dict[int, Outcome] = {}
    for chunk, future in submit_chunks(tasks, executor, capacity, timeout=timeout, secret=secret):
        for outcome in collect(chunk, future):
            outcomes[outcome.index] = outcome
    return outcomes
