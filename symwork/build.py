"""Plans, caches and compiles worksheets: atomic writes, a content-hash cache, parallel latexmk, readable errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .errors import BuildError
from .worksheets import VERSION_LABELS, VERSIONS, Worksheet

#: Fixed so that the same inputs give byte-identical PDFs on every machine and day.
SOURCE_DATE_EPOCH = "1764288000"
LATEXMK_FLAGS: tuple[str, ...] = (
    "-pdf",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
    "-no-shell-escape",
    "-norc",
    "-quiet",
)
TEX_INSTALL_HINT = (
    "TeX Live is not installed, so only the .tex files were written; install it with "
    "'sudo apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern latexmk' "
    "(or from https://tug.org/texlive/) and run the build again."
)
CACHE_FILE = ".symwork-cache.json"


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
class Outcome:
    """What happened to one job: built, cached, tex-only or failed (with a message)."""

    job: Job
    status: str
    seconds: float = 0.0
    message: str = ""
    tex_runs: int = 0
    warnings: tuple[str, ...] = ()


@dataclass
class Report:
    """All outcomes of a build, in plan order."""

    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def tex_runs(self) -> int:
        return sum(o.tex_runs for o in self.outcomes)


# --- files --------------------------------------------------------------------


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and move it into place: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files_digest(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(set(files)):
        digest.update(str(file).encode())
        digest.update(_sha(file.read_bytes()).encode() if file.is_file() else b"-")
    return digest.hexdigest()


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def _tool_stamp() -> str:
    # Binary paths, sizes and mtimes stand for the tool versions without running them.
    parts = []
    for tool in ("latexmk", "pdflatex"):
        found = shutil.which(tool)
        if found:
            stat = Path(found).resolve().stat()
            parts.append(f"{found}:{stat.st_size}:{int(stat.st_mtime)}")
    return ";".join(parts) or "no-tex"


def _template_files() -> list[Path]:
    from .render import template_folders

    return [file for folder in template_folders() for file in folder.iterdir() if file.suffix in {".j2", ".sty"}]


def _library_files() -> list[Path]:
    from . import registry

    return [file for folder in registry.library_folders() if folder.is_dir() for file in folder.rglob("*.py")]


def _job_options(job: Job, pdf: bool) -> str:
    sheet = job.worksheet
    return json.dumps(
        {
            "symwork": __version__,
            "name": sheet.name,
            "title": sheet.title,
            "course": sheet.course,
            "instructions": sheet.instructions,
            "ids": sheet.ids,
            "topic": sheet.topic,
            "figures": sheet.figures,
            "version": job.version,
            "seed": job.seed,
            "student": job.student,
            "pdf": pdf,
            "tools": _tool_stamp() if pdf else "",
        },
        sort_keys=True,
    )


def quick_key(job: Job, pdf: bool) -> str:
    """A key that needs no SymPy: options, templates and every library file. Unchanged means nothing to do."""
    return _sha((_job_options(job, pdf) + _files_digest([*_template_files(), *_library_files()])).encode())


def precise_key(job: Job, pdf: bool, sources: Sequence[str]) -> str:
    """A key over the files this job really uses: changing one derivation rebuilds only what contains it."""
    return _sha((_job_options(job, pdf) + _files_digest([*_template_files(), *map(Path, sources)])).encode())


def _load_cache(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


# --- planning and rendering ----------------------------------------------------


def plan(worksheets: Sequence[Worksheet], options: Options) -> list[Job]:
    jobs = []
    for sheet in worksheets:
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
    from .worksheets import student_seed

    if options.title is not None or options.course is not None:
        sheet = replace(sheet, title=options.title or sheet.title, course=options.course or sheet.course)
    versions = options.versions or ("student",)
    jobs = []
    for student in students:
        folder = options.out / sheet.name / "students" / student.slug
        seed = student_seed(sheet.course, student.id)
        for version in versions:
            jobs.append(Job(sheet, version, folder, seed, {"id": student.id, "name": student.name}))
    return jobs


def write_key(sheet: Worksheet, students: Sequence[Any], out: Path) -> tuple[Path, Path]:
    """key.csv and key.json: for every student and problem, the variant seed and the exact answer."""
    import csv
    import io

    import sympy as sp

    from . import printing, registry
    from .worksheets import problem_seed, student_seed

    rows = []
    for student in students:
        seed = student_seed(sheet.course, student.id)
        for derivation_id in sheet.derivation_ids():
            derivation = registry.get(derivation_id)
            if derivation.exercise is None:
                continue
            exercise_seed = problem_seed(seed, derivation_id)
            exercise = derivation.make_exercise(exercise_seed)
            rows.append(
                {
                    "id": student.id,
                    "name": student.name,
                    "student_seed": seed,
                    "derivation": derivation_id,
                    "seed": exercise_seed,
                    "answer": sp.sstr(exercise.answer),
                    "answer_latex": printing.latex(exercise.answer),
                }
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    folder = out / sheet.name
    write_atomic(folder / "key.csv", buffer.getvalue())
    write_atomic(folder / "key.json", json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return folder / "key.csv", folder / "key.json"


class FigurePrefetch:
    """Draws the figures a build needs in a separate process while this one renders SymPy."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        from . import figures

        wanted = sorted(
            {
                i
                for job in jobs
                if job.worksheet.figures
                for i in job.worksheet.derivation_ids()
                if i in figures.DRAWERS and i not in figures._CACHE  # noqa: SLF001 - same package
            }
        )
        self._futures: dict[str, Any] = {}
        self._pool: Any = None
        if not wanted:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
            self._futures = {i: self._pool.submit(figures.draw, i) for i in wanted}
        except (OSError, ValueError):  # no process pool here: draw in this process instead
            self._pool = None

    def get(self, derivation_id: str) -> bytes | None:
        from . import figures

        future = self._futures.get(derivation_id)
        if future is None:
            return figures.draw(derivation_id)
        try:
            drawn: bytes | None = future.result()
        except Exception:  # a broken pool must not cost the figure
            return figures.draw(derivation_id)
        if drawn is not None:
            figures._CACHE[derivation_id] = drawn  # noqa: SLF001 - later builds in this process reuse it
        return drawn

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def render_job(job: Job, prefetch: FigurePrefetch | None = None) -> tuple[str, list[str], dict[str, bytes]]:
    """The .tex text of a job, the derivation source files it used, and the figure files it needs."""
    from . import content, registry
    from .render import TeX, render

    figures: dict[str, bytes] = {}
    problems = []
    sources = []
    for derivation_id in job.worksheet.derivation_ids():
        derivation = registry.get(derivation_id)
        sources.append(derivation.source)
        figure_name = None
        if job.worksheet.figures:
            from . import figures as figure_module

            drawn = prefetch.get(derivation_id) if prefetch is not None else figure_module.draw(derivation_id)
            if drawn is not None:
                figure_name = f"fig-{derivation_id}.pdf"
                figures[figure_name] = drawn
        problems.append(content.problem(derivation, seed=job.seed, figure=figure_name))
    context = {
        "title": job.worksheet.title,
        "course": job.worksheet.course,
        "instructions": job.worksheet.instructions,
        "version": job.version,
        "version_label": TeX(VERSION_LABELS[job.version]),
        "seed": job.seed if job.seed else None,
        "student": job.student,
        "problems": problems,
    }
    return render(f"{job.version}.tex.j2", context), sources, figures


# --- compiling ------------------------------------------------------------------

_ERROR_LINE = re.compile(r"^(?P<file>[^:\n]+\.(?:tex|sty)):(?P<line>\d+): (?P<message>.+)$", re.MULTILINE)
_MARKER = re.compile(r"^% symwork:derivation=(?P<id>\S+) template=(?P<template>\S+)$")


_OVERFULL = re.compile(r"^Overfull \\hbox \((?P<points>[\d.]+)pt too wide\).*?lines? (?P<line>\d+)", re.MULTILINE)


def _derivation_at(tex_text: str, line: int) -> str:
    lines = tex_text.splitlines()
    for number in range(min(line, len(lines)) - 1, -1, -1):
        marker = _MARKER.match(lines[number])
        if marker:
            return f" (derivation {marker.group('id')!r}, template {marker.group('template')})"
    return ""


def overfull_lines(tex_text: str, log_text: str, tex_path: Path, *, tolerance: float = 3.0) -> tuple[str, ...]:
    """Lines that run into the margin by more than ``tolerance`` points, located like errors."""
    found = []
    for match in _OVERFULL.finditer(log_text):
        points = float(match.group("points"))
        if points > tolerance:
            line = int(match.group("line"))
            found.append(f"{tex_path}:{line}: a line is {points:.1f}pt too wide{_derivation_at(tex_text, line)}")
    return tuple(found)


def explain_failure(tex_text: str, log_text: str, tex_path: Path) -> str:
    """``file:line: message`` from the log, with the derivation and template the line came from."""
    match = _ERROR_LINE.search(log_text)
    if not match:
        tail = " ".join(log_text.strip().splitlines()[-3:])
        return f"{tex_path}: LaTeX failed: {tail or 'no log'}"
    line = int(match.group("line"))
    if match.group("file").endswith(".tex"):
        return f"{tex_path}:{line}: {match.group('message')}{_derivation_at(tex_text, line)}"
    return f"{match.group('file')}:{line}: {match.group('message')}"


def _latexmk_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
            "FORCE_SOURCE_DATE": "1",
            "openin_any": "p",
            "openout_any": "p",
            "shell_escape": "f",
            "TZ": "UTC",
        }
    )
    return env


def run_latexmk(folder: Path, stem: str, *, timeout: float) -> tuple[bool, str]:
    """Run latexmk in ``folder``; kill the whole process group on timeout."""
    command = ["latexmk", *LATEXMK_FLAGS, f"{stem}.tex"]
    process = subprocess.Popen(
        command,
        cwd=folder,
        env=_latexmk_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return False, f"LaTeX did not finish within {timeout:.0f} s and was stopped."
    return process.returncode == 0, output.decode("utf-8", "replace")


def sty_path() -> Path:
    from .render import template_path

    return template_path("symwork.sty")


def compile_tex(job: Job, tex_text: str, figures: dict[str, bytes], *, timeout: float) -> Outcome:
    """Compile in a private temporary folder; move the PDF into place only on success."""
    start = time.perf_counter()
    job.folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".build-{job.name}-", dir=job.folder) as scratch:
        work = Path(scratch)
        (work / f"{job.name}.tex").write_text(tex_text, encoding="utf-8")
        shutil.copyfile(sty_path(), work / "symwork.sty")
        for name, data in figures.items():
            (work / name).write_bytes(data)
        ok, output = run_latexmk(work, job.name, timeout=timeout)
        log_file = work / f"{job.name}.log"
        log_text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else output
        pdf = work / f"{job.name}.pdf"
        if ok and pdf.is_file():
            write_atomic(job.pdf, pdf.read_bytes())
            job.folder.joinpath(f"{job.name}.log").unlink(missing_ok=True)
            warnings = overfull_lines(tex_text, log_text, job.tex)
            return Outcome(job, "built", time.perf_counter() - start, tex_runs=1, warnings=warnings)
        write_atomic(job.folder / f"{job.name}.log", log_text)
        message = explain_failure(tex_text, log_text, job.tex) if "did not finish" not in output else output
        return Outcome(job, "failed", time.perf_counter() - start, message + f" (log kept in {job.folder / (job.name + '.log')})", 1)


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
    progress: Callable[[str, Outcome | None], None] | None = None,
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
            report.outcomes.append(Outcome(job, "cached"))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        start = time.perf_counter()
        try:
            if prefetch is None:
                prefetch = FigurePrefetch(job_list)
            tex_text, sources, figures = render_job(job, prefetch)
        except Exception as exc:  # one broken derivation must not stop the others
            from .errors import SymworkError

            reason = str(exc) if isinstance(exc, SymworkError) else f"{type(exc).__name__}: {exc}"
            report.outcomes.append(Outcome(job, "failed", message=f"{job.label}: rendering failed: {reason}"))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        precise = precise_key(job, pdf, sources)
        if not options.force and outputs_exist and entry.get("precise") == precise:
            cache[job.label] = {"quick": quick, "precise": precise}
            report.outcomes.append(Outcome(job, "cached", time.perf_counter() - start))
            if progress:
                progress(job.label, report.outcomes[-1])
            continue
        write_atomic(job.tex, tex_text)
        write_atomic(job.folder / "symwork.sty", sty_path().read_bytes())
        for name, data in figures.items():
            write_atomic(job.folder / name, data)
        if not pdf:
            cache[job.label] = {"quick": quick, "precise": precise}
            report.outcomes.append(Outcome(job, "tex only", time.perf_counter() - start))
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
