"""The elementwise ML functions: sigmoid, relu, the normal CDF Φ and density φ, and the exact GELU."""

from __future__ import annotations

from typing import Any

import sympy as sp

from symwork.core.mlfunction import MLFunction, Notation, imported, parenthesized


class sigmoid(MLFunction):  # noqa: N801 - SymPy functions are lower-case like sp.exp
    """The logistic sigmoid σ(x) = 1 / (1 + e^{-x})."""

    nargs = 1
    notation = Notation(r"\sigma", latex=("sigmoid",), plain=("sigmoid",), symbol=("sigma",))

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

    def _numpycode(self, printer: Any) -> str:
        # scipy's expit never overflows: σ(-1000) is 0 and σ(1000) is 1.
        return f"{imported(printer, 'scipy.special.expit')}({printer._print(self.args[0])})"


class relu(MLFunction):  # noqa: N801
    """The rectifier relu(x) = max(0, x); its derivative is the Heaviside step."""

    nargs = 1
    notation = Notation(r"\relu", latex=("relu", "ReLU"), plain=("relu",))
    closed_in = sp.Max

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

    def _numpycode(self, printer: Any) -> str:
        return f"{imported(printer, 'numpy.maximum')}({printer._print(self.args[0])}, 0.0)"


class Phi(MLFunction):  # noqa: N801 - printed as the usual \Phi
    """The standard normal CDF Φ(x) = (1 + erf(x/√2))/2; at a number it becomes that closed form."""

    nargs = 1
    notation = Notation(r"\Phi")
    closed_in = sp.erf

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number:
            return (1 + sp.erf(x / sp.sqrt(2))) / 2
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return phi(self.args[0])

    def _eval_rewrite_as_erf(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.erf(x / sp.sqrt(2))) / 2

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_erf(self.args[0])._eval_evalf(prec)

    def _numpycode(self, printer: Any) -> str:
        return f"{imported(printer, 'scipy.special.ndtr')}({printer._print(self.args[0])})"


class phi(MLFunction):  # noqa: N801
    """The standard normal density φ(x) = e^{-x²/2}/√(2π); at a number it becomes that closed form."""

    nargs = 1
    notation = Notation(r"\phi")

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number:
            return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return -self.args[0] * self

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)

    def _numpycode(self, printer: Any) -> str:
        return parenthesized(printer._print(self.closed_form()))


class gelu(MLFunction):  # noqa: N801
    """The exact GELU, x·Φ(x); printed with the symwork.sty macro \\GELU."""

    nargs = 1
    # Typed answers have always read GELU written out in erf, as x(1 + erf(x/√2))/2.
    notation = Notation(r"\GELU", latex=("gelu", "GELU"), plain=("gelu",), parsed_closed=True)
    closed_in = sp.erf

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_number:
            return x * Phi(x)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        x = self.args[0]
        return Phi(x) + x * phi(x)

    def _eval_rewrite_as_erf(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return x * (1 + sp.erf(x / sp.sqrt(2))) / 2

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_erf(self.args[0])._eval_evalf(prec)

    def _numpycode(self, printer: Any) -> str:
        x = printer._print(self.args[0])
        return parenthesized(f"({x})*{imported(printer, 'scipy.special.ndtr')}({x})")
