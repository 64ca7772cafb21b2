"""Builds worksheets: renders every job's .tex, then compiles what changed, in parallel, writing atomically."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from symwork.core import registry
from symwork.errors import SymworkError
from symwork.files import write_atomic
from symwork.publish import problems
from symwork.publish.cache import BuildCache, Stamp, changed_since_loaded, digest, quick_key, render_key, stamp
from symwork.publish.figures import FigurePrefetch, draw
from symwork.publish.jobs import (
    Job,
    JobOutcome,
    Options,
    Report,
    default_jobs,
    interrupts_deferred,
    plan,
    quiet_children,
)
from symwork.publish.latexmk import TEX_INSTALL_HINT, TexRuns, compile_tex, sty_path, tex_available
from symwork.publish.templates import TeX, render
from symwork.publish.worksheets import VERSION_LABELS, Worksheet

__all__ = ["Options", "Report", "JobOutcome", "Rendered", "build", "default_jobs", "render_job", "tex_available"]


@dataclass(frozen=True)
class Rendered:
    """A job rendered: its .tex text, the figure files beside it, and the derivation source files it used."""

    tex: str
    figures: Mapping[str, bytes]
    sources: tuple[str, ...]

    def files(self, job: Job, sty: bytes) -> dict[str, bytes]:
        """Every file TeX reads, by name in the job's folder."""
        return {f"{job.name}.tex": self.tex.encode("utf-8"), "symwork.sty": sty, **self.figures}


def render_job(job: Job, prefetch: FigurePrefetch | None = None) -> Rendered:
    """The .tex text of a job, the figure files it needs and the derivation source files it used."""
    derivations = [registry.get(i) for i in job.worksheet.derivation_ids()]
    # The SymPy work first, the figures after: the helper process draws them meanwhile.
    views = [
        problems.problem(derivation, seed=job.seed, log_style=job.worksheet.log_style) for derivation in derivations
    ]
    figures: dict[str, bytes] = {}
    problem_views = []
    for derivation, view in zip(derivations, views, strict=True):
        drawn = None
        if job.worksheet.figures:
            drawn = prefetch.get(derivation) if prefetch is not None else draw(derivation)
        if drawn is not None:
            name = f"fig-{derivation.id}.pdf"
            figures[name] = drawn
            view = replace(view, figure=name)
        problem_views.append(view)
    context = {
        "title": job.worksheet.title,
        "course": job.worksheet.course,
        "instructions": job.worksheet.instructions,
        "version": job.version,
        "version_label": TeX(VERSION_LABELS[job.version]),
        "seed": job.seed if job.seed else None,
        "student": job.student,
        "problems": problem_views,
    }
    return Rendered(render(f"{job.version}.tex.j2", context), figures, tuple(d.source for d in derivations))


_VERSION_COST = {"solutions": 3, "student": 2, "key": 1}


def _expected_cost(job: Job) -> int:
    sheet = job.worksheet
    size = len(sheet.ids) if sheet.ids is not None else (200 if sheet.topic is None else 60)
    return size * _VERSION_COST.get(job.version, 2)


@dataclass(frozen=True)
class _Written:
    """A job whose files are in place, waiting for its outcome before the cache records it."""

    quick: str
    key: str
    outputs: Mapping[str, str]


class _Run:
    """One build in progress: the cache, the figure helper, the report, and the jobs written but not settled."""

    def __init__(
        self,
        jobs: Sequence[Job],
        options: Options,
        pdf: bool,
        progress: Callable[[str, JobOutcome | None], None] | None,
    ) -> None:
        self.jobs = jobs
        self.options = options
        self.pdf = pdf
        self.progress = progress
        self.report = Report()
        self.cache = BuildCache.load(options.out)
        self.stamp: Stamp = stamp(pdf=pdf, out=options.out)
        self.prefetch: FigurePrefetch | None = None
        self.written: dict[str, _Written] = {}
        self.runs = TexRuns()

    def start(self, job: Job, pool: ThreadPoolExecutor) -> JobOutcome | Future[JobOutcome]:
        """Skip, render, write and (with TeX) submit one job: an outcome now, or a TeX run's future."""
        quick = quick_key(job, self.stamp)
        if not self.options.force and self.cache.fresh(job, quick):
            return JobOutcome(job, "cached")
        start = time.perf_counter()
        try:
            if self.prefetch is None:  # created on the first render: a build with nothing to do draws nothing
                quiet_children()  # the figure helper leaves Ctrl-C to this process
                with interrupts_deferred():  # a helper stopped half-started would outlive the build
                    self.prefetch = FigurePrefetch(self.jobs)
            rendered = render_job(job, self.prefetch)
        except Exception as exc:  # one broken derivation must not stop the others
            reason = str(exc) if isinstance(exc, SymworkError) else f"{type(exc).__name__}: {exc}"
            return JobOutcome(job, "failed", message=f"{job.label}: rendering failed: {reason}")
        files = rendered.files(job, sty_path().read_bytes())
        key = render_key(job, files, tools=self.stamp.tools, pdf=self.pdf, stale=changed_since_loaded(rendered.sources))
        if not self.options.force and self.cache.current(job, key):
            self.written[job.label] = _Written(quick, key, self.cache.outputs(job))
            return JobOutcome(job, "cached", time.perf_counter() - start)
        self.written[job.label] = _Written(quick, key, {name: digest(data) for name, data in files.items()})
        if not self.pdf:
            for name, data in files.items():
                write_atomic(job.folder / name, data)
            return JobOutcome(job, "tex only", time.perf_counter() - start)
        # The .tex goes into place with its PDF (compile_tex): an interrupted build leaves no .tex newer than its PDF.
        return pool.submit(
            compile_tex,
            job,
            rendered.tex,
            dict(rendered.figures),
            timeout=self.options.timeout,
            place=files,
            runs=self.runs,
        )

    def finish(self, outcome: JobOutcome) -> None:
        """Record a settled job in the cache (only once its outputs are in place) and report it."""
        job = outcome.job
        written = self.written.pop(job.label, None)
        if written is not None and outcome.status == "failed":
            self.cache.forget(job)
        elif written is not None:
            outputs = dict(written.outputs)
            if outcome.status == "built":
                try:
                    outputs[job.pdf.name] = digest(job.pdf.read_bytes())
                except OSError:  # gone already: leave the job unrecorded, so the next build makes it again
                    outputs = {}
            if outputs:
                self.cache.record(job, written.quick, written.key, outputs)
            else:
                self.cache.forget(job)
        self.report.outcomes.append(outcome)
        if self.progress is not None:
            self.progress(job.label, outcome)


def build(
    worksheets: Sequence[Worksheet],
    options: Options,
    *,
    progress: Callable[[str, JobOutcome | None], None] | None = None,
    jobs_list: list[Job] | None = None,
) -> Report:
    """Render every job's .tex, then compile what changed, in parallel. Never raises for one bad job."""
    job_list = jobs_list if jobs_list is not None else plan(worksheets, options)
    pdf = options.pdf and tex_available()
    run = _Run(job_list, options, pdf, progress)
    if options.pdf and not pdf:
        run.report.notes.append(TEX_INSTALL_HINT)
    for sheet in {job.worksheet.name: job.worksheet for job in job_list}.values():
        run.report.notes.extend(sheet.order_warnings())
    compiling: list[Future[JobOutcome]] = []
    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs or default_jobs()))
    try:
        # Largest first, and each TeX run starts as soon as its .tex is rendered: rendering (SymPy, in
        # this thread) overlaps the TeX runs, and the longest run does not start last.
        for job in sorted(job_list, key=_expected_cost, reverse=True):
            started = run.start(job, pool)
            if isinstance(started, Future):
                compiling.append(started)
            else:
                run.finish(started)
        if run.prefetch is not None:
            run.prefetch.close()  # every figure is in: free the helper process before TeX gets busy
        for future in compiling:
            run.finish(future.result())
    except BaseException:
        # Ctrl-C (or a bug): stop the TeX runs and drop the queued ones; what is unfinished stays out of the cache.
        run.runs.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        # Saved even when interrupted: the cache holds only jobs whose outputs were checked in place.
        if run.prefetch is not None:
            run.prefetch.close()
        run.cache.save()
    order = {job.label: index for index, job in enumerate(job_list)}
    run.report.outcomes.sort(key=lambda o: order.get(o.job.label, 0))
    return run.report
