"""Running latexmk safely and reproducibly, and reading its log back in the user's terms."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from symwork.files import write_atomic
from symwork.publish.jobs import Job, JobOutcome
from symwork.publish.templates import template_path

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
#: The message of a TeX run that a Ctrl-C stopped.
INTERRUPTED = "interrupted before LaTeX finished; the next build makes it"
TEX_INSTALL_HINT = (
    "TeX Live is not installed, so only the .tex files were written; install it with "
    "'sudo apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern latexmk' "
    "(or from https://tug.org/texlive/) and run the build again."
)


def tex_available() -> bool:
    """Whether latexmk and pdflatex are on the PATH."""
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def tool_stamp() -> str:
    """The TeX tools in use, for the build cache."""
    # Binary paths, sizes and mtimes stand for the tool versions without running them.
    parts = []
    for tool in ("latexmk", "pdflatex"):
        found = shutil.which(tool)
        if found:
            stat = Path(found).resolve().stat()
            parts.append(f"{found}:{stat.st_size}:{int(stat.st_mtime)}")
    return ";".join(parts) or "no-tex"


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


def latexmk_env() -> dict[str, str]:
    """The environment of every TeX run: fixed dates and time zone, no shell escape, no reading outside the folder."""
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


class TexRuns:
    """The TeX runs of one build: `stop` (on Ctrl-C) kills those running and refuses new ones.

    latexmk runs in its own session, so a terminal's Ctrl-C does not reach it: the build stops it here.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def start(self, command: list[str], folder: Path) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self.stopped:
                return None
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=latexmk_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._running.add(process)
            return process

    def done(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(process)

    def stop(self) -> None:
        """Kill every running TeX run (its whole process group) and start no more."""
        with self._lock:
            self.stopped = True
            running = list(self._running)
        for process in running:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)


def run_latexmk(folder: Path, stem: str, *, timeout: float, runs: TexRuns | None = None) -> tuple[bool, str]:
    """Run latexmk in ``folder``; kill the whole process group on timeout (or when ``runs`` is stopped)."""
    runs = runs if runs is not None else TexRuns()
    process = runs.start(["latexmk", *LATEXMK_FLAGS, f"{stem}.tex"], folder)
    if process is None:
        return False, INTERRUPTED
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return False, f"LaTeX did not finish within {timeout:.0f} s and was stopped."
    finally:
        runs.done(process)
    # A Ctrl-C can reach latexmk in the instant between its start and its own session: it dies of SIGINT.
    if runs.stopped or process.returncode == -signal.SIGINT:
        return False, INTERRUPTED
    return process.returncode == 0, output.decode("utf-8", "replace")


def sty_path() -> Path:
    """symwork.sty, which every worksheet loads."""
    return template_path("symwork.sty")


def compile_tex(
    job: Job,
    tex_text: str,
    figures: dict[str, bytes],
    *,
    timeout: float,
    place: Mapping[str, bytes] | None = None,
    runs: TexRuns | None = None,
) -> JobOutcome:
    """Compile in a private temporary folder; move the PDF into place only on success.

    ``place`` (the .tex and the files beside it) is written into the job's folder with the PDF, or with the
    log on a failure, never before: an interrupted build leaves each .tex beside the PDF made from it.
    """
    start = time.perf_counter()
    job.folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".build-{job.name}-", dir=job.folder) as scratch:
        work = Path(scratch)
        (work / f"{job.name}.tex").write_text(tex_text, encoding="utf-8")
        shutil.copyfile(sty_path(), work / "symwork.sty")
        for name, data in figures.items():
            (work / name).write_bytes(data)
        ok, output = run_latexmk(work, job.name, timeout=timeout, runs=runs)
        if output == INTERRUPTED:
            return JobOutcome(job, "failed", time.perf_counter() - start, f"{job.label}: {INTERRUPTED}")
        log_file = work / f"{job.name}.log"
        log_text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else output
        pdf = work / f"{job.name}.pdf"
        if ok and pdf.is_file():
            write_atomic(job.pdf, pdf.read_bytes())
            for name, data in (place or {}).items():
                write_atomic(job.folder / name, data)
            job.folder.joinpath(f"{job.name}.log").unlink(missing_ok=True)
            warnings = overfull_lines(tex_text, log_text, job.tex)
            return JobOutcome(job, "built", time.perf_counter() - start, tex_runs=1, warnings=warnings)
        for name, data in (place or {}).items():
            write_atomic(job.folder / name, data)
        write_atomic(job.folder / f"{job.name}.log", log_text)
        message = explain_failure(tex_text, log_text, job.tex) if "did not finish" not in output else output
        return JobOutcome(
            job,
            "failed",
            time.perf_counter() - start,
            message + f" (log kept in {job.folder / (job.name + '.log')})",
            1,
        )
