"""The cost of softmax against linear attention: multiply-adds of (QKᵀ)V and Q(KᵀV), and where the orders cross."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Instance, Step, derivation
from symwork.core.spec import Part

n, m, d, e = sp.symbols("n m d e", integer=True, positive=True)
a, b, k, g = sp.symbols("a b k g", integer=True, positive=True)  # rows of Q, value columns, keys, features

# A backslash in the name makes SymPy print it verbatim: C_soft and C_lin as upright subscripts.
C_soft = sp.Symbol(r"C_{\mathrm{soft}}", integer=True, positive=True)
C_lin = sp.Symbol(r"C_{\mathrm{lin}}", integer=True, positive=True)


# Every entry of a product of a (p × q) and a (q × r) matrix is a sum of q products: one multiply-add
# per term, so each count is a sum of 1 over (row, column, summed index); SymPy prints the limits in
# that order.
_SOFT_COUNT = sp.Sum(1, (a, 1, n), (k, 1, m), (g, 1, d)) + sp.Sum(1, (a, 1, n), (b, 1, e), (k, 1, m))
_LIN_COUNT = sp.Sum(1, (g, 1, d), (b, 1, e), (k, 1, m)) + sp.Sum(1, (a, 1, n), (b, 1, e), (g, 1, d))


def _matmul_cost(left: tuple[int, int], right: tuple[int, int]) -> int:
    """Multiply-adds of a product of matrices with these shapes."""
    (rows, inner), (inner_right, cols) = left, right
    if inner != inner_right:
        raise ValueError(f"shapes {left!r} and {right!r} do not chain")
    return rows * inner * cols


def _counts_by_shapes(n: Any, m: Any, d: Any, e: Any) -> np.ndarray:
    """The two counts by chaining the operands' shapes: (n×d)(d×m) then (n×m)(m×e); (d×m)(m×e) then (n×d)(d×e)."""
    n, m, d, e = (round(float(x)) for x in (n, m, d, e))
    soft = _matmul_cost((n, d), (d, m)) + _matmul_cost((n, m), (m, e))
    lin = _matmul_cost((d, m), (m, e)) + _matmul_cost((n, d), (d, e))
    return np.array([soft, lin], dtype=float)


def _evaluate_counts(instance: Instance, values: dict[str, np.ndarray]) -> np.ndarray:
    # The definitions are sums whose bounds are inputs, which the engine's array evaluation of
    # definitions cannot loop over; the result itself is a polynomial, so evaluate just that.
    rhs = instance.body.result.rhs
    names = sorted(str(symbol) for symbol in rhs.free_symbols)
    function = sp.lambdify([sp.Symbol(name, integer=True, positive=True) for name in names], rhs, "numpy")
    return np.asarray(function(*(float(values[name]) for name in names)), dtype=float).reshape(-1)


def _exercise(rng: np.random.Generator) -> Exercise:
    # Powers of two as in real models; short sequences sometimes, so either order can win.
    seq = int(rng.choice([16, 64, 256, 1024, 4096]))
    keys = int(rng.choice([seq, 2 * seq]))
    dim = int(rng.choice([32, 64, 128]))
    values_dim = int(rng.choice([dim, dim // 2]))
    return Exercise(
        prompt=(
            rf"An attention layer has $n = {seq}$ queries, $m = {keys}$ keys and values, query and key dimension "
            rf"$d = {dim}$ and value dimension $e = {values_dim}$."
        ),
        values={"n": seq, "m": keys, "d": dim, "e": values_dim},
        parts=(
            Part(name=r"C_{\mathrm{soft}}", ask=r"Count the multiply-adds of the products in $(QK^\top)V$.", of=0),
            Part(name=r"C_{\mathrm{lin}}", ask=r"Count the multiply-adds of the products in $Q(K^\top V)$.", of=1),
            Part(
                name=r"\text{the cheaper order}",
                ask=r"Which order is cheaper: softmax's $(QK^\top)V$, linear attention's $Q(K^\top V)$, or are they equal?",
                of=n * m * (d + e) - (n + m) * d * e,
                words=("softmax", "equal", "linear"),
                reference=_cheaper,
            ),
        ),
    )


def _cheaper(n: float, m: float, d: float, e: float) -> str:
    """Which product order costs fewer multiply-adds, by chaining the shapes (not by the derived formulas)."""
    soft, lin = _counts_by_shapes(n, m, d, e)
    return "equal" if soft == lin else ("softmax" if soft < lin else "linear")


@derivation(
    id="linear-attention-complexity",
    title="Cost of softmax attention against linear attention",
    topic="linear-algebra",
    question=(
        r"With $Q \in \R^{n\times d}$, $K \in \R^{m\times d}$, $V \in \R^{m\times e}$, count the multiply-adds "
        r"$C_{\mathrm{soft}}$ of the products in softmax attention $\softmax(QK^\top)V$ and $C_{\mathrm{lin}}$ in "
        r"linear attention $\phi(Q)\,(\phi(K)^\top V)$ (feature map and normalisers not counted). Show that "
        r"$C_{\mathrm{soft}} = nm(d + e)$ and $C_{\mathrm{lin}} = (n + m)de$, and find where the two orders cost the same."
    ),
    inputs=[
        Input("n", (), "count", "number of queries"),
        Input("m", (), "count", "number of keys and values"),
        Input("d", (), "count", "query and key dimension (of the features $\\phi$ for linear attention)"),
        Input("e", (), "count", "value dimension"),
    ],
    reference=_counts_by_shapes,
    evaluator=_evaluate_counts,
    exercise=_exercise,
    tags=("attention", "complexity"),
)
def linear_attention_complexity() -> Body:
    return Body(
        definitions=(
            Definition(C_soft, _SOFT_COUNT, (), r"multiply-adds of $(QK^\top)V$: one per product in each entry's sum"),
            Definition(C_lin, _LIN_COUNT, (), r"multiply-adds of $\phi(Q)(\phi(K)^\top V)$"),
        ),
        indices={a: n, b: e, k: m, g: d},
        steps=(
            Step(
                lhs=C_soft,
                rhs=n * m * d + n * m * e,
                why=r"$QK^\top$ has $nm$ entries, each a sum of $d$ products; $PV$ has $ne$ entries, each a sum of $m$",
            ),
            Step(rhs=n * m * (d + e), why=r"factor out $nm$: quadratic in the sequence length"),
            Step(
                lhs=C_lin,
                rhs=m * d * e + n * d * e,
                why=r"$\phi(K)^\top V$ has $de$ entries, each a sum of $m$ products; "
                r"$\phi(Q)(\phi(K)^\top V)$ has $ne$ entries, each a sum of $d$",
            ),
            Step(rhs=(n + m) * d * e, why=r"factor out $de$: linear in the sequence lengths"),
            Step(
                lhs=C_soft - C_lin,
                rhs=n * m * d * e * (1 / d + 1 / e - 1 / n - 1 / m),
                why=r"factor out $nmde$: the orders cost the same when $\frac{1}{n} + \frac{1}{m} = \frac{1}{d} + \frac{1}{e}$, "
                r"and for $n = m$, $d = e$ linear attention is cheaper exactly when $n > d$",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([C_soft, C_lin]),
            rhs=sp.Matrix([n * m * (d + e), (n + m) * d * e]),
            why=r"the two counts; for $n = m$ and $d = e$ their ratio is $n/d$",
        ),
    )
