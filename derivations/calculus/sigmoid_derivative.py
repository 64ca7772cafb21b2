"""The derivative of the logistic sigmoid, σ' = σ(1 − σ)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part
from symwork.publish.printing import latex

from ._activation_common import log_ratio
from ._common import anp_sigmoid, sigmoid

x = sp.Symbol("x", real=True)


def _exercise(rng: np.random.Generator) -> Exercise:
    point = log_ratio(rng)
    return Exercise(
        prompt=rf"Compute $\sigma'(x)$ for the logistic sigmoid $\sigma(x) = 1/(1+e^{{-x}})$ at $x = {latex(point)}$, as an exact fraction.",
        values={"x": point},
        # The name is the derivative at the point, σ′(ln 4): printed as such, and checked to equal the answer.
        parts=(Part(name=sp.Subs(sp.Derivative(sigmoid(x), x), x, point)),),
    )


@derivation(
    id="sigmoid-derivative",
    title="Derivative of the sigmoid",
    topic="calculus",
    question=r"Show that the logistic sigmoid $\sigma(x) = 1/(1 + e^{-x})$ satisfies $\sigma'(x) = \sigma(x)\bigl(1 - \sigma(x)\bigr)$; applied elementwise, the same holds for every entry of an array.",
    inputs=[Input("x", (), "real", "pre-activation (any shape; the derivative acts elementwise)")],
    forward=anp_sigmoid,
    wrt="x",
    elementwise=True,
    exercise=_exercise,
    tags=("activation", "sigmoid"),
)
def sigmoid_derivative() -> Body:
    denominator = 1 + sp.exp(-x)
    return Body(
        steps=(
            Step(lhs=sp.Derivative(sigmoid(x), x), rhs=sp.Derivative(1 / denominator, x), why=r"definition of $\sigma$"),
            Step(rhs=sp.exp(-x) / denominator**2, why=r"chain rule: $\frac{d}{dx}(1+e^{-x})^{-1} = -(1+e^{-x})^{-2}\cdot(-e^{-x})$"),
            Step(rhs=sigmoid(x) * sp.exp(-x) / denominator, why=r"split the fraction and recognise $\sigma(x) = \frac{1}{1+e^{-x}}$"),
            Step(
                rhs=sigmoid(x) * (1 - 1 / denominator),
                why=r"$\frac{e^{-x}}{1+e^{-x}} = \frac{(1+e^{-x}) - 1}{1+e^{-x}} = 1 - \frac{1}{1+e^{-x}}$",
            ),
        ),
        result=Step(lhs=sp.Derivative(sigmoid(x), x), rhs=sigmoid(x) * (1 - sigmoid(x)), why=r"recognise $\sigma(x)$ once more"),
    )
