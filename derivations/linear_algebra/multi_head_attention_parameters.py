"""The parameter count of multi-head attention, and why splitting the width into h heads costs nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation


class _Size(sp.Symbol):
    """A size symbol with the input's plain name (dk) that prints with a subscript (d_k)."""

    def _latex(self, printer: Any) -> str:
        name = str(self.name)
        return {"dk": "d_k", "dv": "d_v"}.get(name, name)


d, h = sp.Symbol("d", positive=True), sp.Symbol("h", positive=True)
dk, dv = _Size("dk", positive=True), _Size("dv", positive=True)
P_mha = sp.Symbol(r"P_{\mathrm{MHA}}")


def _count_by_arrays(d: float, h: float, dk: float, dv: float) -> float:
    # Allocate the actual weight and bias arrays of every head and of the output projection, and count entries.
    width, heads, key, value = int(d), int(h), int(dk), int(dv)
    arrays = []
    for _ in range(heads):
        arrays += [np.zeros((width, key)), np.zeros(key)]  # W_Q, b_Q
        arrays += [np.zeros((width, key)), np.zeros(key)]  # W_K, b_K
        arrays += [np.zeros((width, value)), np.zeros(value)]  # W_V, b_V
    arrays += [np.zeros((heads * value, width)), np.zeros(width)]  # W_O, b_O
    return float(sum(array.size for array in arrays))


def _exercise(rng: np.random.Generator) -> Exercise:
    width = int(rng.choice([512, 768, 1024, 2048]))
    heads = int(rng.choice([4, 8, 12, 16]))
    key = int(rng.choice([32, 64, 128]))
    value = int(rng.choice([32, 64, 128]))
    return Exercise(
        prompt=(
            rf"A multi-head attention layer of width $d = {width}$ has $h = {heads}$ heads with query/key size $d_k = {key}$ "
            rf"and value size $d_v = {value}$, and a bias on every projection. How many parameters does it have?"
        ),
        values={"d": width, "h": heads, "dk": key, "dv": value},
        answer_label=r"P_{\mathrm{MHA}}",
    )


@derivation(
    id="multi-head-attention-parameters",
    title="Parameter count of multi-head attention",
    topic="linear-algebra",
    question=(
        r"Multi-head attention of width $d$ has, for each of its $h$ heads, projections $W_Q^{(i)}, W_K^{(i)} \in \R^{d\times d_k}$ "
        r"and $W_V^{(i)} \in \R^{d\times d_v}$ with biases, and an output projection $W_O \in \R^{h d_v\times d}$ with a bias. "
        r"Show that it has $P_{\mathrm{MHA}} = 2hd_k(d + 1) + hd_v(2d + 1) + d$ parameters, and that with the usual "
        r"$d_k = d_v = d/h$ this is $4d^2 + 4d$ whatever $h$: splitting the width into heads costs no parameters."
    ),
    inputs=[
        Input("d", (), "count", "model width $d$"),
        Input("h", (), "count", "number of heads $h$"),
        Input("dk", (), "count", r"query and key size $d_k$ per head"),
        Input("dv", (), "count", r"value size $d_v$ per head; the result is the parameter count"),
    ],
    reference=_count_by_arrays,
    exercise=_exercise,
    tags=("attention", "multi-head", "parameter-count"),
)
def multi_head_attention_parameters() -> Body:
    blocks = h * (d * dk + dk) + h * (d * dk + dk) + h * (d * dv + dv) + (h * dv * d + d)
    count = 2 * h * dk * (d + 1) + h * dv * (2 * d + 1) + d
    return Body(
        definitions=(
            Definition(
                P_mha,
                blocks,
                (),
                (
                    r"the entries of all weights and biases, block by block: per head $dd_k + d_k$ for $W_Q^{(i)}$ and its "
                    r"bias, the same for $W_K^{(i)}$, $dd_v + d_v$ for $W_V^{(i)}$; then $hd_v \cdot d + d$ for $W_O$ and its bias"
                ),
            ),
        ),
        steps=(
            Step(
                lhs=P_mha,
                rhs=h * d * (2 * dk + dv) + h * dv * d + h * (2 * dk + dv) + d,
                why=r"weights of the heads, weights of $W_O$, then all the biases",
            ),
            Step(
                lhs=sp.Subs(count, (dk, dv), (d / h, d / h)),
                rhs=4 * d**2 + 4 * d,
                why=r"$d_k = d_v = d/h$: $2d(d + 1) + d(2d + 1) + d$; $h$ cancels, the same as one head of size $d$",
            ),
        ),
        result=Step(
            lhs=P_mha,
            rhs=count,
            why=r"collect the terms in $d_k$ and in $d_v$ in the first line; for $d = 768$, $h = 12$, $d_k = d_v = 64$ it is $4 \cdot 768^2 + 4 \cdot 768 = 2\,362\,368$",
        ),
    )
