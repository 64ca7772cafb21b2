"""Cross-entropy is entropy plus KL, so minimising it over q minimises the KL divergence."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

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
        prompt=rf"Let $\bm{{p}} = ({p_text})$ and $\bm{{q}} = ({q_text})$; use natural logarithms (nats).",
        values=values,
        parts=(
            Part(name=r"H(\bm{p})", ask=r"Compute the entropy $H(\bm{p})$.", of=H_p, reference=_entropy),
            Part(name=r"\KL(\bm{p}\,\|\,\bm{q})", ask=r"Compute the divergence $\KL(\bm{p}\,\|\,\bm{q})$.", of=KL_pq, reference=_divergence),
            Part(name=r"H(\bm{p}, \bm{q})", ask=r"Hence compute the cross-entropy $H(\bm{p}, \bm{q})$."),
        ),
    )


def _entropy(p: np.ndarray, q: np.ndarray) -> float:
    return float(-np.sum(p * np.log(p)))


def _divergence(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum(p * np.log(p / q)))


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
    cross_entropy = -sp.Sum(p[k] * sp.log(q[k]), (k, 1, n))  # printed as written, H(p, q) in the question
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
            Step(
                lhs=KL_pq,
                rhs=sp.S.Zero,
                relation=">=",
                why=r"Gibbs' inequality (derived in its own problem): so $H(\bm{p}, \bm{q}) \ge H(\bm{p})$, with equality only at $\bm{q} = \bm{p}$",
            ),
        ),
        result=Step(
            lhs=cross_entropy,
            rhs=H_p + KL_pq,
            why=r"by the second line: $H(\bm{p}, \bm{q}) = H(\bm{p}) + \KL(\bm{p}\,\|\,\bm{q})$",
        ),
    )
