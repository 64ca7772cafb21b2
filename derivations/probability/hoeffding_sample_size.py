"""The sample size that Hoeffding's inequality needs for an ε-accurate mean with confidence 1 − δ."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import optimize

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

epsilon = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
n = sp.Symbol("n", positive=True)  # the sample size, a free variable of the steps (not an input)
t = sp.Symbol("t", positive=True)  # the Chernoff parameter
B = sp.Symbol("B")  # the two-sided Hoeffding bound at sample size n


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


_EPSILONS = (sp.Rational(1, 4), sp.Rational(1, 5), sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 50))
_DELTAS = (sp.Rational(1, 10), sp.Rational(1, 20), sp.Rational(1, 50), sp.Rational(1, 100), sp.Rational(1, 200))


def _tidy_logs(expr: sp.Expr) -> sp.Expr:
    # simplify() folds 1250 ln 20 into ln(20^1250), a 1600-digit integer; unfold perfect powers again.
    def unfold(term: sp.Expr) -> sp.Expr:
        power = sp.perfect_power(int(term.args[0]))
        return power[1] * sp.log(power[0]) if power else term

    return expr.replace(lambda e: isinstance(e, sp.log) and e.args[0].is_Integer and e.args[0] > 1, unfold)


def _exercise(rng: np.random.Generator) -> Exercise:
    values = {
        "epsilon": _EPSILONS[int(rng.integers(0, len(_EPSILONS)))],
        "delta": _DELTAS[int(rng.integers(0, len(_DELTAS)))],
    }
    return Exercise(
        prompt=(
            r"Independent observations $x_1, \dots, x_n \in [0, 1]$ have mean $\mu$. Using Hoeffding's inequality, find the "
            rf"threshold $n_{{\min}}$ such that every $n \ge n_{{\min}}$ guarantees $P(|\bar x - \mu| \ge {sp.latex(values['epsilon'])}) "
            rf"\le {sp.latex(values['delta'])}$ (give $n_{{\min}}$ exactly; the sample size is $\lceil n_{{\min}} \rceil$)."
        ),
        values=values,
        # Given here, not left to the engine: its exact answer is simplify()'d, which folds n ln m into
        # ln(m^n) (a 1600-digit integer at ε = 1/50); _tidy_logs unfolds it. Drop once the engine keeps logs tidy.
        answer=_tidy_logs(exact_answer(hoeffding_sample_size, values)),
        answer_label=r"n_{\min}",
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
    exercise=_exercise,
    tags=("hoeffding", "concentration", "pac"),
)
def hoeffding_sample_size() -> Body:
    # Chernoff: P(x̄ - μ ≥ ε) ≤ e^{-tε} E[e^{t(x̄ - μ)}] ≤ exp(-tε + t²/(8n)), for every t > 0.
    exponent = -t * epsilon + t**2 / (8 * n)
    return Body(
        definitions=(
            Definition(
                B, 2 * sp.exp(-2 * n * epsilon**2), (), "Hoeffding bound on $P(|\\bar x - \\mu| \\ge \\varepsilon)$"
            ),
        ),
        variables=(
            Input("n", (), "count", "sample size"),
            Input("t", (), "positive", "Chernoff parameter"),
        ),
        steps=(
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
            lhs=n + sp.log(B / delta) / (2 * epsilon**2),
            rhs=sp.log(2 / delta) / (2 * epsilon**2),
            why=r"the threshold does not depend on $n$: $B \le \delta$ exactly when $n \ge n_{\min} = \ln(2/\delta)/(2\varepsilon^2)$",
        ),
    )
