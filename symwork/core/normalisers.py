"""The ML functions over several arguments: logsumexp and the softmax component, stable in numpy."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.logic import fuzzy_and

from symwork.core.mlfunction import MLFunction, Notation, imported, parenthesized, printed_args


def _stacked(printer: Any, xs: tuple[sp.Basic, ...]) -> str:
    """numpy code for the arguments stacked along a new first axis (they may be arrays of any broadcastable shapes)."""
    stack, broadcast = imported(printer, "numpy.stack"), imported(printer, "numpy.broadcast_arrays")
    return f"{stack}({broadcast}({printed_args(printer, xs)}))"


class logsumexp(MLFunction):  # noqa: N801
    """log Σ_k e^{x_k} over its arguments; ∂/∂x_k is the k-th softmax component."""

    notation = Notation(r"\logsumexp", latex=("logsumexp", "LSE"), plain=("logsumexp",), form="entries")

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

    def _numpycode(self, printer: Any) -> str:
        # scipy shifts by the maximum, so logsumexp(1000, 1000) is 1000 + log 2, not inf.
        return f"{imported(printer, 'scipy.special.logsumexp')}({_stacked(printer, self.args)}, axis=0)"


class softmax(MLFunction):  # noqa: N801
    """softmax(k, x_1, …, x_n) is the k-th component e^{x_k} / Σ_j e^{x_j} (k counts from 1)."""

    notation = Notation(r"\softmax", latex=("softmax",), plain=("softmax",), form="component")

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

    def _eval_rewrite_as_exp(self, k: sp.Expr, *xs: sp.Expr, **kwargs: Any) -> sp.Expr | None:
        if not k.is_Integer:
            return None  # only a concrete component can be written out
        return sp.exp(xs[int(k) - 1]) / sp.Add(*[sp.exp(x) for x in xs])

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        written = self._eval_rewrite_as_exp(*self.args)
        return None if written is None else written._eval_evalf(prec)

    def _eval_is_positive(self) -> bool | None:
        return fuzzy_and(x.is_real for x in self.args[1:])

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        component, *xs = self.args
        text = rf"{self.notation.macro}\left({printed_args(printer, tuple(xs))}\right)_{{{printer._print(component)}}}"
        return f"{text}^{{{exp}}}" if exp else text

    def _numpycode(self, printer: Any) -> str:
        k, xs = self.args[0], self.args[1:]
        probabilities = f"{imported(printer, 'scipy.special.softmax')}({_stacked(printer, xs)}, axis=0)"
        if k.is_Integer:
            return f"{probabilities}[{int(k) - 1}]"
        # A symbolic component (an index array) picks its row of the probabilities entry by entry.
        equal, index = imported(printer, "numpy.equal"), printer._print(k)
        conditions = ", ".join(f"{equal}({index}, {j})" for j in range(1, len(xs) + 1))
        nan = imported(printer, "numpy.nan")
        return f"{imported(printer, 'numpy.select')}([{conditions}], list({probabilities}), {nan})"

    def _mpmathcode(self, printer: Any) -> str:
        k, xs = self.args[0], self.args[1:]
        if k.is_Integer:
            return super()._mpmathcode(printer)
        # A symbolic component is sampled as an integer; it picks its argument when the code runs.
        exp, fsum = imported(printer, "mpmath.exp"), imported(printer, "mpmath.fsum")
        values = [printer._print(x) for x in xs]
        chosen = f"[{', '.join(values)}][int({printer._print(k)}) - 1]"
        return parenthesized(f"{exp}({chosen}) / {fsum}([{', '.join(f'{exp}({v})' for v in values)}])")


def softmax_vector(xs: sp.MatrixBase | list[sp.Expr]) -> sp.ImmutableMatrix:
    """The softmax of a column of expressions, as a column of `softmax` components."""
    items = list(xs)
    return sp.ImmutableMatrix([softmax(sp.Integer(k + 1), *items) for k in range(len(items))])
