"""Softmax is unchanged by adding a constant to every logit; shifting by the maximum gives the stable log-softmax."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import special

from symwork import Body, Definition, Exercise, Input, Step, derivation

i, k = sp.symbols("i k", integer=True, positive=True)
z, s = sp.IndexedBase("z"), sp.IndexedBase("s")
c = sp.Symbol("c", real=True)
m = sp.Symbol("m")  # the largest logit


class MaxEntry(sp.Function):
    """max_k z_k of a vector of symbolic length (printed only; instances use sp.Max over the entries)."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        base, _ = self.args
        return rf"\max_k {printer._print(base)}_k"


def _largest(n: sp.Expr) -> sp.Expr:
    if isinstance(n, int) or (isinstance(n, sp.Expr) and n.is_Integer):
        return sp.Max(*(z[entry] for entry in range(1, int(n) + 1)))
    return MaxEntry(z, n)


def _exercise(rng: np.random.Generator) -> Exercise:
    offsets = [int(v) for v in rng.choice(np.arange(-2, 3), size=3, replace=False)]
    base = int(rng.choice([800, 1000, 1200]))
    logits = [base + offset for offset in offsets]
    return Exercise(
        prompt=(
            rf"The logits $\bm{{z}} = ({', '.join(map(str, logits))})$ overflow a float64 exponential ($e^{{710}} = \infty$). "
            r"Compute $\ln\softmax(\bm{z})$ exactly with the stable form, shifting by $m = \max_k z_k$."
        ),
        values={"z": logits},
        answer_label=r"\ln\softmax(\bm{z})",
    )


@derivation(
    id="softmax-shift-invariance",
    title="Softmax shift invariance and the stable log-softmax",
    topic="calculus",
    question=(
        r"Let $s_i = e^{z_i}/\sum_k e^{z_k}$ be the softmax of logits $\bm{z} \in \R^n$. Show that adding the same $c$ to every "
        r"logit leaves $\bm{s}$ unchanged, and that $\ln s_i = z_i - m - \ln\sum_k e^{z_k - m}$ with $m = \max_k z_k$; in this "
        r"form no exponential overflows and the logarithm's argument lies in $[1, n]$."
    ),
    inputs=[Input("z", ("n",), "real", r"logits; the result is the vector $\ln\softmax(\bm{z})$, shape (n,)")],
    sizes={"n": (2, 3, 5)},
    reference=lambda z: special.log_softmax(np.asarray(z, dtype=float)),
    exercise=_exercise,
    tags=("softmax", "log-softmax", "numerical-stability", "logsumexp"),
)
def softmax_shift_invariance(n: sp.Expr) -> Body:
    def total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (k, 1, n))

    return Body(
        definitions=(
            Definition(s, sp.exp(z[i]) / total(sp.exp(z[k])), (i,), "softmax component"),
            Definition(m, _largest(n), (), "the largest logit"),
        ),
        variables=(Input("c", (), "real", "a shift added to every logit"),),
        indices={i: n, k: n},
        steps=(
            Step(
                lhs=sp.exp(z[i] + c) / total(sp.exp(z[k] + c)),
                # Unevaluated: SymPy would merge e^{c}e^{z_i} into e^{c + z_i} and cancel the quotient at once.
                rhs=sp.Mul(
                    sp.Mul(sp.exp(c), sp.exp(z[i]), evaluate=False),
                    sp.Pow(sp.Mul(sp.exp(c), total(sp.exp(z[k])), evaluate=False), -1, evaluate=False),
                    evaluate=False,
                ),
                why=r"$e^{z + c} = e^{c}e^{z}$, and $e^{c}$ comes out of the sum",
            ),
            Step(rhs=s[i], why=r"cancel $e^{c} > 0$: $\softmax(\bm{z} + c\bm{1}) = \softmax(\bm{z})$ for every $c$"),
            Step(
                lhs=sp.log(s[i]),
                rhs=z[i] - sp.log(total(sp.exp(z[k]))),
                why=(
                    r"the logarithm of a quotient; evaluated as written, $e^{z_k}$ overflows to $\infty$ for $z_k > 709$ "
                    r"and a tiny $s_i$ underflows to $0$, whose logarithm is $-\infty$"
                ),
            ),
            Step(
                rhs=z[i] - c - sp.log(total(sp.exp(z[k] - c))),
                why=r"$\ln\sum_k e^{z_k} = c + \ln\sum_k e^{z_k - c}$ for any $c$, by the first two lines",
            ),
            Step(
                lhs=sp.log(total(sp.exp(z[k] - m))),
                rhs=sp.S.Zero,
                relation=">=",
                why=r"with $c = m = \max_k z_k$ one term is $e^0 = 1$ and the others are positive",
            ),
            Step(
                lhs=sp.log(total(sp.exp(z[k] - m))),
                rhs=sp.log(n),
                relation="<=",
                why=r"every exponent $z_k - m \leq 0$, so each of the $n$ terms is at most $1$ and nothing overflows",
            ),
        ),
        result=Step(
            lhs=sp.log(s[i]),
            rhs=z[i] - m - sp.log(total(sp.exp(z[k] - m))),
            why=r"choose $c = m$: by the two bounds above the logarithm is finite and in $[0, \ln n]$, and no exponential overflows",
        ),
        result_indices=(i,),
    )
