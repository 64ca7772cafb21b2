"""The Jacobian of RMSNorm (no gain), in index notation."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Step, derivation
from symwork.core.matrices import latex_matrix

from ._norm_common import INPUTS, eps, i, j, k, square_shift, x, y
from ._opt_common import named

r = named("r", "r")  # the mean square (1/d) Σ_k x_k²


def _rms_norm(x: anp.ndarray, eps: float) -> anp.ndarray:
    return x / anp.sqrt(anp.mean(x**2) + eps)


def _exercise(rng: np.random.Generator) -> Exercise:
    values_x = [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], size=3)]
    # 9 (r + ε) = 3 Σ x² + 9ε, a perfect square by the choice of ε.
    epsilon = square_shift(3 * sum(v * v for v in values_x))
    return Exercise(
        prompt=(
            rf"Compute the Jacobian $J_{{ij}} = \partial y_i/\partial x_j$ of RMSNorm "
            rf"$y_i = x_i/\sqrt{{\frac{{1}}{{d}}\sum_k x_k^2 + \epsilon}}$ (no gain) at "
            rf"$\bm{{x}} = {latex_matrix(values_x)}$ with $\epsilon = {sp.latex(epsilon)}$."
        ),
        values={"x": values_x, "eps": epsilon},
        answer_label="J",
    )


@derivation(
    id="rmsnorm-jacobian",
    title="Jacobian of RMSNorm",
    topic="calculus",
    question=(
        r"Let $r = \frac{1}{d}\sum_k x_k^2$ and $y_i = x_i/\sqrt{r + \epsilon}$. Show that "
        r"$\partial y_i/\partial x_j = \bigl(\delta_{ij} - \frac{1}{d} y_i y_j\bigr)/\sqrt{r + \epsilon}$."
    ),
    inputs=INPUTS,
    sizes={"d": (2, 3, 5)},
    forward=lambda x, eps: _rms_norm(x, eps),
    wrt="x",
    exercise=_exercise,
    tags=("jacobian", "normalisation"),
)
def rmsnorm_jacobian(d: sp.Expr) -> Body:
    root = sp.sqrt(r + eps)
    return Body(
        definitions=(
            Definition(r, sp.Sum(x[k] ** 2, (k, 1, d)) / d, (), "mean square"),
            Definition(y, x[i] / root, (i,), "normalised activation"),
        ),
        indices={i: d, j: d, k: d},
        steps=(
            Step(
                lhs=sp.Derivative(r, x[j]),
                rhs=sp.Rational(2) / d * sp.Sum(x[k] * sp.KroneckerDelta(j, k), (k, 1, d)),
                why=r"differentiate $r = \frac{1}{d}\sum_k x_k^2$ term by term",
            ),
            Step(rhs=2 * x[j] / d, why=r"only $k = j$ survives"),
            Step(
                lhs=sp.Derivative(y[i], x[j]),
                rhs=sp.KroneckerDelta(i, j) / root - x[i] / (2 * root**3) * (2 * x[j] / d),
                why=r"product rule on $x_i (r + \epsilon)^{-1/2}$, with $\partial r/\partial x_j$ above",
            ),
            Step(
                rhs=sp.KroneckerDelta(i, j) / root - y[i] * y[j] / (d * root),
                why=r"recognise $y_i y_j = x_i x_j/(r + \epsilon)$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(y[i], x[j]),
            rhs=(sp.KroneckerDelta(i, j) - y[i] * y[j] / d) / root,
            why=r"collect over $\sqrt{r + \epsilon}$",
        ),
        result_indices=(i, j),
    )
