"""Figures for worksheets, drawn with matplotlib as vector PDF; a table maps derivation ids to drawers."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from symwork.publish.jobs import Job


def _figure(width: float = 5.0, height: float = 3.0) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "pdf.fonttype": 42, "axes.spines.top": False, "axes.spines.right": False})
    return plt.subplots(figsize=(width, height))


def _pdf(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    # No dates or producer strings: the same figure gives the same bytes, so PDFs stay reproducible.
    fig.savefig(buffer, format="pdf", bbox_inches="tight", metadata={"CreationDate": None, "Producer": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


def softmax_temperatures() -> bytes:
    logits = np.array([2.0, 1.0, 0.2, -0.5, -1.0])
    fig, ax = _figure()
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
    return _pdf(fig)


def eigenvectors_under_map() -> bytes:
    matrix = np.array([[2.0, 1.0], [1.0, 2.0]])
    values, vectors = np.linalg.eigh(matrix)
    fig, ax = _figure(4.0, 4.0)
    angles = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    image = matrix @ circle
    ax.plot(*circle, color="0.6", lw=1, label="unit circle")
    ax.plot(*image, color="C0", lw=1.5, label=r"its image under $A$")
    for k in range(2):
        v = vectors[:, k]
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C1", "lw": 1.5})
        ax.annotate("", xy=values[k] * v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1, "ls": "--"})
        ax.text(*(values[k] * v * 1.08), rf"$\lambda_{k + 1} q_{k + 1}$, $\lambda_{k + 1}={values[k]:g}$", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-3.5, 3.5)
    ax.set_ylim(-3.5, 3.5)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title(r"$A = [[2, 1], [1, 2]]$ only stretches its eigenvectors")
    return _pdf(fig)


def gradient_descent_contours() -> bytes:
    matrix = np.array([[3.0, 0.0], [0.0, 1.0]])
    fig, ax = _figure(4.5, 3.5)
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
        ax.plot(trace[:, 0], trace[:, 1], "o-", ms=3, color=colour, label=rf"$\eta = {rate}$, rate $\max|1-\eta\lambda| = {max(abs(1 - rate * 3), abs(1 - rate)):.1f}$")
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    ax.set_title(r"Gradient descent on $\frac{1}{2}x^\top A x$, $\lambda = 3, 1$")
    return _pdf(fig)


def beta_prior_posterior() -> bytes:
    from math import lgamma

    theta = np.linspace(0.001, 0.999, 400)

    def density(a: float, b: float) -> np.ndarray:
        log_norm = lgamma(a + b) - lgamma(a) - lgamma(b)
        return np.exp(log_norm + (a - 1) * np.log(theta) + (b - 1) * np.log(1 - theta))

    fig, ax = _figure()
    ax.plot(theta, density(2, 2), label=r"prior $\mathrm{Beta}(2, 2)$", color="0.5")
    ax.plot(theta, density(2 + 7, 2 + 3), label=r"posterior after 7 of 10: $\mathrm{Beta}(9, 5)$", color="C0")
    ax.axvline(9 / 14, color="C0", ls=":", lw=1)
    ax.set_xlabel(r"$\theta$")
    ax.legend(frameon=False)
    ax.set_title("A Beta prior and its posterior")
    return _pdf(fig)


def attention_heatmap() -> bytes:
    rng = np.random.default_rng(3)
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    d = 8
    queries = rng.normal(size=(6, d))
    keys = queries + 0.6 * rng.normal(size=(6, d))
    scores = queries @ keys.T / np.sqrt(d)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    fig, ax = _figure(4.0, 3.4)
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(6), tokens)
    ax.set_yticks(range(6), tokens)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(r"Attention weights $\mathrm{softmax}(QK^\top/\sqrt{d})$")
    return _pdf(fig)


#: Derivation id → drawer of its figure (PDF bytes).
DRAWERS: dict[str, Callable[[], bytes]] = {
    "softmax-temperature": softmax_temperatures,
    "eigendecomposition": eigenvectors_under_map,
    "gradient-descent-quadratic": gradient_descent_contours,
    "beta-bernoulli-update": beta_prior_posterior,
    "attention-scaling": attention_heatmap,
}

_CACHE: dict[str, bytes] = {}


def draw(derivation_id: str) -> bytes | None:
    """The figure for a derivation as PDF bytes, or None when it has none or matplotlib is missing."""
    drawer = DRAWERS.get(derivation_id)
    if drawer is None:
        return None
    if derivation_id not in _CACHE:
        try:
            _CACHE[derivation_id] = drawer()
        except ImportError:
            return None
    return _CACHE[derivation_id]


class FigurePrefetch:
    """Draws the figures a build needs in a separate process while this one renders SymPy."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        wanted = sorted(
            {
                i
                for job in jobs
                if job.worksheet.figures
                for i in job.worksheet.derivation_ids()
                if i in DRAWERS and i not in _CACHE
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
            self._futures = {i: self._pool.submit(draw, i) for i in wanted}
        except (OSError, ValueError):  # no process pool here: draw in this process instead
            self._pool = None

    def get(self, derivation_id: str) -> bytes | None:
        future = self._futures.get(derivation_id)
        if future is None:
            return draw(derivation_id)
        try:
            drawn: bytes | None = future.result()
        except Exception:  # a broken pool must not cost the figure
            return draw(derivation_id)
        if drawn is not None:
            _CACHE[derivation_id] = drawn
        return drawn

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


