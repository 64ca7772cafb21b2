"""The squared error as a Gaussian negative log-likelihood: MSE/(2 sigma^2) plus a constant."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

i, j = sp.symbols("i j", integer=True, positive=True)
y = sp.IndexedBase("y")
mu = sp.IndexedBase("mu")
sigma = sp.Symbol("sigma", positive=True)
MSE = sp.Symbol(r"\operatorname{MSE}")


def _gaussian_nll_reference(y: np.ndarray, mu: np.ndarray, sigma: float) -> float:
    # scipy's log-density, averaged: the definition, independent of the MSE form of the result.
    return float(-np.mean(stats.norm.logpdf(y, loc=mu, scale=float(sigma))))


def _mse(y: np.ndarray, mu: np.ndarray, sigma: float) -> float:
    return float(np.mean((y - mu) ** 2))


def _exercise(rng: np.random.Generator) -> Exercise:
    scales = [sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)]
    values = {
        "y": [sp.Integer(int(v)) for v in rng.integers(-3, 4, size=3)],
        "mu": [sp.Integer(int(v)) for v in rng.integers(-3, 4, size=3)],
        "sigma": scales[int(rng.integers(0, len(scales)))],
    }
    targets = ", ".join(sp.latex(v) for v in values["y"])
    means = ", ".join(sp.latex(v) for v in values["mu"])
    return Exercise(
        prompt=(
            rf"A regression model predicts means $\bm{{\mu}} = ({means})$ for the targets $\bm{{y}} = ({targets})$, with "
            rf"Gaussian noise of standard deviation $\sigma = {sp.latex(values['sigma'])}$ (natural logarithms)."
        ),
        values=values,
        parts=(
            Part(name=r"\operatorname{MSE}", ask="Compute the mean squared error.", of=MSE, reference=_mse),
            Part(name=r"-\frac{1}{N}\ln L", ask="Hence compute the average negative log-likelihood per observation."),
        ),
    )


@derivation(
    id="mse-gaussian-likelihood",
    title="Squared error as a Gaussian likelihood",
    topic="probability",
    question=(
        r"Observations $y_i \sim \Normal(\mu_i, \sigma^2)$, $i = 1, \dots, N$, are independent with predicted means $\mu_i$ and "
        r"a fixed $\sigma$. Show that the average negative log-likelihood is $\operatorname{MSE}/(2\sigma^2) + \frac12\ln(2\pi\sigma^2)$, "
        r"so that maximising the likelihood minimises the mean squared error."
    ),
    inputs=[
        Input("y", ("N",), "real", "observed targets $y_i$"),
        Input("mu", ("N",), "real", "predicted means $\\mu_i = f_\\theta(x_i)$"),
        Input(
            "sigma",
            (),
            "positive",
            "noise standard deviation $\\sigma$; the result is the average negative log-likelihood",
        ),
    ],
    sizes={"N": (2, 3, 5)},
    reference=_gaussian_nll_reference,
    exercise=_exercise,
    tags=("mse", "likelihood", "gaussian"),
)
def mse_gaussian_likelihood(N: sp.Expr) -> Body:  # noqa: N803 - N is the number of observations
    residual = y[i] - mu[i]
    density = sp.exp(-(residual**2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    average_nll = -sp.log(sp.Product(density, (i, 1, N))) / N
    constant = sp.log(2 * sp.pi * sigma**2) / 2
    return Body(
        definitions=(Definition(MSE, sp.Sum(residual**2, (i, 1, N)) / N, (), "mean squared error"),),
        indices={i: N, j: N},
        steps=(
            Step(
                lhs=average_nll,
                rhs=-sp.Sum(sp.log(density), (i, 1, N)) / N,
                why="the log of a product is the sum of the logs",
            ),
            Step(
                rhs=sp.Sum(residual**2 / (2 * sigma**2) + constant, (i, 1, N)) / N,
                why=r"$\ln$ of the Gaussian density: $-\ln \Normal(y_i; \mu_i, \sigma^2) = \frac{(y_i - \mu_i)^2}{2\sigma^2} + \frac12\ln(2\pi\sigma^2)$",
            ),
            Step(
                rhs=sp.Sum(residual**2, (i, 1, N)) / (2 * sigma**2 * N) + constant,
                why=r"linearity of the sum; the constant is summed $N$ times",
            ),
            Step(
                lhs=sp.Derivative(average_nll, mu[j]),
                rhs=-(y[j] - mu[j]) / (N * sigma**2),
                why=r"differentiate: the gradient in $\mu_j$ is that of the MSE divided by $2\sigma^2$, so both have the same minimiser",
            ),
        ),
        result=Step(
            lhs=average_nll,
            rhs=MSE / (2 * sigma**2) + constant,
            why=r"recognise the MSE; $\frac12\ln(2\pi\sigma^2)$ does not depend on the predictions",
        ),
    )
