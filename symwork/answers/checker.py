"""Answer checking for people: `equal` (two typed expressions) and `check` (an answer against a derivation).

Both run the one checker (`symwork.answers.marking`) inside a sandbox worker (`symwork.answers.sandbox`),
so hostile text is refused or stopped there; this module stays light (no SymPy in the caller's process).
Results are the JSON of the typed results (`symwork.answers.result`); `format_equal` and `format_check`
turn them into one or two lines for a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from symwork.answers import feedback
from symwork.answers.result import EXIT_CODES, AnswerResult, AnswerVerdict, Comparison, Counterexample
from symwork.answers.sandbox import STARTUP_TIMEOUT, Sandbox, default_sandbox
from symwork.errors import InputError, MemoryLimitError, SymworkError, TimeLimitError, WorkerError

__all__ = ["EXIT_CODES", "IN_PROCESS", "check", "equal", "format_check", "format_equal"]

#: Pass as ``sandbox`` to run the check in this process (trusted input only).
IN_PROCESS = "in-process"
#: `format_check`'s first line, by verdict (other verdicts are printed as they are).
_CHECK_HEADS: dict[str, str] = {"equal": "correct", "different": "not correct"}


def _budget(timeout: float) -> float:
    # The comparison's own budget stays below the hard limit, so that most slow checks end cleanly.
    return max(0.05, timeout * 0.5)


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


# --- the work, inside a sandbox worker ------------------------------------------------------------------------


def equal_in_process(
    a_text: str, b_text: str, *, syntax: str = "auto", seed: int = 0, budget: float = 1.0
) -> dict[str, Any]:
    """The work of `equal`, without a sandbox: parse both texts and compare them. Raises SymworkError on bad input."""
    # SymPy and the parser load in the worker that runs this, not in the caller's process (start-up speed).
    from symwork.answers.marking import compare_texts

    return compare_texts(a_text, b_text, syntax=syntax, seed=seed, budget=budget).to_json()


def check_in_process(
    derivation_id: str,
    answer_text: str,
    *,
    seed: int | None = None,
    budget: float = 1.0,
    secret: bytes | None = None,
    part: str | None = None,
) -> dict[str, Any]:
    """The work of `check`, without a sandbox. Raises SymworkError on bad input."""
    # SymPy, the parser and the library load in the worker that runs this (start-up speed of the caller).
    from symwork.answers.marking import check_answer
    from symwork.core import registry

    derivation = registry.get(derivation_id)
    return check_answer(derivation, answer_text, seed=seed, budget=budget, secret=secret, part=part).to_json()


def warm_in_process(*, library: bool = False, derivation_id: str | None = None, seed: int | None = None) -> None:
    """Make this (worker) process ready: one small comparison (imports, grammars), then the whole library if
    asked, or else the one derivation about to be checked with its reference answer (for ``seed``, the variant's).
    """
    # As above: the heavy modules load in the worker being warmed (start-up speed of the caller).
    from symwork.answers.marking import compare_texts, exercise_answer
    from symwork.core import registry

    compare_texts("x^2 - 1", "(x - 1)(x + 1)")
    if library:
        registry.derivations()
    if derivation_id is None:
        return
    try:
        derivation = registry.get(derivation_id)
        _ = derivation.body if seed is None else exercise_answer(derivation, seed)
    except SymworkError:
        pass  # the check itself reports it, in the student's terms


# --- the sandboxed calls ----------------------------------------------------------------------------------------


def _sandbox(sandbox: Sandbox | str | None) -> Sandbox | str:
    if isinstance(sandbox, str) and sandbox != IN_PROCESS:
        raise InputError(f"sandbox={sandbox!r} is not a sandbox; pass a Sandbox or {IN_PROCESS!r}.")
    return sandbox if sandbox is not None else default_sandbox()


def warm(
    sandbox: Sandbox | str | None = None,
    *,
    library: bool = False,
    derivation_id: str | None = None,
    seed: int | None = None,
) -> None:
    """Warm the sandbox's worker under the start-up limit, so that a check keeps its whole time limit.

    Loading the library takes seconds in a fresh worker: that is our start-up, not the student's answer.
    """
    box = _sandbox(sandbox)
    if isinstance(box, str):
        return
    try:
        box.run(warm_in_process, library=library, derivation_id=derivation_id, seed=seed, timeout=STARTUP_TIMEOUT)
    except SymworkError:
        pass  # the check itself reports what is wrong


def _guarded(
    target: Callable[..., dict[str, Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    timeout: float,
    sandbox: Sandbox | str | None,
) -> dict[str, Any] | Comparison:
    """The worker's JSON result, or a Comparison saying why there is none (stopped, or bad input)."""
    box = _sandbox(sandbox)
    try:
        if isinstance(box, str):
            return target(*args, **kwargs)
        return dict(box.run(target, *args, timeout=timeout, **kwargs))
    except TimeLimitError:
        return Comparison(AnswerVerdict.UNDECIDED, "time limit", detail=feedback.time_limit(timeout))
    except MemoryLimitError:
        return Comparison(AnswerVerdict.UNDECIDED, "memory limit", detail=feedback.MEMORY_LIMIT)
    except WorkerError as exc:
        return Comparison(AnswerVerdict.UNDECIDED, "sandbox", detail=str(exc))
    except SymworkError as exc:
        return Comparison(AnswerVerdict.ERROR, error=str(exc))


def guarded(target: Callable[..., dict[str, Any]], *args: Any, timeout: float, sandbox: Sandbox | str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run ``target`` (trusted code on untrusted text) in the sandbox under ``timeout``: its JSON, or a verdict saying why not.

    A stopped or failed run gives ``{"verdict": "undecided" | "error", "method", "detail", "error", "counterexample": None}``.
    """
    found = _guarded(target, args, kwargs, timeout=timeout, sandbox=sandbox)
    return found if isinstance(found, dict) else found.to_json()


def equal(
    a_text: str,
    b_text: str,
    *,
    syntax: str = "auto",
    timeout: float = 2.0,
    seed: int = 0,
    sandbox: Sandbox | str | None = None,
) -> dict[str, Any]:
    """Are two typed expressions equal? Returns the JSON shape of ``symwork equal --json``.

    ``{"verdict": "equal"|"different"|"undecided"|"error", "method": ..., "counterexample": {...}|None,
    "error": ...|None, "detail": ..., "elapsed_ms": ...}``. ``sandbox`` defaults to the shared sandbox; pass a
    `Sandbox` or ``"in-process"`` (trusted input only). Example: ``equal("x^2-1", "(x-1)(x+1)")["verdict"]``.
    """
    start = time.perf_counter()
    kwargs = {"syntax": syntax, "seed": seed, "budget": _budget(timeout)}
    found = _guarded(equal_in_process, (a_text, b_text), kwargs, timeout=timeout, sandbox=sandbox)
    result = found if isinstance(found, dict) else found.to_json()
    result["elapsed_ms"] = _elapsed_ms(start)
    return result


def check(
    derivation_id: str,
    answer_text: str,
    *,
    seed: int | None = None,
    timeout: float = 2.0,
    sandbox: Sandbox | str | None = None,
    secret: bytes | None = None,
    part: str | None = None,
) -> dict[str, Any]:
    """Check a typed answer against a derivation's result (general form, or the exercise for ``seed``, or its ``part``).

    Returns the keys of `equal` plus ``"expected_shape"`` and ``"feedback"`` (what is wrong, in a student's
    terms). ``secret`` keys the random points (a grader's, for reproducible reports); None draws fresh
    points on every call, so a counterexample never helps build a wrong answer that passes.
    Example: ``check("softmax-jacobian", r"s_i(\\delta_{ij} - s_j)")["verdict"]``.
    """
    start = time.perf_counter()
    warm(sandbox, derivation_id=derivation_id, seed=seed)
    kwargs = {"seed": seed, "budget": _budget(timeout), "secret": secret, "part": part}
    found = _guarded(check_in_process, (derivation_id, answer_text), kwargs, timeout=timeout, sandbox=sandbox)
    if isinstance(found, dict):
        result = found
    else:
        result = AnswerResult.of(found, feedback=feedback.for_failure(found)).to_json()
    result["elapsed_ms"] = _elapsed_ms(start)
    return result


# --- for a terminal -------------------------------------------------------------------------------------------


def format_equal(result: Mapping[str, Any]) -> str:
    """One or two lines for a terminal, e.g. ``different (numeric): at x = -1: 1 against -1``."""
    verdict = result["verdict"]
    if verdict == "error":
        return f"error: {result['error']}"
    head = f"{verdict} ({result['method']})" if result.get("method") else verdict
    if result.get("detail") and verdict != "equal":
        head += f": {result['detail']}"
    lines = [str(head)]
    example = result.get("counterexample")
    if example:
        lines.append(f"  {feedback.describe_point(Counterexample.from_json(example))}")
    if result.get("notes"):
        lines.append(f"  (Note: {'; '.join(result['notes'])}.)")
    return "\n".join(lines)


def format_check(result: Mapping[str, Any]) -> str:
    """One or two lines: the verdict, then the feedback."""
    verdict = result["verdict"]
    head = f"error: {result['error']}" if verdict == "error" else _CHECK_HEADS.get(verdict, verdict)
    words = result.get("feedback") or ""
    return f"{head}\n  {words}" if words and words != result.get("error") else head
