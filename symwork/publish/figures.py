"""Figures for worksheets: the authoring helpers (new_figure, pdf_bytes) and drawing them beside a build."""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symwork.core import registry
from symwork.core.derivation import Derivation
from symwork.errors import BuildError, SymworkError

if TYPE_CHECKING:
    from symwork.publish.jobs import Job


def new_figure(width: float = 5.0, height: float = 3.0) -> tuple[Any, Any]:
    """A matplotlib figure and axes in the worksheet style (inches); finish with ``pdf_bytes(fig)``.

    A derivation's figure is a module-level function returning PDF bytes, e.g.
    ``def draw() -> bytes: fig, ax = new_figure(4, 3); ax.plot(x, y); return pdf_bytes(fig)``.
    """
    # matplotlib is optional and takes ~0.5 s to import: only a build that draws a figure pays for it.
    import matplotlib

    matplotlib.use("Agg")  # no display: choose the file backend before pyplot loads one
    import matplotlib.pyplot as plt  # after use(): pyplot picks its backend when imported

    plt.rcParams.update({"font.size": 9, "pdf.fonttype": 42, "axes.spines.top": False, "axes.spines.right": False})
    return plt.subplots(figsize=(width, height))


def pdf_bytes(fig: Any) -> bytes:
    """The figure as vector PDF, then closed; the same figure always gives the same bytes."""
    # Only reached after new_figure, which imported matplotlib (optional, slow to import).
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    # No dates or producer strings: the same figure gives the same bytes, so PDFs stay reproducible.
    fig.savefig(
        buffer, format="pdf", bbox_inches="tight", metadata={"CreationDate": None, "Producer": None, "Creator": None}
    )
    plt.close(fig)
    return buffer.getvalue()


def drawer(derivation: Derivation) -> Callable[[], bytes] | None:
    """What draws a derivation's figure, or None when it has none."""
    return derivation.figure


#: Figures drawn in this process (or fetched from the helper), by derivation id and source file.
_DRAWN: dict[tuple[str, str], bytes] = {}


def draw(derivation: Derivation) -> bytes | None:
    """The figure of a derivation as PDF bytes, or None when it has none or matplotlib is missing."""
    function = drawer(derivation)
    if function is None:
        return None
    key = (derivation.id, derivation.source)
    if key not in _DRAWN:
        try:
            drawn = function()
        except ImportError:  # matplotlib is an optional dependency: the worksheet goes without the figure
            return None
        except SymworkError:
            raise
        except Exception as exc:
            raise BuildError(
                f"The figure of {derivation.id!r} failed: {type(exc).__name__}: {exc}; fix its figure function."
            ) from exc
        if not isinstance(drawn, bytes) or not drawn.startswith(b"%PDF"):
            raise BuildError(
                f"The figure of {derivation.id!r} is not PDF bytes; return pdf_bytes(fig) from its figure function."
            )
        _DRAWN[key] = drawn
    return _DRAWN[key]


def draw_by_id(derivation_id: str, source: str, folders: Sequence[str]) -> bytes | None:
    """In the helper process: load the library as the building process has it (``folders``) and draw one figure.

    Derivation modules are imported under synthetic package names, so their functions cannot be pickled
    by reference; the id travels instead, and ``source`` makes sure it names the same derivation here.
    """
    loaded = {folder.resolve() for folder in registry.library_folders()}
    for folder in folders:
        if Path(folder).resolve() not in loaded:
            registry.add_library(folder)
    derivation = registry.get(derivation_id)
    if derivation.source != source:
        raise BuildError(f"Derivation {derivation_id!r} is {derivation.source} in the figure process, not {source}.")
    return draw(derivation)


def _wanted(jobs: Sequence[Job]) -> dict[tuple[str, str], Derivation]:
    wanted: dict[tuple[str, str], Derivation] = {}
    for sheet in {job.worksheet for job in jobs if job.worksheet.figures}:
        try:
            items = [registry.get(i) for i in sheet.derivation_ids()]
        except SymworkError:  # an unknown id fails that worksheet's own jobs, with its message
            continue
        wanted.update({(d.id, d.source): d for d in items if drawer(d) is not None and (d.id, d.source) not in _DRAWN})
    return wanted


class FigurePrefetch:
    """Draws the figures a build needs in a helper process while this one renders SymPy."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        wanted = _wanted(jobs)
        self._futures: dict[tuple[str, str], Future[bytes | None]] = {}
        self._pool: ProcessPoolExecutor | None = None
        #: Figures the helper process could not draw and this one drew instead (by id).
        self.drawn_here: list[str] = []
        if not wanted:
            return
        folders = [str(folder) for folder in registry.library_folders()]
        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
            self._futures = {
                key: self._pool.submit(draw_by_id, d.id, d.source, folders) for key, d in sorted(wanted.items())
            }
        except (OSError, ValueError):  # no process pool here: draw in this process instead
            self._pool = None

    def get(self, derivation: Derivation) -> bytes | None:
        """The derivation's figure, from the helper process when it drew it."""
        key = (derivation.id, derivation.source)
        future = self._futures.pop(key, None)
        if future is None:
            return draw(derivation)
        try:
            drawn = future.result()
        except Exception:  # the helper could not load this derivation's folder, or the pool broke: draw it here
            self.drawn_here.append(derivation.id)
            return draw(derivation)
        if drawn is not None:
            _DRAWN[key] = drawn
        return drawn

    def close(self) -> None:
        """Stop the helper process (again is fine)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
