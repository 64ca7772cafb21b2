"""Shared pieces of the calculus derivations: the normal CDF/density as SymPy functions and autograd helpers."""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork.core import functions
from symwork.core.functions import Phi as Phi  # re-exported: the GELU family lives in the engine
from symwork.core.functions import gelu as gelu
from symwork.core.functions import phi as phi


class sigmoid(functions.sigmoid):  # noqa: N801 - same name, so printers and numerics treat it as σ
    """σ that evaluates at a number: σ(log r) becomes r/(1 + r) at once.

    ``exact_answer`` simplifies σ(log r)(1 − σ(log r)) in ~60 ms; evaluating on construction makes it instant.
    """

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number:
            return 1 / (1 + sp.exp(-x))
        return super().eval(x)


class tanh(sp.tanh):  # noqa: N801
    """tanh that evaluates at a number: tanh(log r) becomes (r² − 1)/(r² + 1) at once.

    SymPy leaves tanh(log r) alone, and ``simplify`` then needs ~0.2–0.6 s per exercise.
    """

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number:
            return (sp.exp(2 * x) - 1) / (sp.exp(2 * x) + 1)
        return super().eval(x)


def anp_sigmoid(x: Any) -> Any:
    """σ(x) for autograd, written as 1/(1 + e^{-x}) (inputs are moderate, so no overflow guard is needed)."""
    return 1 / (1 + anp.exp(-x))


def anp_log_softmax(z: Any) -> Any:
    """ln softmax(z) for autograd, shifted by max(z) for stability."""
    shifted = z - anp.max(z)
    return shifted - anp.log(anp.sum(anp.exp(shifted)))


def log_ratio_logits(rng: np.random.Generator, size: int) -> tuple[str, list[sp.Expr]]:
    """Logits log w_k for small integer weights w_k, so that every softmax value is a simple fraction.

    Returns the LaTeX of the vector, e.g. ``(\\ln 2, 0, \\ln 3)``, and the exact values.
    """
    weights = [int(w) for w in rng.integers(1, 5, size=size)]
    text = ", ".join("0" if w == 1 else rf"\ln {w}" for w in weights)
    return f"({text})", [sp.log(w) for w in weights]
