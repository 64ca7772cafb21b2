"""The entropy of a discrete distribution is ln n − KL(p || uniform), so it is at most ln n, reached only at the uniform."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.figures import new_figure, pdf_bytes

from ._information_common import simplex_fractions, vector_tex

j, k = sp.symbols("j k", integer=True, positive=True)
p = sp.IndexedBase("p")
lam = sp.Symbol("lam", real=True)
H_p = sp.Symbol(r"H(\bm{p})")
KL_pu = sp.Symbol(r"\KL(\bm{p}\,\|\,\bm{u})")
H_u = sp.Symbol(r"H(\bm{u})")


def _entropy_reference(p: np.ndarray) -> float:
    return float(stats.entropy(np.asarray(p, dtype=float)))  # natural logarithm by default


def _gap_reference(p: np.ndarray) -> float:
    # KL(p || uniform) by SciPy's relative entropy against an explicit uniform vector.
    values = np.asarray(p, dtype=float)
    return float(stats.entropy(values, np.full(values.size, 1.0 / values.size)))


def _exercise(rng: np.random.Generator) -> Exercise:
    values = simplex_fractions(rng, 4)
    while len(set(values)) == 1:  # the uniform distribution: the answer would be ln 4 whatever was drawn
        values = simplex_fractions(rng, 4)
    return Exercise(
        prompt=rf"Let $\bm{{p}} = {vector_tex(values)}$ and $\bm{{u}} = (\frac14, \frac14, \frac14, \frac14)$ (natural logarithms).",
        values={"p": values},
        parts=(
            Part(name=r"H(\bm{p})", ask=r"Compute the entropy $H(\bm{p}) = -\sum_k p_k \ln p_k$."),
            Part(
                name=r"\KL(\bm{p}\,\|\,\bm{u})",
                ask=r"Compute $\KL(\bm{p}\,\|\,\bm{u})$, by how much $H(\bm{p})$ falls short of its maximum $\ln 4$.",
                of=KL_pu,
                reference=_gap_reference,
            ),
        ),
    )


def _figure() -> bytes:
    grid = np.linspace(1e-4, 1 - 1e-4, 400)
    binary = -(grid * np.log(grid) + (1 - grid) * np.log(1 - grid))
    fig, ax = new_figure(4.2, 2.8)
    ax.plot(grid, binary, color="C0", label=r"$H(p, 1 - p)$")
    ax.axhline(np.log(2), color="C3", lw=0.8, ls="--", label=r"$\ln 2$, reached at $p = \frac{1}{2}$")
    ax.set_xlabel(r"$p$")
    ax.set_ylabel("entropy (nats)")
    ax.set_ylim(0, 0.8)
    ax.legend(frameon=False, fontsize=7, loc="lower center")
    ax.set_title(r"Entropy of a coin: at most $\ln n$ with $n = 2$")
    return pdf_bytes(fig)


@derivation(
    id="discrete-entropy-maximum",
    title="Entropy of a discrete distribution and its maximum",
    topic="probability",
    question=(
        r"Let $\bm{p}$ be a distribution on $\{1, \dots, n\}$ with all $p_k > 0$, $H(\bm{p}) = -\sum_k p_k \ln p_k$ its "
        r"entropy and $\bm{u} = (\frac1n, \dots, \frac1n)$ the uniform distribution. Show that "
        r"$H(\bm{p}) = \ln n - \KL(\bm{p}\,\|\,\bm{u})$, so that $H(\bm{p}) \leq \ln n$ with equality only at "
        r"$\bm{p} = \bm{u}$, and that $\bm{u}$ is the only stationary point of $H$ on the simplex."
    ),
    inputs=[
        Input(
            "p", ("n",), "simplex", r"distribution $\bm{p}$ (all entries positive); the result is $H(\bm{p})$ in nats"
        )
    ],
    sizes={"n": (2, 3, 5)},
    reference=_entropy_reference,
    exercise=_exercise,
    figure=_figure,
    tags=("entropy", "kl", "maximum-entropy"),
    uses=("gibbs-inequality",),
)
def discrete_entropy_maximum(n: sp.Expr) -> Body:
    n = sp.S(n)  # an int at instances: keep 1/n exact

    def total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (k, 1, n))

    entropy = -total(p[k] * sp.log(p[k]))
    lagrangian = entropy + lam * (total(p[k]) - 1)
    return Body(
        definitions=(
            Definition(H_p, entropy, (), r"entropy of $\bm{p}$ (nats)"),
            Definition(
                KL_pu, total(p[k] * sp.log(p[k] / (1 / n))), (), r"KL divergence of the uniform $\bm{u}$ from $\bm{p}$"
            ),
            Definition(H_u, -total(sp.log(1 / n) / n), (), r"entropy of the uniform distribution, $u_k = \frac1n$"),
        ),
        variables=(Input("lam", (), "real", "Lagrange multiplier of the constraint $\\sum_k p_k = 1$"),),
        indices={j: n, k: n},
        steps=(
            Step(
                lhs=H_p,
                rhs=sp.log(n) - total(p[k] * sp.log(n * p[k])),
                why=r"$\ln p_k = \ln(n p_k) - \ln n$ and $\sum_k p_k = 1$",
            ),
            Step(
                rhs=sp.log(n) - total(p[k] * (1 / (n * p[k]) - 1 - sp.log(1 / (n * p[k])))),
                why=(
                    r"$\sum_k p_k \ln(n p_k) = \KL(\bm{p}\,\|\,\bm{u})$ written as in Gibbs' inequality, with "
                    r"$q_k = \frac1n$: each term is $p_k\,\varphi\bigl(1/(n p_k)\bigr) \geq 0$"
                ),
            ),
            Step(
                lhs=H_p,
                rhs=sp.log(n),
                relation="<=",
                why=r"every term of the second line is $\geq 0$ (Gibbs' inequality), with equality only at $\bm{p} = \bm{u}$",
            ),
            Step(
                lhs=H_u,
                rhs=sp.log(n),
                why=r"$n$ equal terms $-\frac1n\ln\frac1n$: the uniform distribution reaches the bound",
            ),
            Step(
                lhs=sp.Derivative(lagrangian, p[j]),
                rhs=-sp.log(p[j]) - 1 + lam,
                why=(
                    r"stationary points of $H$ on the simplex: with a multiplier $\lambda$ for $\sum_k p_k = 1$, the "
                    r"derivative vanishes only where $\ln p_j = \lambda - 1$ for every $j$, i.e.\ at $p_j = \frac1n$"
                ),
            ),
        ),
        result=Step(
            lhs=H_p,
            rhs=sp.log(n) - KL_pu,
            why=r"the first line, with the sum named: the entropy falls short of $\ln n$ by the divergence from uniform",
        ),
    )
