"""The sample size that Hoeffding's inequality needs for an ε-accurate mean with confidence 1 − δ."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import optimize

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.printing import latex

epsilon = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
n = sp.Symbol("n", positive=True)  # the sample size, a free variable of the steps (not an input)
t = sp.Symbol("t", real=True)  # the Chernoff parameter
p = sp.Symbol("p", positive=True)  # the mean of a Bernoulli variable, the extreme case of Hoeffding's lemma
B = sp.Symbol("B")  # the two-sided Hoeffding bound at sample size n
n_min = sp.Symbol(r"n_{\min}")  # the threshold, found numerically by the sampler


def _hoeffding_bound(size: float, eps: float) -> float:
    return 2.0 * np.exp(-2.0 * size * eps**2)


def _sample_size_reference(epsilon: Any, delta: Any) -> float:
    # Find where the bound 2 exp(-2 n ε²) crosses δ with a bracketing root finder: no closed form used.
    eps, target = float(epsilon), float(delta)
    high = 1.0
    while _hoeffding_bound(high, eps) > target:
        high *= 2.0
    return float(
        optimize.brentq(
            lambda size: _hoeffding_bound(size, eps) - target, 0.0, high, xtol=1e-13, rtol=1e-15, maxiter=500
        )
    )


def _threshold_sampler(rng: np.random.Generator) -> dict[str, Any]:
    point = {"epsilon": np.asarray(rng.uniform(0.01, 0.3)), "delta": np.asarray(rng.uniform(0.05, 0.95))}
    return {**point, r"n_{\min}": np.asarray(_sample_size_reference(**point))}


def _sample_size(epsilon: Any, delta: Any) -> float:
    """The smallest whole sample size with a bound at most δ: the root found numerically, rounded up."""
    return float(np.ceil(_sample_size_reference(epsilon, delta) - 1e-9))


_EPSILONS = (sp.Rational(1, 4), sp.Rational(1, 5), sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 50))
_DELTAS = (sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 50), sp.Rational(1, 100), sp.Rational(1, 200))


def _exercise(rng: np.random.Generator) -> Exercise:
    values = {
        "epsilon": _EPSILONS[int(rng.integers(0, len(_EPSILONS)))],
        "delta": _DELTAS[int(rng.integers(0, len(_DELTAS)))],
    }
    return Exercise(
        prompt=(
            r"Independent observations $x_1, \dots, x_n \in [0, 1]$ have mean $\mu$. Using Hoeffding's inequality, find the "
            rf"threshold $n_{{\min}}$ such that every $n \ge n_{{\min}}$ guarantees $P(|\bar x - \mu| \ge {latex(values['epsilon'])}) "
            rf"\le {latex(values['delta'])}$ (natural logarithms)."
        ),
        values=values,
        parts=(
            Part(name=r"n_{\min}", ask=r"Give $n_{\min}$ exactly."),
            Part(
                name=r"\lceil n_{\min} \rceil",
                ask=r"How many observations are needed, $\lceil n_{\min} \rceil$?",
                of=sp.ceiling(sp.log(2 / delta) / (2 * epsilon**2)),
                reference=_sample_size,
            ),
        ),
    )


@derivation(
    id="hoeffding-sample-size",
    title="Sample size from Hoeffding's inequality",
    topic="probability",
    question=(
        r"For independent $x_1, \dots, x_n \in [0, 1]$ with mean $\mu$, Hoeffding's lemma gives "
        r"$\E[e^{t(x_i - \mu)}] \le e^{t^2/8}$. Derive $P(|\bar x - \mu| \ge \varepsilon) \le 2e^{-2n\varepsilon^2}$ and show "
        r"that this is at most $\delta$ exactly when $n \ge \ln(2/\delta)/(2\varepsilon^2)$."
    ),
    inputs=[
        Input("epsilon", (), "small", "accuracy $\\varepsilon > 0$"),
        Input(
            "delta", (), "unit", "failure probability $\\delta \\in (0, 1)$; the result is the threshold $n_{\\min}$"
        ),
    ],
    reference=_sample_size_reference,
    sampler=_threshold_sampler,
    exercise=_exercise,
    tags=("hoeffding", "concentration", "pac"),
)
def hoeffding_sample_size() -> Body:
    # Chernoff: P(x̄ - μ ≥ ε) ≤ e^{-tε} E[e^{t(x̄ - μ)}] ≤ exp(-tε + t²/(8n)), for every t > 0.
    exponent = -t * epsilon + t**2 / (8 * n)
    return Body(
        definitions=(
            Definition(
                B, 2 * sp.exp(-2 * n * epsilon**2), (), "a name for the two-sided bound that the first lines derive"
            ),
        ),
        variables=(
            Input("n", (), "count", "sample size"),
            Input("t", (), "real", "Chernoff parameter"),
            Input("p", (), "unit", "mean of a Bernoulli variable"),
        ),
        steps=(
            Step(
                lhs=p * sp.exp(t * (1 - p)) + (1 - p) * sp.exp(-t * p),
                rhs=sp.exp(t**2 / 8),
                relation="<=",
                why=(
                    r"Hoeffding's lemma, cited: $\E[e^{t(x - \mu)}] \le e^{t^2/8}$ for $x \in [0, 1]$; here the "
                    r"extreme case $x \sim \Bern(p)$, sampled over $p$ and $t$"
                ),
            ),
            Step(
                lhs=sp.Derivative(exponent, t),
                rhs=-epsilon + t / (4 * n),
                why=(
                    r"Markov's inequality for $e^{t(\bar x - \mu)}$ and Hoeffding's lemma for each $(x_i - \mu)/n$ give "
                    r"$P(\bar x - \mu \ge \varepsilon) \le e^{-t\varepsilon + t^2/(8n)}$; differentiate the exponent"
                ),
            ),
            Step(
                lhs=sp.Subs(exponent, t, 4 * n * epsilon),
                rhs=-2 * n * epsilon**2,
                why=r"the derivative vanishes at $t = 4n\varepsilon$, the best bound; the lower tail is the same, so $B = 2e^{-2n\varepsilon^2}$",
            ),
            Step(
                lhs=sp.log(B / delta),
                rhs=sp.log(2 / delta) - 2 * n * epsilon**2,
                why=r"compare $B$ with $\delta$ on the log scale",
            ),
            Step(
                rhs=2 * epsilon**2 * (sp.log(2 / delta) / (2 * epsilon**2) - n),
                why=r"factor out $2\varepsilon^2 > 0$: $B \le \delta$ iff the bracket is $\le 0$",
            ),
        ),
        result=Step(
            lhs=n_min,
            rhs=sp.log(2 / delta) / (2 * epsilon**2),
            why=r"$B \le \delta$ exactly when the bracket is $\le 0$, i.e.\ $n \ge n_{\min}$ (the checks find where $B = \delta$ numerically and compare)",
        ),
    )
