"""The derivative of the exact GELU x·Φ(x): Φ(x) + x·φ(x)."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd.scipy.special import erf as anp_erf

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.printing import latex

from ._common import Phi, gelu, phi

x = sp.Symbol("x", real=True)

#: Points for the exercise: small integers and halves (x = 0 gives the classic 1/2).
_POINTS = (-2, -1, sp.Rational(-1, 2), 0, sp.Rational(1, 2), 1, sp.Rational(3, 2), 2)


def _exercise(rng: np.random.Generator) -> Exercise:
    point = sp.sympify(_POINTS[int(rng.integers(0, len(_POINTS)))])
    return Exercise(
        prompt=rf"Compute $\GELU'(x)$ for the exact GELU $\GELU(x) = x\Phi(x)$ at $x = {latex(point)}$; give an exact expression in terms of $\operatorname{{erf}}$ and $e$.",
        values={"x": point},
        parts=(Part(name=sp.Subs(sp.Derivative(gelu(x), x), x, point)),),
    )


def _forward(x: anp.ndarray) -> anp.ndarray:
    # Written with erf directly (not through Φ or φ) so that autograd differentiates it independently.
    return x * (1 + anp_erf(x / anp.sqrt(2.0))) / 2


@derivation(
    id="gelu-derivative",
    title="Derivative of the GELU",
    topic="calculus",
    question=r"The exact GELU is $\GELU(x) = x\Phi(x)$ with $\Phi(x) = \frac12\bigl(1 + \operatorname{erf}(x/\sqrt2)\bigr)$ the standard normal CDF. Show that $\GELU'(x) = \Phi(x) + x\phi(x)$, where $\phi(x) = e^{-x^2/2}/\sqrt{2\pi}$.",
    inputs=[Input("x", (), "real", "pre-activation (any shape; the derivative acts elementwise)")],
    forward=_forward,
    wrt="x",
    elementwise=True,
    exercise=_exercise,
    tags=("activation", "gelu"),
)
def gelu_derivative() -> Body:
    erf_term = sp.erf(x / sp.sqrt(2))
    derivative = sp.Derivative(gelu(x), x)
    return Body(
        steps=(
            Step(lhs=derivative, rhs=sp.Derivative(x * (1 + erf_term) / 2, x), why=r"$\GELU(x) = x\Phi(x)$ with $\Phi(x) = \frac12\bigl(1 + \operatorname{erf}(x/\sqrt2)\bigr)$"),
            Step(rhs=(1 + erf_term) / 2 + x / 2 * sp.Derivative(erf_term, x), why="product rule"),
            Step(rhs=(1 + erf_term) / 2 + x * sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi), why=r"chain rule with $\operatorname{erf}'(u) = \frac{2}{\sqrt\pi}e^{-u^2}$ at $u = x/\sqrt2$; $\frac{x}{2}\cdot\frac{2}{\sqrt\pi}\cdot\frac{1}{\sqrt2} = \frac{x}{\sqrt{2\pi}}$"),
        ),
        result=Step(lhs=derivative, rhs=Phi(x) + x * phi(x), why=r"recognise $\Phi(x)$ and the density $\phi(x) = e^{-x^2/2}/\sqrt{2\pi}$"),
    )
