"""The Jacobian of attention A = softmax(QKᵀ/√d)V with respect to the keys K."""

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
    return exercise_for("K", rng, n=1, e=2, logs_in="K")


@derivation(
    id="attention-jacobian-k",
    title="Attention Jacobian with respect to the keys",
    topic="calculus",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row and attention weights $P$, show that "
        r"$\partial A_{ab}/\partial K_{cf} = \frac{1}{\sqrt{d}}\, P_{ac}\,(V_{cb} - A_{ab})\, Q_{af}$."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="K",
    exercise=_exercise,
    tags=("jacobian", "attention", "softmax"),
    uses=("softmax-jacobian",),
)
def attention_jacobian_k(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m),
        indices={a: n, b: e, c: m, f: d, k: m, l: m, g: d, j: m},
        steps=(
            Step(
                lhs=sp.Derivative(A[a, b], K[c, f]),
                rhs=sp.Sum(V[k, b] * sp.Derivative(P[a, k], K[c, f]), (k, 1, m)),
                why=r"$A_{ab} = \sum_k P_{ak} V_{kb}$ and $V$ does not depend on $K$",
            ),
            Step(rhs=softmax_chain(m, sp.Derivative(S[a, l], K[c, f])), why=SOFTMAX_ROW),
            Step(
                rhs=softmax_chain(m, delta(l, c) * Q[a, f] / sp.sqrt(d)),
                why=r"$S_{al} = \frac{1}{\sqrt{d}}\sum_g Q_{ag} K_{lg}$, so $\partial S_{al}/\partial K_{cf} = \delta_{lc} Q_{af}/\sqrt{d}$",
            ),
            Step(
                rhs=sp.Sum(V[k, b] * P[a, k] * (delta(k, c) - P[a, c]), (k, 1, m)) * Q[a, f] / sp.sqrt(d),
                why=r"sum the $\delta_{lc}$ over $l$",
            ),
            Step(
                rhs=(P[a, c] * V[c, b] - P[a, c] * sp.Sum(P[a, k] * V[k, b], (k, 1, m))) * Q[a, f] / sp.sqrt(d),
                why=r"sum the $\delta_{kc}$ over $k$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], K[c, f]),
            rhs=P[a, c] * (V[c, b] - A[a, b]) * Q[a, f] / sp.sqrt(d),
            why=r"recognise $A_{ab} = \sum_k P_{ak} V_{kb}$ and factor out $P_{ac}$",
        ),
        result_indices=(a, b, c, f),
    )
