"""mpmath for the typed-answer path: compiled sides, their values at a point, agreement and export."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from symwork.core.numeric import lambdify_by_name

#: Relative tolerance of the 30-digit screen and the 80-digit confirmation.
SCREEN_DIGITS, SCREEN_RTOL = 30, 1e-20
CONFIRM_DIGITS, CONFIRM_RTOL = 80, 1e-60


class AnswerPrinter(MpmathPrinter):
    """mpmath code that also prints products with symbolic bounds (bounds are sampled as integers).

    ML functions print themselves (their classes' ``_mpmathcode``), so no namespace of them is needed.
    """

    def _print_Product(self, expr: sp.Product) -> str:
        loops = " ".join(
            f"for {self._print(i)} in range(int({self._print(a)}), int({self._print(b)})+1)"
            for i, a, b in expr.limits[::-1]
        )
        return f"{self._module_format('mpmath.fprod')}([{self._print(expr.function)} {loops}])"


@lru_cache(maxsize=2048)
def compile_mp(expr: sp.Expr, names: tuple[str, ...]) -> Any:
    """A function of the named symbols that evaluates ``expr`` in mpmath at the working precision."""
    printer = AnswerPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})
    return lambdify_by_name(expr, names, modules=["mpmath"], printer=printer)


def mp_value(function: Any, args: Sequence[Any], *, complex_mode: bool) -> Any:
    """One side's value at a point, or None where it is undefined on the chosen domain."""
    try:
        value = function(*args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError, ArithmeticError, IndexError):
        return None  # IndexError: a softmax component index outside 1..n
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


def agree(left: Any, right: Any, rtol: float) -> bool:
    """Equal within ``rtol`` relative to the larger magnitude (absolute below 1)."""
    scale = max(abs(left), abs(right), 1)
    return bool(abs(left - right) <= rtol * scale)


def export(value: Any) -> Any:
    """A JSON-friendly number: float when it is real and representable, else a string."""
    if isinstance(value, mpmath.mpc):
        return str(sp.N(sp.Float(str(value.real), 15) + sp.I * sp.Float(str(value.imag), 15), 15))
    as_float = float(value)
    if np.isfinite(as_float) and (as_float == 0 or 1e-300 < abs(as_float) < 1e300):
        return as_float
    return mpmath.nstr(value, 15)
