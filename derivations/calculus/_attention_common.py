"""Shared notation, definitions, forward pass, softmax chain rule and exercise draws for the attention Jacobians."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Definition, Exercise, Input
from symwork.publish.printing import latex

# a: query row, b: value column, (c, f): entry of the matrix we differentiate by;
# k, l, j: key rows (summed), g: feature (summed inside the scores only, to avoid capture).
a, b, c, f, k, l, j, g = sp.symbols("a b c f k l j g", integer=True, positive=True)  # noqa: E741 - textbook index names

Q, K, V = sp.IndexedBase("Q"), sp.IndexedBase("K"), sp.IndexedBase("V")
S, P, Z = sp.IndexedBase("S"), sp.IndexedBase("P"), sp.IndexedBase("Z")
A, Kbar = sp.IndexedBase("A"), sp.IndexedBase("Kbar")

INPUTS = (
    Input("Q", ("n", "d"), "real", "queries, one per row"),
    Input("K", ("m", "d"), "real", "keys, one per row"),
    Input("V", ("m", "e"), "real", "values, one per row"),
)

# Tiny instances: the step checks expand softmax derivatives symbolically, entry by entry.
SIZES = {"n": (1, 2, 2), "m": (2, 1, 2), "d": (2, 1, 2), "e": (1, 2, 2)}


delta = sp.KroneckerDelta

# The softmax Jacobian of row a, ∂P_ak/∂S_al, written once for the Q and K chains.
SOFTMAX_ROW = (
    r"chain rule through the softmax of row $a$, with the softmax Jacobian $\partial P_{ak}/\partial S_{al} = P_{ak}(\delta_{kl} - P_{al})$ (derived earlier)"
)


def softmax_chain(m: sp.Expr, inner: sp.Expr) -> sp.Expr:
    """Σ_k V_kb Σ_l P_ak(δ_kl − P_al) · inner, where inner stands for ∂S_al/∂X_cf."""
    return sp.Sum(V[k, b] * sp.Sum(P[a, k] * (delta(k, l) - P[a, l]) * inner, (l, 1, m)), (k, 1, m))


def definitions(d: sp.Expr, m: sp.Expr, *, mean_key: bool = False) -> tuple[Definition, ...]:
    """Scores, row-softmax weights and output of A = softmax(QKᵀ/√d)V, in index form."""
    items = [
        Definition(
            S, sp.Sum(Q[a, g] * K[k, g], (g, 1, d)) / sp.sqrt(d), (a, k), "scaled scores $S = QK^\\top/\\sqrt{d}$"
        ),
        Definition(Z, sp.Sum(sp.exp(S[a, j]), (j, 1, m)), (a,), "normaliser of row $a$"),
        Definition(P, sp.exp(S[a, k]) / Z[a], (a, k), "attention weights, the softmax of row $a$ of $S$"),
        Definition(A, sp.Sum(P[a, k] * V[k, b], (k, 1, m)), (a, b), "attention output $A = PV$"),
    ]
    if mean_key:
        items.append(
            Definition(Kbar, sp.Sum(P[a, l] * K[l, f], (l, 1, m)), (a, f), "attention-weighted mean key of query $a$")
        )
    return tuple(items)


def attention(Q: anp.ndarray, K: anp.ndarray, V: anp.ndarray) -> anp.ndarray:  # noqa: N803 - the inputs' names
    """softmax(QKᵀ/√d)V with a row-wise, max-shifted softmax (autograd-differentiable)."""
    scores = anp.dot(Q, K.T) / anp.sqrt(Q.shape[1])
    weights = anp.exp(scores - anp.max(scores, axis=1, keepdims=True))
    weights = weights / anp.sum(weights, axis=1, keepdims=True)
    return anp.dot(weights, V)


def _pmatrix(rows: list[list[sp.Expr]]) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(latex(x) for x in row) for row in rows) + r"\end{pmatrix}"


def exercise_for(wrt: str, rng: np.random.Generator, *, n: int, e: int, logs_in: str) -> Exercise:
    """Draw an attention exercise with d = 1 (so √d = 1) and two keys.

    ``logs_in`` names the matrix ("Q" or "K") whose entries are logarithms of small integers;
    the other has small integer entries, so every weight e^{Q_a K_k} is a power of an integer and
    the answer is rational. Keys and values are distinct so that no Jacobian entry degenerates.
    """
    m = 2
    if logs_in == "Q":
        q_rows = [[sp.log(int(w))] for w in rng.choice([2, 3, 4], size=n, replace=False)]
        k_rows = [[sp.Integer(int(x))] for x in rng.choice([-1, 0, 1, 2], size=m, replace=False)]
    else:
        q_rows = [[sp.Integer(int(x))] for x in rng.integers(1, 4, size=n)]
        k_rows = [[sp.log(int(w))] for w in rng.choice([2, 3, 4], size=m, replace=False)]
    columns = [rng.choice(np.arange(-3, 4), size=m, replace=False) for _ in range(e)]
    v_rows = [[sp.Integer(int(columns[col][row])) for col in range(e)] for row in range(m)]
    prompt = (
        rf"Let $Q = {_pmatrix(q_rows)}$, $K = {_pmatrix(k_rows)}$ and $V = {_pmatrix(v_rows)}$ (so $d = 1$), "
        rf"and $A = \softmax(QK^\top/\sqrt{{d}})\,V$ with the softmax taken over each row. "
        rf"Compute every entry $J_{{abcf}} = \partial A_{{ab}}/\partial {wrt}_{{cf}}$, written as blocks over $(a, c)$: "
        rf"block $(a, c)$ is the matrix with rows $b$ and columns $f$ (every axis kept, even of size 1)."
    )
    return Exercise(
        prompt=prompt,
        values={"Q": q_rows, "K": k_rows, "V": v_rows},
        answer_label=rf"J = \bigl[\partial A_{{ab}}/\partial {wrt}_{{cf}}\bigr]_{{(a, c)}}",
    )
