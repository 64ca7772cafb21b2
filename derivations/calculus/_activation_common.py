"""Exercise points x = log r for the sigmoid and tanh derivatives, chosen so that every answer is a simple fraction."""

from __future__ import annotations

import numpy as np
import sympy as sp

#: Ratios r for x = log r: σ(log r) = r/(1 + r) and tanh(log r) = (r² − 1)/(r² + 1) are simple fractions.
RATIOS = (1, 2, 3, 4, sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 4), sp.Rational(3, 2), sp.Rational(2, 3))


def log_ratio(rng: np.random.Generator) -> sp.Expr:
    """log r for a ratio r drawn from ``RATIOS``."""
    return sp.log(RATIOS[int(rng.integers(0, len(RATIOS)))])
