"""The exact tiers of the typed-answer path: constants, the `cancel` certificate and the residual of huge terms."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symwork.compare.mp import CONFIRM_DIGITS, CONFIRM_RTOL, compile_mp, export, mp_value
from symwork.compare.points import domain_guards, inside_domain, integer_symbols, short_decimal
from symwork.core.spec import Verdict

#: Largest operation count for the exact `cancel` tier, which is polynomial but can still be slow.
EXACT_MAX_OPS = 120


def residual_difference(a: sp.Expr, b: sp.Expr, *, seed: int) -> Verdict | None:
    """Huge common terms hide small differences from a relative test (e^{e^9} + x/7 against e^{e^9}).

    SymPy cancels identical terms when it forms a − b; if what is left is clearly non-zero at a point,
    measured against the size of its own terms, the two sides differ.
    """
    difference = sp.Add(a, -b)
    terms = sp.Add.make_args(difference)
    if difference == 0 or len(terms) > 12 or sp.count_ops(difference) > 200:
        return None
    names = tuple(sorted(s.name for s in difference.free_symbols if isinstance(s, sp.Symbol)))
    try:
        value_f = compile_mp(difference, names)
        scale_f = compile_mp(sp.Add(*[sp.Abs(t) for t in terms]), names)
        guards = domain_guards(a) + domain_guards(b)
        guard_f = compile_mp(sp.Tuple(*guards), names) if guards else None
    except Exception:  # noqa: BLE001 - no verdict from this tier is fine
        return None
    rng = np.random.default_rng(seed + 7)
    integers = integer_symbols(a) | integer_symbols(b)
    for _ in range(4):
        args = tuple(
            int(rng.integers(1, 7)) if n in integers else mpmath.mpf(repr(short_decimal(rng.uniform(0.2, 2.0))))
            for n in names
        )
        if guard_f is not None and not inside_domain(guard_f, args):
            continue  # the same common real domain as the other tiers
        with mpmath.workdps(CONFIRM_DIGITS):
            value = mp_value(value_f, args, complex_mode=False)
            scale = mp_value(scale_f, args, complex_mode=False)
        if value is None or scale is None or scale == 0:
            continue
        if abs(value) > mpmath.mpf(10) ** (-(CONFIRM_DIGITS - 10)) * scale:
            point = {n: float(v) for n, v in zip(names, args, strict=True)}
            return Verdict("different", "high-precision", counterexample={"point": point, "difference": export(value)})
    return None


def exact_cheap(a: sp.Expr, b: sp.Expr) -> bool:
    """True when `cancel` proves a - b = 0 for small rational functions (a cheap, exact certificate)."""
    difference = a - b
    symbols = sorted(difference.free_symbols, key=str)
    if not symbols or sp.count_ops(difference) > EXACT_MAX_OPS or not difference.is_rational_function(*symbols):
        return False
    if any(int(abs(p.exp)) > 50 for p in difference.atoms(sp.Pow) if p.exp.is_Integer):
        return False
    return bool(sp.cancel(difference) == 0)


def compare_constants(a: sp.Expr, b: sp.Expr) -> Verdict:
    """Two constants: exactly when both are rational, otherwise their exact difference at 80 digits."""
    if a.is_Rational and b.is_Rational:
        if a == b:
            return Verdict("equal", "exact")
        return Verdict("different", "exact", counterexample={"point": {}, "lhs": _num(a), "rhs": _num(b)})
    left, right = sp.N(a, CONFIRM_DIGITS), sp.N(b, CONFIRM_DIGITS)
    if (
        not (left.is_number and right.is_number)
        or left.has(sp.zoo, sp.nan, sp.oo, -sp.oo)
        or right.has(sp.zoo, sp.nan, sp.oo, -sp.oo)
    ):
        if left == right:
            return Verdict("equal", "structural")
        if left.is_finite or right.is_finite or (left.is_extended_real and right.is_extended_real):
            # A finite value against an infinity, or +oo against -oo.
            return Verdict("different", "exact", counterexample={"point": {}, "lhs": str(left), "rhs": str(right)})
        return Verdict("undecided", "high-precision", detail="a side has no finite value")
    # The exact difference, evaluated with SymPy's adaptive precision: a true zero comes back with no
    # significant digits, a tiny true difference (e^{e^6} + 1/1000 against e^{e^6}) with all of them.
    try:
        difference = (a - b).evalf(CONFIRM_DIGITS, maxn=400)
    except (ValueError, TypeError, ArithmeticError):
        difference = sp.N(left - right, CONFIRM_DIGITS)
    parts = difference.as_real_imag() if difference.is_number else (difference,)
    if all(part == 0 or (isinstance(part, sp.Float) and part._prec < 10) for part in parts):
        return Verdict("equal", "high-precision")
    if all(isinstance(part, (sp.Float, sp.Integer, sp.Rational)) for part in parts):
        return Verdict(
            "different", "high-precision", counterexample={"point": {}, "lhs": _num(left), "rhs": _num(right)}
        )
    scale = max(abs(left), abs(right), sp.Integer(1))
    if abs(sp.N(left - right, CONFIRM_DIGITS)) <= sp.Float(CONFIRM_RTOL) * scale:
        return Verdict("equal", "high-precision")
    return Verdict("different", "high-precision", counterexample={"point": {}, "lhs": _num(left), "rhs": _num(right)})


def _num(value: sp.Expr) -> Any:
    if value.is_Integer:
        return int(value) if abs(value) < 2**53 else str(value)
    if value.is_Rational:
        return str(value)
    if value.is_real:
        return float(value) if abs(value) < 1e300 else str(sp.N(value, 15))
    return str(sp.N(value, 15))
