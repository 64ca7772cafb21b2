"""The Gaussian integral ∫ e^{-(x-μ)²/(2σ²)} dx = σ√(2π), the normalising constant of the normal density."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.publish.printing import latex

from ._gaussian_common import at, draw_parameters, grid, kernel, sigma, x

u, v, theta = sp.symbols("u v theta")  # real=True makes SymPy integrate several times slower
r = sp.Symbol("r", nonnegative=True)
oo = sp.oo


def _trapezoid_integral(mu: float, sigma: float) -> float:
    nodes = grid(float(mu), float(sigma))
    return float(np.trapezoid(np.exp(-((nodes - mu) ** 2) / (2 * sigma**2)), nodes))


def _exercise(rng: np.random.Generator) -> Exercise:
    values = draw_parameters(rng)
    integrand = at(kernel(x), values)
    return Exercise(
        prompt=rf"Compute $\int_{{-\infty}}^{{\infty}} {latex(integrand)}\,dx$ exactly.",
        values=values,
        answer_label=rf"\int_{{-\infty}}^{{\infty}} {latex(integrand)}\,dx",
    )


@derivation(
    id="gaussian-integral",
    title="The Gaussian integral",
    topic="calculus",
    question=r"Show that $\int_{-\infty}^{\infty} e^{-(x-\mu)^2/(2\sigma^2)}\,dx = \sigma\sqrt{2\pi}$ for every $\mu \in \R$ and $\sigma > 0$, so that $\Normal(\mu, \sigma^2)$ has density $e^{-(x-\mu)^2/(2\sigma^2)}/(\sigma\sqrt{2\pi})$.",
    inputs=[Input("mu", (), "real", r"centre $\mu$"), Input("sigma", (), "positive", r"width $\sigma > 0$")],
    reference=_trapezoid_integral,
    exercise=_exercise,
    tags=("integration", "gaussian", "normalising-constant"),
)
def gaussian_integral() -> Body:
    integral = sp.Integral(kernel(x), (x, -oo, oo))
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
            Step(rhs=sp.Mul(sp.sqrt(2), sigma, sp.sqrt(sp.pi), evaluate=False), why=r"$\int_0^{2\pi}d\theta = 2\pi$ and $\int_0^\infty r e^{-r^2}dr = \bigl[-\tfrac12 e^{-r^2}\bigr]_0^\infty = \tfrac12$"),
        ),
        result=Step(lhs=integral, rhs=sigma * sp.sqrt(2 * sp.pi), why=r"$\sqrt2\cdot\sqrt\pi = \sqrt{2\pi}$"),
    )
