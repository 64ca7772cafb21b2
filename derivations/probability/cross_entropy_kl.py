"""Cross-entropy is entropy plus KL, so minimising it over q minimises the KL divergence."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

j, k = sp.symbols("j k", integer=True, positive=True)
p = sp.IndexedBase("p")
q = sp.IndexedBase("q")
H_p = sp.Symbol(r"H(\bm{p})")
KL_pq = sp.Symbol(r"\KL(\bm{p}\,\|\,\bm{q})")


def _cross_entropy_reference(p: np.ndarray, q: np.ndarray) -> float:
    # The definition -Σ p_k ln q_k, computed directly: the derivation's result is H(p) + KL(p || q).
    return float(-np.sum(np.asarray(p) * np.log(np.asarray(q))))


def _simplex_fractions(rng: np.random.Generator, n: int) -> list[sp.Rational]:
    # Small positive integer weights normalised: every probability is a simple fraction, none is zero.
    weights = [int(w) for w in rng.integers(1, 5, size=n)]
    total = sum(weights)
    return [sp.Rational(w, total) for w in weights]


def _exercise(rng: np.random.Generator) -> Exercise:
    values = {"p": _simplex_fractions(rng, 3), "q": _simplex_fractions(rng, 3)}
    p_text = ", ".join(sp.latex(v) for v in values["p"])
    q_text = ", ".join(sp.latex(v) for v in values["q"])
    return Exercise(
        prompt=(
            rf"For $\bm{{p}} = ({p_text})$ and $\bm{{q}} = ({q_text})$, compute the entropy $H(\bm{{p}})$ and the "
            rf"divergence $\KL(\bm{{p}}\,\|\,\bm{{q}})$ (natural logarithms), and hence the cross-entropy $H(\bm{{p}}, \bm{{q}})$."
        ),
        values=values,
        answer_label=r"H(\bm{p}, \bm{q})",
    )


@derivation(
    id="cross-entropy-kl",
    title="Cross-entropy is entropy plus KL",
    topic="probability",
    question=(
        r"Let $\bm{p}, \bm{q}$ be distributions on $\{1, \dots, n\}$ with all $p_k, q_k > 0$. Show that the cross-entropy "
        r"$H(\bm{p}, \bm{q}) = -\sum_k p_k \ln q_k$ equals $H(\bm{p}) + \KL(\bm{p}\,\|\,\bm{q})$, so that minimising it over "
        r"$\bm{q}$ minimises the KL divergence."
    ),
    inputs=[
        Input("p", ("n",), "simplex", "target distribution $\\bm{p}$ (all entries positive)"),
        Input(
            "q",
            ("n",),
            "simplex",
            "model distribution $\\bm{q}$ (all entries positive); the result is $H(\\bm{p}, \\bm{q})$",
        ),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_cross_entropy_reference,
    exercise=_exercise,
    tags=("cross-entropy", "kl", "entropy"),
)
def cross_entropy_kl(n: sp.Expr) -> Body:
    cross_entropy = -sp.Sum(p[k] * sp.log(q[k]), (k, 1, n))
    return Body(
        definitions=(
            Definition(H_p, -sp.Sum(p[k] * sp.log(p[k]), (k, 1, n)), (), "entropy of $\\bm{p}$"),
            Definition(
                KL_pq, sp.Sum(p[k] * sp.log(p[k] / q[k]), (k, 1, n)), (), "KL divergence of $\\bm{q}$ from $\\bm{p}$"
            ),
        ),
        indices={j: n, k: n},
        steps=(
            Step(
                lhs=cross_entropy,
                rhs=-sp.Sum(p[k] * (sp.log(p[k]) - sp.log(p[k] / q[k])), (k, 1, n)),
                why=r"$\ln q_k = \ln p_k - \ln(p_k/q_k)$, valid as $p_k > 0$",
            ),
            Step(
                rhs=-sp.Sum(p[k] * sp.log(p[k]), (k, 1, n)) + sp.Sum(p[k] * sp.log(p[k] / q[k]), (k, 1, n)),
                why="linearity of the sum",
            ),
            Step(
                lhs=sp.Derivative(cross_entropy, q[j]),
                rhs=sp.Derivative(sp.Sum(p[k] * sp.log(p[k] / q[k]), (k, 1, n)), q[j]),
                why=r"the entropy term does not depend on $\bm{q}$: both losses have the same gradient in $\bm{q}$",
            ),
            Step(rhs=-p[j] / q[j], why=r"only the term $k = j$ depends on $q_j$"),
        ),
        result=Step(
            lhs=cross_entropy,
            rhs=H_p + KL_pq,
            why=r"by the second line: $H(\bm{p}, \bm{q}) = H(\bm{p}) + \KL(\bm{p}\,\|\,\bm{q})$",
        ),
    )
