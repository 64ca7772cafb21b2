"""The Jacobian of the softmax, in index notation and in matrix form."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.printing import latex

i, j, k = sp.symbols("i j k", integer=True, positive=True)
z = sp.IndexedBase("z")
s = sp.IndexedBase("s")
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k}


def _softmax(z: anp.ndarray) -> anp.ndarray:
    shifted = anp.exp(z - anp.max(z))
    return shifted / anp.sum(shifted)


def _exercise(rng: np.random.Generator) -> Exercise:
    # z = (log a, log b, log c) with small integers a, b, c keeps every answer a simple fraction.
    weights = [int(w) for w in rng.integers(1, 5, size=3)]
    values = {"z": [sp.log(w) for w in weights]}
    logits = ", ".join(latex(sp.log(w)) for w in weights)
    return Exercise(
        prompt=rf"Compute the Jacobian $J_{{ij}} = \partial s_i / \partial z_j$ of $\bm{{s}} = \softmax(\bm{{z}})$ at $\bm{{z}} = ({logits})$.",
        values=values,
        answer_label="J",
    )


@derivation(
    id="softmax-jacobian",
    title="Jacobian of the softmax",
    topic="calculus",
    question=r"Show that the softmax $\bm{s} = \softmax(\bm{z})$ has Jacobian $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, that is $J = \diag(\bm{s}) - \bm{s}\bm{s}^\top$.",
    inputs=[Input("z", ("n",), "real", "logits")],
    sizes={"n": (2, 3, 5)},
    forward=lambda z: _softmax(z),
    wrt="z",
    exercise=_exercise,
    tags=("jacobian", "softmax"),
)
def softmax_jacobian(n: sp.Expr) -> Body:
    normaliser = sp.Sum(sp.exp(z[k]), (k, 1, n))
    return Body(
        definitions=(
            Definition(s, sp.exp(z[i]) / S, (i,), "softmax component"),
            Definition(S, normaliser, (), "normaliser"),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(lhs=sp.Derivative(s[i], z[j]), rhs=sp.Derivative(sp.exp(z[i]) / normaliser, z[j]), why="definition of softmax"),
            Step(
                rhs=(sp.exp(z[i]) * sp.KroneckerDelta(i, j) * normaliser - sp.exp(z[i]) * sp.exp(z[j])) / normaliser**2,
                why=r"quotient rule, with $\partial S/\partial z_j = e^{z_j}$",
            ),
            Step(
                rhs=sp.exp(z[i]) / normaliser * sp.KroneckerDelta(i, j) - sp.exp(z[i]) / normaliser * sp.exp(z[j]) / normaliser,
                why="split the fraction",
            ),
            Step(rhs=s[i] * sp.KroneckerDelta(i, j) - s[i] * s[j], why=r"recognise $s_i$ and $s_j$"),
        ),
        result=Step(lhs=sp.Derivative(s[i], z[j]), rhs=s[i] * (sp.KroneckerDelta(i, j) - s[j]), why="factor out $s_i$"),
        result_indices=(i, j),
    )
