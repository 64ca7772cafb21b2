"""Grading a class: a submissions CSV in, exactly one report row out per row in, checked in parallel under limits."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import Executor
from pathlib import Path

from symwork.classroom import executors
from symwork.classroom.plan import plan, roster_seeds
from symwork.classroom.records import read_text
from symwork.classroom.report import GradeReport, ReportRow, render_report, render_summary, summarise, summary_path
from symwork.classroom.run import Outcome, run_tasks
from symwork.files import write_atomic
from symwork.seeds import DEFAULT_COURSE

#: The outcome of a row whose task came back with nothing (it should not happen; the row is kept anyway).
_LOST = ("internal_error", "undecided", "No result came back.")


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
    started = time.perf_counter()
    submissions, out = Path(submissions), Path(out)
    text = read_text(submissions, "submissions file")
    seeds = roster_seeds(Path(roster), course or DEFAULT_COURSE) if roster is not None else None
    planned = plan(text, seeds)
    tasks = [row.task for row in planned if row.task is not None]
    outcomes: dict[int, Outcome] = {}
    if tasks:
        with executors.resolve(executor, jobs=jobs) as (pool, capacity):
            outcomes = run_tasks(tasks, pool, capacity, timeout=timeout)
    rows: list[ReportRow] = []
    for index, row in enumerate(planned):
        found = outcomes.get(index)
        if row.early is not None:
            status, verdict, feedback = row.early.status, row.early.verdict, row.early.feedback
        elif found is not None:
            status, verdict, feedback = found.status, found.verdict, found.feedback
        else:
            status, verdict, feedback = _LOST
        rows.append(ReportRow(row.id, row.derivation, row.seed, status, verdict, feedback, row.answer))
    summary = summarise(rows)
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
