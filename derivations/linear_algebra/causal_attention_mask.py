"""Causal masking in attention: adding −∞ above the diagonal makes row a a softmax over keys 1..a only."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_matrix
from symwork.publish.figures import new_figure, pdf_bytes

# a: query position, k and j: key positions (summed), b: value column, (c, f): entry of V, g: feature.
a, b, c, f, k, j, g = sp.symbols("a b c f k j g", integer=True, positive=True)
Q, K, V = sp.IndexedBase("Q"), sp.IndexedBase("K"), sp.IndexedBase("V")
S, M, m, Z, P, A = (sp.IndexedBase(name) for name in ("S", "M", "m", "Z", "P", "A"))


class CausalBias(sp.Function):
    """The additive causal mask: 0 where key k ≤ query a, −∞ where k > a (a later token)."""

    nargs = 2

    @classmethod
    def eval(cls, row: sp.Expr, col: sp.Expr) -> sp.Expr | None:
        if row.is_Integer and col.is_Integer:
            return sp.S.Zero if col <= row else -sp.oo
        return None

    def _numpycode(self, printer: Any) -> str:
        row, col = (printer._print(arg) for arg in self.args)
        return f"numpy.where(numpy.less_equal({col}, {row}), 0.0, -numpy.inf)"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        row, col = (printer._print(arg) for arg in self.args)
        return rf"\begin{{cases}} 0 & {col} \leq {row} \\ -\infty & {col} > {row} \end{{cases}}"


class Causal(sp.Function):
    """The causal indicator [k ≤ a]: 1 where query a may see key k, else 0 (e^{M_ak})."""

    nargs = 2

    @classmethod
    def eval(cls, row: sp.Expr, col: sp.Expr) -> sp.Expr | None:
        if row.is_Integer and col.is_Integer:
            return sp.S.One if col <= row else sp.S.Zero
        return None

    def _numpycode(self, printer: Any) -> str:
        row, col = (printer._print(arg) for arg in self.args)
        return f"numpy.less_equal({col}, {row}).astype(float)"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        row, col = (printer._print(arg) for arg in self.args)
        return rf"\begin{{cases}} 1 & {col} \leq {row} \\ 0 & {col} > {row} \end{{cases}}"


def _masked_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:  # noqa: N803 - the inputs' names
    """softmax(QKᵀ/√d + M)V with M = −∞ above the diagonal, as a decoder computes it."""
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    scores = np.where(np.triu(np.ones(scores.shape, dtype=bool), k=1), -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (weights / weights.sum(axis=1, keepdims=True)) @ V


def _exercise(rng: np.random.Generator) -> Exercise:
    # d = 1, queries ln w_a and integer keys: every weight e^{Q_a K_k} = w_a^{K_k} is an integer.
    weights = [int(w) for w in rng.choice([2, 3, 4], size=3, replace=False)]
    q_rows = [[sp.log(w)] for w in weights]
    q_tex = r"\begin{bmatrix} " + r" \\ ".join(rf"\ln {w}" for w in weights) + r" \end{bmatrix}"
    k_rows = [[sp.Integer(int(x))] for x in rng.choice([0, 1, 2], size=3, replace=False)]
    v_rows = [[sp.Integer(int(x))] for x in rng.choice(np.arange(-3, 4), size=3, replace=False)]
    return Exercise(
        prompt=(
            rf"A decoder attends with $Q = {q_tex}$, $K = {latex_matrix(k_rows)}$ and $V = {latex_matrix(v_rows)}$ "
            r"(so $d = 1$) under the causal mask. Compute the output $A = \softmax(QK^\top/\sqrt{d} + M)\,V$."
        ),
        values={"Q": q_rows, "K": k_rows, "V": v_rows},
        answer_label="A",
    )


def _figure() -> bytes:
    rng = np.random.default_rng(5)
    n, d = 6, 4
    queries, keys = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    weights = _masked_attention(queries, keys, np.eye(n))  # with V = I the output is the weight matrix itself
    fig, ax = new_figure(3.8, 3.2)
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for row in range(n):
        for col in range(n):
            ax.text(
                col,
                row,
                f"{weights[row, col]:.2f}",
                ha="center",
                va="center",
                fontsize=6,
                color="white" if weights[row, col] > 0.6 else "black",
            )
    ax.set_xticks(range(n), [str(i + 1) for i in range(n)])
    ax.set_yticks(range(n), [str(i + 1) for i in range(n)])
    ax.set_xlabel("key position $k$")
    ax.set_ylabel("query position $a$")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(r"Causal weights $P_{ak}$: zero for $k > a$, rows sum to 1")
    return pdf_bytes(fig)


@derivation(
    id="causal-attention-mask",
    title="Causal masking in attention",
    topic="linear-algebra",
    question=(
        r"A decoder computes $A = \softmax(QK^\top/\sqrt{d} + M)\,V$ for $n$ tokens, with the softmax over each row and the "
        r"causal mask $M_{ak} = 0$ for $k \leq a$ and $M_{ak} = -\infty$ for $k > a$. With $m_{ak} = e^{M_{ak}}$, show that "
        r"the weights are $P_{ak} = m_{ak}e^{S_{ak}}/\sum_j m_{aj}e^{S_{aj}}$, so that row $a$ of the output is an average "
        r"of $\bm{v}_1, \dots, \bm{v}_a$ only; that $\partial A_{ab}/\partial V_{cf} = 0$ for every later token $c > a$; and "
        r"that the first token's output is its own value."
    ),
    inputs=[
        Input("Q", ("n", "d"), "real", "queries, one per token"),
        Input("K", ("n", "d"), "real", "keys, one per token"),
        Input("V", ("n", "e"), "real", "values, one per token; the result is the (n, e) output $A$"),
    ],
    sizes={"n": (2, 3, 4), "d": (1, 2, 2), "e": (1, 2, 3)},
    reference=_masked_attention,
    exercise=_exercise,
    figure=_figure,
    tags=("attention", "causal-mask", "decoder"),
)
def causal_attention_mask(n: sp.Expr, d: sp.Expr, e: sp.Expr) -> Body:
    def over(expr: sp.Expr, index: sp.Symbol) -> sp.Expr:
        return sp.Sum(expr, (index, 1, n))

    normaliser = over(m[a, j] * sp.exp(S[a, j]), j)
    return Body(
        definitions=(
            Definition(
                S, sp.Sum(Q[a, g] * K[k, g], (g, 1, d)) / sp.sqrt(d), (a, k), r"scaled scores $S = QK^\top/\sqrt{d}$"
            ),
            Definition(M, CausalBias(a, k), (a, k), "the causal mask"),
            Definition(m, Causal(a, k), (a, k), r"$e^{M_{ak}}$: whether query $a$ may see key $k$"),
            Definition(Z, over(sp.exp(S[a, j] + M[a, j]), j), (a,), r"normaliser of row $a$"),
            Definition(
                P, sp.exp(S[a, k] + M[a, k]) / Z[a], (a, k), r"attention weights, the softmax of row $a$ of $S + M$"
            ),
            Definition(A, over(P[a, k] * V[k, b], k), (a, b), r"attention output $A = PV$"),
        ),
        indices={a: n, b: e, c: n, f: e, k: n, j: n, g: d},
        steps=(
            Step(
                lhs=P[a, k],
                rhs=m[a, k] * sp.exp(S[a, k]) / normaliser,
                why=(
                    r"$e^{S + M} = e^{S}e^{M} = m\,e^{S}$ with $e^{-\infty} = 0$: the masked keys vanish from the numerator "
                    r"and from the normaliser, which keeps the term $j = 1 \leq a$ and so stays positive"
                ),
            ),
            Step(
                lhs=sp.Derivative(A[a, b], V[c, f]),
                rhs=m[a, c] * P[a, c] * sp.KroneckerDelta(b, f),
                why=(
                    r"$A = PV$ is linear in $V$ and $P$ does not depend on $V$; the factor $m_{ac}$ (which $P_{ac}$ "
                    r"already carries) is $0$ for $c > a$: no gradient, and no information, flows from later tokens"
                ),
            ),
            Step(
                lhs=A[1, b],
                rhs=V[1, b],
                why=r"for $a = 1$ only $m_{11} = 1$: the first token attends to itself alone, $P_{11} = 1$",
            ),
        ),
        result=Step(
            lhs=A[a, b],
            rhs=over(m[a, k] * sp.exp(S[a, k]) * V[k, b], k) / normaliser,
            why=r"the first line in $A_{ab} = \sum_k P_{ak}V_{kb}$: a softmax-weighted average of the values of tokens $1, \dots, a$",
        ),
        result_indices=(a, b),
    )
