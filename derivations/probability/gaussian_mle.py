"""Maximum likelihood for a Gaussian: the sample mean and the biased sample variance."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

from ._common import bisect

# The unknown parameters are variables of the checks: each step below is an identity in them. The
# estimates μ̂, σ̂ are the maximiser itself, found numerically by the sampler, so the result is checked.
t = sp.Symbol("t", integer=True, positive=True)
x = sp.IndexedBase("x")
mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
xbar = sp.Symbol("xbar")
ell = sp.Symbol("ell")
mu_hat, sigma_hat = sp.Symbol("muhat"), sp.Symbol("sigmahat")  # printed \hat{\mu}, \hat{\sigma}


def _gaussian_mle_reference(x: np.ndarray) -> np.ndarray:
    return np.array([np.mean(x), np.var(x)])


def _maximiser(rng: np.random.Generator, N: int) -> dict[str, np.ndarray]:  # noqa: N803 - the sample size
    # The roots of the two scores by bisection: each score is monotone in its parameter at the other's root.
    x = rng.uniform(-2.0, 2.0, N)
    mean = bisect(lambda m: float(np.sum(x - m)), float(x.min()) - 1.0, float(x.max()) + 1.0)
    spread = bisect(lambda s: -N / s + float(np.sum((x - mean) ** 2)) / s**3, 1e-6, 10.0)
    return {"x": x, "muhat": np.asarray(mean), "sigmahat": np.asarray(spread)}


def _exercise(rng: np.random.Generator) -> Exercise:
    data = [int(v) for v in rng.integers(-4, 6, size=int(rng.integers(3, 5)))]
    return Exercise(
        prompt=rf"Fit $\Normal(\mu, \sigma^2)$ by maximum likelihood to the sample ${', '.join(map(str, data))}$.",
        values={"x": data},
        parts=(Part(name=r"\hat\mu", ask=r"Give $\hat\mu$.", of=0), Part(name=r"\hat\sigma^2", ask=r"Give $\hat\sigma^2$.", of=1)),
    )


@derivation(
    id="gaussian-mle",
    title="Maximum likelihood for a Gaussian",
    topic="probability",
    question=r"Given i.i.d. $x_1, \dots, x_N \sim \Normal(\mu, \sigma^2)$ (not all equal), show that both partial derivatives of the log-likelihood $\ell(\mu, \sigma)$ vanish only at $\hat\mu = \bar x$ and $\hat\sigma^2 = \frac{1}{N}\sum_t (x_t - \bar x)^2$ (the biased variance), the maximum-likelihood estimates.",
    inputs=[Input("x", ("N",), "real", "the sample; result: (2,) = (mean estimate, variance estimate)")],
    sizes={"N": (2, 3, 5)},
    reference=_gaussian_mle_reference,
    sampler=_maximiser,
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
            lhs=sp.Matrix([mu_hat, sigma_hat**2]),
            rhs=sp.Matrix([xbar, sp.Sum((x[t] - xbar) ** 2, (t, 1, N)) / N]),
            why=r"both derivatives vanish only there (with $\mu = \bar x$ in the second), and $\ell \to -\infty$ as $\sigma \to 0$ or $\infty$: the maximum (the checks find it numerically and compare)",
        ),
    )
