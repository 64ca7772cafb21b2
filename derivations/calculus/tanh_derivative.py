"""The derivative of tanh, 1 − tanh², by the quotient rule and through tanh x = 2σ(2x) − 1."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.printing import latex

from ._activation_common import log_ratio
from ._common import sigmoid, tanh

x = sp.Symbol("x", real=True)


def _exercise(rng: np.random.Generator) -> Exercise:
    point = log_ratio(rng)
    return Exercise(
        prompt=rf"Compute $\frac{{d}}{{dx}}\tanh x$ at $x = {latex(point)}$, as an exact fraction.",
        values={"x": point},
        parts=(Part(name=sp.Subs(sp.Derivative(tanh(x), x), x, point)),),
    )


@derivation(
    id="tanh-derivative",
    title="Derivative of tanh",
    topic="calculus",
    question=r"Show that $\frac{d}{dx}\tanh x = 1 - \tanh^2 x$, once by the quotient rule and once through the identity $\tanh x = 2\sigma(2x) - 1$ and $\sigma' = \sigma(1-\sigma)$.",
    inputs=[Input("x", (), "real", "pre-activation (any shape; the derivative acts elementwise)")],
    forward=lambda x: anp.tanh(x),
    wrt="x",
    elementwise=True,
    exercise=_exercise,
    tags=("activation", "tanh", "sigmoid"),
)
def tanh_derivative() -> Body:
    up, down = sp.exp(x) - sp.exp(-x), sp.exp(x) + sp.exp(-x)
    derivative = sp.Derivative(tanh(x), x)
    return Body(
        steps=(
            Step(lhs=derivative, rhs=sp.Derivative(up / down, x), why=r"definition of $\tanh$"),
            Step(rhs=(down**2 - up**2) / down**2, why=r"quotient rule, with $\frac{d}{dx}(e^x \mp e^{-x}) = e^x \pm e^{-x}$"),
            Step(rhs=1 - (up / down) ** 2, why="split the fraction"),
            Step(lhs=tanh(x), rhs=2 * sigmoid(2 * x) - 1, why=r"multiply by $e^{-x}/e^{-x}$: $\tanh x = \frac{1-e^{-2x}}{1+e^{-2x}} = \frac{2}{1+e^{-2x}} - 1$"),
            Step(lhs=derivative, rhs=4 * sigmoid(2 * x) * (1 - sigmoid(2 * x)), why=r"differentiate $2\sigma(2x) - 1$: chain rule and $\sigma' = \sigma(1-\sigma)$"),
            Step(rhs=1 - (2 * sigmoid(2 * x) - 1) ** 2, why=r"$4\sigma(1-\sigma) = 1 - (2\sigma - 1)^2$"),
        ),
        result=Step(lhs=derivative, rhs=1 - tanh(x) ** 2, why=r"substitute $2\sigma(2x) - 1 = \tanh x$; both routes agree"),
    )
