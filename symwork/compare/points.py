"""The point tier of the typed-answer path: sampling regions, the domain guards, random points and a grid."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from symwork.compare.mp import (
    CONFIRM_DIGITS,
    CONFIRM_RTOL,
    SCREEN_DIGITS,
    SCREEN_RTOL,
    agree,
    compile_mp,
    export,
    mp_value,
)
from symwork.core.spec import Verdict


@dataclass(frozen=True)
class Region:
    """A sampling region for real symbols: a generator of one value from an rng."""

    name: str
    draw: Callable[[np.random.Generator], float]


def short_decimal(value: float, places: int = 3) -> float:
    """``value`` rounded to a few decimal places, never to zero."""
    # Short decimals make counterexamples readable; zero is avoided as it hides many differences.
    rounded = round(float(value), places)
    return rounded if rounded != 0 else 10.0**-places


#: Regions cycled through per draw; the positive region makes logs and roots of several symbols defined.
REGIONS: tuple[Region, ...] = (
    Region("moderate", lambda rng: short_decimal(rng.uniform(-3.0, 3.0))),
    Region("positive", lambda rng: short_decimal(rng.uniform(0.05, 4.0))),
    Region("small", lambda rng: short_decimal(rng.uniform(-0.2, 0.2), 4)),
    Region("large", lambda rng: short_decimal(rng.choice([-1.0, 1.0]) * rng.uniform(8.0, 60.0), 2)),
    Region("positive", lambda rng: short_decimal(rng.uniform(0.05, 4.0))),
    Region("integer", lambda rng: float(rng.integers(-6, 7))),
    # Half-integers and small integers find where power rules fail: (a^b)^c ≠ a^(bc) at a=-2, b=2, c=1/2.
    Region("half-integer", lambda rng: float(rng.choice([-2.5, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0]))),
)


def integer_symbols(expr: sp.Basic) -> set[str]:
    """Symbols that only make sense as integers: sum bounds, factorial and binomial arguments."""
    names = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    for node in expr.atoms(sp.Sum, sp.Product):
        for _var, *bounds in node.limits:
            for bound in bounds:
                names |= {s.name for s in bound.free_symbols}
    for node in expr.atoms(sp.factorial, sp.binomial, sp.factorial2):
        names |= {s.name for arg in node.args for s in arg.free_symbols}
    return names


def power_symbols(a: sp.Basic, b: sp.Basic) -> frozenset[str]:
    """Names of the symbols in exponents, on either side."""
    return frozenset(s.name for e in (a, b) for p in e.atoms(sp.Pow) for s in p.exp.free_symbols)


def compare_at_points(
    a: sp.Expr,
    b: sp.Expr,
    *,
    seed: int,
    points: int,
    budget: float,
    start: float,
    integers: frozenset[str] = frozenset(),
) -> Verdict:
    """Compare at random points of the common real domain (30 digits), then a grid, then confirm at 80 digits."""
    symbols = sorted({s for e in (a, b) for s in e.free_symbols if isinstance(s, sp.Symbol)}, key=str)
    names = tuple(s.name for s in symbols)
    as_integer = integer_symbols(a) | integer_symbols(b) | integers
    complex_mode = bool(a.has(sp.I) or b.has(sp.I))
    guard_f = None
    if not complex_mode:
        guards = domain_guards(a) + domain_guards(b)
        if guards:
            guard_f = compile_mp(sp.Tuple(*guards), names)
    try:
        left_f, right_f = compile_mp(a, names), compile_mp(b, names)
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
        if guard_f is not None and not inside_domain(guard_f, args):
            continue
        with mpmath.workdps(SCREEN_DIGITS):
            left, right = (
                mp_value(left_f, args, complex_mode=complex_mode),
                mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is None or right is None:
                continue
            if not agree(left, right, SCREEN_RTOL):
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
                mp_value(left_f, args, complex_mode=complex_mode),
                mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is not None and right is not None and not agree(left, right, CONFIRM_RTOL):
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
        if guard_f is not None and not inside_domain(guard_f, args):
            continue
        with mpmath.workdps(SCREEN_DIGITS):
            left = mp_value(left_f, args, complex_mode=complex_mode)
            right = mp_value(right_f, args, complex_mode=complex_mode)
            if left is None or right is None or agree(left, right, SCREEN_RTOL):
                continue
        if _persists(left_f, right_f, args, complex_mode):
            point = {n: (v if isinstance(v, int) else float(v)) for n, v in zip(names, args, strict=True)}
            return _different(point, left, right, checked)
    return None


def domain_guards(expr: sp.Basic) -> list[sp.Expr]:
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


def inside_domain(guard_f: Any, args: Sequence[Any]) -> bool:
    """True when every compiled guard (see `domain_guards`) is real-valued at ``args``."""
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
    for digits, rtol in ((CONFIRM_DIGITS, SCREEN_RTOL), (200, SCREEN_RTOL)):
        with mpmath.workdps(digits):
            left, right = (
                mp_value(left_f, args, complex_mode=complex_mode),
                mp_value(right_f, args, complex_mode=complex_mode),
            )
            if left is None or right is None or agree(left, right, rtol):
                return False
    return True


def _different(point: Mapping[str, float], left: Any, right: Any, checked: int, *, method: str = "numeric") -> Verdict:
    tidy = {name: (int(v) if float(v).is_integer() else v) for name, v in point.items()}
    return Verdict(
        "different",
        method,
        points=checked + 1,
        counterexample={"point": tidy, "lhs": export(left), "rhs": export(right)},
    )
