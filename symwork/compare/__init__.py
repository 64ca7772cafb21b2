"""The comparison engine, the one notion of "equal" in symwork: structural, exact, numeric and high-precision tiers.

Two paths share one entry point, `compare` (the modules of this package are its tiers):

* **Arrays** (the library audit, `arrays`): a caller-supplied ``sampler`` and free ``indices`` are
  checked by broadcasting in numpy (``numeric.evaluate``).
* **Typed answers** (``sampler=None``, no indices; `points`, `mp`, `exact`): both sides are compiled once for mpmath and
  evaluated at points drawn from several regions (moderate, positive, small, large, integer). Points
  where either side is undefined (division by zero, nan, infinite, or non-real when neither side
  mentions ``I``) are skipped, so the comparison happens on the *common real domain*. Agreement is
  screened at 30 significant digits and confirmed at 80 digits, so ``1 + 10^{-12} x`` is not ``1`` and
  ``(x-a)^{6000}`` is not ``(x-a)^{5999}`` (no float overflow). Constants are compared exactly when
  both are rational, otherwise at 80 digits. Rational functions that agree numerically are confirmed
  by ``cancel`` under a size limit; ``simplify`` is never called.

Policies (documented in ``CONVENTIONS``): decimals are exact (the parser reads ``0.5`` as 1/2, so
``0.333`` is not 1/3); symbols in sum bounds, factorials and binomials are integers; an expression
that evaluates to ``zoo``/``nan`` at parse time is an error, not a value.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symwork.compare.arrays import PointSampler, compare_arrays, default_sampler
from symwork.compare.exact import compare_constants, exact_cheap, residual_difference
from symwork.compare.points import compare_at_points, power_symbols
from symwork.core.callable import make_callable
from symwork.core.spec import Verdict
from symwork.core.tensor_notation import Jacobian
from symwork.errors import CheckError, InputError

__all__ = ["CONVENTIONS", "PointSampler", "UndefinedError", "as_expression", "compare", "default_sampler"]

CONVENTIONS = """\
- Equal means equal wherever both sides are defined (the common real domain): (x^2-1)/(x-1) equals x+1,
  log(ab) equals log a + log b (both sides are defined only for a, b > 0), sqrt(x^2) equals |x| but not x.
- If either side mentions the imaginary unit, values are compared as complex numbers (principal branches).
- Decimals are exact rationals: 0.5 equals 1/2, 0.333 does not equal 1/3 (as in STACK).
- Symbols in sum/product bounds and inside factorials or binomials are sampled as non-negative integers;
  symbols declared integer or positive are sampled so.
- A side that is undefined everywhere (1/0, 0*oo) is an error; too few points in the common domain is "undecided".
"""


def _shape(expr: Any) -> tuple[int, ...]:
    return tuple(expr.shape) if isinstance(expr, sp.MatrixBase) else ()


def as_expression(value: Any, *, where: str = "compare") -> Any:
    """A SymPy object for ``value``: SymPy objects as they are, numbers exactly, lists as matrices; text is refused.

    Text never reaches ``sympify`` (which runs code): read it with ``symwork.parse`` first.
    """
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    if isinstance(value, (str, bytes, bytearray)):
        shown = value[:40] if isinstance(value, str) else "bytes"
        raise InputError(f"{where} takes SymPy expressions, not text ({shown!r}); read text with symwork.parse(text) first.")
    if isinstance(value, bool):
        raise InputError(f"{where} takes expressions, not {value!r}; pass a number or a SymPy expression.")
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        return sp.Float(float(value))
    if isinstance(value, (list, tuple)) or isinstance(value, np.ndarray):
        rows = [list(row) if isinstance(row, (list, tuple, np.ndarray)) else [row] for row in value]
        return sp.ImmutableMatrix([[as_expression(entry, where=where) for entry in row] for row in rows])
    raise InputError(f"{where} takes SymPy expressions, not {type(value).__name__!r}; build one with symwork.parse.")


def compare(
    a: Any,
    b: Any,
    *,
    sampler: PointSampler | None = None,
    indices: Sequence[tuple[Any, int]] = (),
    seed: int = 0,
    points: int = 12,
    rtol: float = 1e-8,
    max_draws: int | None = None,
    budget: float = 1.0,
) -> Verdict:
    """Compare two SymPy expressions (or explicit matrices) and return a Verdict.

    ``sampler`` draws one point (name → value); ``indices`` are free index symbols with their
    sizes, checked all at once by broadcasting. Without them, the typed-answer path runs (see the
    module docstring); ``budget`` bounds its seconds of work. Example: ``compare(x**2 - 1, (x - 1)*(x + 1))``.
    Text is refused (InputError): parse it with ``symwork.parse`` first, so that nothing typed is executed.
    """
    a, b = as_expression(a), as_expression(b)
    if has_unresolved(a) or has_unresolved(b):
        return Verdict(
            "undecided", "notation", detail="vector, matrix or index notation needs a scope; compare the texts with symwork.answers.equal"
        )
    if _shape(a) != _shape(b):
        return Verdict(
            "different", "shape", detail=f"shapes differ: {_shape(a) or 'scalar'} against {_shape(b) or 'scalar'}"
        )
    if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) and a == b:
        return Verdict("equal", "structural")
    if sampler is None and not indices and not _has_indexed(a) and not _has_indexed(b):
        return _compare_answers(a, b, seed=seed, points=points, budget=budget)
    return compare_arrays(
        a, b, sampler=sampler, indices=indices, seed=seed, points=points, rtol=rtol, max_draws=max_draws
    )


def has_unresolved(expr: Any) -> bool:
    """Notation that needs a scope: a parser marker (``needs_scope``), a gradient, or a name that may be an array."""
    if isinstance(expr, sp.MatrixBase):
        return any(has_unresolved(entry) for entry in expr)
    if not isinstance(expr, sp.Basic):
        return False
    if any(getattr(type(node), "needs_scope", False) for node in expr.atoms(sp.Function)) or expr.has(Jacobian):
        return True
    return any(not symbol.is_commutative for symbol in expr.free_symbols)


def _has_indexed(expr: Any) -> bool:
    return isinstance(expr, sp.Basic) and bool(expr.has(sp.Indexed))


# --------------------------------------------------------------------------------------------------
# The typed-answer path, tier by tier: structural, constants (exact.py), points at 30 and 80 digits
# (points.py, mp.py), the `cancel` certificate and the residual of huge common terms (exact.py).


class UndefinedError(CheckError):
    """A side has no value at all (it is zoo, nan or contains them)."""


def _prepare(expr: Any) -> Any:
    """Carry out unevaluated derivatives, and sums with concrete bounds, before comparing."""
    expr = as_expression(expr)
    if expr.has(sp.Derivative, sp.Subs):
        expr = (
            expr.doit(deep=True)
            if not expr.has(sp.Sum, sp.Product)
            else expr.replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs)), lambda e: e.doit())
        )
    if expr.has(sp.Sum, sp.Product):
        concrete = [
            node
            for node in expr.atoms(sp.Sum, sp.Product)
            if all(not b.free_symbols for _v, *bs in node.limits for b in bs)
        ]
        if concrete:
            expr = expr.xreplace({node: node.doit() for node in concrete})
    return expr


def _is_undefined(expr: Any) -> bool:
    return isinstance(expr, sp.Basic) and bool(expr.has(sp.zoo, sp.nan))


def _compare_answers(a: Any, b: Any, *, seed: int, points: int, budget: float) -> Verdict:
    if isinstance(a, sp.MatrixBase):
        return _compare_matrices(a, b, seed=seed, points=points, budget=budget)
    start = time.perf_counter()
    a, b = _prepare(a), _prepare(b)
    for side, expr in (("first", a), ("second", b)):
        if _is_undefined(expr):
            raise UndefinedError(
                f"The {side} expression {str(expr)!r} is undefined (a division by zero or 0*oo); check it."
            )
    if a == b:
        return Verdict("equal", "structural")
    if not a.free_symbols and not b.free_symbols:
        return compare_constants(a, b)
    verdict = compare_at_points(a, b, seed=seed, points=points, budget=budget, start=start)
    if verdict.status == "undecided" and power_symbols(a, b):
        # Exponent symbols such as n in (-1)^n cos(x)^n are usually integers; on the reals such sides
        # are rarely both defined, so try integer exponents before giving up.
        verdict = compare_at_points(
            a, b, seed=seed, points=points, budget=budget, start=start, integers=power_symbols(a, b)
        )
    if verdict.status == "equal" and exact_cheap(a, b):
        return Verdict("equal", "exact", points=verdict.points)
    if verdict.status == "equal":
        residual = residual_difference(a, b, seed=seed)
        if residual is not None:
            return residual
    return verdict


def _compare_matrices(a: sp.MatrixBase, b: sp.MatrixBase, *, seed: int, points: int, budget: float) -> Verdict:
    """Entry by entry, stopping at the first entry that differs (its position goes into the counterexample)."""
    methods: list[str] = []
    total = 0
    for position, (left, right) in enumerate(zip(a, b, strict=True)):
        verdict = _compare_answers(left, right, seed=seed + position, points=points, budget=budget)
        total += verdict.points
        row, col = divmod(position, a.shape[1])
        if verdict.status != "equal":
            counterexample = dict(verdict.counterexample or {})
            if counterexample:
                counterexample["entry"] = [row + 1, col + 1]
            detail = (
                f"entry ({row + 1}, {col + 1}): {verdict.detail}" if verdict.detail else f"entry ({row + 1}, {col + 1})"
            )
            return Verdict(
                verdict.status, verdict.method, points=total, counterexample=counterexample or None, detail=detail
            )
        methods.append(verdict.method)
    weakest = next((m for m in ("numeric", "high-precision", "exact") if m in methods), "structural")
    return Verdict("equal", weakest, points=total)


make_callable(__name__, "compare")
