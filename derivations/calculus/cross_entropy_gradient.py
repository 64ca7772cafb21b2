"""The gradient of the softmax cross-entropy with respect to the logits: s − y, for any target distribution."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import anp_log_softmax, log_ratio_logits
from ._cross_entropy_common import L, fraction_list, i, j, k, s, softmax_definitions, y, z


def _log_softmax(index: sp.Expr, n: sp.Expr) -> sp.Expr:
    return z[index] - sp.log(sp.Sum(sp.exp(z[k]), (k, 1, n)))


def _exercise(rng: np.random.Generator) -> Exercise:
    shown, logits = log_ratio_logits(rng, 3)
    # A soft target: small counts normalised to sum to one (at least one count is positive).
    counts = [int(c) for c in rng.integers(0, 4, size=3)]
    if sum(counts) == 0:
        counts[int(rng.integers(0, 3))] = 1
    target = [sp.Rational(c, sum(counts)) for c in counts]
    return Exercise(
        prompt=(
            rf"For logits $\bm{{z}} = {shown}$ and target distribution $\bm{{y}} = ({fraction_list(target)})$, "
            r"compute the gradient $\partial L/\partial \bm{z}$ of $L = -\sum_i y_i \ln \softmax(\bm{z})_i$."
        ),
        values={"z": logits, "y": target},
        answer_label=r"\partial L/\partial \bm{z}",
    )


@derivation(
    id="cross-entropy-gradient",
    title="Gradient of the softmax cross-entropy",
    topic="calculus",
    question=(
        r"Let $\bm{s} = \softmax(\bm{z})$ and $L = -\sum_{i} y_i \ln s_i$ for a target distribution $\bm{y}$ "
        r"($y_i \ge 0$, $\sum_i y_i = 1$). Show that $\partial L/\partial z_j = s_j - y_j$, that is $\nabla_{\bm{z}} L = \bm{s} - \bm{y}$."
    ),
    inputs=[Input("z", ("n",), "real", "logits"), Input("y", ("n",), "simplex", "target distribution (sums to one)")],
    sizes={"n": (2, 3, 5)},
    forward=lambda z, y: -anp.sum(y * anp_log_softmax(z)),
    wrt="z",
    exercise=_exercise,
    tags=("gradient", "softmax", "cross-entropy"),
)
def cross_entropy_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(L, -sp.Sum(y[i] * sp.log(s[i]), (i, 1, n)), (), "cross-entropy loss"),
            *softmax_definitions(n),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(
                lhs=sp.Derivative(L, z[j]),
                rhs=sp.Derivative(-sp.Sum(y[i] * _log_softmax(i, n), (i, 1, n)), z[j]),
                why=r"$\ln s_i = z_i - \ln \sum_k e^{z_k}$",
            ),
            Step(
                rhs=-sp.Sum(y[i] * (sp.KroneckerDelta(i, j) - sp.exp(z[j]) / sp.Sum(sp.exp(z[k]), (k, 1, n))), (i, 1, n)),
                why=r"$\partial z_i/\partial z_j = \delta_{ij}$ and $\partial \ln S/\partial z_j = e^{z_j}/S$",
            ),
            Step(rhs=-sp.Sum(y[i] * sp.KroneckerDelta(i, j), (i, 1, n)) + s[j] * sp.Sum(y[i], (i, 1, n)), why=r"split the sum; recognise $s_j$, which does not depend on $i$"),
            Step(rhs=-y[j] + s[j] * sp.Sum(y[i], (i, 1, n)), why=r"the Kronecker delta keeps only $i = j$"),
        ),
        result=Step(lhs=sp.Derivative(L, z[j]), rhs=s[j] - y[j], why=r"the target sums to one, $\sum_i y_i = 1$"),
        result_indices=(j,),
    )
