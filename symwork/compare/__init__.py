"""The comparison engine, the one notion of "equal" in symwork: structural, exact, numeric and high-precision tiers.

Two paths share one entry point, `compare`:

* **Arrays** (the library audit): a caller-supplied ``sampler`` and free ``indices`` are checked by
  broadcasting in numpy (``numeric.evaluate``), as before.
* **Typed answers** (``sampler=None``, no indices): both sides are compiled once for mpmath and
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from symwork.core.callable import make_callable
from symwork.core.spec import Verdict
from symwork.errors import CheckError

PointSampler = Callable[[np.random.Generator], Mapping[str, Any]]

CONVENTIONS = """\
- Equal means equal wherever both sides are defined (the common real domain): (x^2-1)/(x-1) equals x+1,
  log(ab) equals log a + log b (both sides are defined only for a, b > 0), sqrt(x^2) equals |x| but not x.
- If either side mentions the imaginary unit, values are compared as complex numbers (principal branches).
- Decimals are exact rationals: 0.5 equals 1/2, 0.333 does not equal 1/3 (as in STACK).
- Symbols in sum/product bounds and inside factorials or binomials are sampled as non-negative integers;
  symbols declared integer or positive are sampled so.
- A side that is undefined everywhere (1/0, 0*oo) is an error; too few points in the common domain is "undecided".
"""

#: Relative tolerance of the 30-digit screen and the 80-digit confirmation.
SCREEN_DIGITS, SCREEN_RTOL = 30, 1e-20
CONFIRM_DIGITS, CONFIRM_RTOL = 80, 1e-60
#: Largest operation count for the exact `cancel` tier, which is polynomial but can still be slow.
EXACT_MAX_OPS = 120


def _shape(expr: Any) -> tuple[int, ...]:
    return tuple(expr.shape) if isinstance(expr, sp.MatrixBase) else ()


def default_sampler(*exprs: Any) -> PointSampler:
    """Random reals for every free symbol (positive ones where the symbol is declared positive)."""
    symbols = sorted({s for e in exprs for s in getattr(e, "free_symbols", set()) if isinstance(s, sp.Symbol)}, key=str)

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        return {
            s.name: rng.uniform(0.2, 3.0) if s.is_positive or s.is_nonnegative else rng.uniform(-3.0, 3.0)
            for s in symbols
        }

    return draw


def _close(left: np.ndarray, right: np.ndarray, rtol: float) -> np.ndarray:
    scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
    return np.abs(left - right) <= rtol * scale


def _plain(value: Any) -> Any:
    array = np.asarray(value)
    return array.item() if array.ndim == 0 else array.tolist()


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
    """
    if _shape(a) != _shape(b):
        return Verdict(
            "different", "shape", detail=f"shapes differ: {_shape(a) or 'scalar'} against {_shape(b) or 'scalar'}"
        )
    if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) and a == b:
        return Verdict("equal", "structural")
    if sampler is None and not indices and not _has_indexed(a) and not _has_indexed(b):
        return _compare_answers(a, b, seed=seed, points=points, budget=budget)
    return _compare_arrays(
        a, b, sampler=sampler, indices=indices, seed=seed, points=points, rtol=rtol, max_draws=max_draws
    )


def _has_indexed(expr: Any) -> bool:
    return isinstance(expr, sp.Basic) and bool(expr.has(sp.Indexed))


def _compare_arrays(
    a: Any,
    b: Any,
    *,
    sampler: PointSampler | None,
    indices: Sequence[tuple[Any, int]],
    seed: int,
    points: int,
    rtol: float,
    max_draws: int | None,
) -> Verdict:
    from symwork.core import numeric

    draw = sampler or default_sampler(a, b)
    rng = np.random.default_rng(seed)
    checked = 0
    budget = max_draws if max_draws is not None else points * 5
    for _ in range(budget):
        point = dict(draw(rng))
        try:
            left = numeric.evaluate(a, point, indices)
            right = numeric.evaluate(b, point, indices)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as exc:
            raise CheckError(f"Could not evaluate the expressions numerically: {exc}.") from exc
        left, right = np.broadcast_arrays(left, right)
        defined = np.isfinite(left) & np.isfinite(right)
        if not defined.any():
            continue  # outside the common domain: draw again
        agree = _close(left, right, rtol) | ~defined
        if not agree.all():
            where = tuple(int(i) for i in np.argwhere(~agree)[0])
            return Verdict(
                "different",
                "numeric",
                points=checked + 1,
                counterexample={
                    "point": {name: _plain(value) for name, value in point.items()},
                    "index": dict(
                        zip((str(s) for s, _ in indices), (w + 1 for w in where[-len(indices) :]), strict=False)
                    )
                    if indices
                    else {},
                    "position": list(where),
                    "lhs": float(left[where]),
                    "rhs": float(right[where]),
                },
            )
        checked += 1
        if checked >= points:
            return Verdict("equal", "numeric", points=checked)
    return Verdict("undecided", "numeric", points=checked, detail="too few points where both sides are defined")


# --------------------------------------------------------------------------------------------------
# The typed-answer path: mpmath at several precisions over several sampling regions.


class UndefinedError(CheckError):
    """A side has no value at all (it is zoo, nan or contains them)."""


@dataclass(frozen=True)
class Region:
    """A sampling region for real symbols: a generator of one value from an rng."""

    name: str
    draw: Callable[[np.random.Generator], float]


def _decimal(value: float, places: int = 3) -> float:
    # Short decimals make counterexamples readable; zero is avoided as it hides many differences.
    rounded = round(float(value), places)
    return rounded if rounded != 0 else 10.0**-places


#: Regions cycled through per draw; the positive region makes logs and roots of several symbols defined.
REGIONS: tuple[Region, ...] = (
    Region("moderate", lambda rng: _decimal(rng.uniform(-3.0, 3.0))),
    Region("positive", lambda rng: _decimal(rng.uniform(0.05, 4.0))),
    Region("small", lambda rng: _decimal(rng.uniform(-0.2, 0.2), 4)),
    Region("large", lambda rng: _decimal(rng.choice([-1.0, 1.0]) * rng.uniform(8.0, 60.0), 2)),
    Region("positive", lambda rng: _decimal(rng.uniform(0.05, 4.0))),
    Region("integer", lambda rng: float(rng.integers(-6, 7))),
    # Half-integers and small integers find where power rules fail: (a^b)^c ≠ a^(bc) at a=-2, b=2, c=1/2.
    Region("half-integer", lambda rng: float(rng.choice([-2.5, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0]))),
)


def _mp_sigmoid(x: Any) -> Any:
    import mpmath

    return 1 / (1 + mpmath.exp(-x))


def _mp_softmax(k: Any, *xs: Any) -> Any:
    import mpmath

    return mpmath.exp(xs[int(k) - 1]) / mpmath.fsum(mpmath.exp(x) for x in xs)


def _mp_logsumexp(*xs: Any) -> Any:
    import mpmath

    return mpmath.log(mpmath.fsum(mpmath.exp(x) for x in xs))


def _mp_heaviside(x: Any, h0: Any = 0.5) -> Any:
    return 1 if x > 0 else (0 if x < 0 else h0)


MPMATH_FUNCTIONS: dict[str, Any] = {
    "sigmoid": _mp_sigmoid,
    "relu": lambda x: x if x > 0 else 0 * x,
    "softmax": _mp_softmax,
    "logsumexp": _mp_logsumexp,
    "Heaviside": _mp_heaviside,
}


def _mp_product(factors: Any) -> Any:
    import mpmath

    return mpmath.fprod(list(factors))


MPMATH_FUNCTIONS["_symwork_product"] = _mp_product


def _printer() -> Any:
    from sympy.printing.pycode import MpmathPrinter

    class AnswerPrinter(MpmathPrinter):
        """mpmath code that also prints products with symbolic bounds (bounds are sampled as integers)."""

        def _print_Product(self, expr: sp.Product) -> str:
            loops = " ".join(
                f"for {self._print(i)} in range(int({self._print(a)}), int({self._print(b)})+1)"
                for i, a, b in expr.limits[::-1]
            )
            return f"_symwork_product({self._print(expr.function)} {loops})"

    return AnswerPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})


@lru_cache(maxsize=2048)
def _compile_mp(expr: sp.Expr, names: tuple[str, ...]) -> Any:
    from symwork.core.numeric import lambdify_by_name

    return lambdify_by_name(expr, names, modules=[MPMATH_FUNCTIONS, "mpmath"], printer=_printer())


def _integer_symbols(expr: sp.Basic) -> set[str]:
    """Symbols that only make sense as integers: sum bounds, factorial and binomial arguments."""
    names = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    for node in expr.atoms(sp.Sum, sp.Product):
        for _var, *bounds in node.limits:
            for bound in bounds:
                names |= {s.name for s in bound.free_symbols}
    for node in expr.atoms(sp.factorial, sp.binomial, sp.factorial2):
        names |= {s.name for arg in node.args for s in arg.free_symbols}
    return names


def _prepare(expr: Any) -> Any:
    """Carry out unevaluated derivatives, and sums with concrete bounds, before comparing."""
    if not isinstance(expr, sp.Basic):
        return sp.sympify(expr)
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


def _mp_value(function: Any, args: Sequence[Any], *, complex_mode: bool) -> Any:
    """One side's value at a point, or None where it is undefined on the chosen domain."""
    import mpmath

    try:
        value = function(*args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError, ArithmeticError):
        return None
    try:
        value = mpmath.mpmathify(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, mpmath.mpc):
        if not (mpmath.isfinite(value.real) and mpmath.isfinite(value.imag)):
            return None
        if not complex_mode:
            # A non-real value is outside the real domain, unless the imaginary part is round-off.
            if abs(value.imag) > mpmath.mpf(10) ** (-(mpmath.mp.dps - 5)) * max(1, abs(value.real)):
                return None
            return value.real
        return value
    if not mpmath.isfinite(value):
        return None
    return value


def _agree(left: Any, right: Any, rtol: float) -> bool:
    scale = max(abs(left), abs(right), 1)
    return bool(abs(left - right) <= rtol * scale)


def _export(value: Any) -> Any:
    """A JSON-friendly number: float when it is real and representable, else a string."""
    import mpmath

    if isinstance(value, mpmath.mpc):
        return str(sp.N(sp.Float(str(value.real), 15) + sp.I * sp.Float(str(value.imag), 15), 15))
    as_float = float(value)
    if np.isfinite(as_float) and (as_float == 0 or 1e-300 < abs(as_float) < 1e300):
        return as_float
    return mpmath.nstr(value, 15)


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
        return _compare_constants(a, b)
    verdict = _compare_at_points(a, b, seed=seed, points=points, budget=budget, start=start)
    if verdict.status == "undecided" and _power_symbols(a, b):
        # Exponent symbols such as n in (-1)^n cos(x)^n are usually integers; on the reals such sides
        # are rarely both defined, so try integer exponents before giving up.
        verdict = _compare_at_points(
            a, b, seed=seed, points=points, budget=budget, start=start, integers=_power_symbols(a, b)
        )
    if verdict.status == "equal" and _exact_cheap(a, b):
        return Verdict("equal", "exact", points=verdict.points)
    if verdict.status == "equal":
        residual = _residual_difference(a, b, seed=seed)
        if residual is not None:
            return residual
    return verdict


def _residual_difference(a: sp.Expr, b: sp.Expr, *, seed: int) -> Verdict | None:
    """Huge common terms hide small differences from a relative test (e^{e^9} + x/7 against e^{e^9}).

    SymPy cancels identical terms when it forms a − b; if what is left is clearly non-zero at a point,
    measured against the size of its own terms, the two sides differ.
    """
    import mpmath

    difference = sp.Add(a, -b)
    terms = sp.Add.make_args(difference)
    if difference == 0 or len(terms) > 12 or sp.count_ops(difference) > 200:
        return None
    names = tuple(sorted(s.name for s in difference.free_symbols if isinstance(s, sp.Symbol)))
    try:
        value_f = _compile_mp(difference, names)
        scale_f = _compile_mp(sp.Add(*[sp.Abs(t) for t in terms]), names)
        guards = _guards(a) + _guards(b)
        guard_f = _compile_mp(sp.Tuple(*guards), names) if guards else None
    except Exception:  # noqa: BLE001 - no verdict from this tier is fine
        return None
    rng = np.random.default_rng(seed + 7)
    integers = _integer_symbols(a) | _integer_symbols(b)
    for _ in range(4):
        args = tuple(
            int(rng.integers(1, 7)) if n in integers else mpmath.mpf(repr(_decimal(rng.uniform(0.2, 2.0)))) for n in names
        )
        if guard_f is not None and not _inside_domain(guard_f, args):
            continue  # the same common real domain as the other tiers
        with mpmath.workdps(CONFIRM_DIGITS):
            value = _mp_value(value_f, args, complex_mode=False)
            scale = _mp_value(scale_f, args, complex_mode=False)
        if value is None or scale is None or scale == 0:
            continue
        if abs(value) > mpmath.mpf(10) ** (-(CONFIRM_DIGITS - 10)) * scale:
            point = {n: float(v) for n, v in zip(names, args, strict=True)}
            return Verdict("different", "high-precision", counterexample={"point": point, "difference": _export(value)})
    return None


def _power_symbols(a: sp.Basic, b: sp.Basic) -> frozenset[str]:
    return frozenset(s.name for e in (a, b) for p in e.atoms(sp.Pow) for s in p.exp.free_symbols)


def _exact_cheap(a: sp.Expr, b: sp.Expr) -> bool:
    """True when `cancel` proves a - b = 0 for small rational functions (a cheap, exact certificate)."""
    difference = a - b
    symbols = sorted(difference.free_symbols, key=str)
    if not symbols or sp.count_ops(difference) > EXACT_MAX_OPS or not difference.is_rational_function(*symbols):
        return False
    if any(int(abs(p.exp)) > 50 for p in difference.atoms(sp.Pow) if p.exp.is_Integer):
        return False
    return bool(sp.cancel(difference) == 0)


def _compare_constants(a: sp.Expr, b: sp.Expr) -> Verdict:
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
        return Verdict("different", "high-precision", counterexample={"point": {}, "lhs": _num(left), "rhs": _num(right)})
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


def _compare_at_points(
    a: sp.Expr,
    b: sp.Expr,
    *,
    seed: int,
    points: int,
    budget: float,
    start: float,
    integers: frozenset[str] = frozenset(),
) -> Verdict:
    import mpmath

    symbols = sorted({s for e in (a, b) for s in e.free_symbols if isinstance(s, sp.Symbol)}, key=str)
    names = tuple(s.name for s in symbols)
    as_integer = _integer_symbols(a) | _integer_symbols(b) | integers
    complex_mode = bool(a.has(sp.I) or b.has(sp.I))
    guard_f = None
    if not complex_mode:
        guards = _guards(a) + _guards(b)
        if guards:
            guard_f = _compile_mp(sp.Tuple(*guards), names)
    try:
        left_f, right_f = _compile_mp(a, names), _compile_mp(b, names)
    except Exception as exc:  # noqa: BLE001 - a printer gap for an exotic function is "undecided", not a crash
        return Verdict("undecided", "numeric", detail=f"could not compile for numeric evaluation: {exc}")
    rng = np.random.default_rng(seed)
    checked = 0
    candidates: list[tuple[Any, ...]] = []
    for draw in range(points * 8):
        if time.perf_counter() - start > budget:
            break
        region = REGIONS[draw % len(REGIONS)]
        point: dict[str, float] = {}
        for symbol in symbols:
            if draw % 3 == 2:
                region = REGIONS[int(rng.integers(len(REGIONS)))]  # mixed regions: one per symbol
            if symbol.name in as_integer:
                low = 0 if symbol.name not in integers or symbol.is_nonnegative else -4
                point[symbol.name] = float(rng.integers(low, 9))
            else:
                value = region.draw(rng)
                point[symbol.name] = abs(value) if (symbol.is_positive or symbol.is_nonnegative) else value
        args = tuple(int(point[n]) if n in as_integer else mpmath.mpf(repr(point[n])) for n in names)
        if guard_f is not None and not _inside_domain(guard_f, args):
            continue
        with mpmath.workdps(SCREEN_DIGITS):
            left, right = (
                _mp_value(left_f, args, complex_mode=complex_mode),
                _mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is None or right is None:
                continue
            if not _agree(left, right, SCREEN_RTOL):
                # Cancellation (cosh(x)^2 - sinh(x)^2 at x = 50) can fake a difference: insist that it
                # persists at 80 and at 200 digits before calling it a counterexample.
                if _persists(left_f, right_f, args, complex_mode):
                    return _different(point, left, right, checked)
        checked += 1
        if len(candidates) < 3:
            candidates.append(args)
        if checked >= points:
            break
    if checked < max(3, points // 3):
        return Verdict("undecided", "numeric", points=checked, detail="too few points where both sides are defined")
    found = _grid_difference(left_f, right_f, names, as_integer, guard_f, complex_mode, rng, start, budget, checked)
    if found is not None:
        return found
    # Confirmation at high precision: catches differences below the screen's tolerance (1 + 1e-25 x).
    for args in candidates:
        with mpmath.workdps(CONFIRM_DIGITS):
            left, right = (
                _mp_value(left_f, args, complex_mode=complex_mode),
                _mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is not None and right is not None and not _agree(left, right, CONFIRM_RTOL):
                point = {n: (float(v) if not isinstance(v, int) else v) for n, v in zip(names, args, strict=True)}
                return _different(point, left, right, checked, method="high-precision")
    return Verdict("equal", "numeric", points=checked)


#: Values where power and root rules typically break: negative bases, even powers, half-integer exponents.
GRID: tuple[float, ...] = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0)
GRID_POINTS = 240


def _grid_difference(
    left_f: Any,
    right_f: Any,
    names: tuple[str, ...],
    as_integer: set[str] | frozenset[str],
    guard_f: Any,
    complex_mode: bool,
    rng: np.random.Generator,
    start: float,
    budget: float,
    checked: int,
) -> Verdict | None:
    """Random points rarely hit (a^b)^c at a = -2, b = 2, c = 1/2; a small grid of such values does."""
    import itertools

    import mpmath

    if not names:
        return None
    if len(GRID) ** len(names) <= GRID_POINTS:
        combos: Any = itertools.product(GRID, repeat=len(names))
    else:
        combos = (tuple(float(v) for v in rng.choice(GRID, size=len(names))) for _ in range(GRID_POINTS))
    for combo in combos:
        if time.perf_counter() - start > budget:
            return None
        # Integer symbols (sum bounds, counts) keep to their natural range, as in the random phase.
        if any(n in as_integer and (v < 0 or not float(v).is_integer()) for n, v in zip(names, combo, strict=True)):
            continue
        args = tuple(int(v) if n in as_integer else mpmath.mpf(v) for n, v in zip(names, combo, strict=True))
        if guard_f is not None and not _inside_domain(guard_f, args):
            continue
        with mpmath.workdps(SCREEN_DIGITS):
            left = _mp_value(left_f, args, complex_mode=complex_mode)
            right = _mp_value(right_f, args, complex_mode=complex_mode)
            if left is None or right is None or _agree(left, right, SCREEN_RTOL):
                continue
        if _persists(left_f, right_f, args, complex_mode):
            point = {n: (v if isinstance(v, int) else float(v)) for n, v in zip(names, args, strict=True)}
            return _different(point, left, right, checked)
    return None


def _guards(expr: sp.Basic) -> list[sp.Expr]:
    """Subexpressions that must be real-valued on the real domain: (base, exponent) of non-integer powers, log args.

    A product such as sqrt(k/m) sqrt(m/k) is real even where each factor is imaginary; checking the
    factors keeps such points out of the common real domain.
    """
    found: list[sp.Expr] = []
    for power in expr.atoms(sp.Pow):
        if not power.exp.is_integer and not power.base.is_nonnegative:
            found.append(sp.Tuple(power.base, power.exp))
    for log in expr.atoms(sp.log):
        if not log.args[0].is_positive:
            found.append(sp.Tuple(log.args[0], sp.Rational(1, 2)))
    return found


def _inside_domain(guard_f: Any, args: Sequence[Any]) -> bool:
    import mpmath

    with mpmath.workdps(SCREEN_DIGITS):
        try:
            pairs = guard_f(*args)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, ArithmeticError):
            return False
        for base, exponent in pairs:
            if isinstance(base, mpmath.mpc) or isinstance(exponent, mpmath.mpc):
                return False
            if base < 0 and abs(exponent - mpmath.nint(exponent)) > mpmath.mpf(10) ** -20:
                return False
    return True


def _persists(left_f: Any, right_f: Any, args: Sequence[Any], complex_mode: bool) -> bool:
    import mpmath

    for digits, rtol in ((CONFIRM_DIGITS, SCREEN_RTOL), (200, SCREEN_RTOL)):
        with mpmath.workdps(digits):
            left, right = (
                _mp_value(left_f, args, complex_mode=complex_mode),
                _mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is None or right is None or _agree(left, right, rtol):
                return False
    return True


def _different(point: Mapping[str, float], left: Any, right: Any, checked: int, *, method: str = "numeric") -> Verdict:
    tidy = {name: (int(v) if float(v).is_integer() else v) for name, v in point.items()}
    return Verdict(
        "different",
        method,
        points=checked + 1,
        counterexample={"point": tidy, "lhs": _export(left), "rhs": _export(right)},
    )


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
