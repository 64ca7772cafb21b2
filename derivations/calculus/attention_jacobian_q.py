"""The Jacobian of attention A = softmax(QKᵀ/√d)V with respect to the queries Q."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Step, derivation

from ._attention_common import (
    INPUTS,
    SIZES,
    SOFTMAX_ROW,
    A,
    K,
    Kbar,
    P,
    Q,
    S,
    V,
    a,
    attention,
    b,
    c,
    definitions,
    delta,
    exercise_for,
    f,
    g,
    j,
    k,
    l,
    softmax_chain,
)


def _exercise(rng: np.random.Generator) -> Exercise:
    return exercise_for("Q", rng, n=2, e=1, logs_in="Q")


@derivation(
    id="attention-jacobian-q",
    title="Attention Jacobian with respect to the queries",
    topic="calculus",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row, show that "
        r"$\partial A_{ab}/\partial Q_{cf} = \frac{\delta_{ac}}{\sqrt{d}} \sum_k P_{ak} V_{kb}(K_{kf} - \bar{K}_{af})$, "
        r"where $P$ holds the attention weights and $\bar{K}_{af} = \sum_l P_{al} K_{lf}$ is the weighted mean key."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="Q",
    exercise=_exercise,
    tags=("jacobian", "attention", "softmax"),
    uses=("softmax-jacobian",),
)
def attention_jacobian_q(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m, mean_key=True),
        indices={a: n, b: e, c: n, f: d, k: m, l: m, g: d, j: m},
        steps=(
            Step(
                lhs=sp.Derivative(A[a, b], Q[c, f]),
                rhs=sp.Sum(V[k, b] * sp.Derivative(P[a, k], Q[c, f]), (k, 1, m)),
                why=r"$A_{ab} = \sum_k P_{ak} V_{kb}$ and $V$ does not depend on $Q$",
            ),
            Step(rhs=softmax_chain(m, sp.Derivative(S[a, l], Q[c, f])), why=SOFTMAX_ROW),
            Step(
                rhs=softmax_chain(m, delta(a, c) * K[l, f] / sp.sqrt(d)),
                why=r"$S_{al} = \frac{1}{\sqrt{d}}\sum_g Q_{ag} K_{lg}$, so $\partial S_{al}/\partial Q_{cf} = \delta_{ac} K_{lf}/\sqrt{d}$",
            ),
            Step(
                rhs=delta(a, c)
                / sp.sqrt(d)
                * sp.Sum(P[a, k] * V[k, b] * (K[k, f] - sp.Sum(P[a, l] * K[l, f], (l, 1, m))), (k, 1, m)),
                why=r"sum the $\delta_{kl}$ term over $l$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], Q[c, f]),
            rhs=delta(a, c) / sp.sqrt(d) * sp.Sum(P[a, k] * V[k, b] * (K[k, f] - Kbar[a, f]), (k, 1, m)),
            why=r"recognise the weighted mean key $\bar{K}_{af}$; only row $c = a$ of $Q$ affects row $a$ of $A$",
        ),
        result_indices=(a, b, c, f),
    )
