"""Running a grading plan: chunks of tasks through an executor, each chunk in a sandbox worker under limits.

The work is split into chunks of rows (grouped by derivation and seed, so each reference answer is built
once per worker) and sent through a `concurrent.futures.Executor`. Each task drives a persistent sandbox
worker process (`symwork.answers.sandbox`): a chunk runs there under one generous limit, and a chunk that
overruns is re-run row by row, each under the per-row ``timeout``, so one hostile answer costs only its row.
Every row is checked by the one checker, `symwork.answers.marking.check_answer`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Executor
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

#: Seconds per row added to a chunk's limit; a chunk past its limit is re-run row by row.
CHUNK_SECONDS_PER_ROW = 0.5
MAX_CHUNK = 32
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


@lru_cache(maxsize=16384)
def _check_row(derivation_id: str, seed: int | None, answer: str, budget: float) -> tuple[str, str, str]:
    try:
        derivation = registry.get(derivation_id)  # an unknown id is the row's problem, reported before the answer's
        _read_answer(answer)
        result = check_answer(derivation, answer, seed=seed, budget=budget)
    except Exception as exc:  # noqa: BLE001 - every row gets an outcome; the table decides which
        for kind, status, verdict in _ERROR_TABLE:
            if isinstance(exc, kind):
                return status, verdict, str(exc)
        return "internal_error", "undecided", f"The checker failed ({type(exc).__name__}); please report it."
    return "ok", GRADES.get(result.verdict, "undecided"), result.feedback or result.detail


def check_rows(tasks: Sequence[Task], budget: float) -> list[Outcome]:
    """Check a chunk of rows in this process (a sandbox worker): cached references, cached parses."""
    return [Outcome(task.index, *_check_row(task.derivation, task.seed, task.answer, budget)) for task in tasks]


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
_sandbox_lock = threading.Lock()


def _acquire() -> Sandbox:
    with _sandbox_lock:
        if _idle_sandboxes:
            return _idle_sandboxes.pop()
    return Sandbox(workers=1)


def _release(box: Sandbox) -> None:
    with _sandbox_lock:
        _idle_sandboxes.append(box)


def grade_chunk(tasks: Sequence[Task], timeout: float) -> list[Outcome]:
    """Grade one chunk in a sandbox; if the chunk overruns, re-run its rows one by one under ``timeout`` each.

    This is the function the executor runs; it is module-level so that process pools and Dask can pickle it.
    Warming the worker (loading the library, building the chunk's reference answers) is trusted work and
    runs under the start-up limit, not against a student's row.
    """
    budget = max(0.05, timeout * 0.5)
    keys = sorted({(t.derivation, t.seed) for t in tasks if t.seed is not None})
    box = _acquire()
    try:
        try:
            box.run(warm, keys, timeout=STARTUP_TIMEOUT)
        except (AssertionError, OSError):
            # A daemonic process (a Dask worker process by default) may not start children: no hard limit
            # here, only the parser's size limits and the comparison's own budget.
            return check_rows(tasks, budget)
        except SymworkError:
            pass  # a worker that cannot warm up is replaced; each row below still gets its own limit
        limit = timeout + CHUNK_SECONDS_PER_ROW * len(tasks)
        try:
            return list(box.run(check_rows, list(tasks), budget, timeout=limit))
        except (TimeLimitError, MemoryLimitError, CheckError):
            return [_single(box, task, timeout, budget) for task in tasks]
    finally:
        _release(box)


def _single(box: Sandbox, task: Task, timeout: float, budget: float) -> Outcome:
    try:
        # The worker may be a fresh replacement: warm it outside the row's limit.
        box.run(warm, [(task.derivation, task.seed)] if task.seed is not None else [], timeout=STARTUP_TIMEOUT)
        return list(box.run(check_rows, [task], budget, timeout=timeout))[0]
    except TimeLimitError:
        return Outcome(task.index, "timeout", "undecided", f"The check took longer than {timeout:g} s and was stopped.")
    except MemoryLimitError:
        return Outcome(
            task.index, "rejected", "incorrect", "The check ran out of memory and was stopped; simplify the answer."
        )
    except SymworkError as exc:
        return Outcome(task.index, "internal_error", "undecided", f"The checker failed: {exc}")


def _chunks(tasks: list[Task], capacity: int) -> list[list[Task]]:
    # Grouping by (derivation, seed, answer) puts rows that share a reference (and duplicate answers)
    # in the same chunk, so each worker builds each reference once; the order is deterministic.
    ordered = sorted(tasks, key=lambda t: (t.derivation, -1 if t.seed is None else t.seed, t.answer))
    size = max(1, min(MAX_CHUNK, -(-len(ordered) // (capacity * 4))))
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def run_tasks(tasks: list[Task], executor: Executor, capacity: int, *, timeout: float) -> dict[int, Outcome]:
    """Check every task through ``executor``; a chunk whose task fails outright gets internal errors."""
    futures = [(chunk, executor.submit(grade_chunk, chunk, timeout)) for chunk in _chunks(tasks, capacity)]
    outcomes: dict[int, Outcome] = {}
    for chunk, future in futures:
        try:
            results = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker must not lose rows
            results = [
                Outcome(t.index, "internal_error", "undecided", f"The worker failed ({type(exc).__name__}).")
                for t in chunk
            ]
        for outcome in results:
            outcomes[outcome.index] = outcome
    return outcomes
