"""The Jacobian of LayerNorm (no gain or bias), in index notation."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Step, derivation
from symwork.core.matrices import latex_matrix

from ._norm_common import INPUTS, eps, i, j, k, square_shift, x, y
from ._opt_common import named

mu = named("mu", r"\mu")
sigma2 = named("sigma2", r"\sigma^{2}")


def _layer_norm(x: anp.ndarray, eps: float) -> anp.ndarray:
    centred = x - anp.mean(x)
    return centred / anp.sqrt(anp.mean(centred**2) + eps)


def _exercise(rng: np.random.Generator) -> Exercise:
    values_x = [int(v) for v in rng.choice(np.arange(-3, 4), size=3, replace=False)]
    # 9 (σ² + ε) = 3 Σ x² - (Σ x)² + 9ε, a perfect square by the choice of ε.
    epsilon = square_shift(3 * sum(v * v for v in values_x) - sum(values_x) ** 2)
    return Exercise(
        prompt=(
            rf"Compute the Jacobian $J_{{ij}} = \partial y_i/\partial x_j$ of LayerNorm "
            rf"$y_i = (x_i - \mu)/\sqrt{{\sigma^2 + \epsilon}}$ (population variance, no gain or bias) at "
            rf"$\bm{{x}} = {latex_matrix(values_x)}$ with $\epsilon = {sp.latex(epsilon)}$."
        ),
        values={"x": values_x, "eps": epsilon},
        answer_label="J",
    )


@derivation(
    id="layernorm-jacobian",
    title="Jacobian of LayerNorm",
    topic="calculus",
    question=(
        r"Let $\mu = \frac{1}{d}\sum_k x_k$, $\sigma^2 = \frac{1}{d}\sum_k (x_k - \mu)^2$ and "
        r"$y_i = (x_i - \mu)/\sqrt{\sigma^2 + \epsilon}$. Show that "
        r"$\partial y_i/\partial x_j = \bigl(\delta_{ij} - \frac{1}{d} - \frac{1}{d} y_i y_j\bigr)/\sqrt{\sigma^2 + \epsilon}$."
    ),
    inputs=INPUTS,
    sizes={"d": (2, 3, 5)},
    forward=lambda x, eps: _layer_norm(x, eps),
    wrt="x",
    exercise=_exercise,
    tags=("jacobian", "normalisation"),
)
def layernorm_jacobian(d: sp.Expr) -> Body:
    root = sp.sqrt(sigma2 + eps)
    return Body(
        definitions=(
            Definition(mu, sp.Sum(x[k], (k, 1, d)) / d, (), "mean"),
            Definition(sigma2, sp.Sum((x[k] - mu) ** 2, (k, 1, d)) / d, (), "population variance"),
            Definition(y, (x[i] - mu) / root, (i,), "normalised activation"),
        ),
        indices={i: d, j: d, k: d},
        steps=(
            Step(lhs=sp.Derivative(mu, x[j]), rhs=sp.S.One / d, why=r"differentiate $\mu = \frac{1}{d}\sum_k x_k$"),
            Step(
                lhs=sp.Derivative(sigma2, x[j]),
                rhs=sp.Rational(2) / d * sp.Sum((x[k] - mu) * (sp.KroneckerDelta(j, k) - sp.S.One / d), (k, 1, d)),
                why=r"chain rule, with $\partial\mu/\partial x_j = 1/d$",
            ),
            Step(
                rhs=sp.Mul(2, x[j] - mu, sp.S.One / d, evaluate=False),
                why=r"the deviations sum to zero: $\sum_k (x_k - \mu) = 0$",
            ),
            Step(
                lhs=sp.Derivative(y[i], x[j]),
                rhs=(sp.KroneckerDelta(i, j) - sp.S.One / d) / root
                - (x[i] - mu) / (2 * root**3) * sp.Mul(2, x[j] - mu, sp.S.One / d, evaluate=False),
                why=r"product rule on $(x_i - \mu)(\sigma^2 + \epsilon)^{-1/2}$, with the two derivatives above",
            ),
            Step(
                rhs=(sp.KroneckerDelta(i, j) - sp.S.One / d) / root - y[i] * y[j] / (d * root),
                why=r"recognise $y_i y_j = (x_i - \mu)(x_j - \mu)/(\sigma^2 + \epsilon)$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(y[i], x[j]),
            rhs=(sp.KroneckerDelta(i, j) - sp.S.One / d - y[i] * y[j] / d) / root,
            why=r"collect over $\sqrt{\sigma^2 + \epsilon}$",
        ),
        result_indices=(i, j),
    )
