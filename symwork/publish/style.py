"""The LatexPrinter subclass: symwork's notation (\\top, \\bm, \\operatorname) in a style for people to read."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

#: Input names that are spelled out in code but printed as their usual letter.
SYMBOL_NAMES: dict[str, str] = {
    "eps": r"\varepsilon",
    "epsilon": r"\varepsilon",
    "lam": r"\lambda",
    "eta": r"\eta",
    "logp": r"\ln p",
}

#: How the natural logarithm is printed, by ``log_style``: ``\ln`` (the default) or ``\log``.
LOG_STYLES: dict[str, str] = {"ln": r"\ln", "log": r"\log"}

_HALF = sp.Rational(1, 2)


class SymworkLatexPrinter(LatexPrinter):
    """Prints z[i] as z_i, ∂s_i/∂z_j as a fraction, vectors in bold, transposes as ^\\top, and reads like a textbook.

    The style for people: a sum leads with a positive term (x − μ, not −μ + x); the natural logarithm is
    ``\\ln`` (``log_style="log"`` for ``\\log``) with brackets only around compound arguments; radical
    constants gather under one root (σ√(2π), e^{…}/(σ√(2π)), not √2√π σ); π comes before e; σ′(ln 4)
    for a derivative evaluated at a point; ``\\det A`` and ``I``; fractions in matrices at full size;
    a four-index Jacobian J_{abcf} as blocks over (a, c), each block the matrix over (b, f).
    """

    _default_settings = {**LatexPrinter._default_settings, "log_style": "ln", "partial": frozenset()}

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__({"mul_symbol": None, "fold_short_frac": False, **(settings or {})})

    # --- order and grouping ----------------------------------------------------------------------------

    def ordered_terms(self, expr: sp.Add) -> list[Any]:
        """The terms of a sum as printed: SymPy's order, positive terms first (x − μ, s_j − y_j, t − k).

        A sum built with ``evaluate=False`` in an order of its own (bias² + variance + noise) keeps it.
        """
        if expr.args != sp.Add(*expr.args).args:
            return list(expr.args)
        terms = list(self._as_ordered_terms(expr))
        positive = [term for term in terms if not term.could_extract_minus_sign()]
        return positive + [term for term in terms if term.could_extract_minus_sign()] if positive else terms

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        tex = ""
        for number, term in enumerate(self.ordered_terms(expr)):
            if number and term.could_extract_minus_sign():
                tex += " - "
                term = -term
            elif number:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = rf"\left({term_tex}\right)"
            tex += term_tex
        return tex

    def _print_MatAdd(self, expr: sp.MatAdd) -> str:
        terms = list(expr.args)
        positive = [term for term in terms if not _negative(term)]
        ordered = positive + [term for term in terms if _negative(term)] if positive else terms
        tex = ""
        for number, term in enumerate(ordered):
            if number and _negative(term):
                tex += " - " + self._print(-term)
            else:
                tex += (" + " if number else "") + self._print(term)
        return tex

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.args != sp.Mul(*expr.args).args:
            return super()._print_Mul(expr)  # written with evaluate=False: printed as written (√2 σ √π)
        radical = self._radical_constants(expr)
        if radical is not None:
            return radical
        factors = sp.Mul.make_args(expr)
        if sp.pi in factors and sp.E in factors:
            # 2πeσ², not 2eπσ²: the constants in the order people write them.
            numbers = [f for f in factors if f.is_Number]
            rest = [f for f in factors if not f.is_Number and f not in (sp.pi, sp.E)]
            ordered = [*numbers, sp.pi, sp.E, *rest]
            return self._join_factors(ordered)
        return self._reordered_product(expr) or super()._print_Mul(expr)

    def _reordered_product(self, expr: sp.Mul) -> str | None:
        """A product in the order people write it: p_k ln q_k, s_i(δ_ij − s_j), (1 − β₁) Σ_k …; None if SymPy's is that.

        Numbers, then letters and their powers, then function values, then bracketed sums, then Σ, ∏ and ∫.
        """
        negative = expr.could_extract_minus_sign()
        positive = -expr if negative else expr
        numerator, denominator = sp.fraction(positive, exact=True)
        top = sorted(sp.Mul.make_args(numerator), key=_factor_rank) if numerator != 1 else []
        if not isinstance(numerator, sp.Mul) or list(numerator.as_ordered_factors()) == top:
            return None
        text = self._join_factors(top)
        if denominator != 1:
            text = rf"\frac{{{text}}}{{{self._print(denominator)}}}"
        return ("- " + text) if negative else text

    def _join_factors(self, factors: list[Any]) -> str:
        return " ".join(
            rf"\left({self._print(f)}\right)"
            if self._needs_mul_brackets(f, first=n == 0, last=n == len(factors) - 1)
            else self._print(f)
            for n, f in enumerate(factors)
        )

    def _radical_constants(self, expr: sp.Mul) -> str | None:
        """√2·√π·σ as σ√(2π) and √2·e^{…}/(2√π σ) as e^{…}/(σ√(2π)): the product's constant roots under one root."""
        factors = sp.Mul.make_args(expr)
        roots = [
            f
            for f in factors
            if isinstance(f, sp.Pow) and f.exp in (_HALF, -_HALF) and (f.base.is_Integer or f.base is sp.pi)
        ]
        if not roots or (len(roots) == 1 and not any(f.is_Rational for f in factors) and roots[0].base.is_Integer):
            return None  # a lone √2 prints as it is
        coefficient = sp.Mul(*(f for f in factors if f.is_Rational))
        rest = [f for f in factors if f not in roots and not f.is_Rational]
        square = coefficient**2 * sp.Mul(*(f.base ** (2 * f.exp) for f in roots))
        pi_power = int(sp.Poly(square * sp.pi**4, sp.pi).degree()) - 4 if square.has(sp.pi) else 0
        ratio = sp.Rational(square / sp.pi**pi_power)
        if not ratio.is_Rational or ratio <= 0:
            return None
        top_outer, top_inner = _square_split(int(ratio.p))
        bottom_outer, bottom_inner = _square_split(int(ratio.q))
        if pi_power < 0 and top_inner != 1:
            # √2/√π as 2/√(2π): with π below, every root goes below, as in the normal density 1/√(2π).
            top_outer, bottom_inner, top_inner = top_outer * top_inner, bottom_inner * top_inner, 1
        top_root = _root_text(top_inner, max(pi_power, 0))
        bottom_root = _root_text(bottom_inner, max(-pi_power, 0))
        numerator, denominator = sp.fraction(sp.Mul(*rest), exact=True)
        top = [str(top_outer)] if top_outer != 1 else []
        top += [self._print(numerator)] if numerator != 1 else []
        top += [top_root] if top_root else []
        bottom = [str(bottom_outer)] if bottom_outer != 1 else []
        bottom += [self._print(denominator)] if denominator != 1 else []
        bottom += [bottom_root] if bottom_root else []
        sign = "- " if coefficient < 0 else ""
        top_text = " ".join(top) or "1"
        if not bottom:
            return sign + top_text
        return sign + rf"\frac{{{top_text}}}{{{' '.join(bottom)}}}"

    # --- names and functions ---------------------------------------------------------------------------

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        indices = [self._print(index) for index in expr.indices]
        joined = "".join(indices) if all(len(i) == 1 for i in indices) else ", ".join(indices)
        return f"{base}_{{{joined}}}"

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        pretty = SYMBOL_NAMES.get(expr.name)
        if pretty is not None:
            return pretty.replace(r"\ln", LOG_STYLES[self._settings["log_style"]])
        return super()._print_Symbol(expr, style)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._print(expr.label)

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        name = LOG_STYLES[self._settings["log_style"]]
        argument = expr.args[0]
        inner = self._print(argument)
        simple = (
            argument.is_Symbol
            or argument.is_NumberSymbol
            or isinstance(argument, sp.Indexed)
            or (argument.is_Integer and argument > 0)
            or (isinstance(argument, sp.Determinant) and isinstance(argument.arg, sp.MatrixSymbol))
        )
        power = f"^{{{exp}}}" if exp is not None else ""
        return f"{name}{power} {inner}" if simple else rf"{name}{power}\left({inner}\right)"

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
        ordinary = (
            len(variables) == 1
            and isinstance(variables[0], sp.Symbol)
            and not isinstance(function, sp.Indexed)
            and getattr(function, "name", "") not in self._settings["partial"]
        )
        partial = r"\mathrm{d}" if ordinary else r"\partial"
        total = sum(count for _, count in expr.variable_count)
        denominator = " ".join(
            f"{partial} {self._print(variable)}" + (f"^{{{count}}}" if count > 1 else "")
            for variable, count in expr.variable_count
        )
        numerator = (
            f"{partial}^{{{total}}} {self._print(function)}" if total > 1 else f"{partial} {self._print(function)}"
        )
        return rf"\frac{{{numerator}}}{{{denominator}}}"

    def _print_Subs(self, expr: sp.Subs) -> str:
        """f′(a) for the derivative of a one-argument function evaluated at a point, as people write it."""
        inner, old, new = expr.args
        if (
            isinstance(inner, sp.Derivative)
            and len(old) == 1
            and inner.variable_count == ((old[0], 1),)
            and isinstance(inner.expr, sp.Function)
            and inner.expr.args == (old[0],)
        ):
            name = self._function_name(inner.expr)
            if name is not None:
                return rf"{name}'\left({self._print(new[0])}\right)"
        return super()._print_Subs(expr)

    def _function_name(self, call: sp.Function) -> str | None:
        """The LaTeX name of a one-argument function (σ, tanh, GELU), read off its printed form at a probe."""
        probe = sp.Symbol("symworkprobe")
        text = self._print(call.func(probe))
        for tail in (r"\left(symworkprobe\right)", r"{\left(symworkprobe \right)}"):
            if text.endswith(tail):
                return text[: -len(tail)]
        return None

    # --- matrices and arrays ---------------------------------------------------------------------------

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

    def _print_Determinant(self, expr: sp.Determinant) -> str:
        if isinstance(expr.arg, sp.MatrixSymbol):
            return rf"\det {self._print(expr.arg)}"
        if isinstance(expr.arg, sp.MatrixExpr) and not isinstance(expr.arg, sp.MatrixBase):
            return rf"\det\left({self._print(expr.arg)}\right)"
        return super()._print_Determinant(expr)

    def _print_Identity(self, expr: sp.Identity) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr: sp.ZeroMatrix) -> str:
        return r"\bm{0}"

    def _print_DiagMatrix(self, expr: Any) -> str:
        return rf"\diag\left({self._print(expr.arg)}\right)"

    def _print_DiagonalizeVector(self, expr: Any) -> str:
        return self._print_DiagMatrix(expr)

    def _print_matrix_contents(self, expr: Any) -> str:
        # Entries with fractions at display size: in a matrix cell \frac is set in text style, too small to read.
        def cell(entry: Any) -> str:
            text = self._print(entry)
            return rf"\displaystyle {text}" if r"\frac" in text else text

        # Rows are spaced by the document's \arraystretch (symwork.sty), not by "\\[3pt]": what is printed
        # must read back through symwork's parser, as a student would type it.
        lines = [" & ".join(cell(entry) for entry in expr[row, :]) for row in range(expr.rows)]
        return r"\begin{matrix}" + r"\\".join(lines) + r"\end{matrix}"

    def _print_NDimArray(self, expr: Any) -> str:
        if expr.rank() != 4:
            return super()._print_NDimArray(expr)
        # J_{abcf} = ∂X_{ab}/∂Y_{cf}: blocks over (a, c), each block the matrix over (b, f); no axis dropped.
        first, second, third, fourth = expr.shape
        blocks = [
            [sp.ImmutableMatrix(second, fourth, lambda b, f, a=a, c=c: expr[a, b, c, f]) for c in range(third)]
            for a in range(first)
        ]
        rows = [" & ".join(self._print(block) for block in row) for row in blocks]
        return r"\left[\begin{array}{" + "c" * third + "}" + r"\\[4pt]".join(rows) + r"\end{array}\right]"

    def _print_Sum(self, expr: sp.Sum) -> str:
        limits = expr.limits
        if len(limits) > 1 and len({(low, high) for _, low, high in limits}) == 1:
            _, low, high = limits[0]
            names = ",".join(sorted(self._print(variable) for variable, _, _ in limits))
            body = self._print(expr.function)
            if isinstance(expr.function, sp.Add):
                body = rf"\left({body}\right)"
            return rf"\sum_{{{names}={self._print(low)}}}^{{{self._print(high)}}} {body}"
        return super()._print_Sum(expr)


def _factor_rank(factor: Any) -> int:
    """Where a factor goes in a printed product: p(1 − p), (1 − ε) y_j, p_k ln q_k, s_i(δ_ij − s_j), (1 − β₁) Σ_k.

    Numbers; letters; coefficients in brackets (1 − ε, m + n); indexed letters; function values; other
    sums in brackets; then Σ, ∏ and ∫.
    """
    base = factor.base if isinstance(factor, sp.Pow) and factor.base is not sp.E else factor
    if base.is_Number or base.is_NumberSymbol:
        return 0
    if isinstance(base, (sp.Indexed, sp.KroneckerDelta)):
        return 3
    if isinstance(base, sp.Symbol) or base.is_Atom:
        return 1
    if isinstance(base, sp.Add) and all(_plain(term) for term in base.args):
        return 2
    if isinstance(base, sp.Add):
        return 5
    if isinstance(base, (sp.Sum, sp.Product, sp.Integral)):
        return 6
    return 4


def _plain(term: Any) -> bool:
    """A number, a letter or a product of them (no indices, no functions): a coefficient like 1 − ε."""
    factors = term.args if term.is_Mul else (term,)
    return all((f.is_Symbol or f.is_Number or f.is_NumberSymbol) and not isinstance(f, sp.Indexed) for f in factors)


def _negative(term: Any) -> bool:
    """A matrix term printed with a minus sign: −ηA, −A⁻¹b."""
    if not isinstance(term, sp.MatMul):
        return False
    scalar = sp.Mul(*(factor for factor in term.args if not getattr(factor, "is_Matrix", False)))
    return bool(scalar.could_extract_minus_sign())


def _square_split(number: int) -> tuple[int, int]:
    """``number = outer² · inner`` with ``inner`` squarefree: 12 is (2, 3)."""
    outer, inner = 1, 1
    for prime, power in sp.factorint(number).items():
        outer *= prime ** (power // 2)
        inner *= prime ** (power % 2)
    return outer, inner


def _root_text(inner: int, pi_power: int) -> str:
    """The LaTeX of √(inner · π^pi_power), or "" when it is 1."""
    if inner == 1 and pi_power == 0:
        return ""
    parts = ([str(inner)] if inner != 1 else []) + (
        [r"\pi" if pi_power == 1 else rf"\pi^{{{pi_power}}}"] if pi_power else []
    )
    return rf"\sqrt{{{' '.join(parts)}}}"
