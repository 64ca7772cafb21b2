"""The Beta-Bernoulli conjugate update: Beta(alpha, beta) and k of n successes give Beta(alpha + k, beta + n - k)."""

from __future__ import annotations

import math
from math import lgamma

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.figures import new_figure, pdf_bytes

alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
k, n = sp.Symbol("k", nonnegative=True), sp.Symbol("n", positive=True)
theta = sp.Symbol("theta", positive=True)
# The posterior's parameters as the checks find them: by matching the first two moments of the
# posterior, computed from the prior's moments alone (see _beta_bernoulli_by_moments).
alpha_post, beta_post = sp.Symbol("alphaprime"), sp.Symbol("betaprime")  # printed \alpha', \beta'


def _coin_counts_and_prior(rng: np.random.Generator) -> dict[str, np.ndarray]:
    trials = int(rng.integers(1, 12))
    point = {
        "alpha": np.asarray(rng.uniform(0.5, 2.5)),
        "beta": np.asarray(rng.uniform(0.5, 2.5)),
        "k": np.asarray(float(rng.integers(0, trials + 1))),
        "n": np.asarray(float(trials)),
    }
    posterior = _beta_bernoulli_by_moments(**{name: float(value) for name, value in point.items()})
    return {**point, "alphaprime": np.asarray(posterior[0]), "betaprime": np.asarray(posterior[1])}


def _beta_prior_moment(a: float, b: float, m: int) -> float:
    # E[theta^m] under the prior Beta(a, b), by the recursion E[theta^(m+1)] = E[theta^m] (a + m)/(a + b + m).
    return math.prod((a + s) / (a + b + s) for s in range(m))


def _beta_bernoulli_by_moments(alpha: float, beta: float, k: float, n: float) -> np.ndarray:
    # Bayes' rule with prior moments only: E[theta^j | data] = E[theta^(k+j) (1-theta)^(n-k)] / E[theta^k (1-theta)^(n-k)],
    # expanding (1 - theta)^(n-k) binomially; then match the first two moments to a Beta(a, b).
    kk, ff = int(k), int(n) - int(k)

    def weighted(extra: int) -> float:
        return sum(
            math.comb(ff, s) * (-1) ** s * _beta_prior_moment(alpha, beta, kk + extra + s) for s in range(ff + 1)
        )

    base = weighted(0)
    first, second = weighted(1) / base, weighted(2) / base
    total = (first - second) / (second - first**2)
    return np.array([first * total, (1 - first) * total])


def _exercise(rng: np.random.Generator) -> Exercise:
    trials = int(rng.integers(3, 13))
    values = {
        "alpha": int(rng.integers(1, 5)),
        "beta": int(rng.integers(1, 5)),
        "k": int(rng.integers(0, trials + 1)),
        "n": trials,
    }
    return Exercise(
        prompt=rf"With a $\BetaDist({values['alpha']}, {values['beta']})$ prior on a coin's bias, you observe {values['k']} heads in {trials} tosses; the posterior is $\BetaDist(\alpha', \beta')$.",
        values=values,
        parts=(Part(name=r"\alpha'", ask=r"Give $\alpha'$.", of=0), Part(name=r"\beta'", ask=r"Give $\beta'$.", of=1)),
    )


def _figure() -> bytes:
    theta = np.linspace(0.001, 0.999, 400)

    def density(a: float, b: float) -> np.ndarray:
        log_norm = lgamma(a + b) - lgamma(a) - lgamma(b)
        return np.exp(log_norm + (a - 1) * np.log(theta) + (b - 1) * np.log(1 - theta))

    fig, ax = new_figure()
    ax.plot(theta, density(2, 2), label=r"prior $\mathrm{Beta}(2, 2)$", color="0.5")
    ax.plot(theta, density(2 + 7, 2 + 3), label=r"posterior after 7 of 10: $\mathrm{Beta}(9, 5)$", color="C0")
    ax.axvline(9 / 14, color="C0", ls=":", lw=1)
    ax.set_xlabel(r"$\theta$")
    ax.legend(frameon=False)
    ax.set_title("A Beta prior and its posterior")
    return pdf_bytes(fig)


@derivation(
    id="beta-bernoulli-update",
    title="Beta-Bernoulli conjugate update",
    topic="probability",
    question=r"With prior $\theta \sim \BetaDist(\alpha, \beta)$, density proportional to $\theta^{\alpha-1}(1-\theta)^{\beta-1}$ on $(0, 1)$, and $k$ successes in $n$ Bernoulli($\theta$) trials, show that the posterior is $\BetaDist(\alpha', \beta')$ with $(\alpha', \beta') = (\alpha + k, \beta + n - k)$.",
    inputs=[
        Input("alpha", (), "positive", "prior pseudo-count of successes"),
        Input("beta", (), "positive", "prior pseudo-count of failures"),
        Input("k", (), "count", "number of successes, 0 <= k <= n"),
        Input("n", (), "count", "number of trials; result: (2,) posterior parameters"),
    ],
    reference=_beta_bernoulli_by_moments,
    sampler=_coin_counts_and_prior,
    exercise=_exercise,
    figure=_figure,
    tags=("bayes", "conjugate", "beta"),
)
def beta_bernoulli_update() -> Body:
    prior_kernel = theta ** (alpha - 1) * (1 - theta) ** (beta - 1)
    likelihood = theta**k * (1 - theta) ** (n - k)
    return Body(
        variables=(Input("theta", (), "unit", "the coin's bias"),),
        steps=(
            Step(
                lhs=sp.Mul(prior_kernel, likelihood, evaluate=False),
                rhs=theta ** (alpha + k - 1) * (1 - theta) ** (beta + n - k - 1),
                why=r"Bayes: the posterior density is proportional to prior times likelihood; exponents add",
            ),
            Step(
                lhs=sp.log(theta ** (alpha + k - 1) * (1 - theta) ** (beta + n - k - 1)),
                rhs=(alpha + k - 1) * sp.log(theta) + (beta + n - k - 1) * sp.log(1 - theta),
                why=r"on the log scale: a Beta kernel is determined by the coefficients of $\ln\theta$ and $\ln(1-\theta)$, two functions of $\theta$ that are not multiples of each other",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([alpha_post, beta_post]),
            rhs=sp.Matrix([alpha + k, beta + n - k]),
            why=r"a density on $(0, 1)$ proportional to $\theta^{a-1}(1-\theta)^{b-1}$ is $\BetaDist(a, b)$, its normaliser fixed by integrating to 1 (the checks match the posterior's moments numerically)",
        ),
    )
