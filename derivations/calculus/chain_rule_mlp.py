"""Backpropagation through a two-layer MLP: the gradient of the squared loss with respect to the first-layer weights."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.printing import latex

from ._common import anp_sigmoid, sigmoid

# i: outputs (1..m), j and p: hidden units (1..k), l (ell) and r: inputs (1..d).
i, j, ell, p, r = sp.symbols("i j l p r", integer=True, positive=True)
W, b, V, c, x, y = (sp.IndexedBase(name) for name in ("W", "b", "V", "c", "x", "y"))
a = sp.IndexedBase("a")  # pre-activations
h = sp.IndexedBase("h")  # hidden activations
yhat = sp.IndexedBase("yhat")  # printed \hat{y}
g = sp.IndexedBase("g")  # backpropagated error ∂L/∂a_j
L = sp.Symbol("L")


def _loss(W: anp.ndarray, b: anp.ndarray, V: anp.ndarray, c: anp.ndarray, x: anp.ndarray, y: anp.ndarray) -> anp.ndarray:  # noqa: N803 - names of the inputs
    prediction = anp.dot(V, anp_sigmoid(anp.dot(W, x) + b)) + c
    return 0.5 * anp.sum((prediction - y) ** 2)


def _vector_text(values: list[sp.Expr]) -> str:
    return "(" + ", ".join(latex(v) for v in values) + r")^\top"


def _matrix_text(rows: list[list[int]]) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(str(v) for v in row) for row in rows) + r"\end{bmatrix}"


def _exercise(rng: np.random.Generator) -> Exercise:
    weights = [[int(v) for v in row] for row in rng.integers(-2, 3, size=(2, 2))]
    inputs = [int(v) for v in rng.integers(-2, 3, size=2)]
    while not any(inputs):  # x = 0 makes ∂L/∂W = g xᵀ = 0 whatever W is: a draw that tests nothing
        inputs = [int(v) for v in rng.integers(-2, 3, size=2)]
    # Biases chosen so that each pre-activation is 0 or ±ln 3: then σ(a) is 1/2, 3/4 or 1/4 and the
    # whole computation stays in fractions a student can do by hand.
    shifts = [[0, sp.log(3), -sp.log(3)][int(v)] for v in rng.integers(0, 3, size=2)]
    biases = [-(weights[row][0] * inputs[0] + weights[row][1] * inputs[1]) + shifts[row] for row in range(2)]
    readout = [[int(v) for v in rng.integers(-2, 3, size=2)]]
    if readout[0] == [0, 0]:
        readout[0][int(rng.integers(0, 2))] = 1
    offset = [int(rng.integers(-1, 2))]
    target = [int(rng.integers(-1, 3))]
    hidden = [1 / (1 + sp.exp(-shift)) for shift in shifts]
    while readout[0][0] * hidden[0] + readout[0][1] * hidden[1] + offset[0] == target[0]:
        target = [int(rng.integers(-1, 3))]  # a perfect prediction has zero gradient whatever W is
    values = {"W": weights, "b": biases, "V": readout, "c": offset, "x": inputs, "y": target}
    return Exercise(
        prompt=(
            r"A network computes $\hat y = V\sigma(W\bm{x} + \bm{b}) + c$ with loss $L = \frac12(\hat y - y)^2$, where "
            rf"$W = {_matrix_text(weights)}$, $\bm{{b}} = {_vector_text(biases)}$, $V = {_matrix_text(readout)}$, $c = {offset[0]}$. "
            rf"For $\bm{{x}} = {_vector_text(inputs)}$ and $y = {target[0]}$, compute $\partial L/\partial W$ by backpropagation."
        ),
        values=values,
        answer_label=r"\partial L/\partial W",
    )


@derivation(
    id="chain-rule-mlp",
    title="Backpropagation through a two-layer MLP",
    topic="calculus",
    question=(
        r"A two-layer network computes $\bm{a} = W\bm{x} + \bm{b}$, $\bm{h} = \sigma(\bm{a})$, $\hat{\bm{y}} = V\bm{h} + \bm{c}$ "
        r"with loss $L = \frac12\lVert\hat{\bm{y}} - \bm{y}\rVert^2$. Show by the chain rule that $\partial L/\partial W_{jl} = g_j x_l$, "
        r"where $g_j = h_j(1-h_j)\sum_i V_{ij}(\hat y_i - y_i)$; in matrix form $\partial L/\partial W = \bm{g}\bm{x}^\top$."
    ),
    inputs=[
        Input("W", ("k", "d"), "real", "first-layer weights"),
        Input("b", ("k",), "real", "first-layer bias"),
        Input("V", ("m", "k"), "real", "second-layer weights"),
        Input("c", ("m",), "real", "second-layer bias"),
        Input("x", ("d",), "real", "input"),
        Input("y", ("m",), "real", r"target; the result $\partial L/\partial W$ has the shape of $W$, (k, d)"),
    ],
    sizes={"k": (3, 2, 2), "d": (2, 3, 2), "m": (2, 1, 3)},
    forward=_loss,
    wrt="W",
    exercise=_exercise,
    tags=("backpropagation", "chain-rule", "gradient", "mlp"),
)
def chain_rule_mlp(k: sp.Expr, d: sp.Expr, m: sp.Expr) -> Body:
    derivative = sp.Derivative(L, W[j, ell])
    error = yhat[i] - y[i]
    return Body(
        definitions=(
            Definition(L, sp.Sum((yhat[i] - y[i]) ** 2, (i, 1, m)) / 2, (), "squared loss"),
            Definition(yhat, sp.Sum(V[i, p] * h[p], (p, 1, k)) + c[i], (i,), "output"),
            Definition(h, sigmoid(a[j]), (j,), "hidden activation"),
            Definition(a, sp.Sum(W[j, r] * x[r], (r, 1, d)) + b[j], (j,), "pre-activation"),
            # Not "given": the problem asks to show that this is the backpropagated error ∂L/∂a_j.
            Definition(g, h[j] * (1 - h[j]) * sp.Sum(V[i, j] * (yhat[i] - y[i]), (i, 1, m)), (j,), "shorthand of the result", given=False),
        ),
        indices={i: m, j: k, p: k, ell: d, r: d},
        steps=(
            Step(
                lhs=derivative,
                rhs=sp.Sum(error * sp.Derivative(yhat[i], W[j, ell]), (i, 1, m)),
                why=r"chain rule through $\hat y_i$, with $\partial L/\partial \hat y_i = \hat y_i - y_i$",
            ),
            Step(
                rhs=sp.Sum(error * sp.Sum(V[i, p] * sp.Derivative(h[p], W[j, ell]), (p, 1, k)), (i, 1, m)),
                why=r"$\hat y_i = \sum_p V_{ip} h_p + c_i$ is linear in $\bm{h}$",
            ),
            Step(
                rhs=sp.Sum(error * sp.Sum(V[i, p] * h[p] * (1 - h[p]) * sp.Derivative(a[p], W[j, ell]), (p, 1, k)), (i, 1, m)),
                why=r"chain rule through $a_p$, with $\sigma' = \sigma(1-\sigma)$",
            ),
            Step(
                rhs=sp.Sum(error * sp.Sum(V[i, p] * h[p] * (1 - h[p]) * sp.KroneckerDelta(p, j) * x[ell], (p, 1, k)), (i, 1, m)),
                why=r"$a_p = \sum_r W_{pr} x_r + b_p$, so $\partial a_p/\partial W_{jl} = \delta_{pj} x_l$",
            ),
            Step(rhs=sp.Sum(error * V[i, j] * h[j] * (1 - h[j]) * x[ell], (i, 1, m)), why=r"the Kronecker delta keeps only $p = j$"),
        ),
        result=Step(
            lhs=derivative,
            rhs=g[j] * x[ell],
            why=r"factor out what does not depend on $i$: $g_j = h_j(1-h_j)\sum_i V_{ij}(\hat y_i - y_i)$, i.e.\ $\bm{g} = \bigl(V^\top(\hat{\bm{y}} - \bm{y})\bigr) \odot \bm{h} \odot (\bm{1} - \bm{h})$",
        ),
        result_indices=(j, ell),
    )
