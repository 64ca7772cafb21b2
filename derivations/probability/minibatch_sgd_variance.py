"""Minibatch SGD: the minibatch gradient is unbiased, and its mean squared error is σ²/B (times (N − B)/(N − 1) without replacement)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_vector
from symwork.core.spec import Part
from symwork.publish.figures import new_figure, pdf_bytes

from ._information_common import printed_base

t, a = sp.symbols("t a", integer=True, positive=True)
I_, J_ = sp.Symbol("I", integer=True, positive=True), sp.Symbol("J", integer=True, positive=True)
g, gbar = sp.IndexedBase("g"), printed_base("gradL", r"\nabla L")
B = sp.Symbol("B", positive=True)
sigma2 = sp.Symbol(r"\sigma^2")
risk = sp.Symbol(r"\E\lVert\hat{\bm{g}} - \nabla L\rVert^2")
risk_without = sp.Symbol(r"\E\lVert\hat{\bm{g}}' - \nabla L\rVert^2")
# The mean of (g_I − ∇L)ᵀ(g_J − ∇L) for a pair of draws: the same draw, independent draws, distinct draws.
c_same, c_ind, c_dist = (sp.Symbol(rf"c_{{\mathrm{{{kind}}}}}") for kind in ("same", "ind", "dist"))


class DrawExpectation(sp.Function):
    """E over one uniform draw I of {1, …, N}: ``DrawExpectation(expr, I, N)`` is (1/N) Σ_t expr[I := t]."""

    nargs = 3

    def doit(self, **hints: Any) -> Any:
        body, draw, size = self.args
        if hints.get("deep", True):
            body = body.doit(**hints)
        index = sp.Dummy("t", integer=True, positive=True)
        return (sp.Sum(body.xreplace({draw: index}), (index, 1, size)) / size).doit(**hints)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        body, draw, _ = self.args
        text = rf"\E_{{{printer._print(draw)}}}\left[{printer._print(body)}\right]"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _sampler(rng: np.random.Generator, N: int, d: int) -> dict[str, np.ndarray]:  # noqa: N803 - size name
    # B ≤ N (a minibatch without replacement needs that many examples), small enough to enumerate all N^B.
    return {"g": rng.uniform(-2.0, 2.0, (N, d)), "B": np.asarray(int(rng.integers(1, min(N, 3) + 1)))}


def _risk_by_enumeration(g: np.ndarray, B: Any) -> float:  # noqa: N803 - the input's name
    """E‖ĝ − ∇L‖² averaged over all N^B equally likely minibatches drawn with replacement."""
    grads, size = np.asarray(g, dtype=float), int(round(float(B)))
    full = grads.mean(axis=0)
    errors = [
        np.sum((grads[list(batch)].mean(axis=0) - full) ** 2)
        for batch in itertools.product(range(len(grads)), repeat=size)
    ]
    return float(np.mean(errors))


def _risk_without_replacement(g: np.ndarray, B: Any) -> float:  # noqa: N803 - the input's name
    """E‖ĝ − ∇L‖² over all ordered minibatches of B distinct examples, equally likely."""
    grads, size = np.asarray(g, dtype=float), int(round(float(B)))
    full = grads.mean(axis=0)
    errors = [
        np.sum((grads[list(batch)].mean(axis=0) - full) ** 2)
        for batch in itertools.permutations(range(len(grads)), size)
    ]
    return float(np.mean(errors))


def _exercise(rng: np.random.Generator) -> Exercise:
    while True:
        grads = rng.integers(-3, 4, size=(4, 2))
        if np.ptp(grads, axis=0).any():  # not all equal: otherwise every minibatch is exact
            break
    batch = int(rng.choice([2, 3]))
    listed = ", ".join(latex_vector(row) for row in grads.tolist())
    return Exercise(
        prompt=(
            rf"Four training examples have loss gradients ${listed}$. SGD estimates $\nabla L$ (their mean) by the average "
            rf"$\hat{{\bm{{g}}}}$ of a minibatch of $B = {batch}$ examples drawn uniformly at random."
        ),
        values={"g": grads.tolist(), "B": batch},
        parts=(
            Part(
                name=r"\E\lVert\hat{\bm{g}} - \nabla L\rVert^2",
                ask=r"Compute the mean squared error $\E\lVert\hat{\bm{g}} - \nabla L\rVert^2$ when the examples are drawn with replacement.",
            ),
            Part(
                name=r"\E\lVert\hat{\bm{g}}' - \nabla L\rVert^2",
                ask=r"Compute it for the estimate $\hat{\bm{g}}'$ of a minibatch drawn without replacement ($B$ distinct examples).",
                of=risk_without,
                reference=_risk_without_replacement,
            ),
        ),
    )


def _figure() -> bytes:
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(64, 4)) + np.array([1.0, -0.5, 0.0, 0.3])
    full = grads.mean(axis=0)
    spread = float(np.mean(np.sum((grads - full) ** 2, axis=1)))
    sizes = np.array([1, 2, 4, 8, 16, 32])
    simulated = [
        np.mean([np.sum((grads[rng.integers(0, 64, size)].mean(axis=0) - full) ** 2) for _ in range(4000)])
        for size in sizes
    ]
    fig, ax = new_figure(4.2, 3.0)
    ax.loglog(sizes, spread / sizes, "k-", lw=0.8, label=r"$\sigma^2/B$")
    ax.loglog(sizes, simulated, "o", ms=4, color="C0", label="simulated, 4000 minibatches each")
    ax.set_xticks(sizes, [str(size) for size in sizes])
    ax.tick_params(axis="x", which="minor", bottom=False)
    ax.set_xlabel("minibatch size $B$")
    ax.set_ylabel(r"$\mathbb{E}\|\hat{\mathbf{g}} - \nabla L\|^2$")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title("Minibatch noise falls like $1/B$")
    return pdf_bytes(fig)


@derivation(
    id="minibatch-sgd-variance",
    title="Minibatch SGD: an unbiased gradient with variance $\\sigma^2/B$",
    topic="probability",
    question=(
        r"A loss $L = \frac1N\sum_t \ell_t$ has per-example gradients $\bm{g}_1, \dots, \bm{g}_N$ (the rows of $g$) and "
        r"$\nabla L = \frac1N\sum_t \bm{g}_t$. SGD uses $\hat{\bm{g}} = \frac1B\sum_{s=1}^{B}\bm{g}_{I_s}$ with $I_1, \dots, I_B$ "
        r"independent and uniform on $\{1, \dots, N\}$. Show that $\E\hat{\bm{g}} = \nabla L$ and "
        r"$\E\lVert\hat{\bm{g}} - \nabla L\rVert^2 = \sigma^2/B$ with $\sigma^2 = \frac1N\sum_t\lVert\bm{g}_t - \nabla L\rVert^2$; "
        r"and that sampling without replacement gives $\frac{\sigma^2}{B}\cdot\frac{N - B}{N - 1}$."
    ),
    inputs=[
        Input("g", ("N", "d"), "real", "per-example gradients, one per row"),
        Input("B", (), "count", r"minibatch size; the result is $\E\lVert\hat{\bm{g}} - \nabla L\rVert^2$"),
    ],
    sizes={"N": (2, 3, 4), "d": (1, 2, 3)},
    reference=_risk_by_enumeration,
    sampler=_sampler,
    exercise=_exercise,
    figure=_figure,
    tags=("sgd", "minibatch", "variance", "unbiased"),
)
def minibatch_sgd_variance(N: sp.Expr, d: sp.Expr) -> Body:  # noqa: N803 - size names
    N, d = sp.S(N), sp.S(d)

    def over_a(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (a, 1, d))

    def draw(expr: sp.Expr, index: sp.Symbol) -> sp.Expr:
        return DrawExpectation(expr, index, N)

    pair = over_a((g[I_, a] - gbar[a]) * (g[J_, a] - gbar[a]))
    return Body(
        definitions=(
            Definition(
                gbar, sp.Sum(g[t, a], (t, 1, N)) / N, (a,), r"the full gradient $\nabla L = \frac1N\sum_t\bm{g}_t$"
            ),
            Definition(
                sigma2,
                sp.Sum(over_a((g[t, a] - gbar[a]) ** 2), (t, 1, N)) / N,
                (),
                "spread of the per-example gradients",
            ),
            Definition(c_same, draw(over_a((g[I_, a] - gbar[a]) ** 2), I_), (), r"a pair of draws with $s = s'$"),
            Definition(c_ind, draw(draw(pair, J_), I_), (), r"a pair of independent draws $I, J$"),
            Definition(
                c_dist,
                draw(draw((1 - sp.KroneckerDelta(I_, J_)) * pair, J_), I_) * N / (N - 1),
                (),
                r"a pair of distinct draws, uniform over the $N(N - 1)$ ordered pairs $I \neq J$",
            ),
            Definition(
                risk,
                (B * c_same + B * (B - 1) * c_ind) / B**2,
                (),
                (
                    r"$\lVert\hat{\bm{g}} - \nabla L\rVert^2 = \frac{1}{B^2}\sum_{s, s'}(\bm{g}_{I_s} - \nabla L)^\top"
                    r"(\bm{g}_{I_{s'}} - \nabla L)$: $B$ pairs with $s = s'$, $B(B - 1)$ of independent draws"
                ),
            ),
            Definition(
                risk_without,
                (B * c_same + B * (B - 1) * c_dist) / B**2,
                (),
                r"the same without replacement: the $B(B - 1)$ pairs $s \neq s'$ are distinct draws",
            ),
        ),
        indices={t: N, a: d},
        steps=(
            Step(
                lhs=draw(g[I_, a], I_),
                rhs=gbar[a],
                why=(
                    r"one uniform draw: $\E\,g_{Ia} = \sum_t \frac1N g_{ta}$; by linearity "
                    r"$\E\hat{\bm{g}} = \frac1B\sum_s\E\,\bm{g}_{I_s} = \nabla L$, an unbiased estimate"
                ),
            ),
            Step(lhs=c_same, rhs=sigma2, why=r"one uniform draw: the spread $\sigma^2$ itself"),
            Step(
                lhs=c_ind,
                rhs=0,
                why=r"independent draws: the mean factorises into $\E_I[\bm{g}_I - \nabla L]^\top\E_J[\bm{g}_J - \nabla L] = 0$",
            ),
            Step(
                lhs=c_dist,
                rhs=-sigma2 / (N - 1),
                why=(
                    r"the sum over all pairs $t, t'$ is $\lVert\sum_t(\bm{g}_t - \nabla L)\rVert^2 = 0$, so the pairs "
                    r"$t \neq t'$ sum to minus the $N$ pairs $t = t'$, i.e.\ to $-N\sigma^2$"
                ),
            ),
            Step(
                lhs=risk_without,
                rhs=sigma2 / B * (N - B) / (N - 1),
                why=r"$\frac{1}{B^2}\bigl(B\sigma^2 - B(B - 1)\frac{\sigma^2}{N - 1}\bigr)$; the factor $\frac{N - B}{N - 1}$ is $0$ at $B = N$",
            ),
            Step(
                lhs=risk_without,
                rhs=risk,
                relation="<=",
                why=r"$\frac{N - B}{N - 1} \leq 1$ for $B \geq 1$: sampling without replacement is never noisier",
            ),
        ),
        result=Step(
            lhs=risk,
            rhs=sigma2 / B,
            why=r"$\frac{1}{B^2}(B\sigma^2 + 0)$: the noise of the estimate falls like $1/B$, its standard deviation like $1/\sqrt{B}$",
        ),
    )
