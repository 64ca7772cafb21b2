"""Gibbs' inequality: KL(p || q) is a sum of non-negative terms p_k φ(q_k/p_k) with φ(u) = u − 1 − ln u."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

from ._information_common import simplex_fractions, vector_tex

k = sp.Symbol("k", integer=True, positive=True)
p, q = sp.IndexedBase("p"), sp.IndexedBase("q")
u = sp.Symbol("u", positive=True)
t = sp.Symbol("t", positive=True)
KL_pq = sp.Symbol(r"\KL(\bm{p}\,\|\,\bm{q})")


class Gap(sp.Function):
    """φ(u) = u − 1 − ln u, the gap between the tangent u − 1 and ln u; printed φ(u), evaluated by ``doit``."""

    nargs = 1

    def doit(self, **hints: Any) -> Any:
        arg = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        return arg - 1 - sp.log(arg)

    def _numpycode(self, printer: Any) -> str:
        arg = printer._print(self.args[0])
        return f"(({arg}) - 1 - numpy.log({arg}))"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\varphi\left({printer._print(self.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


def _kl_reference(p: np.ndarray, q: np.ndarray) -> float:
    # SciPy's elementwise relative entropy p ln(p/q), summed: the definition, computed by another library.
    return float(np.sum(special.rel_entr(np.asarray(p, dtype=float), np.asarray(q, dtype=float))))


def _exercise(rng: np.random.Generator) -> Exercise:
    first = simplex_fractions(rng, 3)
    second = simplex_fractions(rng, 3)
    while second == first:  # p = q gives KL = 0 whatever the data: draw again
        second = simplex_fractions(rng, 3)
    return Exercise(
        prompt=(
            rf"For $\bm{{p}} = {vector_tex(first)}$ and $\bm{{q}} = {vector_tex(second)}$, compute "
            r"$\KL(\bm{p}\,\|\,\bm{q}) = \sum_k p_k \ln(p_k/q_k)$ in nats."
        ),
        values={"p": first, "q": second},
        answer_label=r"\KL(\bm{p}\,\|\,\bm{q})",
    )


def _figure() -> bytes:
    grid = np.linspace(0.05, 3.0, 400)
    fig, ax = new_figure(4.2, 3.0)
    ax.plot(grid, grid - 1, color="C0", label=r"$u - 1$ (tangent at $u = 1$)")
    ax.plot(grid, np.log(grid), color="C3", label=r"$\ln u$")
    ax.fill_between(
        grid, np.log(grid), grid - 1, color="C1", alpha=0.25, label=r"gap $\varphi(u) = u - 1 - \ln u \geq 0$"
    )
    ax.plot([1.0], [0.0], "ko", ms=3)
    ax.axhline(0, color="0.7", lw=0.6)
    ax.set_xlabel(r"$u = q_k/p_k$")
    ax.set_ylim(-3.0, 2.2)
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    ax.set_title(r"$\ln u \leq u - 1$, with equality only at $u = 1$")
    return pdf_bytes(fig)


@derivation(
    id="gibbs-inequality",
    title="Gibbs' inequality: the KL divergence is non-negative",
    topic="probability",
    question=(
        r"Let $\bm{p}, \bm{q}$ be distributions on $\{1, \dots, n\}$ with all $p_k, q_k > 0$. Show that "
        r"$\KL(\bm{p}\,\|\,\bm{q}) = \sum_k p_k\,\varphi(q_k/p_k)$ with $\varphi(u) = u - 1 - \ln u$, and that "
        r"$\varphi(u) \geq 0$ with equality only at $u = 1$; hence $\KL(\bm{p}\,\|\,\bm{q}) \geq 0$, with equality "
        r"only when $\bm{q} = \bm{p}$."
    ),
    inputs=[
        Input("p", ("n",), "simplex", r"distribution $\bm{p}$ (all entries positive)"),
        Input(
            "q",
            ("n",),
            "simplex",
            r"distribution $\bm{q}$ (all entries positive); the result is $\KL(\bm{p}\,\|\,\bm{q})$",
        ),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_kl_reference,
    exercise=_exercise,
    figure=_figure,
    tags=("kl", "gibbs", "inequality", "entropy"),
)
def gibbs_inequality(n: sp.Expr) -> Body:
    def total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (k, 1, n))

    ratio = q[k] / p[k]
    return Body(
        definitions=(
            Definition(KL_pq, total(p[k] * sp.log(p[k] / q[k])), (), r"KL divergence of $\bm{q}$ from $\bm{p}$"),
        ),
        variables=(Input("u", (), "positive", "a positive ratio"),),
        indices={k: n},
        steps=(
            Step(lhs=KL_pq, rhs=-total(p[k] * sp.log(ratio)), why=r"definition, with $\ln(p_k/q_k) = -\ln(q_k/p_k)$"),
            Step(
                rhs=total(p[k] * (ratio - 1)) - total(p[k] * sp.log(ratio)),
                why=r"add $\sum_k p_k(q_k/p_k - 1) = \sum_k q_k - \sum_k p_k = 1 - 1 = 0$",
            ),
            Step(rhs=total(p[k] * (ratio - 1 - sp.log(ratio))), why="combine the two sums term by term"),
            Step(
                lhs=Gap(u),
                rhs=sp.Integral(1 - 1 / t, (t, 1, u)),
                why=(
                    r"$\varphi(u) = u - 1 - \ln u$ as an integral: $1 - 1/t$ has the sign of $t - 1$, as has the "
                    r"direction from $1$ to $u$, so $\varphi(u) \geq 0$, with $\varphi(u) = 0$ only at $u = 1$ "
                    r"(the tangent $u - 1$ lies above the concave $\ln u$)"
                ),
            ),
            Step(lhs=Gap(u), rhs=sp.S.Zero, relation=">=", why=r"by the integral above, for every $u > 0$"),
            Step(
                lhs=KL_pq,
                rhs=sp.S.Zero,
                relation=">=",
                why=r"each term of the third line is $p_k\,\varphi(q_k/p_k) \geq 0$, and $= 0$ only if $q_k = p_k$",
            ),
        ),
        result=Step(
            lhs=KL_pq,
            rhs=total(p[k] * Gap(ratio)),
            why=r"the third line with $\varphi$: Gibbs' inequality, $\KL(\bm{p}\,\|\,\bm{q}) \geq 0$ with equality only at $\bm{q} = \bm{p}$",
        ),
    )
