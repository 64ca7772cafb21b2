"""Checking a hand-written derivation file: every expression must equal the one before it, by line number.

Lines may be scalar, index notation or matrix form (`symwork.answers.steps` reads them all alike). Each
step is compared in a sandbox under its own time limit; with ``sandbox=`` the derivation is also read
there (for text from strangers, as `symwork serve` does), and ``budget`` bounds the whole verify.
Justifications are text, not mathematics: ``&& \\text{difference of squares}``, ``\\quad \\text{by algebra}``,
``\\tag{…}`` and ``% …`` after a line (``# …`` in plain files) are read as the reason for that line and
reported with its step.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from symwork.answers import checker, feedback
from symwork.answers.extraction import Expression, extract, extract_reasons
from symwork.answers.sandbox import Sandbox
from symwork.core import registry
from symwork.errors import InputError, SymworkError
from symwork.parse import parse_relation

__all__ = [
    "EXIT_CODES", "MARKS", "Expression", "error_result", "extract", "extract_reasons", "format_verify", "verify_file",
    "verify_text",
]  # fmt: skip

#: JSON verdicts of the whole chain → exit codes, as for `symwork equal` (0 equal, 1 different, 3 undecided, 2 bad input).
EXIT_CODES: dict[str, int] = {"valid": 0, "invalid": 1, "undecided": 3, "error": 2}
#: Step verdicts in JSON are the words of `symwork equal`; the human output uses the marks.
MARKS: dict[str, str] = {"equal": "✓", "different": "✗", "undecided": "?"}
#: Largest derivation file read, in characters: a hand derivation is a page, not a book.
MAX_FILE_CHARS = 200_000
#: Seconds allowed to read a whole derivation in a sandbox (find its expressions and parse each once).
READ_SECONDS = 10.0


def _parse_chain(chain: list[Expression], syntax: str) -> None:
    """Refuse, with its line number, the first expression that cannot be read."""
    for item in chain:
        try:
            parse_relation(item.text, syntax=syntax)
        except SymworkError as exc:
            raise _LineError(item.line, str(exc)) from exc


class _LineError(Exception):
    """A parse error tied to a line; becomes the "error" verdict, never escapes this module."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _read_in_process(text: str) -> dict[str, Any]:
    """Runs in the sandbox worker (or here, for the CLI's own files): the chain, or the error that stops it.

    ``{"chain": [(line, text)], "syntax", "reasons": {line: [text]}}`` or ``{"error", "line"}``; every
    expression is parsed once here, so text that cannot be read in time is stopped with its worker.
    """
    try:
        chain, syntax, reasons = extract_reasons(text)
        _parse_chain(chain, syntax)
    except _LineError as exc:
        return {"error": f"Line {exc.line}: {exc}", "line": exc.line}
    except InputError as exc:
        return {"error": str(exc), "line": None}
    return {"chain": [(item.line, item.text) for item in chain], "syntax": syntax, "reasons": reasons}


def _read(text: str, sandbox: Sandbox | str | None) -> dict[str, Any]:
    """`_read_in_process` here (``sandbox=None``: the CLI's own file) or in the sandbox under `READ_SECONDS`."""
    if sandbox is None:
        return _read_in_process(text)
    found = checker.guarded(_read_in_process, text, timeout=READ_SECONDS, sandbox=sandbox)
    if "chain" in found or "line" in found:
        return found
    if found.get("verdict") == "error":
        return {"error": found.get("error") or "The derivation could not be read.", "line": None}
    return {"error": f"Reading the derivation took longer than {READ_SECONDS:g} s or too much memory; split it.", "line": None}


def _step_in_process(texts: list[str], index: int, **options: Any) -> dict[str, Any]:
    """Runs in the sandbox worker: one step of the chain (see `symwork.answers.steps.compare_step`)."""
    # SymPy and the checker load in the worker, not in the caller's process (start-up speed).
    from symwork.answers.steps import compare_step

    return compare_step(texts, index, **options)


def _against_in_process(texts: list[str], **options: Any) -> dict[str, Any]:
    """Runs in the sandbox worker: does the chain start at the question and end at the result?"""
    # As above: the heavy modules load in the worker.
    from symwork.answers.steps import against_report

    return against_report(texts, **options)


def _compare(
    texts: list[str], index: int, *, syntax: str, against: str | None, seed: int, timeout: float, sandbox: Sandbox | str | None
) -> dict[str, Any]:
    """One step, compared in the sandbox under a hard time limit (the text is untrusted)."""
    result = checker.guarded(
        _step_in_process, texts, index, timeout=timeout, sandbox=sandbox, syntax=syntax, against=against, seed=seed
    )
    verdict = result["verdict"] if result["verdict"] != "error" else "undecided"
    return {
        "verdict": verdict,
        "method": result.get("method"),
        "counterexample": result.get("counterexample"),
        "detail": result.get("detail") or result.get("error") or "",
    }


def _against(
    derivation_id: str, chain: list[Expression], syntax: str, *, seed: int, timeout: float, sandbox: Sandbox | str | None
) -> dict[str, Any]:
    derivation = registry.get(derivation_id)  # an unknown id is bad input: raise, with a suggestion
    texts = [item.text for item in chain]
    report = checker.guarded(
        _against_in_process, texts, timeout=timeout * 2, sandbox=sandbox, syntax=syntax, derivation_id=derivation_id, seed=seed
    )
    return {
        "id": derivation.id,
        "question": derivation.question,
        "starts": report.get("starts", "undecided") if report.get("verdict") != "error" else "undecided",
        "ends": report.get("ends", "undecided") if report.get("verdict") != "error" else "undecided",
        "feedback": report.get("feedback") or report.get("detail") or report.get("error") or "",
    }


#: The first line `symwork show ID --format latex` writes: such a file is read against ID.
_SHOWN = re.compile(r"\A\ufeff?% symwork ([a-z0-9]+(?:-[a-z0-9]+)*):")


def _unchecked(budget: float) -> dict[str, Any]:
    """A step left unchecked because the whole verify's ``budget`` was spent."""
    return {
        "verdict": "undecided",
        "method": None,
        "counterexample": None,
        "detail": f"not checked: the {budget:g} s allowed for the whole derivation were spent; split it",
    }


def verify_text(
    text: str,
    *,
    against: str | None = None,
    seed: int = 0,
    timeout: float = 2.0,
    sandbox: Sandbox | str | None = None,
    budget: float | None = None,
) -> dict[str, Any]:
    """Verify a derivation given as text; see `verify_file` for the result.

    A file written by ``symwork show ID --format latex`` (its first line names ID) is read against ID.
    ``sandbox=None`` reads the text here and compares each step in the shared sandbox (the CLI, on your
    own file); with a `Sandbox` (or ``"in-process"`` inside a worker) the text is read there too, under
    `READ_SECONDS`, so that text from strangers is only ever read under limits. ``budget`` bounds the
    whole verify in seconds: the steps left when it is spent are "undecided", not checked.
    """
    shown = _SHOWN.match(text)
    if against is None and shown is not None and shown.group(1) in {d.id for d in registry.derivations(strict=False)}:
        against = shown.group(1)
    read = _read(text, sandbox)
    if "error" in read:
        return error_result(read["error"], line=read["line"])
    chain = [Expression(line, item) for line, item in read["chain"]]
    syntax: str = read["syntax"]
    reasons: dict[int, list[str]] = read["reasons"]
    if len(chain) < (1 if against else 2):
        return error_result(
            f"Found {len(chain)} expression(s); a derivation needs at least two, one per line or joined by '='.",
            line=None,
        )
    deadline = None if budget is None else time.monotonic() + budget
    steps: list[dict[str, Any]] = []
    # A cold worker would spend the first step's time limit on imports (and the library): warm it first.
    checker.warm(sandbox, derivation_id=against)
    texts = [item.text for item in chain]
    for index, (item, before) in enumerate(zip(chain[1:], chain, strict=False), start=1):
        if deadline is not None and budget is not None and time.monotonic() >= deadline:
            step = _unchecked(budget)
        else:
            step = _compare(texts, index, syntax=syntax, against=against, seed=seed, timeout=timeout, sandbox=sandbox)
        steps.append({"line": item.line, "text": item.text, "previous_line": before.line, **step})
    statuses = [step["verdict"] for step in steps]
    first_wrong = next((step for step in steps if step["verdict"] == "different"), None)
    result: dict[str, Any] = {
        "verdict": "invalid" if first_wrong else "undecided" if "undecided" in statuses else "valid",
        "start": {"line": chain[0].line, "text": chain[0].text},
        "steps": steps,
        "first_wrong_line": first_wrong["line"] if first_wrong else None,
        "counterexample": first_wrong["counterexample"] if first_wrong else None,
        "error": None,
        "error_line": None,
        "justifications": [{"line": line, "text": "; ".join(texts)} for line, texts in sorted(reasons.items())],
    }
    if against is not None:
        report = _against(against, chain, syntax, seed=seed, timeout=timeout, sandbox=sandbox)
        result["against"] = report
        ends = (report["starts"], report["ends"])
        # The chain may be right and still prove something else: that is an invalid answer to the question.
        if result["verdict"] == "valid" and "different" in ends:
            result["verdict"] = "invalid"
        elif result["verdict"] == "valid" and "undecided" in ends:
            result["verdict"] = "undecided"
    return result


def error_result(message: str, *, line: int | None) -> dict[str, Any]:
    """The result of a derivation that could not be verified at all: verdict "error", the message and its line."""
    return {
        "verdict": "error",
        "start": None,
        "steps": [],
        "first_wrong_line": None,
        "counterexample": None,
        "error": message,
        "error_line": line,
        "justifications": [],
    }


def verify_file(path: str | Path, *, against: str | None = None, timeout: float = 2.0, seed: int = 0) -> dict[str, Any]:
    """Check that every expression in a derivation file equals the one before it.

    Returns ``{"verdict": "valid"|"invalid"|"undecided"|"error", "start": {"line", "text"}, "steps": [{"line",
    "text", "verdict": "equal"|"different"|"undecided", "previous_line", "method", "counterexample", "detail"}],
    "first_wrong_line": int|None, "counterexample": …|None, "error": str|None, "error_line": int|None}`` and,
    with ``against``, ``"against": {"id", "question", "starts", "ends", …}``. ``EXIT_CODES[result["verdict"]]``
    is the exit code. An unreadable file or an unknown ``against`` id raises InputError.
    """
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {str(source)!r}: {exc.strerror}; check the path.") from exc
    if len(raw) > MAX_FILE_CHARS * 4:
        raise InputError(f"{str(source)!r} is larger than {MAX_FILE_CHARS} characters; split the derivation.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{str(source)!r} is not UTF-8 (byte {exc.start}); save it as UTF-8.") from exc
    return verify_text(text, against=against, seed=seed, timeout=timeout)


_SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "valid": lambda r: "Valid: every step follows from the one before it.",
    "invalid": lambda r: (
        f"Invalid: the first wrong step is on line {r['first_wrong_line']}."
        if r["first_wrong_line"] is not None
        else "Invalid: every step holds, but the chain does not answer the question."
    ),
    "undecided": lambda r: "Undecided: no step is wrong, but some could not be decided; check them by hand.",
    "error": lambda r: f"Error: {r['error']}",
}


def format_verify(result: dict[str, Any]) -> str:
    """Human output: each step with ✓/✗/? and its line, then the first wrong step's counterexample."""
    lines: list[str] = []
    reasons = {item["line"]: item["text"] for item in result.get("justifications", [])}

    def why(line: int) -> str:
        return f"    [{reasons[line]}]" if line in reasons else ""

    if result.get("start"):
        lines.append(f"line {result['start']['line']:>4}     {result['start']['text']}{why(result['start']['line'])}")
    for step in result["steps"]:
        lines.append(f"line {step['line']:>4}  {MARKS[step['verdict']]}  = {step['text']}{why(step['line'])}")
    lines.append(_SUMMARIES[result["verdict"]](result))
    if result.get("counterexample"):
        lines.append(f"  Counterexample {feedback.step_counterexample(result['counterexample'])}.")
    against = result.get("against")
    if against:
        lines.append(
            f"Against {against['id']!r}: starts from its question {MARKS[against['starts']]}, "
            f"ends at its result {MARKS[against['ends']]}."
        )
    return "\n".join(lines)
