"""The differential entropy of a Gaussian, 1/2 ln(2 pi e sigma^2), whatever its mean."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import GaussianExpectation

mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
x = sp.Symbol("x", real=True)
H = sp.Symbol("H")
density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def _entropy_by_quadrature(mu: float, sigma: float) -> float:
    # -∫ f ln f on mu ± 12 sigma: the trapezoid rule is spectrally accurate for a Gaussian integrand
    # and the truncated tails are below 1e-30, far inside the 1e-8 tolerance.
    grid = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 20001)
    f = np.exp(-((grid - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
    return float(np.trapezoid(-f * np.log(f), grid))


def _exercise(rng: np.random.Generator) -> Exercise:
    scale = sp.Rational(int(rng.integers(1, 5)), int(rng.choice([1, 2])))
    values = {"mu": int(rng.integers(-3, 4)), "sigma": scale}
    return Exercise(
        prompt=rf"Compute the differential entropy (in nats) of $X \sim \Normal({values['mu']}, {sp.latex(scale**2)})$.",
        values=values,
        answer_label="H",
    )


@derivation(
    id="gaussian-entropy",
    title="Entropy of a Gaussian",
    topic="probability",
    question=r"Let $X \sim \Normal(\mu, \sigma^2)$ with density $f(x) = e^{-(x-\mu)^2/(2\sigma^2)}/(\sigma\sqrt{2\pi})$. Show that its differential entropy (in nats) is $H = -\E[\ln f(X)] = \frac{1}{2}\ln(2\pi e \sigma^2)$, whatever $\mu$.",
    inputs=[
        Input("mu", (), "real", "mean"),
        Input("sigma", (), "positive", "standard deviation; result: the entropy in nats"),
    ],
    reference=_entropy_by_quadrature,
    exercise=_exercise,
    tags=("entropy", "gaussian"),
)
def gaussian_entropy() -> Body:
    half_log = sp.log(2 * sp.pi * sigma**2) / 2
    # The left sides below are what is printed: −ln f(x) for every x, then H for the expectation.
    return Body(
        definitions=(Definition(H, GaussianExpectation(-sp.log(density), x, mu, sigma), (), "differential entropy"),),
        variables=(Input("x", (), "real", "a point of the real line"),),
        steps=(
            Step(
                lhs=-sp.log(density), rhs=half_log + (x - mu) ** 2 / (2 * sigma**2), why=r"take $-\ln$ of the density, at every point $x$"
            ),
            Step(
                lhs=H,
                rhs=half_log + GaussianExpectation((x - mu) ** 2, x, mu, sigma) / (2 * sigma**2),
                why="linearity of expectation",
            ),
            Step(rhs=half_log + sp.Rational(1, 2), why=r"$\E[(X - \mu)^2] = \sigma^2$"),
        ),
        result=Step(lhs=H, rhs=sp.log(2 * sp.pi * sp.E * sigma**2) / 2, why=r"$\frac{1}{2} = \frac{1}{2}\ln e$"),
    )
