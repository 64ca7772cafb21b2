"""The base class of symwork's ML functions: how one SymPy class prints, compiles and is written by people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import sympy as sp

#: How a parsed call applies to its written arguments: to each entry of a vector literal (σ(z)), to
#: the entries of a vector as its arguments (logsumexp(z)), or as one component k of a vector (softmax_k).
Form = Literal["entrywise", "entries", "component"]


@dataclass(frozen=True)
class Notation:
    """How an ML function is written: the symwork.sty macro that prints it and the names the parsers read."""

    #: The LaTeX macro (symwork.sty or standard): ``\\sigma``, ``\\relu``, ``\\GELU``.
    macro: str
    #: Names inside ``\\operatorname{...}`` or ``\\mathrm{...}``.
    latex: tuple[str, ...] = ()
    #: Names that are calls in plain syntax.
    plain: tuple[str, ...] = ()
    #: Names that are a symbol unless directly followed by a parenthesis, in both syntaxes: ``\\sigma``, ``sigma``.
    symbol: tuple[str, ...] = ()
    form: Form = "entrywise"
    #: The parsers build the closed form rather than the function (GELU is read as x(1 + erf(x/√2))/2).
    parsed_closed: bool = False


class MLFunction(sp.Function):
    """An ML function described once: subclasses add ``eval``, ``fdiff``, rewrites and ``_numpycode``.

    ``closed_in`` names the rewrite that spells the function with SymPy's own functions (exp, Max,
    erf); mpmath code, the notebook export and the parsers use it.
    """

    notation: ClassVar[Notation]
    closed_in: ClassVar[type[sp.Basic]] = sp.exp

    def closed_form(self) -> sp.Expr:
        """This call written with SymPy's own functions, its arguments untouched: σ(x) is 1/(1 + e^{-x})."""
        result: sp.Expr = self.rewrite(self.closed_in, deep=False)
        return result

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        inner = printed_args(printer, self.args)
        # σ(x)^2, not σ^2(x): the latter reads back as a power of the symbol σ.
        text = rf"{self.notation.macro}\left({inner}\right)"
        return rf"{text}^{{{exp}}}" if exp else text

    def _mpmathcode(self, printer: Any) -> str:
        closed = self.closed_form()
        if closed == self:
            raise NotImplementedError(f"{type(self).__name__} has no closed form to print for mpmath")
        return parenthesized(printer._print(closed))


def imported(printer: Any, qualified: str) -> str:
    """A module's function by its full name (numpy.exp, scipy.special.ndtr), registered so that lambdify imports it."""
    return str(printer._module_format(qualified))


def parenthesized(code: str) -> str:
    """Code printed for a call stands where an atom does (x*Φ(x), σ(x)**2): a written-out form needs brackets."""
    return f"({code})"


def printed_args(printer: Any, args: tuple[sp.Basic, ...]) -> str:
    """The arguments printed by ``printer``, separated by commas."""
    return ", ".join(printer._print(arg) for arg in args)
