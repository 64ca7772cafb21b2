"""Adam's bias correction: the first moment unrolled, its expectation (1 − β₁ᵗ)E[g], and the unbiased m̂_t."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._opt_common import named

k = sp.Symbol("k", integer=True, positive=True)
step_index = sp.Symbol("k", integer=True, nonnegative=True)  # Adam's recursion starts at m_0
g_ = sp.IndexedBase("g")
m_ = sp.IndexedBase("m")
beta = named("beta1", r"\beta_1", positive=True)
mean_g = named("Eg", r"\E[g]")
mean_m = named("Em", r"\E[m_t]")
m_hat = named("mhat", r"\hat{m}_t")


def _reference(g: np.ndarray, beta1: float) -> np.ndarray:
    moment = 0.0
    for gradient in np.atleast_1d(g):
        moment = beta1 * moment + (1 - beta1) * gradient
    return np.asarray(moment / (1 - beta1 ** len(np.atleast_1d(g))))


def _exercise(rng: np.random.Generator) -> Exercise:
    rate = sp.Rational(*[(1, 2), (3, 4), (4, 5), (9, 10)][int(rng.integers(0, 4))])
    values = {"g": [int(v) for v in rng.integers(-4, 5, size=3)], "beta1": rate}
    while len(set(values["g"])) == 1:  # constant gradients give m̂ = g whatever β₁ is: a draw that tests nothing
        values["g"] = [int(v) for v in rng.integers(-4, 5, size=3)]
    return Exercise(
        prompt=(
            rf"Adam's first moment $m_t = \beta_1 m_{{t-1}} + (1 - \beta_1) g_t$, $m_0 = 0$, with $\beta_1 = {sp.latex(rate)}$ "
            rf"sees the gradients $g_1, g_2, g_3 = {', '.join(str(v) for v in values['g'])}$. "
            r"Compute the bias-corrected estimate $\hat{m}_3 = m_3/(1 - \beta_1^3)$."
        ),
        values=values,
        answer_label=r"\hat{m}_3",
    )


@derivation(
    id="adam-bias-correction",
    title="Adam's bias correction",
    topic="calculus",
    question=(
        r"Adam's first moment is $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ with $m_0 = 0$. Show that "
        r"$m_t = (1 - \beta_1)\sum_{k=1}^{t}\beta_1^{t-k} g_k$ and, for stationary gradients with mean $\E[g]$, "
        r"$\E[m_t] = (1 - \beta_1^t)\E[g]$, so that $\hat{m}_t = m_t/(1 - \beta_1^t)$ is unbiased."
    ),
    inputs=[
        Input("g", ("t",), "real", r"gradients $g_1, \dots, g_t$; the result is $\hat{m}_t$, a scalar"),
        Input("beta1", (), "unit", r"decay rate $\beta_1$"),
    ],
    sizes={"t": (2, 3, 5)},
    reference=_reference,
    exercise=_exercise,
    tags=("optimisation", "adam"),
)
def adam_bias_correction(t: sp.Expr) -> Body:
    unrolled = (1 - beta) * sp.Sum(beta ** (t - k) * g_[k], (k, 1, t))
    weights = sp.Sum(beta ** (t - k), (k, 1, t))
    return Body(
        definitions=(
            Definition(
                m_,
                sp.Piecewise(
                    (0, sp.Eq(step_index, 0)), (beta * m_[step_index - 1] + (1 - beta) * g_[step_index], True)
                ),
                (step_index,),
                "first moment",
            ),
            # Not "given": E[m_t] is what the problem asks for; the checks need its value by linearity of E.
            Definition(mean_m, (1 - beta) * weights * mean_g, (), r"expected first moment, by linearity of $\E$", given=False),
            Definition(m_hat, m_[t] / (1 - beta**t), (), "bias-corrected first moment"),
        ),
        indices={k: t, step_index: t},
        variables=(Input("Eg", (), "real", r"mean gradient $\E[g]$"),),
        steps=(
            Step(
                lhs=m_[t],
                rhs=beta**2 * m_[t - 2] + (1 - beta) * (beta * g_[t - 1] + g_[t]),
                why="apply the update twice",
            ),
            Step(rhs=unrolled, why=r"unroll down to $m_0 = 0$: $g_k$ is discounted $t - k$ times"),
            Step(
                lhs=mean_m,
                rhs=(1 - beta) * sp.Sum(beta ** (t - k) * mean_g, (k, 1, t)),
                why=r"linearity of $\E$ and stationarity $\E[g_k] = \E[g]$",
            ),
            Step(
                # Unevaluated: SymPy would cancel 1 − β₁ at once, and the next line would print nothing new.
                rhs=sp.Mul(1 - beta, mean_g, sp.Mul(1 - beta**t, sp.Pow(1 - beta, -1), evaluate=False), evaluate=False),
                why=r"geometric series $\sum_{k=1}^{t}\beta_1^{t-k} = (1 - \beta_1^t)/(1 - \beta_1)$",
            ),
            Step(rhs=(1 - beta**t) * mean_g, why=r"cancel $1 - \beta_1$: biased towards $m_0 = 0$ for small $t$"),
        ),
        result=Step(
            lhs=m_hat,
            rhs=unrolled / (1 - beta**t),
            why=r"divide by $1 - \beta_1^t$, so that $\E[\hat{m}_t] = \E[g]$",
        ),
    )
