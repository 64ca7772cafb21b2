"""Norms and cosine similarity of embeddings: Cauchy–Schwarz by Lagrange's identity, and distance between unit vectors."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_vector
from symwork.core.spec import Part
from symwork.publish.figures import new_figure, pdf_bytes

a, b = sp.symbols("a b", integer=True, positive=True)
u, v = sp.IndexedBase("u"), sp.IndexedBase("v")
alpha = sp.Symbol("alpha", positive=True)
norm_u, norm_v = sp.Symbol(r"\lVert\bm{u}\rVert"), sp.Symbol(r"\lVert\bm{v}\rVert")
cos_uv = sp.Symbol(r"\cos\theta")
distance = sp.Symbol(r"\lVert\hat{\bm{u}} - \hat{\bm{v}}\rVert^2")


def _reference(u: np.ndarray, v: np.ndarray) -> float:
    # Normalise with numpy's norm, then measure the squared Euclidean distance directly.
    unit_u, unit_v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return float(np.sum((unit_u - unit_v) ** 2))


def _cosine_reference(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _exercise(rng: np.random.Generator) -> Exercise:
    while True:
        first = [int(x) for x in rng.integers(-3, 4, size=3)]
        second = [int(x) for x in rng.integers(-3, 4, size=3)]
        if any(first) and any(second) and np.linalg.matrix_rank(np.array([first, second])) == 2:
            break  # both non-zero and not parallel: the cosine is strictly inside (-1, 1)
    return Exercise(
        prompt=rf"Two token embeddings are $\bm{{u}} = {latex_vector(first)}$ and $\bm{{v}} = {latex_vector(second)}$.",
        values={"u": first, "v": second},
        parts=(
            Part(
                name=r"\cos\theta",
                ask=r"Compute their cosine similarity $\cos\theta$.",
                of=cos_uv,
                reference=_cosine_reference,
            ),
            Part(
                name=r"\lVert\hat{\bm{u}} - \hat{\bm{v}}\rVert^2",
                ask=(
                    r"Hence compute the squared distance $\lVert\hat{\bm{u}} - \hat{\bm{v}}\rVert^2$ between the unit "
                    r"vectors $\hat{\bm{u}} = \bm{u}/\lVert\bm{u}\rVert$ and $\hat{\bm{v}} = \bm{v}/\lVert\bm{v}\rVert$."
                ),
            ),
        ),
    )


def _figure() -> bytes:
    angles = np.linspace(0, 2 * np.pi, 200)
    first, second = np.array([2.0, 0.6]), np.array([0.5, 1.6])
    unit_first, unit_second = first / np.linalg.norm(first), second / np.linalg.norm(second)
    cosine = float(unit_first @ unit_second)
    fig, ax = new_figure(3.8, 3.4)
    ax.plot(np.cos(angles), np.sin(angles), color="0.75", lw=0.8)
    for vector, unit, colour, name, side in (
        (first, unit_first, "C0", "u", np.array([0.0, -0.22])),
        (second, unit_second, "C3", "v", np.array([-0.25, 0.0])),
    ):
        ax.annotate("", xy=vector, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": colour, "alpha": 0.35})
        ax.annotate("", xy=unit, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": colour})
        ax.text(*(vector + 0.6 * side), rf"$\mathbf{{{name}}}$", color=colour, fontsize=9)
        ax.text(*(0.55 * unit + side), rf"$\hat{{\mathbf{{{name}}}}}$", color=colour, fontsize=9)
    ax.plot(*np.stack([unit_first, unit_second]).T, "k--", lw=0.8)
    chord = np.sqrt(2 - 2 * cosine)
    ax.set_xlabel(
        rf"dashed: $\|\hat{{\mathbf{{u}}}} - \hat{{\mathbf{{v}}}}\| = \sqrt{{2 - 2\cos\theta}} = {chord:.2f}$"
    )
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 2.3)
    ax.set_ylim(-1.2, 1.9)
    ax.set_title(rf"$\cos\theta = {cosine:.2f}$: only directions matter")
    return pdf_bytes(fig)


@derivation(
    id="cosine-similarity",
    title="Norms and cosine similarity of embeddings",
    topic="linear-algebra",
    question=(
        r"For non-zero embeddings $\bm{u}, \bm{v} \in \R^d$ let $\lVert\bm{u}\rVert = \sqrt{\bm{u}^\top\bm{u}}$ and "
        r"$\cos\theta = \bm{u}^\top\bm{v}/(\lVert\bm{u}\rVert\lVert\bm{v}\rVert)$. Show that "
        r"$\lVert\bm{u}\rVert^2\lVert\bm{v}\rVert^2 - (\bm{u}^\top\bm{v})^2 = \frac12\sum_{a,b}(u_a v_b - u_b v_a)^2$, so that "
        r"$-1 \leq \cos\theta \leq 1$ (Cauchy--Schwarz); that $\cos\theta$ does not change when $\bm{u}$ is scaled by "
        r"$\alpha > 0$; and that the unit vectors $\hat{\bm{u}} = \bm{u}/\lVert\bm{u}\rVert$, $\hat{\bm{v}} = \bm{v}/\lVert\bm{v}\rVert$ "
        r"satisfy $\lVert\hat{\bm{u}} - \hat{\bm{v}}\rVert^2 = 2 - 2\cos\theta$, so nearest neighbours by distance between "
        r"normalised embeddings are nearest by cosine."
    ),
    inputs=[
        Input("u", ("d",), "real", r"embedding $\bm{u}$ (non-zero)"),
        Input(
            "v",
            ("d",),
            "real",
            r"embedding $\bm{v}$ (non-zero); the result is $\lVert\hat{\bm{u}} - \hat{\bm{v}}\rVert^2$",
        ),
    ],
    sizes={"d": (2, 3, 5)},
    reference=_reference,
    exercise=_exercise,
    figure=_figure,
    tags=("embeddings", "cosine-similarity", "norm", "cauchy-schwarz"),
)
def cosine_similarity(d: sp.Expr) -> Body:
    def total(expr: sp.Expr, index: sp.Symbol = a) -> sp.Expr:
        return sp.Sum(expr, (index, 1, d))

    dot = total(u[a] * v[a])
    return Body(
        definitions=(
            Definition(norm_u, sp.sqrt(total(u[a] ** 2)), (), r"Euclidean norm of $\bm{u}$"),
            Definition(norm_v, sp.sqrt(total(v[a] ** 2)), (), r"Euclidean norm of $\bm{v}$"),
            Definition(cos_uv, dot / (norm_u * norm_v), (), "cosine similarity"),
            Definition(
                distance, total((u[a] / norm_u - v[a] / norm_v) ** 2), (), "squared distance between the unit vectors"
            ),
        ),
        variables=(Input("alpha", (), "positive", r"a positive scale $\alpha$"),),
        indices={a: d, b: d},
        steps=(
            Step(
                lhs=total(u[a] ** 2) * total(v[b] ** 2, b) - dot**2,
                rhs=total(total((u[a] * v[b] - u[b] * v[a]) ** 2, b)) / 2,
                why=(
                    r"Lagrange's identity: expand the square; the terms $u_a^2v_b^2$ and $u_b^2v_a^2$ give "
                    r"$\lVert\bm{u}\rVert^2\lVert\bm{v}\rVert^2$ twice and the cross terms give $-2(\bm{u}^\top\bm{v})^2$. "
                ),
            ),
            Step(
                lhs=cos_uv**2,
                rhs=sp.S.One,
                relation="<=",
                why=(
                    r"a sum of squares is $\geq 0$, so $(\bm{u}^\top\bm{v})^2 \leq \lVert\bm{u}\rVert^2\lVert\bm{v}\rVert^2$ "
                    r"(Cauchy--Schwarz), with equality only when every $u_a v_b = u_b v_a$, i.e.\ $\bm{u} \parallel \bm{v}$"
                ),
            ),
            Step(
                lhs=total(alpha * u[a] * v[a]) / (sp.sqrt(total(alpha**2 * u[a] ** 2)) * norm_v),
                rhs=cos_uv,
                why=r"scaling: $\sqrt{\alpha^2\lVert\bm{u}\rVert^2} = \alpha\lVert\bm{u}\rVert$ for $\alpha > 0$, and $\alpha$ cancels",
            ),
            Step(
                lhs=distance,
                rhs=total(u[a] ** 2) / norm_u**2 + total(v[a] ** 2) / norm_v**2 - 2 * dot / (norm_u * norm_v),
                why=r"expand the square of each difference and sum",
            ),
            Step(
                rhs=2 - 2 * dot / (norm_u * norm_v),
                why=r"$\sum_a u_a^2 = \lVert\bm{u}\rVert^2$: unit vectors have norm 1",
            ),
        ),
        result=Step(
            lhs=distance,
            rhs=2 - 2 * cos_uv,
            why=r"recognise $\cos\theta$: the distance decreases as the cosine increases, from $4$ at $\cos\theta = -1$ to $0$ at $1$",
        ),
    )
