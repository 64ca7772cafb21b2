"""Helpers shared by the probability derivations: checkable Gaussian and Bernoulli expectations, an indicator and a root finder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp


class GaussianExpectation(sp.Function):
    """E[g(X)] for X ~ N(mu, sigma^2) and g a polynomial in X (after expanding logs of exponentials).

    Arguments: ``(g, x, mu, sigma)``. ``doit`` substitutes x = mu + sigma*z and replaces z^m by the
    standard normal moments, so checks stay fast; SymPy's own integrals take minutes here.
    """

    nargs = 4

    def doit(self, **hints: Any) -> sp.Expr:
        body, x, mu, sigma = (arg.doit(**hints) if hints.get("deep", True) else arg for arg in self.args)
        z = sp.Dummy("z")
        body = sp.expand(sp.expand_log(body, force=True))
        poly = sp.Poly(sp.expand(body.subs(x, mu + sigma * z)), z)
        return sp.Add(*(coeff * _standard_moment(power) for (power,), coeff in poly.terms()))

    def _latex(self, printer: Any) -> str:
        body, x, _, _ = self.args
        return r"\E\left[" + printer._print(body.subs(x, sp.Symbol("X"))) + r"\right]"


class Indicator(sp.Function):
    """The Kronecker delta δ_ab written so that sums over a symbolic free index stay plain sums.

    SymPy's KroneckerDelta turns ``Sum(p[k]*δ(k, i), (k, 1, 3))`` into a Piecewise in ``i``, which the
    numeric checks cannot broadcast over two free indices; this one is summed term by term instead.
    """

    nargs = 2

    @classmethod
    def eval(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
        if a == b:
            return sp.S.One
        if a.is_number and b.is_number:
            return sp.S.Zero
        return None

    def _numpycode(self, printer: Any) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return f"numpy.equal({a}, {b}).astype(float)"

    def _latex(self, printer: Any) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return rf"\delta_{{{a} {b}}}"


class BernoulliExpectation(sp.Function):
    """E[g] for g a polynomial in independent Bernoulli(p) variables: the entries of ``x`` and ``y``.

    Arguments: ``(g, x, y, p)`` with ``x`` an IndexedBase. ``doit`` expands g; a binary variable has
    x^m = x, and independence makes the mean of a monomial p to the number of distinct variables.
    """

    nargs = 4

    def doit(self, **hints: Any) -> sp.Expr:
        body, base, y, prob = self.args
        body = sp.expand(body.doit(**hints))
        variables = sorted(
            {e for e in body.atoms(sp.Indexed) if e.base == base} | ({y} if body.has(y) else set()),
            key=sp.default_sort_key,
        )
        if not variables:
            return body
        poly = sp.Poly(body, *variables)
        return sp.Add(*(coeff * prob ** sum(1 for m in powers if m) for powers, coeff in poly.terms()))

    def _latex(self, printer: Any) -> str:
        return r"\E\left[" + printer._print(self.args[0]) + r"\right]"


def _standard_moment(power: int) -> sp.Expr:
    # E[z^m] for z ~ N(0, 1): zero for odd m, (m - 1)!! for even m.
    return sp.S.Zero if power % 2 else sp.factorial2(power - 1) if power else sp.S.One


def bisect(function: Callable[[float], float], low: float, high: float, *, steps: int = 200) -> float:
    """A root of a continuous ``function`` with a sign change on [low, high], to machine precision."""
    f_low = function(low)
    for _ in range(steps):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        f_middle = function(middle)
        if (f_middle > 0) == (f_low > 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return (low + high) / 2
