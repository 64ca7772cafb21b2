"""The mean and variance of a Gaussian, μ and σ², by integration against its density."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.printing import latex

from ._gaussian_common import at, draw_parameters, grid, kernel, mu, sigma, x

t = sp.Symbol("t")  # real=True makes SymPy integrate several times slower
oo = sp.oo


def _standard_density(value: sp.Expr) -> sp.Expr:
    return sp.exp(-(value**2) / 2) / sp.sqrt(2 * sp.pi)


def _trapezoid_moments(mu: float, sigma: float) -> np.ndarray:
    nodes = grid(float(mu), float(sigma))
    weights = np.exp(-((nodes - mu) ** 2) / (2 * sigma**2))
    total = np.trapezoid(weights, nodes)
    mean = np.trapezoid(nodes * weights, nodes) / total
    variance = np.trapezoid((nodes - mean) ** 2 * weights, nodes) / total
    return np.array([mean, variance])


def _exercise(rng: np.random.Generator) -> Exercise:
    values = draw_parameters(rng)
    density = at(kernel(x) / (sigma * sp.sqrt(2 * sp.pi)), values)
    return Exercise(
        prompt=rf"A random variable $X$ has density $p(x) = {latex(density)}$.",
        values=values,
        parts=(
            Part(name=r"\E[X]", ask=r"Compute $\E[X]$ by integration.", of=0),
            Part(name=r"\Var(X)", ask=r"Compute $\Var(X)$ by integration.", of=1),
        ),
    )


@derivation(
    id="gaussian-moments",
    title="Mean and variance of a Gaussian",
    topic="calculus",
    question=r"Let $X \sim \Normal(\mu, \sigma^2)$ with density $p(x) = e^{-(x-\mu)^2/(2\sigma^2)}/(\sigma\sqrt{2\pi})$. Show by integration that $\E[X] = \int x\,p(x)\,dx = \mu$ and $\Var(X) = \int (x-\mu)^2 p(x)\,dx = \sigma^2$.",
    inputs=[Input("mu", (), "real", r"mean parameter $\mu$"), Input("sigma", (), "positive", r"standard deviation $\sigma > 0$; the result is $(\E[X], \Var(X))$, shape (2,)")],
    reference=_trapezoid_moments,
    exercise=_exercise,
    tags=("integration", "gaussian", "moments"),
)
def gaussian_moments() -> Body:
    density = kernel(x) / (sigma * sp.sqrt(2 * sp.pi))
    mean = sp.Integral(x * density, (x, -oo, oo))
    variance = sp.Integral((x - mu) ** 2 * density, (x, -oo, oo))
    standard = sp.Integral(_standard_density(t), (t, -oo, oo))
    return Body(
        steps=(
            # The integrand is written expanded: SymPy needs ~2 s for ∫(μ + σt)φ(t)dt but ~0.2 s for this form.
            Step(
                lhs=mean,
                rhs=sp.Integral(mu * _standard_density(t) + sigma * t * _standard_density(t), (t, -oo, oo)),
                why=r"substitute $x = \mu + \sigma t$, $dx = \sigma\,dt$",
            ),
            Step(rhs=mu * standard + sigma * sp.Integral(t * _standard_density(t), (t, -oo, oo)), why="linearity of the integral"),
            Step(rhs=mu, why=r"the standard density integrates to $1$ (Gaussian integral with $\sigma = 1$); $t e^{-t^2/2}$ is odd"),
            Step(lhs=variance, rhs=sigma**2 * sp.Integral(t**2 * _standard_density(t), (t, -oo, oo)), why=r"the same substitution; $(x-\mu)^2 = \sigma^2 t^2$"),
            Step(rhs=sigma**2 * standard, why=r"by parts with $u = t$, $dv = t e^{-t^2/2}dt$; the boundary term $\bigl[-t e^{-t^2/2}\bigr]_{-\infty}^{\infty}$ vanishes"),
            Step(rhs=sigma**2, why="the standard density integrates to $1$"),
        ),
        result=Step(
            lhs=sp.ImmutableMatrix([mean, variance]),
            rhs=sp.ImmutableMatrix([mu, sigma**2]),
            why=r"collect: $\E[X] = \mu$ and, since the mean is $\mu$, $\Var(X) = \sigma^2$",
        ),
    )
