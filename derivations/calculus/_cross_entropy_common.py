"""Shared notation of the softmax cross-entropy gradients: logits, softmax definitions and the printed target."""

from __future__ import annotations

import sympy as sp

from symwork import Definition

i, j, k = sp.symbols("i j k", integer=True, positive=True)
z = sp.IndexedBase("z")
y = sp.IndexedBase("y")
s = sp.IndexedBase("s")
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k}
L = sp.Symbol("L")


def softmax_definitions(n: sp.Expr) -> tuple[Definition, ...]:
    """s_i = e^{z_i}/S and S = Σ_k e^{z_k}."""
    return (
        Definition(s, sp.exp(z[i]) / S, (i,), "softmax component"),
        Definition(S, sp.Sum(sp.exp(z[k]), (k, 1, n)), (), "normaliser"),
    )


def fraction_list(values: list[sp.Expr]) -> str:
    """Exact numbers as LaTeX, separated by commas."""
    return ", ".join(sp.latex(v) for v in values)
