"""The build cache: keys over what each job renders, and hashes of what it wrote, kept in the output folder."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symwork import __version__
from symwork.core import registry
from symwork.files import write_atomic
from symwork.publish.jobs import Job
from symwork.publish.latexmk import LATEXMK_FLAGS, SOURCE_DATE_EPOCH, tool_stamp
from symwork.publish.templates import template_folders

CACHE_FILE = ".symwork-cache.json"
#: Bumped when the meaning of the cache file changes; a file of another format is ignored (all rebuilt once).
FORMAT = 2
#: Installed packages whose version can change what a worksheet renders (SymPy's printing, numpy's draws, figures).
RENDER_PACKAGES = frozenset({"sympy", "numpy", "scipy", "matplotlib", "jinja2", "latexcodec"})
ENGINE = Path(__file__).resolve().parent.parent


def digest(data: bytes | str) -> str:
    """SHA-256 of bytes (or of UTF-8 text) as hex."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _tree_files(folder: Path, *, skip: Path | None = None) -> list[Path]:
    # Every file, not only .py: a derivation may read a data file. Caches, hidden folders and the
    # build's own output folder (a library folder may hold it) are left out.
    found = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".") and (here / d).resolve() != skip]
        found += [here / name for name in names if not name.startswith(".")]
    return found


def _files_digest(files: Iterable[Path]) -> str:
    total = hashlib.sha256()
    for file in sorted(set(files)):
        try:
            content = digest(file.read_bytes())
        except OSError:  # removed while we looked, or unreadable: it still counts, as missing
            content = "-"
        total.update(f"{file}\0{content}\n".encode())
    return total.hexdigest()


def _package_versions() -> list[str]:
    # Installed distributions' folder names (name-version.dist-info) give their versions without
    # importing importlib.metadata, which costs ~45 ms: most of a rebuild with nothing to do.
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [
            name for name in names if name.endswith(".dist-info") and name.split("-")[0].lower() in RENDER_PACKAGES
        ]
    return sorted(found)


@dataclass(frozen=True)
class Stamp:
    """What lies outside every job of a build and can change its output; read once per build, without SymPy."""

    #: Engine and library source, templates, package versions, Python and the TeX tools.
    surroundings: str
    #: The TeX tools alone ("" without PDFs): part of every job's render key.
    tools: str


def stamp(*, pdf: bool, out: Path) -> Stamp:
    """The build's stamp; ``pdf`` says whether TeX runs at all (without it the tools do not matter)."""
    tools = tool_stamp() if pdf else ""
    library = [file for folder in registry.library_folders() for file in _tree_files(folder, skip=out.resolve())]
    templates = [file for folder in template_folders() for file in _tree_files(folder)]
    surroundings = json.dumps(
        {
            "symwork": __version__,
            "engine": _files_digest(file for file in _tree_files(ENGINE) if file.suffix in {".py", ".lark"}),
            "library": _files_digest(library),
            "templates": _files_digest(templates),
            "packages": _package_versions(),
            "python": sys.version,
            "tools": tools,
        },
        sort_keys=True,
    )
    return Stamp(digest(surroundings), tools)


def quick_key(job: Job, build_stamp: Stamp) -> str:
    """A key that needs no rendering: the job's options and every source it could read. Unchanged means up to date."""
    sheet = job.worksheet
    options = {
        "name": sheet.name,
        "title": sheet.title,
        "course": sheet.course,
        "instructions": sheet.instructions,
        "ids": sheet.ids,
        "topic": sheet.topic,
        "figures": sheet.figures,
        "version": job.version,
        "stem": job.name,
        "seed": job.seed,
        "student": job.student,
    }
    return digest(json.dumps([options, build_stamp.surroundings], sort_keys=True))


def render_key(job: Job, files: Mapping[str, bytes], *, tools: str, pdf: bool, stale: Sequence[str] = ()) -> str:
    """A key over what TeX reads: the rendered .tex, symwork.sty and the figures (``files``), and how TeX runs.

    The Jinja templates, worksheet options and derivation code reach the PDF only through the rendered
    text, so they are not in this key: an edit that changes no rendered byte rebuilds nothing.
    """
    what = {
        "symwork": __version__,
        "name": job.name,
        "files": {name: digest(data) for name, data in sorted(files.items())},
        "pdf": pdf,
        "tools": tools,
        "latexmk": [*LATEXMK_FLAGS, SOURCE_DATE_EPOCH] if pdf else [],
        "stale": list(stale),
    }
    return digest(json.dumps(what, sort_keys=True))


#: Each derivation source file's digest when a build in this process first rendered from it.
_FIRST_RENDERED: dict[str, str] = {}


def changed_since_loaded(sources: Iterable[str]) -> list[str]:
    """Source files edited on disk after this process first rendered them, as ``path:digest``.

    A long-lived process (a notebook, a server, a test) keeps the modules it imported, so its rendering
    cannot show such an edit; keying on the edited file still rebuilds what uses it. A new process
    imports the file as it is, and then only the rendered text counts.
    """
    changed = []
    for source in sorted(set(sources)):
        try:
            now = digest(Path(source).read_bytes())
        except OSError:
            continue
        if _FIRST_RENDERED.setdefault(source, now) != now:
            changed.append(f"{source}:{now}")
    return changed


@dataclass(frozen=True)
class Entry:
    """What the cache remembers of a job: its two keys and the hash of each file it wrote into its folder."""

    quick: str
    key: str
    outputs: Mapping[str, str]

    @classmethod
    def read(cls, data: Any) -> Entry | None:
        if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
            return None
        return cls(str(data.get("quick")), str(data.get("key")), {str(k): str(v) for k, v in data["outputs"].items()})


class BuildCache:
    """The cache file of one output folder: read at the start of a build, saved at its end."""

    def __init__(self, out: Path, entries: dict[str, Entry]) -> None:
        self.out = out
        self._entries = entries
        self._hashes: dict[tuple[Path, int, int], str] = {}

    @classmethod
    def load(cls, out: Path) -> BuildCache:
        """The cache of ``out``; empty when there is none, or it is unreadable or of another format."""
        try:
            data = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        jobs = data.get("jobs") if isinstance(data, dict) and data.get("format") == FORMAT else None
        entries = {label: entry for label, raw in (jobs or {}).items() if (entry := Entry.read(raw)) is not None}
        return cls(out, entries)

    def _file_hash(self, path: Path) -> str | None:
        try:
            info = path.stat()
        except OSError:
            return None
        # Shared files (symwork.sty, figures) are checked once per version of a worksheet: remember
        # each hash while the file keeps its size and modification time.
        memo = (path, info.st_size, info.st_mtime_ns)
        if memo not in self._hashes:
            try:
                self._hashes[memo] = digest(path.read_bytes())
            except OSError:
                return None
        return self._hashes[memo]

    def _intact(self, job: Job, entry: Entry) -> bool:
        # A missing, half-written or hand-edited output is stale, whatever the keys say.
        return all(self._file_hash(job.folder / name) == sha for name, sha in entry.outputs.items())

    def fresh(self, job: Job, quick: str) -> bool:
        """Up to date without rendering: the same quick key, and every output as it was written."""
        entry = self._entries.get(job.label)
        return entry is not None and entry.quick == quick and self._intact(job, entry)

    def current(self, job: Job, key: str) -> bool:
        """Up to date after rendering: the same render key, and every output as it was written."""
        entry = self._entries.get(job.label)
        return entry is not None and entry.key == key and self._intact(job, entry)

    def outputs(self, job: Job) -> Mapping[str, str]:
        entry = self._entries.get(job.label)
        return entry.outputs if entry is not None else {}

    def record(self, job: Job, quick: str, key: str, outputs: Mapping[str, str]) -> None:
        """Remember a job whose outputs are in place, with the hash of each (file name in its folder → SHA-256)."""
        self._entries[job.label] = Entry(quick, key, dict(outputs))

    def forget(self, job: Job) -> None:
        self._entries.pop(job.label, None)

    def save(self) -> None:
        jobs = {
            label: {"quick": e.quick, "key": e.key, "outputs": dict(e.outputs)} for label, e in self._entries.items()
        }
        self.out.mkdir(parents=True, exist_ok=True)
        write_atomic(self.out / CACHE_FILE, json.dumps({"format": FORMAT, "jobs": jobs}, indent=1, sort_keys=True))
