"""The build cache: keys over what a job depends on, and the cache file kept in the output folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from symwork import __version__
from symwork.core import registry
from symwork.publish.jobs import Job
from symwork.publish.latexmk import _tool_stamp
from symwork.publish.templates import template_folders

CACHE_FILE = ".symwork-cache.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files_digest(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(set(files)):
        digest.update(str(file).encode())
        digest.update(_sha(file.read_bytes()).encode() if file.is_file() else b"-")
    return digest.hexdigest()


def _template_files() -> list[Path]:
    return [file for folder in template_folders() for file in folder.iterdir() if file.suffix in {".j2", ".sty"}]


def _library_files() -> list[Path]:
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


