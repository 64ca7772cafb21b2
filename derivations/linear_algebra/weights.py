"""Weight matrices of neural networks: the gradient of a linear layer, and the parameter count of LoRA."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._common import latex_matrix, latex_vector

i, j, p, q = sp.symbols("i j p q", integer=True, positive=True)
W, b, x, y = (sp.IndexedBase(name) for name in ("W", "b", "x", "y"))
residual = sp.IndexedBase("r")
L = sp.Symbol("L")


def _squared_error(W: anp.ndarray, b: anp.ndarray, x: anp.ndarray, y: anp.ndarray) -> anp.ndarray:
    return 0.5 * anp.sum((anp.dot(W, x) + b - y) ** 2)


def _layer_exercise(rng: np.random.Generator) -> Exercise:
    Wv = rng.integers(-2, 3, size=(2, 3))
    bv, xv, yv = rng.integers(-2, 3, size=2), rng.integers(-2, 3, size=3), rng.integers(-2, 3, size=2)
    values = {"W": Wv.tolist(), "b": bv.tolist(), "x": xv.tolist(), "y": yv.tolist()}
    answer = exact_answer(linear_layer_gradient, values)
    return Exercise(
        prompt=rf"For $L = \frac12\|W\bm{{x}} + \bm{{b}} - \bm{{y}}\|^2$ with $W = {latex_matrix(Wv.tolist())}$, $\bm{{b}} = {latex_vector(bv.tolist())}$, $\bm{{x}} = {latex_vector(xv.tolist())}$ and $\bm{{y}} = {latex_vector(yv.tolist())}$, compute $\partial L/\partial W$.",
        values=values,
        answer=answer,
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


# --- LoRA ------------------------------------------------------------------------------------------


def _lora_reference(m: float, n: float, r: float) -> np.ndarray:
    # Count the entries of actual factor arrays B (m×r) and A (r×n) against a full m×n update.
    B, A, full = np.zeros((int(m), int(r))), np.zeros((int(r), int(n))), np.zeros((int(m), int(n)))
    return np.array([B.size + A.size, (B.size + A.size) / full.size])


def _lora_exercise(rng: np.random.Generator) -> Exercise:
    m, n = (int(v) for v in rng.choice([512, 768, 1024, 2048, 4096], size=2))
    r = int(rng.choice([2, 4, 8, 16, 32]))
    values = {"m": m, "n": n, "r": r}
    answer = exact_answer(lora_parameter_count, values)
    return Exercise(
        prompt=rf"A frozen weight $W_0 \in \R^{{{m}\times{n}}}$ is fine-tuned with a LoRA update $\Delta W = BA$ of rank $r = {r}$. How many parameters are trained, and what fraction of a full update of $W_0$ is that?",
        values=values,
        answer=answer,
        answer_label=r"(P_{\mathrm{LoRA}}, P_{\mathrm{LoRA}}/P_{\mathrm{full}})",
    )


@derivation(
    id="lora-parameter-count",
    title="Parameter count of a LoRA update",
    topic="linear-algebra",
    question=r"A LoRA update of $W_0 \in \R^{m\times n}$ is $\Delta W = BA$ with $B \in \R^{m\times r}$ and $A \in \R^{r\times n}$. Show that $\rank(\Delta W) \le r$, that it trains $r(m+n)$ parameters instead of $mn$, a fraction $r/m + r/n$, and that it saves parameters exactly when $r < mn/(m+n)$.",
    inputs=[
        Input("m", (), "count", "rows of the weight (output size)"),
        Input("n", (), "count", "columns of the weight (input size)"),
        Input("r", (), "count", "rank of the update; the result is (trainable parameters, fraction of m n)"),
    ],
    reference=_lora_reference,
    exercise=_lora_exercise,
    tags=("lora", "low-rank", "fine-tuning"),
)
def lora_parameter_count() -> Body:
    m, n, r = sp.symbols("m n r", positive=True)
    lora = m * r + r * n
    return Body(
        steps=(
            Step(
                lhs=m * n - lora,
                rhs=m * n - r * (m + n),
                why=r"$B$ has $mr$ entries and $A$ has $rn$; every column of $BA$ is a combination of the $r$ columns of $B$, so $\rank(BA) \le r$",
            ),
            Step(
                rhs=(m + n) * (m * n / (m + n) - r),
                why=r"factor out $m + n$: positive exactly when $r < mn/(m+n)$",
            ),
            Step(lhs=lora / (m * n), rhs=r / n + r / m, why=r"divide by $mn$ and split the fraction"),
        ),
        result=Step(
            lhs=sp.ImmutableMatrix([lora, lora / (m * n)]),
            rhs=sp.ImmutableMatrix([r * (m + n), r / m + r / n]),
            why=r"parameters and fraction; for $m = n = d$ the fraction is $2r/d$",
        ),
    )
