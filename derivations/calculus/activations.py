"""Derivatives of the activation functions: sigmoid, tanh (and its link to the sigmoid) and the exact GELU."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp
from autograd.scipy.special import erf as anp_erf

from symwork import Body, Exercise, Input, Step, derivation, exact_answer

from ._common import Phi, anp_sigmoid, gelu, phi, sigmoid, tanh

x = sp.Symbol("x", real=True)

#: Ratios r for x = log r: σ(log r) = r/(1 + r) and tanh(log r) = (r² − 1)/(r² + 1) are simple fractions.
_RATIOS = (1, 2, 3, 4, sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 4), sp.Rational(3, 2), sp.Rational(2, 3))


def _log_ratio(rng: np.random.Generator) -> sp.Expr:
    return sp.log(_RATIOS[int(rng.integers(0, len(_RATIOS)))])


def _sigmoid_exercise(rng: np.random.Generator) -> Exercise:
    point = _log_ratio(rng)
    values = {"x": point}
    answer = exact_answer(sigmoid_derivative, values)
    return Exercise(
        prompt=rf"Compute $\sigma'(x)$ for the logistic sigmoid $\sigma(x) = 1/(1+e^{{-x}})$ at $x = {sp.latex(point)}$, as an exact fraction.",
        values=values,
        answer=answer,
        answer_label=r"\sigma'(x)",
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
    exercise=_sigmoid_exercise,
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


def _tanh_exercise(rng: np.random.Generator) -> Exercise:
    point = _log_ratio(rng)
    values = {"x": point}
    return Exercise(
        prompt=rf"Compute $\frac{{d}}{{dx}}\tanh x$ at $x = {sp.latex(point)}$, as an exact fraction.",
        values=values,
        answer=exact_answer(tanh_derivative, values),
        answer_label=r"\tanh'(x)",
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
    exercise=_tanh_exercise,
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


#: Points for the GELU exercise: small integers and halves (x = 0 gives the classic 1/2).
_GELU_POINTS = (-2, -1, sp.Rational(-1, 2), 0, sp.Rational(1, 2), 1, sp.Rational(3, 2), 2)


def _gelu_exercise(rng: np.random.Generator) -> Exercise:
    point = sp.sympify(_GELU_POINTS[int(rng.integers(0, len(_GELU_POINTS)))])
    values = {"x": point}
    return Exercise(
        prompt=rf"Compute $\GELU'(x)$ for the exact GELU $\GELU(x) = x\Phi(x)$ at $x = {sp.latex(point)}$; give an exact expression in terms of $\operatorname{{erf}}$ and $e$.",
        values=values,
        answer=exact_answer(gelu_derivative, values),
        answer_label=r"\GELU'(x)",
    )


def _gelu_forward(x: anp.ndarray) -> anp.ndarray:
    # Written with erf directly (not through Φ or φ) so that autograd differentiates it independently.
    return x * (1 + anp_erf(x / anp.sqrt(2.0))) / 2


@derivation(
    id="gelu-derivative",
    title="Derivative of the GELU",
    topic="calculus",
    question=r"The exact GELU is $\GELU(x) = x\Phi(x)$ with $\Phi(x) = \frac12\bigl(1 + \operatorname{erf}(x/\sqrt2)\bigr)$ the standard normal CDF. Show that $\GELU'(x) = \Phi(x) + x\phi(x)$, where $\phi(x) = e^{-x^2/2}/\sqrt{2\pi}$.",
    inputs=[Input("x", (), "real", "pre-activation (any shape; the derivative acts elementwise)")],
    forward=_gelu_forward,
    wrt="x",
    elementwise=True,
    exercise=_gelu_exercise,
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
