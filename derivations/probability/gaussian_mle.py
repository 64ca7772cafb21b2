"""Maximum likelihood for a Gaussian: the sample mean and the biased sample variance."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

# The unknown parameters are variables of the checks: each step below is an identity in them, and
# "set the derivatives to zero" is a rearrangement that is exact wherever they vanish.
t = sp.Symbol("t", integer=True, positive=True)
x = sp.IndexedBase("x")
mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
xbar = sp.Symbol("xbar")
ell = sp.Symbol("ell")


def _gaussian_mle_reference(x: np.ndarray) -> np.ndarray:
    return np.array([np.mean(x), np.var(x)])


def _exercise(rng: np.random.Generator) -> Exercise:
    data = [int(v) for v in rng.integers(-4, 6, size=int(rng.integers(3, 5)))]
    return Exercise(
        prompt=rf"Fit $\Normal(\mu, \sigma^2)$ by maximum likelihood to the sample ${', '.join(map(str, data))}$: give $(\hat\mu, \hat\sigma^2)$.",
        values={"x": data},
        answer_label=r"(\hat\mu, \hat\sigma^2)",
    )


@derivation(
    id="gaussian-mle",
    title="Maximum likelihood for a Gaussian",
    topic="probability",
    question=r"Given i.i.d. $x_1, \dots, x_N \sim \Normal(\mu, \sigma^2)$, show by setting both partial derivatives of the log-likelihood to zero that $\hat\mu = \bar x$ and $\hat\sigma^2 = \frac{1}{N}\sum_t (x_t - \bar x)^2$ (the biased variance).",
    inputs=[Input("x", ("N",), "real", "the sample; result: (2,) = (mean estimate, variance estimate)")],
    sizes={"N": (2, 3, 5)},
    reference=_gaussian_mle_reference,
    exercise=_exercise,
    tags=("mle", "gaussian"),
)
def gaussian_mle(N: sp.Expr) -> Body:  # noqa: N803 - size names
    squares = sp.Sum((x[t] - mu) ** 2, (t, 1, N))
    log_likelihood = -N * sp.log(sigma) - N * sp.log(2 * sp.pi) / 2 - squares / (2 * sigma**2)
    d_mu, d_sigma = sp.Derivative(ell, mu), sp.Derivative(ell, sigma)
    return Body(
        definitions=(
            Definition(ell, log_likelihood, (), "log-likelihood"),
            Definition(xbar, sp.Sum(x[t], (t, 1, N)) / N, (), "sample mean"),
        ),
        indices={t: N},
        variables=(
            Input("mu", (), "real", "mean parameter"),
            Input("sigma", (), "positive", "standard-deviation parameter"),
        ),
        steps=(
            Step(lhs=d_mu, rhs=sp.Sum(x[t] - mu, (t, 1, N)) / sigma**2, why=r"differentiate in $\mu$"),
            Step(rhs=N * (xbar - mu) / sigma**2, why=r"$\sum_t x_t = N\bar x$: zero only at $\mu = \bar x$"),
            Step(lhs=d_sigma, rhs=-N / sigma + squares / sigma**3, why=r"differentiate in $\sigma$"),
            Step(
                rhs=N / sigma**3 * (squares / N - sigma**2),
                why=r"factor: zero only at $\sigma^2 = \frac{1}{N}\sum_t (x_t - \mu)^2$",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([mu + sigma**2 / N * d_mu, sp.Subs(sigma**2 + sigma**3 / N * d_sigma, mu, xbar)]),
            rhs=sp.Matrix([xbar, sp.Sum((x[t] - xbar) ** 2, (t, 1, N)) / N]),
            why=r"rearrange steps 2 and 4 at $\mu = \bar x$; where both derivatives vanish this reads $(\hat\mu, \hat\sigma^2)$",
        ),
    )
