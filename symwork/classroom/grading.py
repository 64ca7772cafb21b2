"""Grading a class: a submissions CSV in, exactly one report row out per row in, checked in parallel under limits.

The file is a stream: rows are read, checked and written window by window (two windows in flight, so the
workers never wait for the reader), and the summary is a running tally; memory does not grow with the file.
Identical answers to the same variant are checked once.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symwork.answers.sandbox import PRELOAD
from symwork.classroom import executors
from symwork.classroom.key import load_key
from symwork.classroom.plan import Authority, PlannedRow, Task, plan_records
from symwork.classroom.records import DEFAULT_MAX_BYTES, CsvSource
from symwork.classroom.report import (
    GradeReport,
    ReportRow,
    ReportRows,
    Tally,
    render_summary,
    summary_path,
    write_report_header,
    write_report_rows,
)
from symwork.classroom.roster import load_roster
from symwork.classroom.run import DEFAULT_SECRET, Outcome, collect, submit_chunks
from symwork.errors import InputError
from symwork.files import atomic_writer, clash, write_atomic
from symwork.publish.jobs import quiet_children
from symwork.seeds import DEFAULT_COURSE, student_seed

#: The module the sandboxes' fork server imports to load the derivation library once for every worker.
LIBRARY_PRELOAD = "symwork.classroom.preload"
#: The outcome of a row whose task came back with nothing (it should not happen; the row is kept anyway).
_LOST = ("internal_error", "undecided", "No result came back.")
#: Rows (and characters of answers) read before a window is sent to the workers.
WINDOW_ROWS = 16_384
WINDOW_CHARS = 8_000_000
#: Outcomes remembered by (derivation, seed, answer), so a repeated answer is not checked again.
KNOWN_OUTCOMES = 4 * WINDOW_ROWS

#: A checked answer's identity: (derivation, seed, answer), or a digest of them for a long answer.
Identity = tuple[str, int | None, str] | bytes
#: ``progress(rows written, bytes read, file size)``, called after each window.
Progress = Callable[[int, int, int], None]


def grade_file(
    submissions: Path,
    *,
    roster: Path | None,
    out: Path,
    executor: str | Executor | None = None,
    jobs: int | None = None,
    timeout: float = 2.0,
    course: str | None = None,
    key: Path | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    secret: bytes | None = None,
) -> GradeReport:
    """Grade a submissions CSV (columns id, derivation, answer, optional seed) and write the report atomically.

    With ``key`` (the key.json of a roster build) or ``roster`` (with ``course``), each row is graded on its
    student's own variant and a seed column that disagrees rejects the row; without them a row's seed column
    is used, or the derivation's general form is checked. Writes ``out`` and its summary (`summary_path`);
    running twice with the same ``secret`` (the key of the random points, `run.DEFAULT_SECRET` when None) gives
    the same bytes. Raises InputError for an unreadable file or header, a file over
    ``max_bytes``, an output that is also an input, or a ``course`` that disagrees with the key's.
    """
    started = time.perf_counter()
    executors.check(executor)
    submissions, out = Path(submissions), Path(out)
    overlap = clash((out, summary_path(out)), (submissions, roster, key))
    if overlap is not None:
        raise InputError(
            f"The output {str(overlap[0])!r} is also an input ({str(overlap[1])!r}) and would be overwritten; "
            "choose another --out, e.g. report.csv."
        )
    source = CsvSource(submissions, "submissions file", max_bytes=max_bytes)
    authority, warnings = resolve_authority(roster=roster, key=key, course=course)
    rows = plan_records(source.records(), authority)  # reads the header: a bad one fails before any work
    # Sandbox workers leave Ctrl-C to this process, which stops them; they fork with the library loaded, which
    # the fork server does while this process reads the first window.
    quiet_children((*PRELOAD, LIBRARY_PRELOAD))
    tally = Tally()
    checker = _Checker(executor, jobs, timeout, DEFAULT_SECRET if secret is None else secret)
    with atomic_writer(out) as stream, checker:
        write_report_header(stream)
        for window in checker.check(rows):
            for row in window:
                tally.add(row)
            write_report_rows(stream, window)
            if progress is not None:
                progress(tally.count, source.bytes_read, source.size)
    write_atomic(summary_path(out), render_summary(tally.summary()))
    return GradeReport(
        ReportRows(out, tally.count),
        tally.summary(),
        (out, summary_path(out)),
        time.perf_counter() - started,
        statuses=dict(sorted(tally.statuses.items())),
        verdicts=dict(sorted(tally.verdicts.items())),
        warnings=(*warnings, *tally.notes()),
    )


#: The shortest secret `read_secret` accepts.
MIN_SECRET_BYTES = 16


def read_secret(path: Path) -> bytes:
    """A course's secret from a file (its bytes, at least `MIN_SECRET_BYTES`). Raises InputError."""
    try:
        secret = Path(path).read_bytes().strip()
    except OSError as exc:
        raise InputError(f"Cannot read the secret file {str(path)!r}: {exc.strerror}; check the path.") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise InputError(
            f"The secret file {str(path)!r} has {len(secret)} bytes; it needs at least {MIN_SECRET_BYTES}, "
            "e.g. head -c 32 /dev/urandom > course.secret."
        )
    return secret


def resolve_authority(
    *, roster: Path | None, key: Path | None, course: str | None
) -> tuple[Authority | None, list[str]]:
    """Where the variants come from, and warnings: the key (one source, the build's) before the roster and course.

    Raises InputError when ``course`` names another course than the key's (it would grade against other variants).
    """
    warnings: list[str] = []
    if key is not None:
        found = load_key(key)
        warnings += found.warnings
        if course is not None and found.course is not None and course != found.course:
            raise InputError(
                f"--course {course!r} disagrees with the course {found.course!r} of the key {str(key)!r}; "
                "drop --course (the key's seeds are the ones the students were given)."
            )
        if roster is not None:
            ids = {student.id for student in load_roster(roster)}
            for label, names in (
                ("roster ids are not in the key", ids - set(found.students)),
                ("key ids are not in the roster", set(found.students) - ids),
            ):
                if names:
                    warnings.append(f"{len(names)} {label} (e.g. {sorted(names)[0]!r}); the key decides.")
        return Authority(found.students, found.problems, "key"), warnings
    if roster is not None:
        chosen = course or DEFAULT_COURSE
        return Authority({s.id: student_seed(chosen, s.id) for s in load_roster(roster)}, None, "roster"), warnings
    return None, warnings


@dataclass
class _Window:
    """Rows read together, the identities of their tasks, and the chunks sent for the new ones."""

    rows: list[PlannedRow]
    identities: list[Identity | None]
    sent: list[Identity]
    chunks: list[tuple[list[Task], Future[list[Outcome]]]]


class _Checker:
    """Checks planned rows window by window through an executor opened on first need; yields report rows in order."""

    def __init__(self, executor: str | Executor | None, jobs: int | None, timeout: float, secret: bytes) -> None:
        self.spec, self.jobs, self.timeout, self.secret = executor, jobs, timeout, secret
        self.stack = contextlib.ExitStack()
        self.pool: Executor | None = None
        self.capacity = 1
        self.known: OrderedDict[Identity, tuple[str, str, str]] = OrderedDict()
        self.pending: set[Identity] = set()

    def __enter__(self) -> _Checker:
        return self

    def __exit__(self, *exc: Any) -> None:
        # The exception goes on to the executor's context: on Ctrl-C it stops the sandboxes instead of waiting.
        self.stack.__exit__(*exc)

    def check(self, rows: Iterable[PlannedRow]) -> Iterator[list[ReportRow]]:
        in_flight: deque[_Window] = deque()
        for window in _windows(rows):
            in_flight.append(self._send(window))
            while len(in_flight) > 1:
                yield self._finish(in_flight.popleft())
        while in_flight:
            yield self._finish(in_flight.popleft())

    def _send(self, rows: list[PlannedRow]) -> _Window:
        identities: list[Identity | None] = []
        new: dict[Identity, Task] = {}
        for row in rows:
            task = row.task
            identity = None if task is None else _identity(task)
            identities.append(identity)
            if (
                identity is not None
                and identity not in self.known
                and identity not in self.pending
                and identity not in new
            ):
                new[identity] = Task(len(new), task.derivation, task.seed, task.answer)  # type: ignore[union-attr]
        chunks: list[tuple[list[Task], Future[list[Outcome]]]] = []
        if new:
            if self.pool is None:
                self.pool, self.capacity = self.stack.enter_context(executors.resolve(self.spec, jobs=self.jobs))
            chunks = submit_chunks(
                list(new.values()), self.pool, self.capacity, timeout=self.timeout, secret=self.secret
            )
            self.pending.update(new)
        return _Window(rows, identities, list(new), chunks)

    def _finish(self, window: _Window) -> list[ReportRow]:
        for chunk, future in window.chunks:
            for outcome in collect(chunk, future):
                self._remember(window.sent[outcome.index], (outcome.status, outcome.verdict, outcome.feedback))
        self.pending.difference_update(window.sent)
        report = []
        for row, identity in zip(window.rows, window.identities, strict=True):
            if row.early is not None:
                status, verdict, feedback = row.early.status, row.early.verdict, row.early.feedback
            else:
                status, verdict, feedback = self.known.get(identity, _LOST) if identity is not None else _LOST
            report.append(ReportRow(row.id, row.derivation, row.seed, status, verdict, feedback, row.answer))
        return report

    def _remember(self, identity: Identity, outcome: tuple[str, str, str]) -> None:
        self.known[identity] = outcome
        self.known.move_to_end(identity)
        while len(self.known) > KNOWN_OUTCOMES:
            self.known.popitem(last=False)


def _identity(task: Task) -> Identity:
    if len(task.answer) + len(task.derivation) <= 200:
        return (task.derivation, task.seed, task.answer)
    # A digest, not the text: a remembered hostile 20,000-character answer costs 16 bytes.
    return hashlib.blake2b(f"{task.derivation}\x1f{task.seed}\x1f{task.answer}".encode(), digest_size=16).digest()


def _windows(rows: Iterable[PlannedRow]) -> Iterator[list[PlannedRow]]:
    window: list[PlannedRow] = []
    chars = 0
    for row in rows:
        window.append(row)
        chars += len(row.answer)
        if len(window) >= WINDOW_ROWS or chars >= WINDOW_CHARS:
            yield window
            window, chars = [], 0
    if window:
        yield window


def format_summary(report: GradeReport) -> str:
    """A short table for the terminal: per derivation, rows and share correct, then the files written."""
    lines = [f"{'derivation':<32} {'rows':>6} {'correct':>8} {'errors':>7}  most common wrong answer"]
    for item in report.summary:
        common = f"{item.common_wrong[0][0][:40]} (×{item.common_wrong[0][1]})" if item.common_wrong else ""
        lines.append(f"{item.derivation[:32]:<32} {item.rows:>6} {item.share_correct:>8.0%} {item.errors:>7}  {common}")
    statuses = Counter(report.statuses) if report.statuses else Counter(row.status for row in report.rows)
    lines.append(f"{len(report.rows)} rows: " + ", ".join(f"{statuses[s]} {s}" for s in sorted(statuses)))
    lines.append("Wrote " + " and ".join(str(path) for path in report.paths) + ".")
    return "\n".join(lines)
