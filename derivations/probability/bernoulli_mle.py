"""Maximum likelihood for a coin: setting the score to zero gives p-hat = k/n."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import bisect

# The unknown parameter p is a variable of the checks: each step is an identity in it. The estimate p̂
# is the maximiser itself, found numerically by the sampler, so "p̂ = k/n" is checked, not assumed.
k, n = sp.Symbol("k", positive=True), sp.Symbol("n", positive=True)
p = sp.Symbol("p", positive=True)
p_hat = sp.Symbol("phat")  # printed \hat{p}
ell = sp.Symbol("ell")


def _coin_counts(rng: np.random.Generator) -> dict[str, np.ndarray]:
    # 0 < k < n keeps the maximiser inside (0, 1), where the score is defined.
    trials = int(rng.integers(2, 12))
    heads = float(rng.integers(1, trials))
    return {"k": np.asarray(heads), "n": np.asarray(float(trials)), "phat": np.asarray(_bernoulli_mle_by_bisection(heads, trials))}


def _bernoulli_mle_by_bisection(k: float, n: float) -> float:
    # The root of the score found numerically, without solving it by hand.
    return bisect(lambda q: k / q - (n - k) / (1 - q), 1e-12, 1 - 1e-12)


def _exercise(rng: np.random.Generator) -> Exercise:
    trials = int(rng.integers(5, 21))
    values = {"k": int(rng.integers(1, trials)), "n": trials}
    return Exercise(
        prompt=rf"A coin shows heads {values['k']} times in {trials} independent tosses. Find the maximum-likelihood estimate $\hat p$ of $P(\text{{heads}})$.",
        values=values,
        answer_label=r"\hat p",
    )


@derivation(
    id="bernoulli-mle",
    title="Maximum likelihood for a coin",
    topic="probability",
    question=r"A coin with $P(\text{heads}) = p$ shows $k$ heads in $n$ independent tosses, $0 < k < n$, so its log-likelihood is $\ell(p) = k\ln p + (n - k)\ln(1 - p)$ up to a constant. Show that the score $\ell'(p)$ vanishes only at $p = k/n$ and that $\ell$ is concave, so the maximum-likelihood estimate is $\hat p = k/n$.",
    inputs=[
        Input("k", (), "count", "number of heads"),
        Input("n", (), "count", "number of tosses, n > k; result: the estimate"),
    ],
    reference=_bernoulli_mle_by_bisection,
    sampler=_coin_counts,
    exercise=_exercise,
    tags=("mle", "bernoulli"),
)
def bernoulli_mle() -> Body:
    score = sp.Derivative(ell, p)
    return Body(
        definitions=(
            Definition(
                ell,
                k * sp.log(p) + (n - k) * sp.log(1 - p),
                (),
                "log-likelihood, up to the constant $\\ln\\binom{n}{k}$",
            ),
        ),
        variables=(Input("p", (), "unit", "the coin's parameter"),),
        steps=(
            Step(
                lhs=score,
                rhs=k / p - (n - k) / (1 - p),
                why=r"differentiate; $\frac{d}{dp}\ln(1 - p) = -\frac{1}{1 - p}$",
            ),
            Step(rhs=(k - n * p) / (p * (1 - p)), why="common denominator"),
            Step(rhs=n / (p * (1 - p)) * (k / n - p), why=r"factor out $n$: on $(0, 1)$ the score vanishes only at $p = k/n$"),
            Step(
                lhs=sp.Derivative(ell, (p, 2)),
                rhs=-k / p**2 - (n - k) / (1 - p) ** 2,
                why=r"differentiate again",
            ),
            Step(rhs=sp.S.Zero, relation="<", why=r"both terms are negative for $0 < k < n$: $\ell$ is concave, so its one stationary point is the maximum"),
        ),
        result=Step(
            lhs=p_hat,
            rhs=k / n,
            why=r"the maximiser is where the score vanishes (the checks find $\hat p$ numerically and compare)",
        ),
    )
