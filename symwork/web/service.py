"""What the pages and the API do, as blocking calls: check, preview, verify and exercise prompts, in the pool.

Each result is the JSON object of the matching CLI command (`symwork check --json`, `symwork verify
--json`) plus ``text``, the lines the terminal prints for it, so the page shows exactly what `symwork
check` says. The work runs in `symwork.web.tasks` inside the pool; a worker stopped at its limit becomes
the same "undecided" result the CLI gives. Callers run these from a thread, inside `Pool.admit`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from symwork.answers import AnswerResult, AnswerVerdict, Comparison, feedback
from symwork.answers.checker import format_check
from symwork.answers.verify import format_verify, verify_text
from symwork.core import registry
from symwork.errors import InputError, MemoryLimitError, SymworkError, TimeLimitError, WorkerError
from symwork.seeds import problem_seed
from symwork.web.pool import Pool
from symwork.web.settings import MAX_SEED, PREVIEW_SECONDS, Settings

#: Seconds allowed to read a whole hand derivation (find its expressions and parse each once).
CHAIN_SECONDS = 10.0
#: Seconds allowed to build an exercise variant (trusted code, but the seed comes from the request).
EXERCISE_SECONDS = 20.0
_TASKS = "symwork.web.tasks:"

#: A worker stopped at a limit → the Comparison the CLI reports for it (as `symwork.answers.checker` does).
_STOPPED: tuple[tuple[type[SymworkError], Callable[[SymworkError, float], Comparison]], ...] = (
    (TimeLimitError, lambda exc, t: Comparison(AnswerVerdict.UNDECIDED, "time limit", detail=feedback.time_limit(t))),
    (
        MemoryLimitError,
        lambda exc, t: Comparison(AnswerVerdict.UNDECIDED, "memory limit", detail=feedback.MEMORY_LIMIT),
    ),
    (WorkerError, lambda exc, t: Comparison(AnswerVerdict.UNDECIDED, "sandbox", detail=str(exc))),
    (SymworkError, lambda exc, t: Comparison(AnswerVerdict.ERROR, error=str(exc))),
)


def stopped(exc: SymworkError, timeout: float) -> Comparison:
    """The result of a task that gave none: stopped at a limit, or refused as bad input."""
    for kind, make in _STOPPED:
        if isinstance(exc, kind):
            return make(exc, timeout)
    raise exc


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


class Service:
    """The class-facing operations over one pool, one course and (optionally) one roster."""

    def __init__(self, settings: Settings, pool: Pool, roster: Mapping[str, int] | None = None) -> None:
        self.settings = settings
        self.pool = pool
        #: Student id → student seed (`symwork.seeds.student_seed` of the course), from the lecturer's roster.
        self.roster = dict(roster) if roster is not None else None

    # --- seeds -----------------------------------------------------------------------------------------------

    def exercise_seed(self, derivation_id: str, *, seed: int | None = None, student: str | None = None) -> int | None:
        """The exercise seed `symwork check --seed` takes: from a student's roster seed, or as given, or None."""
        if student is None:
            return seed
        if seed is not None:
            raise InputError("Give either a seed or a student id, not both.")
        if self.roster is None:
            raise InputError("This server has no roster, so it knows no student ids; give a seed instead.")
        if student not in self.roster:
            raise InputError(f"The student id {student[:80]!r} is not in the roster; check it against your sheet.")
        return problem_seed(self.roster[student], derivation_id)

    @staticmethod
    def sheet_seed(derivation_id: str, seed: int) -> int:
        """The exercise seed of the worksheet built with ``symwork build --seed`` ``seed`` (as `publish.problems`)."""
        return problem_seed(seed, derivation_id)

    # --- work in the pool ------------------------------------------------------------------------------------

    def check(
        self, derivation_id: str, answer: str, *, seed: int | None = None, student: str | None = None
    ) -> dict[str, Any]:
        """`symwork check ID ANSWER [--seed N] --json` plus ``text``; a student id picks the roster's variant."""
        registry.get(derivation_id)  # an unknown id is a bad request (with suggestions), not a verdict
        exercise_seed = self.exercise_seed(derivation_id, seed=seed, student=student)
        timeout = self.settings.timeout
        start = time.perf_counter()
        try:
            result = dict(
                self.pool.run(
                    _TASKS + "check", derivation_id, answer, seed=exercise_seed, limit=timeout, timeout=timeout
                )
            )
        except SymworkError as exc:
            found = stopped(exc, timeout)
            result = AnswerResult.of(found, feedback=feedback.for_failure(found)).to_json()
        result["elapsed_ms"] = _elapsed_ms(start)
        result["text"] = format_check(result)
        return result

    def preview(self, text: str) -> dict[str, Any]:
        """``{"latex", "error", "column"}``: how the checker reads ``text`` (printed back as LaTeX)."""
        try:
            return dict(self.pool.run(_TASKS + "preview", text, timeout=PREVIEW_SECONDS))
        except (TimeLimitError, MemoryLimitError):
            message = (
                f"Reading this took longer than {PREVIEW_SECONDS:g} s or too much memory and was stopped; simplify it."
            )
            return {"latex": None, "error": message, "column": None}

    def exercise(self, derivation_id: str, exercise_seed: int) -> dict[str, Any]:
        """The exercise prompt and answer label for an exercise seed (LaTeX), built in the pool."""
        if not 0 <= exercise_seed <= MAX_SEED:
            raise InputError(f"The seed {exercise_seed!r} is not a whole number from 0 to 2**63 - 1.")
        return dict(self.pool.run(_TASKS + "exercise", derivation_id, exercise_seed, timeout=EXERCISE_SECONDS))

    def verify(self, text: str, *, against: str | None = None) -> dict[str, Any]:
        """`symwork verify FILE [--against ID] --json` for ``text``, plus ``text`` (the terminal's lines).

        The derivation is first read in the pool (every expression parsed once, under a hard limit), so text
        that would not parse in time never reaches this process; then `verify_text` checks it exactly as the
        CLI does (each step in the checker's own sandbox, under the step time limit).
        """
        if against is not None:
            registry.get(against)  # an unknown id is bad input, as for the CLI
        stopped_reading = False
        try:
            self.pool.run(_TASKS + "chain", text, timeout=CHAIN_SECONDS)
        except (TimeLimitError, MemoryLimitError, WorkerError):
            stopped_reading = True
        except SymworkError:
            pass  # unreadable, and found so within the limit: verify_text says where, in its own words
        if stopped_reading:
            result = _verify_error(f"Reading the derivation took longer than {CHAIN_SECONDS:g} s; split it.", line=None)
        else:
            result = verify_text(text, against=against, timeout=self.settings.timeout)
        result["text"] = format_verify(result)
        return result


def _verify_error(message: str, *, line: int | None) -> dict[str, Any]:
    return {
        "verdict": "error",
        "start": None,
        "steps": [],
        "first_wrong_line": None,
        "counterexample": None,
        "error": message,
        "error_line": line,
    }
