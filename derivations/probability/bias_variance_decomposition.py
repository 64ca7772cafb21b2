"""The bias-variance decomposition, checked on linear estimators of a coin's next toss."""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import BernoulliExpectation

t = sp.Symbol("t", integer=True, positive=True)
w, x = sp.IndexedBase("w"), sp.IndexedBase("x")
p, y = sp.Symbol("p", positive=True), sp.Symbol("y")
risk = sp.Symbol("R")


def _risk_by_enumeration(w: np.ndarray, p: float) -> float:
    # Average the squared error over all 2^(n+1) outcomes of the tosses x and the target y.
    total = 0.0
    for outcome in itertools.product((0.0, 1.0), repeat=w.shape[0] + 1):
        tosses, target = np.asarray(outcome[:-1]), outcome[-1]
        heads = tosses.sum() + target
        probability = p**heads * (1 - p) ** (len(outcome) - heads)
        total += probability * (float(w @ tosses) - target) ** 2
    return total


def _exercise(rng: np.random.Generator) -> Exercise:
    size = int(rng.integers(2, 4))
    # A shrunk sample mean: w_t = s/n with s in {1/2, 2/3, 1}; s = 1 is the unbiased mean.
    shrink = sp.Rational(*[(1, 2), (2, 3), (1, 1)][int(rng.integers(0, 3))])
    prob = sp.Rational(*[(1, 4), (1, 3), (1, 2), (2, 3), (3, 4)][int(rng.integers(0, 5))])
    return Exercise(
        prompt=rf"A coin with $P(\text{{heads}}) = {sp.latex(prob)}$ is tossed {size} times; the next toss $y$ is predicted by ${sp.latex(shrink)}$ times the fraction of heads. Compute the expected squared error $\E[(\hat y - y)^2]$.",
        values={"w": [shrink / size] * size, "p": prob},
        answer_label="R",
    )


@derivation(
    id="bias-variance-decomposition",
    title="Bias-variance decomposition",
    topic="probability",
    question=r"Tosses $x_1, \dots, x_n$ and a new toss $y$ are i.i.d. $\Bern(p)$. For the linear predictor $\hat y = \sum_t w_t x_t$, show that $\E[(\hat y - y)^2] = \underbrace{p^2(\sum_t w_t - 1)^2}_{\text{bias}^2} + \underbrace{p(1 - p)\sum_t w_t^2}_{\text{variance}} + \underbrace{p(1 - p)}_{\text{noise}}$.",
    inputs=[
        Input("w", ("n",), "real", "weights of the predictor (w_t = 1/n: the sample mean)"),
        Input("p", (), "unit", "probability of heads; result: the expected squared error"),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_risk_by_enumeration,
    exercise=_exercise,
    tags=("bias-variance", "risk"),
)
def bias_variance_decomposition(n: sp.Expr) -> Body:
    def expect(expr: sp.Expr) -> sp.Expr:
        return BernoulliExpectation(expr, x, y, p)

    prediction = sp.Sum(w[t] * x[t], (t, 1, n))
    weight_sum = sp.Sum(w[t], (t, 1, n))
    mean_prediction = p * weight_sum
    return Body(
        definitions=(Definition(risk, expect((prediction - y) ** 2), (), r"expected squared error of $\hat y$"),),
        indices={t: n},
        steps=(
            Step(
                lhs=risk,
                rhs=expect((prediction - p) ** 2) + expect((y - p) ** 2),
                why=r"expand around $p$: the cross term vanishes, as $y$ is independent of $\hat y$ with $\E[y] = p$",
            ),
            Step(
                rhs=expect((prediction - mean_prediction) ** 2) + (mean_prediction - p) ** 2 + expect((y - p) ** 2),
                why=r"add and subtract $\E[\hat y] = p\sum_t w_t$; the cross term has mean zero",
            ),
            Step(
                lhs=expect((prediction - mean_prediction) ** 2),
                rhs=p * (1 - p) * sp.Sum(w[t] ** 2, (t, 1, n)),
                why=r"variance of a sum of independent $w_t x_t$, with $\Var[x_t] = p(1 - p)$",
            ),
            Step(lhs=expect((y - p) ** 2), rhs=p * (1 - p), why=r"Bernoulli variance of $y$: irreducible noise"),
        ),
        result=Step(
            lhs=risk,
            # Written unevaluated so that it prints in the order the question names: bias², variance, noise.
            rhs=sp.Add(p**2 * (weight_sum - 1) ** 2, p * (1 - p) * sp.Sum(w[t] ** 2, (t, 1, n)), p * (1 - p), evaluate=False),
            why=r"bias$^2$ + variance + noise; $w_t = 1/n$ gives $p(1 - p)(1 + 1/n)$",
        ),
    )
