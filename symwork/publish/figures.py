"""Figures for worksheets: the authoring helpers (new_figure, pdf_bytes) and drawing them beside a build."""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from math import lgamma
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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


def softmax_temperatures() -> bytes:
    logits = np.array([2.0, 1.0, 0.2, -0.5, -1.0])
    fig, ax = new_figure()
    width = 0.2
    for offset, temperature in enumerate((0.25, 1.0, 4.0)):
        scaled = logits / temperature
        probs = np.exp(scaled - scaled.max())
        probs /= probs.sum()
        ax.bar(np.arange(5) + (offset - 1) * width, probs, width, label=f"T = {temperature:g}")
    ax.set_xticks(range(5), [f"$z_{i + 1}={v:g}$" for i, v in enumerate(logits)])
    ax.set_ylabel(r"$\mathrm{softmax}(z/T)_i$")
    ax.legend(frameon=False)
    ax.set_title("Low T approaches one-hot, high T approaches uniform")
    return pdf_bytes(fig)


def eigenvectors_under_map() -> bytes:
    matrix = np.array([[2.0, 1.0], [1.0, 2.0]])
    values, vectors = np.linalg.eigh(matrix)
    fig, ax = new_figure(4.0, 4.0)
    angles = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    image = matrix @ circle
    ax.plot(*circle, color="0.6", lw=1, label="unit circle")
    ax.plot(*image, color="C0", lw=1.5, label=r"its image under $A$")
    for k in range(2):
        v = vectors[:, k]
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C1", "lw": 1.5})
        ax.annotate(
            "", xy=values[k] * v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1, "ls": "--"}
        )
        ax.text(*(values[k] * v * 1.08), rf"$\lambda_{k + 1} q_{k + 1}$, $\lambda_{k + 1}={values[k]:g}$", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-3.5, 3.5)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title(r"$A = [[2, 1], [1, 2]]$ only stretches its eigenvectors")
    return pdf_bytes(fig)


def gradient_descent_contours() -> bytes:
    matrix = np.array([[3.0, 0.0], [0.0, 1.0]])
    fig, ax = new_figure(4.5, 3.5)
    grid = np.linspace(-2.2, 2.2, 200)
    xx, yy = np.meshgrid(grid, grid)
    values = 0.5 * (matrix[0, 0] * xx**2 + matrix[1, 1] * yy**2)
    ax.contour(xx, yy, values, levels=12, colors="0.7", linewidths=0.8)
    for rate, colour in ((0.3, "C0"), (0.6, "C3")):
        point = np.array([-2.0, 1.8])
        path = [point]
        for _ in range(12):
            point = point - rate * matrix @ point
            path.append(point)
        trace = np.array(path)
        ax.plot(
            trace[:, 0],
            trace[:, 1],
            "o-",
            ms=3,
            color=colour,
            label=rf"$\eta = {rate}$, rate $\max|1-\eta\lambda| = {max(abs(1 - rate * 3), abs(1 - rate)):.1f}$",
        )
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    ax.set_title(r"Gradient descent on $\frac{1}{2}x^\top A x$, $\lambda = 3, 1$")
    return pdf_bytes(fig)


def beta_prior_posterior() -> bytes:
    theta = np.linspace(0.001, 0.999, 400)

    def density(a: float, b: float) -> np.ndarray:
        log_norm = lgamma(a + b) - lgamma(a) - lgamma(b)
        return np.exp(log_norm + (a - 1) * np.log(theta) + (b - 1) * np.log(1 - theta))

    fig, ax = new_figure()
    ax.plot(theta, density(2, 2), label=r"prior $\mathrm{Beta}(2, 2)$", color="0.5")
    ax.plot(theta, density(2 + 7, 2 + 3), label=r"posterior after 7 of 10: $\mathrm{Beta}(9, 5)$", color="C0")
    ax.axvline(9 / 14, color="C0", ls=":", lw=1)
    ax.set_xlabel(r"$\theta$")
    ax.legend(frameon=False)
    ax.set_title("A Beta prior and its posterior")
    return pdf_bytes(fig)


def attention_heatmap() -> bytes:
    rng = np.random.default_rng(3)
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    d = 8
    queries = rng.normal(size=(6, d))
    keys = queries + 0.6 * rng.normal(size=(6, d))
    scores = queries @ keys.T / np.sqrt(d)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    fig, ax = new_figure(4.0, 3.4)
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(6), tokens)
    ax.set_yticks(range(6), tokens)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(r"Attention weights $\mathrm{softmax}(QK^\top/\sqrt{d})$")
    return pdf_bytes(fig)


#: Derivation id → drawer of its figure (PDF bytes), for the built-in derivations whose figure still
#: lives here; a derivation's own ``figure=`` comes first.
DRAWERS: dict[str, Callable[[], bytes]] = {
    "softmax-temperature": softmax_temperatures,
    "eigendecomposition": eigenvectors_under_map,
    "gradient-descent-quadratic": gradient_descent_contours,
    "beta-bernoulli-update": beta_prior_posterior,
    "attention-scaling": attention_heatmap,
}


def drawer(derivation: Derivation) -> Callable[[], bytes] | None:
    """What draws a derivation's figure, or None when it has none."""
    return derivation.figure or DRAWERS.get(derivation.id)


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
