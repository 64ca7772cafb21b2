"""Integration fundamentals: the Gaussian integral (normalising constant) and the Gaussian's mean and variance."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation, exact_answer

mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
x, t, u, v, theta = sp.symbols("x t u v theta")  # real=True makes SymPy integrate several times slower
r = sp.Symbol("r", nonnegative=True)
oo = sp.oo

#: Exercise parameters: small integer means and simple positive standard deviations.
_MEANS = (-3, -2, -1, 0, 1, 2, 3)
_SIGMAS = (sp.Rational(1, 2), sp.Rational(1, 3), 1, sp.Rational(3, 2), 2, 3)


def _kernel(at: sp.Expr) -> sp.Expr:
    """The unnormalised Gaussian e^{-(x-μ)²/(2σ²)}."""
    return sp.exp(-((at - mu) ** 2) / (2 * sigma**2))


def _standard_density(at: sp.Expr) -> sp.Expr:
    return sp.exp(-(at**2) / 2) / sp.sqrt(2 * sp.pi)


def _grid(mean: float, sd: float) -> np.ndarray:
    # ±40σ with spacing σ/100: the trapezoid rule on a Gaussian converges exponentially in the spacing,
    # so this is accurate to rounding error, well inside the 1e-8 the checks demand.
    return np.linspace(mean - 40 * sd, mean + 40 * sd, 8001)


def _trapezoid_integral(mu: float, sigma: float) -> float:
    grid = _grid(float(mu), float(sigma))
    return float(np.trapezoid(np.exp(-((grid - mu) ** 2) / (2 * sigma**2)), grid))


def _trapezoid_moments(mu: float, sigma: float) -> np.ndarray:
    grid = _grid(float(mu), float(sigma))
    weights = np.exp(-((grid - mu) ** 2) / (2 * sigma**2))
    total = np.trapezoid(weights, grid)
    mean = np.trapezoid(grid * weights, grid) / total
    variance = np.trapezoid((grid - mean) ** 2 * weights, grid) / total
    return np.array([mean, variance])


def _draw_parameters(rng: np.random.Generator) -> dict[str, sp.Expr]:
    return {
        "mu": sp.Integer(_MEANS[int(rng.integers(0, len(_MEANS)))]),
        "sigma": sp.sympify(_SIGMAS[int(rng.integers(0, len(_SIGMAS)))]),
    }


def _at(expr: sp.Expr, values: dict[str, sp.Expr]) -> sp.Expr:
    return expr.subs({mu: values["mu"], sigma: values["sigma"]})


def _integral_exercise(rng: np.random.Generator) -> Exercise:
    values = _draw_parameters(rng)
    integrand = _at(_kernel(x), values)
    return Exercise(
        prompt=rf"Compute $\int_{{-\infty}}^{{\infty}} {sp.latex(integrand)}\,dx$ exactly.",
        values=values,
        answer=exact_answer(gaussian_integral, values),
        answer_label=r"\int",
    )


@derivation(
    id="gaussian-integral",
    title="The Gaussian integral",
    topic="calculus",
    question=r"Show that $\int_{-\infty}^{\infty} e^{-(x-\mu)^2/(2\sigma^2)}\,dx = \sigma\sqrt{2\pi}$ for every $\mu \in \R$ and $\sigma > 0$, so that $\Normal(\mu, \sigma^2)$ has density $e^{-(x-\mu)^2/(2\sigma^2)}/(\sigma\sqrt{2\pi})$.",
    inputs=[Input("mu", (), "real", r"centre $\mu$"), Input("sigma", (), "positive", r"width $\sigma > 0$")],
    reference=_trapezoid_integral,
    exercise=_integral_exercise,
    tags=("integration", "gaussian", "normalising-constant"),
)
def gaussian_integral() -> Body:
    integral = sp.Integral(_kernel(x), (x, -oo, oo))
    root = sp.sqrt(2) * sigma
    return Body(
        steps=(
            Step(lhs=integral, rhs=root * sp.Integral(sp.exp(-(u**2)), (u, -oo, oo)), why=r"substitute $u = (x-\mu)/(\sqrt2\sigma)$, $dx = \sqrt2\sigma\,du$"),
            Step(
                rhs=root * sp.sqrt(sp.Integral(sp.exp(-(u**2) - v**2), (u, -oo, oo), (v, -oo, oo))),
                why=r"write $\bigl(\int e^{-u^2}du\bigr)^2$ as a double integral (Fubini); the integral is positive",
            ),
            Step(
                rhs=root * sp.sqrt(sp.Integral(r * sp.exp(-(r**2)), (r, 0, oo), (theta, 0, 2 * sp.pi))),
                why=r"polar coordinates: $u^2 + v^2 = r^2$, $du\,dv = r\,dr\,d\theta$",
            ),
            Step(rhs=root * sp.sqrt(sp.Mul(2 * sp.pi, sp.Rational(1, 2), evaluate=False)), why=r"$\int_0^{2\pi}d\theta = 2\pi$ and $\int_0^\infty r e^{-r^2}dr = \bigl[-\tfrac12 e^{-r^2}\bigr]_0^\infty = \tfrac12$"),
        ),
        result=Step(lhs=integral, rhs=sigma * sp.sqrt(2 * sp.pi), why=r"$\sqrt2\cdot\sqrt\pi = \sqrt{2\pi}$"),
    )


def _moments_exercise(rng: np.random.Generator) -> Exercise:
    values = _draw_parameters(rng)
    density = _at(_kernel(x) / (sigma * sp.sqrt(2 * sp.pi)), values)
    return Exercise(
        prompt=rf"A random variable $X$ has density $p(x) = {sp.latex(density)}$. Compute $\E[X]$ and $\Var(X)$ by integration.",
        values=values,
        answer=exact_answer(gaussian_moments, values),
        answer_label=r"(\E[X], \Var(X))",
    )


@derivation(
    id="gaussian-moments",
    title="Mean and variance of a Gaussian",
    topic="calculus",
    question=r"Let $X \sim \Normal(\mu, \sigma^2)$ with density $p(x) = e^{-(x-\mu)^2/(2\sigma^2)}/(\sigma\sqrt{2\pi})$. Show by integration that $\E[X] = \int x\,p(x)\,dx = \mu$ and $\Var(X) = \int (x-\mu)^2 p(x)\,dx = \sigma^2$.",
    inputs=[Input("mu", (), "real", r"mean parameter $\mu$"), Input("sigma", (), "positive", r"standard deviation $\sigma > 0$; the result is $(\E[X], \Var(X))$, shape (2,)")],
    reference=_trapezoid_moments,
    exercise=_moments_exercise,
    tags=("integration", "gaussian", "moments"),
)
def gaussian_moments() -> Body:
    density = _kernel(x) / (sigma * sp.sqrt(2 * sp.pi))
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
