"""Shared pieces of the calculus derivations: the normal CDF/density as SymPy functions and autograd helpers."""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp
import numpy as np
import sympy as sp
from scipy import special

from symwork.core import functions


def _normal_cdf(x: Any) -> Any:
    return special.ndtr(np.asarray(x, dtype=float))


def _normal_pdf(x: Any) -> Any:
    x = np.asarray(x, dtype=float)
    return np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)


def _gelu(x: Any) -> Any:
    x = np.asarray(x, dtype=float)
    return x * special.ndtr(x)


class Phi(sp.Function):  # noqa: N801 - printed as the usual \Phi
    """The standard normal CDF Φ(x) = (1 + erf(x/√2))/2; at a number it becomes that closed form.

    ``_imp_`` gives lambdify a vectorised implementation: the engine's numpy printer would otherwise
    call ``math.erf``, which only accepts scalars.
    """

    nargs = 1
    _imp_ = staticmethod(_normal_cdf)

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

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        head = rf"\Phi^{{{exp}}}" if exp else r"\Phi"
        return rf"{head}\left({printer._print(self.args[0])}\right)"



class phi(sp.Function):  # noqa: N801
    """The standard normal density φ(x) = e^{-x²/2}/√(2π); at a number it becomes that closed form."""

    nargs = 1
    _imp_ = staticmethod(_normal_pdf)

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

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        head = rf"\phi^{{{exp}}}" if exp else r"\phi"
        return rf"{head}\left({printer._print(self.args[0])}\right)"



class gelu(sp.Function):  # noqa: N801
    """The exact GELU, x·Φ(x); printed with the symwork.sty macro \\GELU."""

    nargs = 1
    _imp_ = staticmethod(_gelu)

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

    def _eval_rewrite_as_erf(self, x: sp.Expr, **kwargs: Any) -> sp.Expr:
        return x * (1 + sp.erf(x / sp.sqrt(2))) / 2

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self._eval_rewrite_as_erf(self.args[0])._eval_evalf(prec)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        head = rf"\GELU^{{{exp}}}" if exp else r"\GELU"
        return rf"{head}\left({printer._print(self.args[0])}\right)"



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
    """log softmax(z) for autograd, shifted by max(z) for stability."""
    shifted = z - anp.max(z)
    return shifted - anp.log(anp.sum(anp.exp(shifted)))


def log_ratio_logits(rng: np.random.Generator, size: int) -> tuple[str, list[sp.Expr]]:
    """Logits log w_k for small integer weights w_k, so that every softmax value is a simple fraction.

    Returns the LaTeX of the vector, e.g. ``(\\log 2, 0, \\log 3)``, and the exact values.
    """
    weights = [int(w) for w in rng.integers(1, 5, size=size)]
    text = ", ".join("0" if w == 1 else rf"\log {w}" for w in weights)
    return f"({text})", [sp.log(w) for w in weights]
