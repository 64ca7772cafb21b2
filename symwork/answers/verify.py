"""Checking a hand-written derivation file: every expression must equal the one before it, by line number."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symwork.answers import checker, feedback
from symwork.answers.scope import Scope
from symwork.compare import compare
from symwork.core import registry
from symwork.core.derivation import Derivation
from symwork.errors import InputError, SymworkError
from symwork.parse import parse

#: JSON verdicts of the whole chain → exit codes, as for `symwork equal` (0 equal, 1 different, 3 undecided, 2 bad input).
EXIT_CODES: dict[str, int] = {"valid": 0, "invalid": 1, "undecided": 3, "error": 2}
#: Step verdicts in JSON are the words of `symwork equal`; the human output uses the marks.
MARKS: dict[str, str] = {"equal": "✓", "different": "✗", "undecided": "?"}
#: Largest derivation file read, in characters: a hand derivation is a page, not a book.
MAX_FILE_CHARS = 200_000

#: Displayed-maths environments whose body is a chain of expressions (starred forms included).
_ENVIRONMENTS = ("align", "aligned", "equation", "gather", "gathered", "multline", "eqnarray", "flalign", "alignat")
_DISPLAY = re.compile(
    r"\\begin\{(?P<env>(?:" + "|".join(_ENVIRONMENTS) + r")\*?)\}(?:\{\d+\})?"  # alignat takes {n}
    r"|\$\$|\\\[",
)
#: Markup that says nothing about the mathematics; blanked out (same length, so offsets keep their lines).
_NOISE = re.compile(
    r"\\(?:label|tag\*?|intertext|shortintertext|eqref|ref)\s*\{[^{}]*\}|\\(?:nonumber|notag|displaystyle)\b"
)
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")
_PLAIN_COMMENT = re.compile(r"^\s*#[^\n]*", re.MULTILINE)


@dataclass(frozen=True)
class Expression:
    """One expression of the chain: where it begins in the file (1-based line) and its text."""

    line: int
    text: str


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _strip_comments(text: str) -> str:
    # `\%` is a percent sign, `\\%` a line break followed by a comment: count the backslashes.
    return _COMMENT.sub(lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))), text)


def _display_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the bodies of every displayed-maths region, in document order."""
    regions: list[tuple[int, int]] = []
    position = 0
    while (match := _DISPLAY.search(text, position)) is not None:
        if match.group("env"):
            closing = f"\\end{{{match.group('env')}}}"
        else:
            closing = "$$" if match.group() == "$$" else "\\]"
        end = text.find(closing, match.end())
        if end < 0:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(f"Line {line}: {match.group()!r} is never closed; add {closing!r}.")
        regions.append((match.end(), end))
        position = end + len(closing)
    return regions


def _split_region(text: str, start: int, end: int, marks: set[int]) -> list[tuple[int, int]]:
    """Split a display into its parts at top-level `\\\\` and `=`, dropping `&` alignment marks.

    Braces and nested environments (matrices, cases) are skipped over: their `\\\\`, `&` and `=` belong
    to them. Returns (start, end) offsets of each part; adds the offsets of top-level `&` to ``marks``.
    """
    parts: list[tuple[int, int]] = []
    braces = environments = 0
    part_start = i = start
    while i < end:
        char = text[i]
        if char == "\\":
            command = re.match(r"\\(?:[A-Za-z]+|.)", text[i:end], re.DOTALL)
            word = command.group() if command else "\\"
            if word == "\\begin":
                environments += 1
            elif word == "\\end":
                environments -= 1
            elif word == "\\\\" and braces == 0 and environments == 0:
                parts.append((part_start, i))
                i += 2
                optional = re.match(r"\s*\[[^\]]*\]", text[i:end])  # \\[2pt]
                i += optional.end() if optional else 0
                part_start = i
                continue
            i += len(word)
            continue
        if char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif braces == 0 and environments == 0 and char == "=":
            parts.append((part_start, i))
            part_start = i + 1
        elif braces == 0 and environments == 0 and char == "&":
            marks.add(i)
        i += 1
    parts.append((part_start, end))
    return parts


def _plain_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Parts of one plain line: split at `=` outside brackets (`==` counts as one `=`)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    part_start = start
    for i in range(start, end):
        char = text[i]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "=" and depth == 0:
            parts.append((part_start, i))
            part_start = i + 1
    parts.append((part_start, end))
    return parts


def extract(text: str) -> tuple[list[Expression], str]:
    """The chain of expressions in a derivation file, and the syntax to read them with.

    LaTeX files (any `align`, `equation`, `gather`, `$$…$$` or `\\[…\\]`) give the parts of every display in
    order; other files give one expression (or one `=` chain) per non-blank line, `#` lines being comments.

    >>> extract("\\\\begin{align*} f &= x^2 \\\\\\\\ &= x \\\\cdot x \\\\end{align*}")[0][1]
    Expression(line=1, text='x \\\\cdot x')
    """
    text = _strip_comments(text.removeprefix("\ufeff"))
    text = _NOISE.sub(_blank, text)
    regions = _display_regions(text)
    marks: set[int] = set()
    if regions:
        syntax = "latex"
        spans = [part for start, end in regions for part in _split_region(text, start, end, marks)]
    else:
        syntax = "auto"
        text = _PLAIN_COMMENT.sub(_blank, text)
        spans = []
        offset = 0
        for line in text.split("\n"):
            spans.extend(_plain_parts(text, offset, offset + len(line)))
            offset += len(line) + 1
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    chain: list[Expression] = []
    for start, end in spans:
        body = "".join(" " if start + k in marks else char for k, char in enumerate(text[start:end]))
        stripped = body.strip()
        # Empty parts are continuations (`&= b`), doubled signs or a trailing `=` before a line break.
        if not stripped.strip(".,;"):
            continue
        first = start + len(body) - len(body.lstrip())
        chain.append(Expression(bisect.bisect_right(line_starts, first), " ".join(stripped.split())))
    return chain, syntax


def _parse_chain(chain: list[Expression], syntax: str) -> list[Any]:
    parsed = []
    for item in chain:
        try:
            parsed.append(parse(item.text, syntax=syntax))
        except SymworkError as exc:
            raise _LineError(item.line, str(exc)) from exc
    return parsed


class _LineError(Exception):
    """A parse error tied to a line; becomes the "error" verdict, never escapes this module."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _compare(a_text: str, b_text: str, *, syntax: str, seed: int, timeout: float) -> dict[str, Any]:
    """One step, compared in the sandbox under a hard time limit (the text is untrusted)."""
    result = checker.equal(a_text, b_text, syntax=syntax, timeout=timeout, seed=seed)
    verdict = result["verdict"] if result["verdict"] != "error" else "undecided"
    return {
        "verdict": verdict,
        "method": result.get("method"),
        "counterexample": result.get("counterexample"),
        "detail": result.get("detail") or result.get("error") or "",
    }


def _starts(derivation: Derivation, first: Any, *, seed: int) -> str:
    """Does the chain start from what the derivation asks for (its result's left side, e.g. d/dx σ(x))?"""
    scope = Scope.smallest(derivation)
    body = scope.instance.body
    lhs = body.result.lhs if body.result.lhs is not None else (body.steps[0].lhs if body.steps else None)
    if lhs is None:
        return "undecided"
    try:
        left, reference = scope.read(first), scope.prepare(lhs)
        verdict = compare(left, reference, **scope.compare_options(left, reference, seed=seed))
    except SymworkError:
        return "undecided"
    return str(verdict.status)


def _against(derivation_id: str, chain: list[Expression], first: Any, *, seed: int, timeout: float) -> dict[str, Any]:
    derivation = registry.get(derivation_id)  # an unknown id is bad input: raise, with a suggestion
    # `check` loads the library in the sandbox worker under the start-up limit, not the check's own.
    ends = checker.check(derivation_id, chain[-1].text, timeout=timeout)
    return {
        "id": derivation.id,
        "question": derivation.question,
        "starts": _starts(derivation, first, seed=seed),
        "ends": ends["verdict"] if ends["verdict"] != "error" else "undecided",
        "feedback": ends.get("feedback") or "",
    }


def verify_text(text: str, *, against: str | None = None, seed: int = 0, timeout: float = 2.0) -> dict[str, Any]:
    """Verify a derivation given as text; see `verify_file` for the result."""
    try:
        chain, syntax = extract(text)
        parsed = _parse_chain(chain, syntax)
    except _LineError as exc:
        return _error(f"Line {exc.line}: {exc}", line=exc.line)
    except InputError as exc:
        return _error(str(exc), line=None)
    if len(chain) < (1 if against else 2):
        return _error(
            f"Found {len(chain)} expression(s); a derivation needs at least two, one per line or joined by '='.",
            line=None,
        )
    steps: list[dict[str, Any]] = []
    # A cold worker would spend the first step's time limit on imports: warm it under the start-up limit.
    checker.warm()
    for item, before in zip(chain[1:], chain, strict=False):
        step = _compare(before.text, item.text, syntax=syntax, seed=seed, timeout=timeout)
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
    }
    if against is not None:
        report = _against(against, chain, parsed[0], seed=seed, timeout=timeout)
        result["against"] = report
        ends = (report["starts"], report["ends"])
        # The chain may be right and still prove something else: that is an invalid answer to the question.
        if result["verdict"] == "valid" and "different" in ends:
            result["verdict"] = "invalid"
        elif result["verdict"] == "valid" and "undecided" in ends:
            result["verdict"] = "undecided"
    return result


def _error(message: str, *, line: int | None) -> dict[str, Any]:
    return {
        "verdict": "error",
        "start": None,
        "steps": [],
        "first_wrong_line": None,
        "counterexample": None,
        "error": message,
        "error_line": line,
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
    if result.get("start"):
        lines.append(f"line {result['start']['line']:>4}     {result['start']['text']}")
    for step in result["steps"]:
        lines.append(f"line {step['line']:>4}  {MARKS[step['verdict']]}  = {step['text']}")
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
