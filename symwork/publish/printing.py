"""LaTeX for our notation: a LatexPrinter subclass (\\top, \\bm, \\operatorname) and step layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symwork.core.instances import definition_name

if TYPE_CHECKING:
    from symwork.core.derivation import Derivation
    from symwork.core.spec import Body

#: Input names that are spelled out in code but printed as their usual letter.
SYMBOL_NAMES: dict[str, str] = {
    "eps": r"\varepsilon",
    "epsilon": r"\varepsilon",
    "lam": r"\lambda",
    "eta": r"\eta",
    "logp": r"\log p",
}


class SymworkLatexPrinter(LatexPrinter):
    """Prints z[i] as z_i, ∂s_i/∂z_j as a fraction, vectors in bold, transposes as ^\\top."""


    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"mul_symbol": None, "fold_short_frac": False, **(settings or {})})

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        indices = [self._print(index) for index in expr.indices]
        joined = "".join(indices) if all(len(i) == 1 for i in indices) else ", ".join(indices)
        return f"{base}_{{{joined}}}"

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        pretty = SYMBOL_NAMES.get(expr.name)
        return pretty if pretty is not None else super()._print_Symbol(expr, style)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._print(expr.label)

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        first, second = (self._print(arg) for arg in expr.args)
        joined = first + second if len(first) == 1 and len(second) == 1 else f"{first}, {second}"
        text = rf"\delta_{{{joined}}}"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        function = expr.expr
        if not isinstance(function, (sp.Indexed, sp.Symbol, sp.MatrixSymbol)):
            return super()._print_Derivative(expr)
        variables = [variable for variable, _ in expr.variable_count]
        ordinary = len(variables) == 1 and isinstance(variables[0], sp.Symbol) and not isinstance(function, sp.Indexed)
        partial = r"\mathrm{d}" if ordinary else r"\partial"
        total = sum(count for _, count in expr.variable_count)
        denominator = " ".join(
            f"{partial} {self._print(variable)}" + (f"^{{{count}}}" if count > 1 else "")
            for variable, count in expr.variable_count
        )
        numerator = f"{partial}^{{{total}}} {self._print(function)}" if total > 1 else f"{partial} {self._print(function)}"
        return rf"\frac{{{numerator}}}{{{denominator}}}"

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        name = self._print(sp.Symbol(expr.name))
        return rf"\bm{{{name}}}" if expr.shape[1] == 1 else name

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, (sp.MatrixSymbol, sp.Symbol)):
            inner = rf"\left({inner}\right)"
        return rf"{inner}^\top"

    def _print_Trace(self, expr: sp.Trace) -> str:
        return rf"\tr\left({self._print(expr.arg)}\right)"

    def _print_DiagMatrix(self, expr: Any) -> str:
        return rf"\diag\left({self._print(expr.arg)}\right)"

    def _print_DiagonalizeVector(self, expr: Any) -> str:
        return self._print_DiagMatrix(expr)


_PRINTER = SymworkLatexPrinter()


def latex(expr: Any) -> str:
    """LaTeX for a SymPy object in symwork notation; ``latex(sigmoid(x))`` is ``\\sigma\\left(x\\right)``."""
    if isinstance(expr, str):
        return expr
    return _PRINTER.doprint(expr)


def visual_width(expr: Any) -> int:
    """About how many characters wide ``expr`` looks when typeset: fractions stack, so use SymPy's 2-D layout."""
    if isinstance(expr, str):
        return len(expr)
    try:
        layout = sp.pretty(expr, use_unicode=True, wrap_line=False)
    except Exception:  # a custom object the pretty printer does not know: fall back on the LaTeX length
        return len(latex(expr)) // 2
    return max((len(line) for line in layout.splitlines()), default=0)


def split_terms(expr: Any, *, width: int = 52) -> list[str]:
    """The LaTeX of ``expr`` broken at top-level + and − so that no line looks much wider than ``width`` characters."""
    text = latex(expr)
    if not isinstance(expr, sp.Add) or visual_width(expr) <= width:
        return [text]
    lines: list[str] = []
    current: list[Any] = []
    for term in sp.Add.make_args(expr):
        if current and visual_width(sp.Add(*current, term, evaluate=False)) > width:
            lines.append(_signed(current, first=not lines))
            current = []
        current.append(term)
    lines.append(_signed(current, first=not lines))
    return lines


def _signed(terms: list[Any], *, first: bool) -> str:
    text = latex(sp.Add(*terms, evaluate=False))
    return text if first or text.startswith("-") else "+ " + text


@dataclass(frozen=True)
class Row:
    """One aligned row of a worked solution: ``lhs & = rhs`` with a justification."""

    lhs: str
    rhs_lines: tuple[str, ...]
    why: str
    lhs_alone: bool = False


def rows(body: Body, *, width: int = 52) -> list[Row]:
    """The steps and result of a body as aligned rows (``lhs`` empty where the chain continues)."""
    out: list[Row] = []
    for step in (*body.steps, body.result):
        lhs = latex(step.lhs) if step.lhs is not None else ""
        # A wide left-hand side gets a line of its own so that the chain below it keeps the page width.
        alone = step.lhs is not None and visual_width(step.lhs) > width // 2
        out.append(Row(lhs, tuple(split_terms(step.rhs, width=width)), step.why, alone))
    return out


def definitions(body: Body) -> list[tuple[str, str, str]]:
    """(name, definition, description) for each defined quantity, as LaTeX."""
    out = []
    for definition in body.definitions:
        symbol = definition.symbol
        name = latex(symbol[definition.indices] if definition.indices and isinstance(symbol, sp.IndexedBase) else symbol)
        if not definition.indices and isinstance(symbol, sp.IndexedBase):
            name = latex(sp.Symbol(definition_name(definition)))
        out.append((name, latex(definition.expr), definition.description))
    return out


def derivation_display(derivation: Derivation) -> str:
    """The derivation as display math, for Jupyter's ``_repr_latex_``."""
    lines = []
    for row in rows(derivation.body):
        lines.append(rf"{row.lhs} &= {row.rhs_lines[0]} && \text{{{row.why}}}")
        lines.extend(rf"&\quad {more}" for more in row.rhs_lines[1:])
    return "$$\\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$$"
