"""The Normal-Normal conjugate update of an unknown mean with known noise: precisions add."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

t = sp.Symbol("t", integer=True, positive=True)
x = sp.IndexedBase("x")
mu, mu0 = sp.Symbol("mu", real=True), sp.Symbol("mu0", real=True)
tau0, sigma = sp.Symbol("tau0", positive=True), sp.Symbol("sigma", positive=True)
precision, mean_post = sp.Symbol("lambda_N", positive=True), sp.Symbol("mu_N")
ell = sp.Symbol("ell")


def _normal_by_conditioning(mu0: float, tau0: float, sigma: float, x: np.ndarray) -> np.ndarray:
    # Condition the joint Gaussian of (mu, x): Cov[x] = tau0^2 11^T + sigma^2 I, Cov[mu, x] = tau0^2 1^T.
    size = x.shape[0]
    ones = np.ones(size)
    cov_xx = tau0**2 * np.outer(ones, ones) + sigma**2 * np.eye(size)
    gain = np.linalg.solve(cov_xx, tau0**2 * ones)
    return np.array([mu0 + gain @ (x - mu0), tau0**2 - tau0**2 * gain @ ones])


def _exercise(rng: np.random.Generator) -> Exercise:
    data = [int(value) for value in rng.integers(-3, 6, size=int(rng.integers(2, 4)))]
    values = {
        "mu0": int(rng.integers(-2, 3)),
        "tau0": int(rng.integers(1, 3)),
        "sigma": int(rng.integers(1, 3)),
        "x": data,
    }
    return Exercise(
        prompt=(
            rf"Prior $\mu \sim \Normal({values['mu0']}, {values['tau0'] ** 2})$; observations $x_t \sim \Normal(\mu, {values['sigma'] ** 2})$ "
            rf"are ${', '.join(map(str, data))}$."
        ),
        values=values,
        parts=(
            Part(name=r"\mu_N", ask=r"Give the posterior mean $\mu_N$ of $\mu$.", of=0),
            Part(name=r"\lambda_N^{-1}", ask=r"Give the posterior variance $\lambda_N^{-1}$ of $\mu$.", of=1),
        ),
    )


@derivation(
    id="normal-normal-update",
    title="Normal-Normal conjugate update",
    topic="probability",
    question=r"With prior $\mu \sim \Normal(\mu_0, \tau_0^2)$ and i.i.d. $x_1, \dots, x_N \sim \Normal(\mu, \sigma^2)$, $\sigma$ known, show that $\mu \mid \bm{x} \sim \Normal(\mu_N, \lambda_N^{-1})$ with precision $\lambda_N = 1/\tau_0^2 + N/\sigma^2$ and mean $\mu_N = (\mu_0/\tau_0^2 + \sum_t x_t/\sigma^2)/\lambda_N$.",
    inputs=[
        Input("mu0", (), "real", "prior mean"),
        Input("tau0", (), "positive", "prior standard deviation"),
        Input("sigma", (), "positive", "noise standard deviation"),
        Input("x", ("N",), "real", "observations; result: (2,) posterior mean and variance of the mean"),
    ],
    sizes={"N": (2, 3, 5)},
    reference=_normal_by_conditioning,
    exercise=_exercise,
    tags=("bayes", "conjugate", "gaussian"),
)
def normal_normal_update(N: sp.Expr) -> Body:  # noqa: N803 - size names
    log_post = -((mu - mu0) ** 2) / (2 * tau0**2) - sp.Sum((x[t] - mu) ** 2, (t, 1, N)) / (2 * sigma**2)
    slope, curvature = sp.Derivative(ell, mu), sp.Derivative(ell, (mu, 2))
    return Body(
        definitions=(
            Definition(ell, log_post, (), "log prior plus log likelihood, up to a constant"),
            # Not "given": that these are the posterior's precision and mean is what the problem asks to show;
            # the question names the formulas, and the checks need them.
            Definition(precision, 1 / tau0**2 + N / sigma**2, (), "the precision named in the question", given=False),
            Definition(
                mean_post,
                (mu0 / tau0**2 + sp.Sum(x[t], (t, 1, N)) / sigma**2) / precision,
                (),
                "the mean named in the question",
                given=False,
            ),
        ),
        indices={t: N},
        variables=(Input("mu", (), "real", "the unknown mean"),),
        steps=(
            Step(
                lhs=slope,
                rhs=(mu0 - mu) / tau0**2 + sp.Sum(x[t] - mu, (t, 1, N)) / sigma**2,
                why=r"differentiate in $\mu$",
            ),
            Step(
                rhs=mu0 / tau0**2 + sp.Sum(x[t], (t, 1, N)) / sigma**2 - precision * mu,
                why=r"collect the terms in $\mu$",
            ),
            Step(rhs=precision * (mean_post - mu), why=r"definition of $\mu_N$"),
            Step(
                lhs=curvature,
                rhs=-precision,
                why=r"differentiate again: constant curvature, so the posterior is Gaussian",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([mu - slope / curvature, -1 / curvature]),
            rhs=sp.Matrix([mean_post, 1 / precision]),
            why=r"a Gaussian's mode is one Newton step away and its variance is minus the inverse curvature",
        ),
    )
