"""Maximum likelihood for a coin: setting the score to zero gives p-hat = k/n."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import bisect

# The unknown parameter is a variable of the checks: each step below is an identity in it, and
# "set the score to zero" is a rearrangement that is exact wherever the score vanishes.
k, n = sp.Symbol("k", positive=True), sp.Symbol("n", positive=True)
p = sp.Symbol("p", positive=True)
ell = sp.Symbol("ell")


def _coin_counts(rng: np.random.Generator) -> dict[str, np.ndarray]:
    # 0 < k < n keeps the maximiser inside (0, 1), where the score is defined.
    trials = int(rng.integers(2, 12))
    return {"k": np.asarray(float(rng.integers(1, trials))), "n": np.asarray(float(trials))}


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
    question=r"A coin with $P(\text{heads}) = p$ shows $k$ heads in $n$ independent tosses, $0 < k < n$. Show, by setting the score $\partial\ell/\partial p$ to zero, that the maximum-likelihood estimate is $\hat p = k/n$.",
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
                "log-likelihood, up to the constant $\\log\\binom{n}{k}$",
            ),
        ),
        variables=(Input("p", (), "unit", "the coin's parameter"),),
        steps=(
            Step(
                lhs=score,
                rhs=k / p - (n - k) / (1 - p),
                why=r"differentiate; $\frac{d}{dp}\log(1 - p) = -\frac{1}{1 - p}$",
            ),
            Step(rhs=(k - n * p) / (p * (1 - p)), why="common denominator"),
            Step(rhs=n / (p * (1 - p)) * (k / n - p), why=r"factor out $n$: the score vanishes only at $p = k/n$"),
            Step(
                lhs=sp.Subs(sp.Derivative(ell, (p, 2)), p, k / n),
                rhs=-(n**3) / (k * (n - k)),
                why=r"the second derivative there is negative: a maximum",
            ),
        ),
        result=Step(
            lhs=p + p * (1 - p) / n * score,
            rhs=k / n,
            why=r"rearrange step 3; where the score is zero this reads $\hat p = k/n$",
        ),
    )
