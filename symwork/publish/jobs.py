"""What a build is asked for and what it produces: options, jobs (a worksheet in one version) and outcomes."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from symwork.errors import BuildError, InputError
from symwork.publish.worksheets import VERSIONS, Worksheet
from symwork.seeds import student_seed


@dataclass(frozen=True)
class Options:
    """What a build was asked for, beyond the worksheets themselves."""

    out: Path = Path("output")
    versions: tuple[str, ...] | None = None
    seed: int = 0
    title: str | None = None
    course: str | None = None
    pdf: bool = True
    jobs: int = 0
    force: bool = False
    timeout: float = 180.0


@dataclass(frozen=True)
class Job:
    """One file to produce: a worksheet in one version."""

    worksheet: Worksheet
    version: str
    folder: Path
    seed: int
    student: dict[str, str] | None = None
    stem: str = ""

    @property
    def name(self) -> str:
        return self.stem or self.version

    @property
    def tex(self) -> Path:
        return self.folder / f"{self.name}.tex"

    @property
    def pdf(self) -> Path:
        return self.folder / f"{self.name}.pdf"

    @property
    def label(self) -> str:
        if self.student:
            return f"{self.worksheet.name}/students/{self.folder.name}/{self.name}"
        return f"{self.worksheet.name}/{self.name}"


@dataclass(frozen=True)
class JobOutcome:
    """What happened to one job: built, cached, tex-only or failed (with a message)."""

    job: Job
    status: str
    seconds: float = 0.0
    message: str = ""
    tex_runs: int = 0
    warnings: tuple[str, ...] = ()


@dataclass
class Report:
    """All job outcomes of a build, in plan order."""

    outcomes: list[JobOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[JobOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def tex_runs(self) -> int:
        return sum(o.tex_runs for o in self.outcomes)


#: The old name of JobOutcome (the grader has outcomes of its own).
Outcome = JobOutcome


def default_jobs() -> int:
    """Every core this process may use: the default number of parallel TeX runs (and grading workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_ids(sheet: Worksheet) -> None:
    """Refuse a worksheet that lists a derivation twice or names an unknown one: one message, before any work.

    Raises InputError (an unknown id's message suggests the closest known ones).
    """
    if sheet.ids is None:
        return
    seen: set[str] = set()
    for item in sheet.ids:
        if item in seen:
            where = f" in {sheet.source}" if sheet.source else ""
            raise InputError(f"The derivation {item!r} is listed twice{where}; list each derivation once.")
        seen.add(item)
    sheet.derivation_ids()  # raises for an unknown id


def quiet_children(preload: Sequence[str] = ()) -> None:
    """Start multiprocessing's fork server with Ctrl-C ignored (once per process, from the main thread).

    A terminal sends Ctrl-C to every process of the command; the helpers (figure drawing, sandbox workers,
    all forked from the fork server) would each print a KeyboardInterrupt traceback. Started this way they
    inherit the ignored signal, and the parent alone handles the interrupt and stops them.
    """
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        return
    # Lazy: multiprocessing's fork server is started only by commands that start helper processes.
    from multiprocessing import forkserver, get_context

    get_context("forkserver").set_forkserver_preload(list(preload))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done, then raise it (main thread only; elsewhere a no-op).

    For starting helper processes: one interrupted half-way through its start is unknown to its pool, so
    nothing stops it, and it keeps its fork server alive after the command has gone.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def plan(worksheets: Sequence[Worksheet], options: Options) -> list[Job]:
    """Every worksheet in each version asked for (all of its versions by default), in order."""
    jobs = []
    for sheet in worksheets:
        check_ids(sheet)
        if options.title is not None or options.course is not None:
            sheet = replace(sheet, title=options.title or sheet.title, course=options.course or sheet.course)
        versions = options.versions or sheet.versions
        for version in versions:
            if version not in VERSIONS:
                raise BuildError(f"Unknown version {version!r}; use one of {', '.join(VERSIONS)}.")
            jobs.append(Job(sheet, version, options.out / sheet.name, options.seed))
    return jobs


def roster_jobs(sheet: Worksheet, students: Sequence[Any], options: Options) -> list[Job]:
    """One job per student (and version): the variant seed comes from the course and the student id."""
    if options.title is not None or options.course is not None:
        sheet = replace(sheet, title=options.title or sheet.title, course=options.course or sheet.course)
    check_ids(sheet)
    versions = options.versions or ("student",)
    jobs = []
    for student in students:
        folder = options.out / sheet.name / "students" / student.slug
        seed = student_seed(sheet.course, student.id)
        for version in versions:
            jobs.append(Job(sheet, version, folder, seed, {"id": student.id, "name": student.name}))
    return jobs
