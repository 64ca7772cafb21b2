"""The Jacobian of attention A = softmax(QKᵀ/√d)V with respect to the values V: the output is linear in V."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Step, derivation

from ._attention_common import INPUTS, SIZES, A, P, V, a, attention, b, c, definitions, delta, exercise_for, f, g, j, k


def _exercise(rng: np.random.Generator) -> Exercise:
    return exercise_for("V", rng, n=1, e=2, logs_in="Q")


@derivation(
    id="attention-jacobian-v",
    title="Attention Jacobian with respect to the values",
    topic="calculus",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row and attention weights $P$, show that "
        r"$\partial A_{ab}/\partial V_{cf} = P_{ac}\,\delta_{bf}$: the output is linear in $V$."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="V",
    exercise=_exercise,
    tags=("jacobian", "attention"),
)
def attention_jacobian_v(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m),
        indices={a: n, b: e, c: m, f: e, k: m, g: d, j: m},
        steps=(
            Step(
                lhs=A[a, b],
                rhs=sp.Sum(P[a, k] * V[k, b], (k, 1, m)),
                why=r"$A = PV$, with $P = \softmax(QK^\top/\sqrt{d})$ free of $V$",
            ),
            Step(
                lhs=sp.Derivative(A[a, b], V[c, f]),
                rhs=sp.Sum(P[a, k] * sp.Derivative(V[k, b], V[c, f]), (k, 1, m)),
                why=r"differentiate term by term; $P$ does not depend on $V$",
            ),
            Step(
                rhs=sp.Sum(P[a, k] * delta(k, c) * delta(b, f), (k, 1, m)),
                why=r"$\partial V_{kb}/\partial V_{cf} = \delta_{kc}\,\delta_{bf}$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], V[c, f]), rhs=P[a, c] * delta(b, f), why=r"sum the $\delta_{kc}$ over $k$"
        ),
        result_indices=(a, b, c, f),
    )
