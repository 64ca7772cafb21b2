"""The gradient of the squared error of a linear layer with respect to its weights: an outer product."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_matrix, latex_vector

i, j, p, q = sp.symbols("i j p q", integer=True, positive=True)
W, b, x, y = (sp.IndexedBase(name) for name in ("W", "b", "x", "y"))
residual = sp.IndexedBase("r")
L = sp.Symbol("L")


def _squared_error(W: anp.ndarray, b: anp.ndarray, x: anp.ndarray, y: anp.ndarray) -> anp.ndarray:
    return 0.5 * anp.sum((anp.dot(W, x) + b - y) ** 2)


def _layer_exercise(rng: np.random.Generator) -> Exercise:
    Wv = rng.integers(-2, 3, size=(2, 3))
    bv, xv, yv = rng.integers(-2, 3, size=2), rng.integers(-2, 3, size=3), rng.integers(-2, 3, size=2)
    # x = 0 or a zero residual makes the gradient 0 whatever W is: a draw that tests nothing.
    while not np.any(xv) or not np.any(Wv @ xv + bv - yv):
        xv, yv = rng.integers(-2, 3, size=3), rng.integers(-2, 3, size=2)
    return Exercise(
        prompt=rf"For $L = \frac12\|W\bm{{x}} + \bm{{b}} - \bm{{y}}\|^2$ with $W = {latex_matrix(Wv.tolist())}$, $\bm{{b}} = {latex_vector(bv.tolist())}$, $\bm{{x}} = {latex_vector(xv.tolist())}$ and $\bm{{y}} = {latex_vector(yv.tolist())}$, compute $\partial L/\partial W$.",
        values={"W": Wv.tolist(), "b": bv.tolist(), "x": xv.tolist(), "y": yv.tolist()},
        answer_label=r"\partial L/\partial W",
    )


@derivation(
    id="linear-layer-gradient",
    title="Gradient of a linear layer",
    topic="linear-algebra",
    question=r"For the squared error $L = \frac12\|W\bm{x} + \bm{b} - \bm{y}\|^2$ of a linear layer with $W \in \R^{m\times n}$, show in index notation that $\partial L/\partial W_{pq} = r_p x_q$ with $\bm{r} = W\bm{x} + \bm{b} - \bm{y}$, that is $\partial L/\partial W = (W\bm{x} + \bm{b} - \bm{y})\bm{x}^\top$.",
    inputs=[
        Input("W", ("m", "n"), "real", "weight matrix"),
        Input("b", ("m",), "real", "bias"),
        Input("x", ("n",), "real", "input"),
        Input("y", ("m",), "real", "target"),
    ],
    sizes={"m": (2, 3, 4), "n": (3, 2, 5)},
    forward=_squared_error,
    wrt="W",
    exercise=_layer_exercise,
    tags=("gradient", "backpropagation"),
)
def linear_layer_gradient(m: sp.Expr, n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(residual, sp.Sum(W[i, j] * x[j], (j, 1, n)) + b[i] - y[i], (i,), "residual of output $i$"),
            Definition(L, sp.Rational(1, 2) * sp.Sum(residual[i] ** 2, (i, 1, m)), (), "squared error"),
        ),
        indices={i: m, p: m, j: n, q: n},
        steps=(
            Step(
                lhs=sp.Derivative(L, W[p, q]),
                rhs=sp.Sum(residual[i] * sp.Derivative(residual[i], W[p, q]), (i, 1, m)),
                why=r"chain rule on $\frac12\sum_i r_i^2$",
            ),
            Step(
                rhs=sp.Sum(
                    residual[i] * sp.Sum(sp.KroneckerDelta(i, p) * sp.KroneckerDelta(j, q) * x[j], (j, 1, n)), (i, 1, m)
                ),
                why=r"$\partial W_{ij}/\partial W_{pq} = \delta_{ip}\delta_{jq}$; $\bm{b}$ and $\bm{y}$ do not depend on $W$",
            ),
            Step(
                rhs=sp.Sum(residual[i] * sp.KroneckerDelta(i, p) * x[q], (i, 1, m)),
                why=r"the sum over $j$ keeps $j = q$",
            ),
            Step(rhs=residual[p] * x[q], why=r"the sum over $i$ keeps $i = p$"),
        ),
        result=Step(
            lhs=sp.Derivative(L, W[p, q]),
            rhs=(sp.Sum(W[p, j] * x[j], (j, 1, n)) + b[p] - y[p]) * x[q],
            why=r"substitute $r_p$; in matrix form $\partial L/\partial W = (W\bm{x} + \bm{b} - \bm{y})\bm{x}^\top$, an outer product",
        ),
        result_indices=(p, q),
    )
