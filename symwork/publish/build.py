"""Builds worksheets: renders every job's .tex, then compiles what changed, in parallel, writing atomically."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from symwork.core import registry
from symwork.errors import SymworkError
from symwork.files import write_atomic
from symwork.publish import figures as figure_module
from symwork.publish import problems
from symwork.publish.cache import CACHE_FILE, _load_cache, precise_key, quick_key
from symwork.publish.figures import FigurePrefetch
from symwork.publish.jobs import Job, JobOutcome, Options, Report, plan
from symwork.publish.latexmk import TEX_INSTALL_HINT, compile_tex, sty_path, tex_available
from symwork.publish.templates import TeX, render
from symwork.publish.worksheets import VERSION_LABELS, Worksheet


def render_job(job: Job, prefetch: FigurePrefetch | None = None) -> tuple[str, list[str], dict[str, bytes]]:
    """The .tex text of a job, the derivation source files it used, and the figure files it needs."""
    figures: dict[str, bytes] = {}
    problem_views = []
    sources = []
    for derivation_id in job.worksheet.derivation_ids():
        derivation = registry.get(derivation_id)
        sources.append(derivation.source)
        figure_name = None
        if job.worksheet.figures:
            drawn = prefetch.get(derivation_id) if prefetch is not None else figure_module.draw(derivation_id)
            if drawn is not None:
                figure_name = f"fig-{derivation_id}.pdf"
                figures[figure_name] = drawn
        problem_views.append(problems.problem(derivation, seed=job.seed, figure=figure_name))
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
    return render(f"{job.version}.tex.j2", context), sources, figures


_VERSION_COST = {"solutions": 3, "student": 2, "key": 1}


def _expected_cost(job: Job) -> int:
    sheet = job.worksheet
    size = len(sheet.ids) if sheet.ids is not None else (200 if sheet.topic is None else 60)
    return size * _VERSION_COST.get(job.version, 2)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def build(
    worksheets: Sequence[Worksheet],
    options: Options,
    *,
    progress: Callable[[str, JobOutcome | None], None] | None = None,
    jobs_list: list[Job] | None = None,
) -> Report:
    """Render every job's .tex, then compile what changed, in parallel. Never raises for one bad job."""
    report = Report()
    job_list = jobs_list if jobs_list is not None else plan(worksheets, options)
    pdf = options.pdf and tex_available()
    if options.pdf and not pdf:
        report.notes.append(TEX_INSTALL_HINT)
    cache = _load_cache(options.out)
    todo: list[tuple[Job, Any, str, str]] = []
    workers = options.jobs or default_jobs()
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    prefetch: FigurePrefetch | None = None
    # Largest first, and each TeX run starts as soon as its .tex is rendered: rendering (SymPy, in
    # this thread) overlaps the TeX runs, and the longest run does not start last.
    for job in sorted(job_list, key=_expected_cost, reverse=True):
        entry = cache.get(job.label, {})
        quick = quick_key(job, pdf)
        outputs_exist = job.tex.is_file() and (job.pdf.is_file() or not pdf)
        if not options.force and outputs_exist and entry.get("quick") == quick:
            report.outcomes.append(JobOutcome(job, "cached"))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        start = time.perf_counter()
        try:
            if prefetch is None:
                prefetch = FigurePrefetch(job_list)
            tex_text, sources, figures = render_job(job, prefetch)
        except Exception as exc:  # one broken derivation must not stop the others
            reason = str(exc) if isinstance(exc, SymworkError) else f"{type(exc).__name__}: {exc}"
            report.outcomes.append(JobOutcome(job, "failed", message=f"{job.label}: rendering failed: {reason}"))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        precise = precise_key(job, pdf, sources)
        if not options.force and outputs_exist and entry.get("precise") == precise:
            cache[job.label] = {"quick": quick, "precise": precise}
            report.outcomes.append(JobOutcome(job, "cached", time.perf_counter() - start))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        write_atomic(job.tex, tex_text)
        write_atomic(job.folder / "symwork.sty", sty_path().read_bytes())
        for name, data in figures.items():
            write_atomic(job.folder / name, data)
        if not pdf:
            cache[job.label] = {"quick": quick, "precise": precise}
            report.outcomes.append(JobOutcome(job, "tex only", time.perf_counter() - start))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        todo.append((job, pool.submit(compile_tex, job, tex_text, figures, timeout=options.timeout), quick, precise))
    if prefetch is not None:
        prefetch.close()
    with pool:
        for job, future, quick, precise in todo:
            outcome = future.result()
            report.outcomes.append(outcome)
            if outcome.status == "built":
                cache[job.label] = {"quick": quick, "precise": precise}
            else:
                cache.pop(job.label, None)
            if progress:
                progress(job.label, outcome)
    options.out.mkdir(parents=True, exist_ok=True)
    write_atomic(options.out / CACHE_FILE, json.dumps(cache, indent=1, sort_keys=True))
    order = {job.label: index for index, job in enumerate(job_list)}
    report.outcomes.sort(key=lambda o: order.get(o.job.label, 0))
    return report
