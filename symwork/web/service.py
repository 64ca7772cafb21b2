"""What the pages and the API do, as blocking calls: check, preview, verify and exercise prompts, in the pool.

Each result is the JSON object of the matching CLI command (`symwork check --json`, `symwork verify
--json`) plus ``text``, the lines the terminal prints for it, so the page shows exactly what `symwork
check` says. The work runs in `symwork.web.tasks` inside the pool (a verify in one leased worker, each
step under its own limit); a worker stopped at its limit becomes the same "undecided" result the CLI
gives. Callers run these from a thread, inside `Pool.admit`. Decided checks, previews and prompts are
kept (`symwork.web.kept`): `kept_check` and `kept_preview` answer a repeated request without a thread.
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
from symwork.web.kept import Kept
from symwork.web.pool import Pool
from symwork.web.settings import KEPT_CHARS, KEPT_ENTRIES, MAX_SEED, PREVIEW_SECONDS, VERIFY_SECONDS, Settings

#: Seconds allowed to build an exercise variant (trusted code, but the seed comes from the request).
EXERCISE_SECONDS = 20.0
#: Seconds of a check's limit kept back for the rest of its request (the round trip, a stopped worker's end),
#: so that a check stopped at its limit still answers within ``--timeout`` of its arrival.
MARGIN_SECONDS = 0.4
#: Verdicts that are kept: "undecided" is not (a check stopped by its budget may decide on a quieter server).
_DECIDED = frozenset({"equal", "different"})
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
        #: Decided checks by (derivation id, answer, exercise seed); previews by text; prompts by (id, seed).
        self.checks: Kept[dict[str, Any]] = Kept(entries=KEPT_ENTRIES, chars=KEPT_CHARS)
        self.previews: Kept[dict[str, Any]] = Kept(entries=KEPT_ENTRIES, chars=KEPT_CHARS // 4)
        self.prompts: Kept[dict[str, Any]] = Kept(entries=KEPT_ENTRIES, chars=KEPT_CHARS // 4)

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

    # --- kept results (no worker, no thread) -----------------------------------------------------------------

    def kept_check(
        self, derivation_id: str, answer: str, *, seed: int | None = None, student: str | None = None
    ) -> dict[str, Any] | None:
        """The decided result of this very check, when the pool gave it before; else None. Refuses bad input."""
        start = time.perf_counter()
        registry.get(derivation_id)  # an unknown id is a bad request (with suggestions), not a verdict
        kept = self.checks.get((derivation_id, answer, self.exercise_seed(derivation_id, seed=seed, student=student)))
        if kept is None:
            return None
        return {**kept, "elapsed_ms": _elapsed_ms(start)}

    def kept_preview(self, text: str) -> dict[str, Any] | None:
        """The preview of this very text, when the pool read it before; else None."""
        return self.previews.get(text)

    # --- work in the pool ------------------------------------------------------------------------------------

    def check(
        self,
        derivation_id: str,
        answer: str,
        *,
        seed: int | None = None,
        student: str | None = None,
        arrived: float | None = None,
    ) -> dict[str, Any]:
        """`symwork check ID ANSWER [--seed N] --json` plus ``text``; a student id picks the roster's variant.

        ``arrived`` (`time.monotonic`, default now) starts the request's clock: the worker is stopped so that
        the answer leaves within ``--timeout`` seconds of it, however long the request waited for a worker.
        """
        registry.get(derivation_id)  # an unknown id is a bad request (with suggestions), not a verdict
        exercise_seed = self.exercise_seed(derivation_id, seed=seed, student=student)
        timeout = self.settings.timeout
        start = time.perf_counter()
        deadline = (time.monotonic() if arrived is None else arrived) + timeout - MARGIN_SECONDS
        try:
            result = dict(
                self.pool.run(
                    _TASKS + "check",
                    derivation_id,
                    answer,
                    seed=exercise_seed,
                    limit=timeout,
                    timeout=timeout,
                    deadline=deadline,
                )
            )
        except SymworkError as exc:
            found = stopped(exc, timeout)
            result = AnswerResult.of(found, feedback=feedback.for_failure(found)).to_json()
        result["text"] = format_check(result)
        if result.get("verdict") in _DECIDED:
            size = len(derivation_id) + len(answer) + len(repr(result))
            self.checks.put((derivation_id, answer, exercise_seed), result, size)
        return {**result, "elapsed_ms": _elapsed_ms(start)}

    def preview(self, text: str) -> dict[str, Any]:
        """``{"latex", "error", "column"}``: how the checker reads ``text`` (printed back as LaTeX)."""
        try:
            found = dict(self.pool.run(_TASKS + "preview", text, timeout=PREVIEW_SECONDS))
        except (TimeLimitError, MemoryLimitError):
            message = (
                f"Reading this took longer than {PREVIEW_SECONDS:g} s or too much memory and was stopped; simplify it."
            )
            return {"latex": None, "error": message, "column": None}
        self.previews.put(text, found, len(text) + len(found.get("latex") or "") + len(found.get("error") or ""))
        return found

    def exercise(self, derivation_id: str, exercise_seed: int) -> dict[str, Any]:
        """The exercise prompt and answer label for an exercise seed (LaTeX), built in the pool."""
        if not 0 <= exercise_seed <= MAX_SEED:
            raise InputError(f"The seed {exercise_seed!r} is not a whole number from 0 to 2**63 - 1.")
        key = (derivation_id, exercise_seed)
        kept = self.prompts.get(key)
        if kept is not None:
            return dict(kept)
        found = dict(self.pool.run(_TASKS + "exercise", derivation_id, exercise_seed, timeout=EXERCISE_SECONDS))
        self.prompts.put(key, found, len(derivation_id) + len(repr(found)))
        return dict(found)

    def verify(self, text: str, *, against: str | None = None) -> dict[str, Any]:
        """`symwork verify FILE [--against ID] --json` for ``text``, plus ``text`` (the terminal's lines).

        The whole verify runs in one leased worker of the pool (`verify_text` with ``sandbox=``): the
        derivation is read there under a hard limit, each step is compared there under its own, and the
        steps left when `VERIFY_SECONDS` have passed are "undecided", not checked. A verify that runs long
        is set aside by the pool, so a hostile derivation costs its own request and no one else's.
        """
        if against is not None:
            registry.get(against)  # an unknown id is bad input, as for the CLI
        with self.pool.lease() as box:
            result = verify_text(
                text, against=against, timeout=self.settings.timeout, sandbox=box, budget=VERIFY_SECONDS
            )
        result["text"] = format_verify(result)
        return result
