"""Grading runs for the grade page: `symwork grade` on an uploaded CSV, in the background, with progress.

A run owns a temporary folder: the uploads are streamed into it, `symwork.classroom.grading.grade_file`
writes the report and its summary there (the same files `symwork grade` writes), and the uploads are
deleted as soon as the grading ends. Runs are named by an unguessable token (only the uploader knows it),
one runs at a time, and finished runs are dropped oldest first or after an hour, with their folders.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symwork.classroom import grading
from symwork.classroom.report import GradeReport
from symwork.errors import InputError, SymworkError
from symwork.web.bodies import remove
from symwork.web.pool import BusyError
from symwork.web.settings import KEPT_GRADE_RUNS, KEPT_GRADE_SECONDS, Settings

#: Seconds the upload request waits for a run to start checking (or to fail on a bad file) before answering.
START_WAIT_SECONDS = 30.0


class ProgressExecutor(ThreadPoolExecutor):
    """A thread pool that counts the answers it was given and the answers done (a chunk counts its rows)."""

    def __init__(self, jobs: int | None, *, started: threading.Event) -> None:
        super().__init__(max_workers=jobs, thread_name_prefix="symwork-web-grade")
        self.started = started
        self.total = 0
        self.done = 0
        self._count_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # grade_file sends chunks of rows; a chunk counts as its rows, anything else as one.
        size = len(args[0]) if args and isinstance(args[0], Sized) and not isinstance(args[0], str | bytes) else 1
        with self._count_lock:
            self.total += size
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self._finished(size))
        self.started.set()
        return future

    def _finished(self, size: int) -> None:
        with self._count_lock:
            self.done += size


@dataclass
class Run:
    """One grading run: its folder, progress, and the report once it is done (or the error)."""

    token: str
    folder: Path
    started_at: float = field(default_factory=time.monotonic)
    state: str = "running"
    error: str | None = None
    report: GradeReport | None = None
    executor: ProgressExecutor | None = None
    begun: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)

    def status(self) -> dict[str, Any]:
        """The JSON the API returns for the run (see README: GET /api/grade/TOKEN)."""
        executor = self.executor
        data: dict[str, Any] = {
            "run": self.token,
            "state": self.state,
            "checked": executor.done if executor else 0,
            "to_check": executor.total if executor else 0,
            "error": self.error,
        }
        if self.report is not None:
            data.update(summary_json(self.report))
            data["report"] = f"/api/grade/{self.token}/report.csv"
            data["summary_csv"] = f"/api/grade/{self.token}/summary.csv"
        return data


def summary_json(report: GradeReport) -> dict[str, Any]:
    """The grade report as JSON: the per-derivation summary, the statuses and the verdicts (what the CLI prints)."""
    return {
        "rows": len(report.rows),
        "statuses": dict(sorted(Counter(row.status for row in report.rows).items())),
        "verdicts": dict(sorted(Counter(row.verdict for row in report.rows).items())),
        "summary": [
            {
                "derivation": item.derivation,
                "rows": item.rows,
                "correct": item.correct,
                "incorrect": item.incorrect,
                "undecided": item.undecided,
                "errors": item.errors,
                "share_correct": round(item.share_correct, 3),
                "common_wrong": [{"answer": answer, "count": count} for answer, count in item.common_wrong],
            }
            for item in report.summary
        ],
        "elapsed_s": round(report.elapsed_s, 3),
    }


class Grader:
    """The grading runs of one server: at most one running, a few finished ones kept for download."""

    def __init__(self, settings: Settings, *, roster: Path | None) -> None:
        self.settings = settings
        self.roster = roster
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def new_run(self) -> Run:
        """A run with a fresh folder; `BusyError` while another is still grading."""
        with self._lock:
            self._expire()
            if any(run.state == "running" for run in self._runs.values()):
                raise BusyError("Another class is being graded on this server; try again when it has finished.")
            token = secrets.token_urlsafe(18)
            run = Run(token, Path(tempfile.mkdtemp(prefix="symwork-grade-")))
            self._runs[token] = run
            return run

    def get(self, token: str) -> Run:
        with self._lock:
            run = self._runs.get(token)
        if run is None:
            raise InputError(
                "There is no grading run with that name here (finished runs are kept an hour); upload again."
            )
        return run

    def drop(self, run: Run) -> None:
        with self._lock:
            self._runs.pop(run.token, None)
        remove(run.folder)

    def start(self, run: Run, submissions: Path, roster: Path | None) -> None:
        """Grade in a background thread; returns when checking has begun or the run has ended."""
        run.executor = ProgressExecutor(self.settings.grade_jobs, started=run.begun)
        thread = threading.Thread(target=self._grade, args=(run, submissions, roster), name="symwork-web-grade-run")
        thread.start()
        deadline = time.monotonic() + START_WAIT_SECONDS
        while time.monotonic() < deadline and not (run.begun.is_set() or run.ended.is_set()):
            run.ended.wait(0.05)

    def _grade(self, run: Run, submissions: Path, roster: Path | None) -> None:
        executor = run.executor
        try:
            run.report = grading.grade_file(
                submissions,
                roster=roster if roster is not None else self.roster,
                out=run.folder / "report.csv",
                executor=executor,
                jobs=self.settings.grade_jobs,
                timeout=self.settings.timeout,
                course=self.settings.course,
            )
            run.state = "done"
        except SymworkError as exc:
            run.state, run.error = "error", str(exc)
        except Exception as exc:  # noqa: BLE001 - a run must end in a state the page can show
            run.state, run.error = "error", f"The grading failed ({type(exc).__name__}); please report it."
        finally:
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
            for name in ("submissions.csv", "roster.csv"):
                (run.folder / name).unlink(missing_ok=True)  # the uploads go as soon as they are read
            run.ended.set()

    def report_file(self, token: str, which: str) -> Path:
        """The report (``report``) or summary (``summary``) CSV of a finished run."""
        run = self.get(token)
        if run.report is None:
            raise InputError("This grading run has no report yet; wait until it has finished.")
        return run.report.paths[1] if which == "summary" else run.report.paths[0]

    def _expire(self) -> None:
        finished = sorted((r for r in self._runs.values() if r.state != "running"), key=lambda r: r.started_at)
        old = [r for r in finished if time.monotonic() - r.started_at > KEPT_GRADE_SECONDS]
        old += finished[: max(0, len(finished) - KEPT_GRADE_RUNS + 1)]
        for run in old:
            self._runs.pop(run.token, None)
            remove(run.folder)

    def close(self) -> None:
        """Stop queued work of a running grade and remove every run's folder."""
        with self._lock:
            runs = list(self._runs.values())
            self._runs.clear()
        for run in runs:
            if run.executor is not None:
                run.executor.shutdown(wait=False, cancel_futures=True)
        for run in runs:
            run.ended.wait(timeout=30)
            remove(run.folder)
