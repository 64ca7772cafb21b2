"""The gradient of the softmax cross-entropy against a label-smoothed one-hot target."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import anp_log_softmax, log_ratio_logits
from ._cross_entropy_common import L, fraction_list, i, j, k, s, softmax_definitions, y, z

q = sp.IndexedBase("q")
eps = sp.Symbol("eps", positive=True)

#: Smoothing strengths for exercises: simple fractions strictly between 0 and 1.
_EPSILONS = (sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(1, 2))


def _exercise(rng: np.random.Generator) -> Exercise:
    shown, logits = log_ratio_logits(rng, 3)
    hot = int(rng.integers(0, 3))
    target = [1 if position == hot else 0 for position in range(3)]
    smoothing = _EPSILONS[int(rng.integers(0, len(_EPSILONS)))]
    return Exercise(
        prompt=(
            rf"For logits $\bm{{z}} = {shown}$, one-hot label $\bm{{y}} = ({fraction_list(target)})$ "
            rf"and label smoothing $\varepsilon = {sp.latex(smoothing)}$, compute the gradient of the cross-entropy "
            r"against the smoothed target $\bm{q} = (1-\varepsilon)\bm{y} + \varepsilon/n$ with respect to $\bm{z}$."
        ),
        values={"z": logits, "y": target, "eps": smoothing},
        answer_label=r"\partial L/\partial \bm{z}",
    )


def _smoothed_loss(z: anp.ndarray, y: anp.ndarray, eps: float) -> anp.ndarray:
    target = (1 - eps) * y + eps / y.shape[0]
    return -anp.sum(target * anp_log_softmax(z))


@derivation(
    id="label-smoothing-gradient",
    title="Gradient of cross-entropy with label smoothing",
    topic="calculus",
    question=(
        r"Label smoothing replaces a one-hot label $\bm{y}$ by $\bm{q} = (1-\varepsilon)\bm{y} + \varepsilon/n$. "
        r"For $\bm{s} = \softmax(\bm{z})$ and $L = -\sum_i q_i \ln s_i$, show that $\partial L/\partial z_j = s_j - (1-\varepsilon) y_j - \varepsilon/n$."
    ),
    inputs=[
        Input("z", ("n",), "real", "logits"),
        Input("y", ("n",), "onehot", "one-hot label"),
        Input("eps", (), "small", r"smoothing strength $\varepsilon$"),
    ],
    sizes={"n": (2, 3, 5)},
    forward=_smoothed_loss,
    wrt="z",
    exercise=_exercise,
    tags=("gradient", "softmax", "cross-entropy", "regularisation"),
)
def label_smoothing_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(L, -sp.Sum(q[i] * sp.log(s[i]), (i, 1, n)), (), "cross-entropy against the smoothed target"),
            Definition(q, (1 - eps) * y[i] + eps / n, (i,), "smoothed target"),
            *softmax_definitions(n),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(
                lhs=sp.Derivative(L, z[j]),
                rhs=-sp.Sum(q[i] * (sp.KroneckerDelta(i, j) - s[j]), (i, 1, n)),
                why=r"$\partial \ln s_i/\partial z_j = \delta_{ij} - s_j$, as for any target",
            ),
            Step(rhs=-q[j] + s[j] * sp.Sum(q[i], (i, 1, n)), why=r"the Kronecker delta keeps only $i = j$"),
            Step(
                rhs=-q[j] + s[j] * ((1 - eps) * sp.Sum(y[i], (i, 1, n)) + eps),
                why=r"$\sum_i q_i = (1-\varepsilon)\sum_i y_i + n \cdot \varepsilon/n$",
            ),
            Step(rhs=s[j] - q[j], why=r"a one-hot $\bm{y}$ sums to one, so $\sum_i q_i = 1$"),
        ),
        result=Step(lhs=sp.Derivative(L, z[j]), rhs=s[j] - (1 - eps) * y[j] - eps / n, why=r"substitute $q_j$"),
        result_indices=(j,),
    )
