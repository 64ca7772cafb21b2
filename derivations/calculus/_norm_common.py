"""Shared notation of the LayerNorm and RMSNorm Jacobians: activations, ε, inputs and ε chosen for rational answers."""

from __future__ import annotations

import sympy as sp

from symwork import Input

from ._opt_common import named

i, j, k = sp.symbols("i j k", integer=True, positive=True)
x = sp.IndexedBase("x")
y = sp.IndexedBase("y")
eps = named("eps", r"\epsilon", positive=True)

INPUTS = [
    Input("x", ("d",), "real", "pre-normalisation activations"),
    Input("eps", (), "small", r"stabiliser $\epsilon > 0$ added to the variance"),
]


def square_shift(total: int) -> sp.Rational:
    """The smallest ε that makes the normaliser rational, for a variance (or mean square) of total/9.

    ε = m²/36 - total/9 > 0 makes the normaliser √(… + ε) = m/6 rational, so every answer is a
    fraction, with ε ≤ 1.
    """
    m = sp.integer_nthroot(4 * total, 2)[0] + 1
    return sp.Rational(m * m - 4 * total, 36)
