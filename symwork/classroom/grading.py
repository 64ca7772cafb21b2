"""Batch grading: submission rows in, exactly one report row out per row in, checked in parallel under limits.

The work is split into chunks of rows (grouped by derivation and seed, so each reference answer is built
once per worker) and sent through a `concurrent.futures.Executor`. Each task drives a persistent sandbox
worker process (`symwork.sandbox`): a chunk runs there under one generous limit, and a chunk that overruns
is re-run row by row, each under the per-row ``timeout``, so one hostile answer costs only its own row.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from symwork.classroom.roster import load_roster
from symwork.errors import CheckError, InputError, LimitError, ParseError, SymworkError, UnknownDerivationError
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed

REPORT_COLUMNS: tuple[str, ...] = ("id", "derivation", "seed", "status", "verdict", "feedback")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "derivation", "rows", "correct", "incorrect", "undecided", "errors", "share_correct",
    "wrong_answer_1", "count_1", "wrong_answer_2", "count_2", "wrong_answer_3", "count_3",
)  # fmt: skip
REQUIRED: tuple[str, ...] = ("id", "derivation", "answer")
#: A field longer than this is refused on reading (the parser's own limit is 10,000 characters).
MAX_FIELD_CHARS = 20_000
#: A quoted field may span this many lines; past it the quote is taken as unterminated, so that one
#: stray quote cannot swallow the rest of the file.
MAX_FIELD_LINES = 64
#: Seconds per row added to a chunk's limit; a chunk past its limit is re-run row by row.
CHUNK_SECONDS_PER_ROW = 0.5
MAX_CHUNK = 32

# Status → verdict when the answer could not be compared: an unreadable answer earns no credit, a
# problem on our side (or a row that could not be read from the file) needs a human.
_ERROR_VERDICTS: dict[str, str] = {"parse_error": "incorrect", "timeout": "undecided", "internal_error": "undecided"}
#: Exceptions raised while checking → (status, verdict), most specific first.
_ERROR_TABLE: tuple[tuple[type[Exception], str, str], ...] = (
    (UnknownDerivationError, "rejected", "undecided"),
    (LimitError, "rejected", "incorrect"),
    (ParseError, "parse_error", "incorrect"),
    (InputError, "rejected", "undecided"),
    (CheckError, "ok", "undecided"),
    (SymworkError, "internal_error", "undecided"),
)


@dataclass(frozen=True)
class Record:
    """One logical CSV row: the line it starts on, its fields (None if unreadable) and what is wrong with it."""

    line: int
    fields: tuple[str, ...] | None
    problem: str = ""
    partial: tuple[str, ...] = ()  # fields read before the problem, to name the row in the report


@dataclass(frozen=True)
class Task:
    """One answer to check; ``seed=None`` checks the derivation's general form."""

    index: int
    derivation: str
    seed: int | None
    answer: str


@dataclass(frozen=True)
class Outcome:
    index: int
    status: str
    verdict: str
    feedback: str


@dataclass(frozen=True)
class ReportRow:
    id: str
    derivation: str
    seed: str
    status: str
    verdict: str
    feedback: str
    answer: str = ""  # not written to the report; used by the summary


@dataclass(frozen=True)
class SummaryRow:
    derivation: str
    rows: int
    correct: int
    incorrect: int
    undecided: int
    errors: int
    common_wrong: tuple[tuple[str, int], ...]

    @property
    def share_correct(self) -> float:
        return self.correct / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class GradeReport:
    """The report rows (in input order), the per-derivation summary, the files written and the wall time."""

    rows: tuple[ReportRow, ...]
    summary: tuple[SummaryRow, ...]
    paths: tuple[Path, ...]
    elapsed_s: float = 0.0


# --- reading CSV ----------------------------------------------------------------------------------------

# Outside quotes a quote is an ordinary character, as in Python's csv module: `f("x")` reads as typed.
_UNQUOTED = re.compile(r"[^,\r\n]*")


def read_records(text: str) -> Iterator[Record]:
    """Split CSV text into records without ever raising or losing a line.

    A malformed record (unterminated or stray quote) becomes a Record with a ``problem`` that covers only
    its first line; reading resumes on the next line. Blank lines are not records.
    """
    position, line, end = 0, 1, len(text)
    while position < end:
        if text[position] in "\r\n":
            line += text[position] == "\n"
            position += 1
            continue
        fields, stop, problem = _read_record(text, position)
        if problem:
            newline = text.find("\n", position)
            stop = end if newline < 0 else newline + 1
            yield Record(line, None, problem, tuple(fields))
        else:
            yield Record(line, tuple(fields), "")
        line += text.count("\n", position, stop)
        position = stop


def _read_record(text: str, position: int) -> tuple[list[str], int, str]:
    fields: list[str] = []
    end = len(text)
    while True:
        if position < end and text[position] == '"':
            pieces: list[str] = []
            cursor = position + 1
            while True:
                close = text.find('"', cursor)
                if close < 0 or text.count("\n", position, close) > MAX_FIELD_LINES:
                    return fields, position, "it has an unterminated quote"
                pieces.append(text[cursor:close])
                if text.startswith('""', close):
                    pieces.append('"')
                    cursor = close + 2
                    continue
                position = close + 1
                break
            fields.append("".join(pieces))
            if position < end and text[position] not in ",\r\n":
                # A quote that ran over a line break before this stray one was most likely never closed.
                if "\n" in "".join(pieces):
                    return fields, position, "it has an unterminated quote"
                return fields, position, "it has an unmatched quote; double quotes inside a quoted field"
        else:
            match = _UNQUOTED.match(text, position)
            assert match is not None  # the pattern matches the empty string
            fields.append(match.group())
            position = match.end()
        if position >= end:
            return fields, end, ""
        if text[position] == ",":
            position += 1
            continue
        # End of record: \n, \r\n or a lone \r.
        if text.startswith("\r\n", position):
            return fields, position + 2, ""
        return fields, position + 1, ""


def _decode(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the {what} {str(path)!r}: {exc.strerror}; check the path.") from exc
    # A BOM at the start is an encoding mark, not data. Bytes that are not UTF-8 become U+FFFD, and the
    # row holding them is refused with a message, instead of the whole file.
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _clean_key(value: str) -> str:
    return value.replace("\ufeff", "").strip()


# --- planning -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A submission row after reading: its report identity, and either a task or a ready outcome."""

    id: str
    derivation: str
    seed: str
    answer: str
    task: Task | None
    early: tuple[str, str, str] | None  # (status, verdict, feedback) decided without checking


def _plan(text: str, seeds: dict[str, int] | None, *, course: str) -> list[_Row]:

    records = list(read_records(text))
    if not records or records[0].fields is None:
        raise InputError(
            "The submissions file has no readable header row; it needs the columns id, derivation, answer."
        )
    header = [_clean_key(name).lower() for name in records[0].fields]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(f"The submissions header {records[0].fields!r} lacks {', '.join(missing)}; add those columns.")
    column = {name: header.index(name) for name in (*REQUIRED, "seed") if name in header}
    rows: list[_Row] = []
    for record in records[1:]:
        index = len(rows)
        fields = record.fields if record.fields is not None else record.partial
        student, derivation = _clean_key(_field(fields, column, "id")), _clean_key(_field(fields, column, "derivation"))
        answer, seed_text = _field(fields, column, "answer"), _clean_key(_field(fields, column, "seed"))
        if record.fields is None:
            early = ("rejected", "undecided", f"CSV line {record.line}: {record.problem}.")
            rows.append(_Row(student[:200], derivation[:200], "", "", None, early))
            continue
        problem = _row_problem(record, len(header))
        seed: int | None = None
        if not problem and seed_text:
            seed = _seed(seed_text)
            if seed is None:
                problem = f"the seed {seed_text[:40]!r} is not a whole number from 0 to 2**63 - 1"
        elif not problem and seeds is not None:
            if student not in seeds:
                problem = f"the id {student[:40]!r} is not in the roster"
            else:
                seed = problem_seed(seeds[student], derivation)
        if problem:
            rows.append(
                _Row(
                    student,
                    derivation,
                    seed_text,
                    answer,
                    None,
                    ("rejected", "undecided", f"CSV line {record.line}: {problem}."),
                )
            )
            continue
        rows.append(
            _Row(
                student,
                derivation,
                "" if seed is None else str(seed),
                answer,
                Task(index, derivation, seed, answer),
                None,
            )
        )
    return rows


def _field(fields: Sequence[str], column: dict[str, int], name: str) -> str:
    position = column.get(name)
    return fields[position] if position is not None and position < len(fields) else ""


def _row_problem(record: Record, width: int) -> str:
    fields = record.fields or ()
    longest = max((len(field) for field in fields), default=0)
    if longest > MAX_FIELD_CHARS:
        return f"a field has {longest:,} characters, more than the limit of {MAX_FIELD_CHARS:,}"
    if any("\x00" in field for field in fields):
        return "it contains a NUL byte"
    if any("\ufffd" in field for field in fields):
        return "it contains bytes that are not UTF-8; save the file as UTF-8"
    if len(fields) != width:
        return f"it has {len(fields)} fields but the header has {width}; quote fields that contain commas"
    return ""


def _seed(text: str) -> int | None:
    if not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    value = int(text)
    return value if value < 2**63 else None


def _roster_seeds(roster: Path, course: str) -> dict[str, int]:

    return {student.id: student_seed(course, student.id) for student in load_roster(roster)}


# --- checking (inside a sandbox worker) ----------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _expected(derivation_id: str, seed: int) -> Any:
    """The exact answer of one exercise variant; built once per worker, since it is the slow part."""
    import sympy as sp

    from symwork.core import registry

    answer = registry.get(derivation_id).make_exercise(seed).answer
    if isinstance(answer, (list, tuple)):
        answer = sp.ImmutableMatrix(answer)
    return answer


def _parsed(text: str) -> Any:
    """The parsed answer; identical answers (right ones, and the same hostile text) are parsed once."""
    result = _parse_cached(text)
    if isinstance(result, SymworkError):
        raise result
    return result


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> Any:
    from symwork.parse import parse

    # Errors are cached as values too: a class pasting the same broken text costs one parse.
    try:
        if not text.strip():
            raise ParseError("The answer is empty; type an expression.")
        return parse(text)
    except SymworkError as exc:
        return exc


def _shape_text(expr: Any) -> str:
    shape = tuple(getattr(expr, "shape", ()))
    return "x".join(str(d) for d in shape) if shape else "a scalar"


def _feedback_different(verdict: Any, student: Any, expected: Any, seed: int, budget: float) -> str:
    import sympy as sp

    from symwork.answers.checker import SLIPS
    from symwork.compare import compare

    if verdict.method == "shape":
        hint = f"Wrong shape: your answer is {_shape_text(student)}, the answer is {_shape_text(expected)}."
        if isinstance(student, sp.MatrixBase) and student.T.shape == expected.shape:
            if compare(student.T, expected, seed=seed, budget=budget).equal:
                hint += " Transposing your answer gives the right result."
        return hint
    for label, transform in SLIPS:
        try:
            candidate = transform(expected)
            if candidate is not None and getattr(candidate, "shape", ()) == getattr(student, "shape", ()):
                if compare(student, candidate, seed=seed, budget=budget).equal:
                    return f"Close: {label}."
        except (SymworkError, ValueError, TypeError, ArithmeticError):
            continue
    raw = verdict.counterexample or {}
    entry = f" in entry {tuple(raw['entry'])}" if raw.get("entry") else ""
    if "lhs" in raw:
        return f"Not equal{entry}: yours is {_number(raw['lhs'])}, the answer is {_number(raw['rhs'])}."
    return "Not equal."


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _check_exercise(derivation_id: str, seed: int, answer: str, budget: float) -> tuple[str, str, str]:
    import sympy as sp

    from symwork.compare import compare
    from symwork.core import registry

    registry.get(derivation_id)  # an unknown id is the row's problem, reported before the answer's
    student = _parsed(answer)
    expected = _expected(derivation_id, seed)
    if isinstance(expected, sp.NDimArray) and len(expected.shape) > 2:
        return (
            "ok",
            "undecided",
            f"The answer has shape {_shape_text(expected)}; typed arrays of more than two axes are not supported yet.",
        )
    if isinstance(expected, sp.MatrixBase) and expected.shape == (1, 1) and not isinstance(student, sp.MatrixBase):
        student = sp.ImmutableMatrix([[student]])
    free = sorted(str(s) for s in getattr(student, "free_symbols", set()))
    if free:
        return "ok", "incorrect", f"The exercise asks for numbers; your answer still contains {', '.join(free[:5])}."
    verdict = compare(student, expected, seed=seed, budget=budget)
    if verdict.status == "equal":
        return "ok", "correct", "Correct."
    if verdict.status == "undecided":
        return "ok", "undecided", f"Could not decide: {verdict.detail or 'no verdict'}."
    return "ok", "incorrect", _feedback_different(verdict, student, expected, seed, budget)


def _check_general(derivation_id: str, answer: str) -> tuple[str, str, str]:
    from symwork.answers.checker import check_in_process

    _parsed(answer)  # parse errors first, with the same messages as for exercises
    result = check_in_process(derivation_id, answer)
    verdict = {"equal": "correct", "different": "incorrect"}.get(result["verdict"], "undecided")
    return "ok", verdict, str(result.get("feedback") or result.get("detail") or "")


@lru_cache(maxsize=16384)
def _check_row(derivation_id: str, seed: int | None, answer: str, budget: float) -> tuple[str, str, str]:
    try:
        if seed is None:
            return _check_general(derivation_id, answer)
        return _check_exercise(derivation_id, seed, answer, budget)
    except Exception as exc:  # noqa: BLE001 - every row gets an outcome; the table decides which
        for kind, status, verdict in _ERROR_TABLE:
            if isinstance(exc, kind):
                return status, verdict, str(exc)
        return "internal_error", "undecided", f"The checker failed ({type(exc).__name__}); please report it."


def check_rows(tasks: Sequence[Task], budget: float) -> list[Outcome]:
    """Check a chunk of rows in this process (a sandbox worker): cached references, cached parses."""
    return [Outcome(task.index, *_check_row(task.derivation, task.seed, task.answer, budget)) for task in tasks]


# --- running chunks (inside an executor worker) ------------------------------------------------------------

#: Idle single-worker sandboxes of this process, reused across tasks and calls (their caches stay warm).
_idle_sandboxes: list[Any] = []
_sandbox_lock = threading.Lock()
#: Generous limit for warming a worker: loading the library and building the chunk's reference answers is
#: trusted work, and must not count against a student's row.
WARM_TIMEOUT = 120.0


def warm(keys: Sequence[tuple[str, int]]) -> None:
    """Load the library and build the reference answers of ``keys`` in this (sandbox) process."""
    from symwork.core import registry

    registry.derivations()
    for derivation_id, seed in keys:
        try:
            _expected(derivation_id, seed)
        except Exception:  # noqa: BLE001 - the row's own check reports it, with the row's status
            continue


def _acquire() -> Any:
    from symwork.answers.sandbox import Sandbox

    with _sandbox_lock:
        if _idle_sandboxes:
            return _idle_sandboxes.pop()
    return Sandbox(workers=1)


def _release(box: Any) -> None:
    with _sandbox_lock:
        _idle_sandboxes.append(box)


def grade_chunk(tasks: Sequence[Task], timeout: float) -> list[Outcome]:
    """Grade one chunk in a sandbox; if the chunk overruns, re-run its rows one by one under ``timeout`` each.

    This is the function the executor runs; it is module-level so that process pools and Dask can pickle it.
    """
    from symwork.answers.sandbox import MemoryLimitError, TimeLimitError

    budget = max(0.05, timeout * 0.5)
    keys = sorted({(t.derivation, t.seed) for t in tasks if t.seed is not None})
    box = _acquire()
    try:
        try:
            box.run(warm, keys, timeout=WARM_TIMEOUT)
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


def _single(box: Any, task: Task, timeout: float, budget: float) -> Outcome:
    from symwork.answers.sandbox import MemoryLimitError, TimeLimitError

    try:
        # The worker may be a fresh replacement: warm it outside the row's limit.
        box.run(warm, [(task.derivation, task.seed)] if task.seed is not None else [], timeout=WARM_TIMEOUT)
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


# --- the report -------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _cell(value: str, limit: int = 300) -> str:
    """A safe report cell: control characters escaped, long values cut, formulas defused for spreadsheets."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value.replace("\ufeff", ""))
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _summarise(rows: Sequence[ReportRow]) -> tuple[SummaryRow, ...]:
    groups: dict[str, list[ReportRow]] = {}
    for row in rows:
        groups.setdefault(row.derivation, []).append(row)
    summary = []
    for derivation in sorted(groups):
        members = groups[derivation]
        wrong = Counter(
            " ".join(r.answer.split())[:100] for r in members if r.status == "ok" and r.verdict == "incorrect"
        )
        common = tuple(sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:3])
        summary.append(
            SummaryRow(
                derivation=derivation,
                rows=len(members),
                correct=sum(r.verdict == "correct" for r in members),
                incorrect=sum(r.verdict == "incorrect" for r in members),
                undecided=sum(r.verdict == "undecided" for r in members),
                errors=sum(r.status != "ok" for r in members),
                common_wrong=common,
            )
        )
    return tuple(summary)


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def render_report(rows: Sequence[ReportRow]) -> str:
    """The report CSV: a header and one line per input row, in input order."""
    body = [[_cell(r.id), _cell(r.derivation), r.seed, r.status, r.verdict, _cell(r.feedback, 500)] for r in rows]
    return _csv([list(REPORT_COLUMNS), *body])


def render_summary(summary: Sequence[SummaryRow]) -> str:
    """The summary CSV: one line per derivation, share correct and the three most common wrong answers."""
    lines: list[list[str]] = [list(SUMMARY_COLUMNS)]
    for item in summary:
        wrong: list[str] = []
        for k in range(3):
            text, count = item.common_wrong[k] if k < len(item.common_wrong) else ("", 0)
            wrong += [_cell(text), str(count) if text else ""]
        lines.append(
            [_cell(item.derivation), str(item.rows), str(item.correct), str(item.incorrect), str(item.undecided),
             str(item.errors), f"{item.share_correct:.3f}", *wrong]
        )  # fmt: skip
    return _csv(lines)


def summary_path(out: Path) -> Path:
    """Where the summary goes: ``report.csv`` → ``report-summary.csv``."""
    return out.with_name(f"{out.stem}-summary{out.suffix or '.csv'}")


def grade_file(
    submissions: Path,
    *,
    roster: Path | None,
    out: Path,
    executor: str | Executor | None = None,
    jobs: int | None = None,
    timeout: float = 2.0,
    course: str | None = None,
) -> GradeReport:
    """Grade a submissions CSV (columns id, derivation, answer, optional seed) and write the report atomically.

    The seed of a row is its ``seed`` column, else ``problem_seed(student_seed(course, id), derivation)`` from
    the roster, else none (the derivation's general form is checked). Writes ``out`` and its summary
    (`summary_path`); running twice gives the same bytes. Raises InputError for an unreadable file or header.
    """
    from symwork.classroom import executors
    from symwork.files import write_atomic

    started = time.perf_counter()
    submissions, out = Path(submissions), Path(out)
    text = _decode(submissions, "submissions file")
    seeds = _roster_seeds(Path(roster), course or DEFAULT_COURSE) if roster is not None else None
    planned = _plan(text, seeds, course=course or DEFAULT_COURSE)
    tasks = [row.task for row in planned if row.task is not None]
    outcomes: dict[int, Outcome] = {}
    if tasks:
        with executors.resolve(executor, jobs=jobs) as (pool, capacity):
            outcomes = run_tasks(tasks, pool, capacity, timeout=timeout)
    rows: list[ReportRow] = []
    for index, row in enumerate(planned):
        if row.early is not None:
            status, verdict, feedback = row.early
        else:
            found = outcomes.get(index)
            status, verdict, feedback = (
                (found.status, found.verdict, found.feedback)
                if found
                else ("internal_error", "undecided", "No result came back.")
            )
        rows.append(ReportRow(row.id, row.derivation, row.seed, status, verdict, feedback, row.answer))
    summary = _summarise(rows)
    write_atomic(out, render_report(rows))
    write_atomic(summary_path(out), render_summary(summary))
    return GradeReport(tuple(rows), summary, (out, summary_path(out)), time.perf_counter() - started)


def format_summary(report: GradeReport) -> str:
    """A short table for the terminal: per derivation, rows and share correct, then the files written."""
    lines = [f"{'derivation':<32} {'rows':>6} {'correct':>8} {'errors':>7}  most common wrong answer"]
    for item in report.summary:
        common = f"{item.common_wrong[0][0][:40]} (×{item.common_wrong[0][1]})" if item.common_wrong else ""
        lines.append(f"{item.derivation[:32]:<32} {item.rows:>6} {item.share_correct:>8.0%} {item.errors:>7}  {common}")
    statuses = Counter(row.status for row in report.rows)
    lines.append(f"{len(report.rows)} rows: " + ", ".join(f"{statuses[s]} {s}" for s in sorted(statuses)))
    lines.append("Wrote " + " and ".join(str(path) for path in report.paths) + ".")
    return "\n".join(lines)
