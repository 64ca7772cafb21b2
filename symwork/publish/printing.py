"""LaTeX for our notation: the printers of each style, and the rows, key equation and given block of a worked solution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from symwork.core import printed
from symwork.core.instances import definition_name
from symwork.core.spec import RELATIONS
from symwork.errors import InputError
from symwork.publish.style import LOG_STYLES, SYMBOL_NAMES, SymworkLatexPrinter

__all__ = [
    "LOG_STYLES",
    "SYMBOL_NAMES",
    "Row",
    "SymworkLatexPrinter",
    "definitions",
    "derivation_display",
    "equation_tex",
    "latex",
    "partial_names",
    "printer",
    "relation_tex",
    "rows",
    "split_terms",
    "visual_width",
]

if TYPE_CHECKING:
    from symwork.core.derivation import Derivation
    from symwork.core.spec import Body

_PRINTERS: dict[tuple[str, frozenset[str]], SymworkLatexPrinter] = {}


def printer(log_style: str = "ln", partial: frozenset[str] = frozenset()) -> SymworkLatexPrinter:
    """The printer for a log style and a set of names whose derivatives are partial (functions of several unknowns)."""
    key = (log_style, partial)
    if key not in _PRINTERS:
        if log_style not in LOG_STYLES:
            raise InputError(f"log_style {log_style!r} is not one of {', '.join(LOG_STYLES)}; use one of those.")
        _PRINTERS[key] = SymworkLatexPrinter({"log_style": log_style, "partial": partial})
    return _PRINTERS[key]


def latex(expr: Any, *, log_style: str = "ln", partial: frozenset[str] = frozenset()) -> str:
    """LaTeX for a SymPy object in symwork notation; ``latex(sigmoid(x))`` is ``\\sigma\\left(x\\right)``.

    ``log_style`` prints the natural logarithm as ``\\ln`` (the default) or ``\\log``; ``partial`` names
    functions of several unknowns, whose derivatives print with ∂ rather than d.
    """
    if isinstance(expr, str):
        return expr
    return printer(log_style, partial).doprint(expr)


def partial_names(body: Body) -> frozenset[str]:
    """Defined names that depend on two or more of the body's unknowns (ℓ(μ, σ)): their derivatives are partial."""
    unknowns = {item.name for item in body.variables}
    found = set()
    for definition in body.definitions:
        names = {getattr(s, "name", "") for s in getattr(definition.expr, "free_symbols", set())}
        names |= {i.base.label.name for i in getattr(definition.expr, "atoms", lambda *_: set())(sp.Indexed)}
        if len(names & unknowns) >= 2:
            found.add(definition_name(definition))
    return frozenset(found)


def visual_width(expr: Any) -> int:
    """About how many characters wide ``expr`` looks when typeset: fractions stack, so use SymPy's 2-D layout."""
    if isinstance(expr, str):
        return len(expr)
    try:
        layout = sp.pretty(expr, use_unicode=True, wrap_line=False)
    except Exception:  # a custom object the pretty printer does not know: fall back on the LaTeX length
        return len(latex(expr)) // 2
    return max((len(line) for line in layout.splitlines()), default=0)


def split_terms(
    expr: Any, *, width: int = 52, log_style: str = "ln", partial: frozenset[str] = frozenset()
) -> list[str]:
    """The LaTeX of ``expr`` broken at top-level + and − (in printed order) so no line looks much wider than ``width``."""
    text = latex(expr, log_style=log_style, partial=partial)
    if visual_width(expr) <= width:
        return [text]
    if isinstance(expr, sp.Mul):
        return _split_scaled_sum(expr, text, width=width, log_style=log_style, partial=partial)
    if not isinstance(expr, sp.Add):
        return [text]
    lines: list[str] = []
    current: list[Any] = []
    for term in printer(log_style).ordered_terms(expr):
        if current and visual_width(sp.Add(*current, term, evaluate=False)) > width:
            lines.append(_signed(current, first=not lines, chosen=printer(log_style, partial)))
            current = []
        current.append(term)
    lines.append(_signed(current, first=not lines, chosen=printer(log_style, partial)))
    return lines


def _split_scaled_sum(expr: sp.Mul, text: str, *, width: int, log_style: str, partial: frozenset[str]) -> list[str]:
    """A wide ``c·(a + b + …)`` (a long fraction over 2, say) as ``c\\Bigl(a + b`` / ``+ … \\Bigr)`` over several lines."""
    sums = [factor for factor in expr.args if isinstance(factor, sp.Add)]
    if len(sums) != 1:
        return [text]
    coefficient = sp.Mul(*(factor for factor in expr.args if factor is not sums[0]))
    inner = split_terms(sums[0], width=width, log_style=log_style, partial=partial)
    if len(inner) == 1:
        return [text]
    sign, coefficient = ("- ", -coefficient) if coefficient.could_extract_minus_sign() else ("", coefficient)
    prefix = sign + ("" if coefficient == 1 else latex(coefficient, log_style=log_style, partial=partial))
    return [prefix + r"\Bigl(" + inner[0], *inner[1:-1], inner[-1] + r"\Bigr)"]


def _signed(terms: list[Any], *, first: bool, chosen: SymworkLatexPrinter) -> str:
    parts = []
    for number, term in enumerate(terms):
        negative = term.could_extract_minus_sign()
        text = chosen._print(-term if negative else term)
        if chosen._needs_add_brackets(-term if negative else term):
            text = rf"\left({text}\right)"
        if negative:
            parts.append(f"- {text}")
        else:
            parts.append(text if number == 0 and first else f"+ {text}")
    return " ".join(parts)


@dataclass(frozen=True)
class Row:
    """One aligned row of a worked solution: ``lhs & relation rhs`` with a justification."""

    lhs: str
    rhs_lines: tuple[str, ...]
    why: str
    lhs_alone: bool = False
    relation: str = "="


def relation_tex(relation: str) -> str:
    """The LaTeX of a step's relation: ``=``, ``\\le``, ``<``, ``\\ge`` or ``>``."""
    return RELATIONS[relation]


def rows(body: Body, *, width: int = 52, log_style: str = "ln") -> list[Row]:
    """The rows of the worked solution (`symwork.core.printed.solution`), as LaTeX; ``lhs`` empty where a chain continues."""
    out: list[Row] = []
    partial = partial_names(body)
    for equation in printed.solution(body):
        lhs = latex(equation.lhs, log_style=log_style, partial=partial) if equation.lhs is not None else ""
        # A wide left-hand side gets a line of its own so that the chain below it keeps the page width.
        alone = equation.lhs is not None and visual_width(equation.lhs) > width // 2
        lines = tuple(split_terms(equation.rhs, width=width, log_style=log_style, partial=partial))
        out.append(Row(lhs, lines, equation.why, alone, relation_tex(equation.relation)))
    return out


def equation_tex(equation: printed.Equation, *, log_style: str = "ln", partial: frozenset[str] = frozenset()) -> str:
    """``lhs relation rhs`` of one printed equation (the key's), the right side broken over aligned lines if wide."""
    lines = split_terms(equation.rhs, log_style=log_style, partial=partial)
    rhs = r" \\ &\quad ".join(lines)
    left = latex(equation.lhs, log_style=log_style, partial=partial) if equation.lhs is not None else ""
    lhs = f"{left} {relation_tex(equation.relation)} " if equation.lhs is not None else ""
    return lhs + (rhs if len(lines) == 1 else r"\begin{aligned}&" + rhs + r"\end{aligned}")


def definitions(body: Body, *, log_style: str = "ln") -> list[tuple[str, str, str]]:
    """(name, definition, description) for each definition printed in the "Given" block, as LaTeX."""
    out = []
    for definition in printed.given(body):
        symbol = definition.symbol
        name = latex(
            symbol[definition.indices] if definition.indices and isinstance(symbol, sp.IndexedBase) else symbol,
            log_style=log_style,
        )
        if not definition.indices and isinstance(symbol, sp.IndexedBase):
            name = latex(sp.Symbol(definition_name(definition)), log_style=log_style)
        out.append((name, latex(definition.expr, log_style=log_style), definition.description))
    return out


def derivation_display(derivation: Derivation) -> str:
    """The derivation as display math, for Jupyter's ``_repr_latex_``."""
    lines = []
    for row in rows(derivation.body):
        lines.append(rf"{row.lhs} &{row.relation} {row.rhs_lines[0]} && \text{{{row.why}}}")
        lines.extend(rf"&\quad {more}" for more in row.rhs_lines[1:])
    return "$$\\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$$"
