"""Multi-head attention: the concatenated heads times W_O is a sum over heads of P⁽ⁱ⁾ X W_V⁽ⁱ⁾ W_O⁽ⁱ⁾."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_matrix

from ._names import printed_base

# a: token (row), b: output feature; i: head; j: feature within a head (1..k); l: key token;
# c: column of the concatenation (1..hk); g: input feature (summed).
a, b, i, j, l, c, g = sp.symbols("a b i j l c g", integer=True, positive=True)  # noqa: E741 - textbook index names
X = sp.IndexedBase("X")
PROJECTIONS = ("W_Q", "W_K", "W_V", "W_O")
Qh, Kh, Vh = sp.IndexedBase("Q"), sp.IndexedBase("K"), sp.IndexedBase("V")
S, Z, P, H, C, O = (sp.IndexedBase(name) for name in ("S", "Z", "P", "H", "C", "O"))  # noqa: E741 - the output O


class HeadOf(sp.Function):
    """The head ⌈c/k⌉ that column c of the concatenation belongs to (integer arithmetic in numpy)."""

    nargs = 2

    @classmethod
    def eval(cls, column: sp.Expr, width: sp.Expr) -> sp.Expr | None:
        if column.is_Integer and width.is_Integer:
            return sp.Integer((int(column) - 1) // int(width) + 1)
        return None

    def _numpycode(self, printer: Any) -> str:
        column, width = (printer._print(arg) for arg in self.args)
        return f"(({column} - 1) // {width} + 1)"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        column, width = (printer._print(arg) for arg in self.args)
        return rf"\lceil {column}/{width} \rceil"


class SlotOf(sp.Function):
    """The position c − (⌈c/k⌉ − 1)k of column c within its head (integer arithmetic in numpy)."""

    nargs = 2

    @classmethod
    def eval(cls, column: sp.Expr, width: sp.Expr) -> sp.Expr | None:
        if column.is_Integer and width.is_Integer:
            return sp.Integer((int(column) - 1) % int(width) + 1)
        return None

    def _numpycode(self, printer: Any) -> str:
        column, width = (printer._print(arg) for arg in self.args)
        return f"(({column} - 1) % {width} + 1)"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        column, width = (printer._print(arg) for arg in self.args)
        return rf"{column} - (\lceil {column}/{width} \rceil - 1){width}"


def _multi_head(X: np.ndarray, W_Q: np.ndarray, W_K: np.ndarray, W_V: np.ndarray, W_O: np.ndarray) -> np.ndarray:  # noqa: N803
    """The textbook computation: each head's attention, the heads concatenated side by side, then W_O."""
    heads = []
    for q_proj, k_proj, v_proj in zip(W_Q, W_K, W_V, strict=True):
        queries, keys, values = X @ q_proj, X @ k_proj, X @ v_proj
        scores = queries @ keys.T / np.sqrt(q_proj.shape[1])
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        heads.append((weights / weights.sum(axis=1, keepdims=True)) @ values)
    return np.concatenate(heads, axis=1) @ W_O


def _exercise(rng: np.random.Generator) -> Exercise:
    # Two tokens, width 2, two heads of size k = 1. Queries read ln w_a from column 1 and keys read the integer
    # y_l from column 2, so every weight e^{q κ y_l ln w_a} = w_a^{q κ y_l} is rational.
    w = [int(v) for v in rng.choice([2, 3], size=2, replace=False)]
    y = [int(v) for v in rng.choice([0, 1, 2], size=2, replace=False)]
    signs = [int(v) for v in rng.choice([-1, 1], size=4)]
    scales = [int(v) for v in rng.choice([-2, -1, 1, 2], size=2)]
    x_rows = [[sp.log(w[0]), y[0]], [sp.log(w[1]), y[1]]]
    w_q = [[[signs[0]], [0]], [[signs[1]], [0]]]
    w_k = [[[0], [signs[2]]], [[0], [signs[3]]]]
    w_v = [[[0], [scales[0]]], [[0], [scales[1]]]]
    w_o = [[int(v) for v in row] for row in rng.integers(-2, 3, size=(2, 2))]
    while np.linalg.matrix_rank(np.array(w_o)) < 2:  # a singular W_O could hide a head
        w_o = [[int(v) for v in row] for row in rng.integers(-2, 3, size=(2, 2))]
    x_tex = rf"\begin{{bmatrix}} \ln {w[0]} & {y[0]} \\ \ln {w[1]} & {y[1]} \end{{bmatrix}}"

    def col(block: list[list[int]]) -> str:
        return latex_matrix(block)

    return Exercise(
        prompt=(
            rf"Two tokens $X = {x_tex}$ pass through two-head attention with $d_k = d_v = 1$: "
            rf"$W_Q^{{(1)}} = {col(w_q[0])}$, $W_K^{{(1)}} = {col(w_k[0])}$, $W_V^{{(1)}} = {col(w_v[0])}$, "
            rf"$W_Q^{{(2)}} = {col(w_q[1])}$, $W_K^{{(2)}} = {col(w_k[1])}$, $W_V^{{(2)}} = {col(w_v[1])}$ and "
            rf"$W_O = {latex_matrix(w_o)}$. Compute $O = [H^{{(1)}}\ H^{{(2)}}]\,W_O$."
        ),
        values={"X": x_rows, "W_Q": w_q, "W_K": w_k, "W_V": w_v, "W_O": w_o},
        answer_label="O",
    )


@derivation(
    id="multi-head-attention-concat",
    title="Multi-head attention as a sum over heads",
    topic="linear-algebra",
    question=(
        r"Head $i$ of multi-head attention computes $H^{(i)} = \softmax\bigl(XW_Q^{(i)}(XW_K^{(i)})^\top/\sqrt{k}\bigr)XW_V^{(i)} "
        r"= P^{(i)}XW_V^{(i)}$ with $W_Q^{(i)}, W_K^{(i)}, W_V^{(i)} \in \R^{d\times k}$; the layer outputs "
        r"$O = [H^{(1)}\ \cdots\ H^{(h)}]\,W_O$ with $W_O \in \R^{hk\times d}$. Writing $W_O^{(i)}$ for rows $(i - 1)k + 1, \dots, ik$ "
        r"of $W_O$, show that $O = \sum_i H^{(i)}W_O^{(i)} = \sum_i P^{(i)}X\bigl(W_V^{(i)}W_O^{(i)}\bigr)$: the heads "
        r"act independently and add, each through a $d\times d$ matrix $W_V^{(i)}W_O^{(i)}$ of rank at most $k$."
    ),
    inputs=[
        Input("X", ("n", "d"), "real", "the tokens, one per row"),
        Input("W_Q", ("h", "d", "k"), "real", r"query projections $W_Q^{(i)}$, one per head"),
        Input("W_K", ("h", "d", "k"), "real", r"key projections $W_K^{(i)}$"),
        Input("W_V", ("h", "d", "k"), "real", r"value projections $W_V^{(i)}$"),
        Input("W_O", ("r", "d"), "real", r"output projection, $r = hk$ rows; the result is the (n, d) output $O$"),
    ],
    sizes={"n": (2, 3), "d": (2, 3), "h": (2, 3), "k": (1, 2), "r": (2, 6)},
    reference=_multi_head,
    exercise=_exercise,
    tags=("attention", "multi-head", "concatenation"),
)
def multi_head_attention_concat(n: sp.Expr, d: sp.Expr, h: sp.Expr, k: sp.Expr, r: sp.Expr) -> Body:
    # Printed (symbolic sizes), W_Q needs braces before its index; at instances the inputs are the plain
    # IndexedBase("W_Q") that exact answers substitute into, under the same name.
    printed = not isinstance(n, int)
    WQ, WK, WV, WO = (
        printed_base(name, f"W^{{{name[-1]}}}") if printed else sp.IndexedBase(name) for name in PROJECTIONS
    )

    def block_row(head: sp.Expr, slot: sp.Expr) -> sp.Expr:
        return (head - 1) * k + slot  # row of W_O that column `slot` of head `head` multiplies

    per_head = sp.Sum(sp.Sum(H[i, a, j] * WO[block_row(i, j), b], (j, 1, k)), (i, 1, h))
    return Body(
        definitions=(
            Definition(Qh, sp.Sum(X[a, g] * WQ[i, g, j], (g, 1, d)), (i, a, j), r"queries of head $i$, $XW_Q^{(i)}$"),
            Definition(Kh, sp.Sum(X[a, g] * WK[i, g, j], (g, 1, d)), (i, a, j), r"keys of head $i$, $XW_K^{(i)}$"),
            Definition(Vh, sp.Sum(X[a, g] * WV[i, g, j], (g, 1, d)), (i, a, j), r"values of head $i$, $XW_V^{(i)}$"),
            Definition(S, sp.Sum(Qh[i, a, j] * Kh[i, l, j], (j, 1, k)) / sp.sqrt(k), (i, a, l), r"scores of head $i$"),
            Definition(Z, sp.Sum(sp.exp(S[i, a, l]), (l, 1, n)), (i, a), r"softmax normaliser of row $a$ of head $i$"),
            Definition(P, sp.exp(S[i, a, l]) / Z[i, a], (i, a, l), r"attention weights $P^{(i)}$ of head $i$"),
            Definition(
                H,
                sp.Sum(P[i, a, l] * Vh[i, l, j], (l, 1, n)),
                (i, a, j),
                r"output $H^{(i)} = P^{(i)}XW_V^{(i)}$ of head $i$",
            ),
            Definition(
                C, H[HeadOf(c, k), a, SlotOf(c, k)], (a, c), r"the heads side by side, $[H^{(1)}\ \cdots\ H^{(h)}]$"
            ),
            Definition(
                O,
                sp.Sum(C[a, c] * WO[c, b], (c, 1, r)),
                (a, b),
                r"the layer's output, $[H^{(1)}\ \cdots\ H^{(h)}]\,W_O$",
            ),
        ),
        indices={a: n, b: d, i: h, j: k, l: n, c: r, g: d},
        steps=(
            Step(
                lhs=O[a, b],
                rhs=sp.Sum(sp.Sum(C[a, block_row(i, j)] * WO[block_row(i, j), b], (j, 1, k)), (i, 1, h)),
                why=r"split the $hk$ columns of the concatenation into $h$ blocks of $k$: $c = (i - 1)k + j$",
            ),
            Step(rhs=per_head, why=r"column $(i - 1)k + j$ of the concatenation is column $j$ of head $i$"),
        ),
        result=Step(
            lhs=O[a, b],
            rhs=sp.Sum(
                sp.Sum(
                    P[i, a, l] * sp.Sum(X[l, g] * sp.Sum(WV[i, g, j] * WO[block_row(i, j), b], (j, 1, k)), (g, 1, d)),
                    (l, 1, n),
                ),
                (i, 1, h),
            ),
            why=(
                r"$\sum_j H^{(i)}_{aj}(W_O)_{(i-1)k+j,\,b} = (H^{(i)}W_O^{(i)})_{ab}$, and $H^{(i)} = P^{(i)}XW_V^{(i)}$: "
                r"$O = \sum_i P^{(i)}X(W_V^{(i)}W_O^{(i)})$, where $W_V^{(i)}W_O^{(i)}$ is $d\times d$ of rank $\leq k$"
            ),
        ),
        result_indices=(a, b),
    )
