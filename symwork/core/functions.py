"""ML functions as SymPy functions: sigmoid, relu, logsumexp and softmax, with derivatives and numerics."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy.core.logic import fuzzy_and


class sigmoid(sp.Function):  # noqa: N801 - SymPy functions are lower-case like sp.exp
    """The logistic sigmoid σ(x) = 1 / (1 + e^{-x})."""

    nargs = 1

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_zero:
            return sp.Rational(1, 2)
        if x is sp.oo:
            return sp.S.One
        if x is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _eval_rewrite_as_tanh(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.tanh(x / 2)) / 2

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real


class relu(sp.Function):  # noqa: N801
    """The rectifier relu(x) = max(0, x); its derivative is the Heaviside step."""

    nargs = 1

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number and x.is_real:
            return sp.Max(0, x)
        if x.is_nonnegative:
            return x
        if x.is_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Piecewise((x, x > 0), (0, True))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.Max(0, self.args[0])._eval_evalf(prec)


class logsumexp(sp.Function):  # noqa: N801
    """log Σ_k e^{x_k} over its arguments; ∂/∂x_k is the k-th softmax component."""

    @classmethod
    def eval(cls, *xs: sp.Expr) -> sp.Expr | None:
        if not xs:
            raise TypeError("logsumexp needs at least one argument")
        if len(xs) == 1:
            return xs[0]
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if not 1 <= argindex <= len(self.args):
            raise sp.ArgumentIndexError(self, argindex)
        return softmax(sp.Integer(argindex), *self.args)

    def _eval_rewrite_as_exp(self, *xs: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(sp.Add(*[sp.exp(x) for x in xs]))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_exp(*self.args)._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return fuzzy_and(x.is_real for x in self.args)


class softmax(sp.Function):  # noqa: N801
    """softmax(k, x_1, …, x_n) is the k-th component e^{x_k} / Σ_j e^{x_j} (k counts from 1)."""

    @classmethod
    def eval(cls, k: sp.Expr, *xs: sp.Expr) -> sp.Expr | None:
        if not xs:
            raise TypeError("softmax needs a component index and at least one argument")
        if k.is_Integer and not 1 <= int(k) <= len(xs):
            raise ValueError(f"softmax component {k} is outside 1..{len(xs)}")
        if len(xs) == 1:
            return sp.S.One
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex == 1 or not 1 <= argindex <= len(self.args):
            raise sp.ArgumentIndexError(self, argindex)
        k, xs = self.args[0], self.args[1:]
        j = argindex - 1
        return self * (sp.KroneckerDelta(k, j) - softmax(sp.Integer(j), *xs))

    def _eval_rewrite_as_exp(self, k: sp.Expr, *xs: sp.Expr, **kwargs: Any) -> sp.Expr:
        if not k.is_Integer:
            raise ValueError("softmax can only be written out for a concrete component index")
        return sp.exp(xs[int(k) - 1]) / sp.Add(*[sp.exp(x) for x in xs])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_exp(*self.args)._eval_evalf(prec)

    def _eval_is_positive(self) -> bool | None:
        return fuzzy_and(x.is_real for x in self.args[1:])


def softmax_vector(xs: sp.MatrixBase | list[sp.Expr]) -> sp.ImmutableMatrix:
    """The softmax of a column of expressions, as a column of `softmax` components."""
    items = list(xs)
    return sp.ImmutableMatrix([softmax(sp.Integer(k + 1), *items) for k in range(len(items))])


def _np_sigmoid(x: Any) -> Any:
    x = np.asarray(x, dtype=float)
    # The two branches avoid overflow of exp for large |x|.
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _np_relu(x: Any) -> Any:
    return np.maximum(x, 0.0)


def _np_logsumexp(*xs: Any) -> Any:
    stacked = np.stack(np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in xs]))
    top = stacked.max(axis=0)
    return top + np.log(np.exp(stacked - top).sum(axis=0))


def _np_softmax(k: Any, *xs: Any) -> Any:
    stacked = np.stack(np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in xs]))
    shifted = np.exp(stacked - stacked.max(axis=0))
    probs = shifted / shifted.sum(axis=0)
    return np.take_along_axis(probs, (np.asarray(k, dtype=int) - 1)[None, ...] * np.ones_like(probs[:1], dtype=int), 0)[0]


def _np_heaviside(x: Any, h0: Any = 0.5) -> Any:
    return np.heaviside(x, h0)


#: Numeric implementations used when expressions are compiled to numpy (see `numeric.py`).
NUMPY_FUNCTIONS: dict[str, Any] = {
    "sigmoid": _np_sigmoid,
    "relu": _np_relu,
    "logsumexp": _np_logsumexp,
    "softmax": _np_softmax,
    "Heaviside": _np_heaviside,
}

#: The ML functions by name, for parsers and printers.
ML_FUNCTIONS: dict[str, type[sp.Function]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "logsumexp": logsumexp,
    "softmax": softmax,
}
