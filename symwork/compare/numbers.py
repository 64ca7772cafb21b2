"""The numeric rules of the evaluator: each scalar function in float64 (numpy, SciPy) and at high precision (mpmath)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp


def _mp(function: Callable[..., Any]) -> Callable[..., Any]:
    vectorised = np.frompyfunc(function, 1, 1)

    def call(value: Any) -> Any:
        return vectorised(value)

    return call


def _special(name: str) -> Callable[..., Any]:
    """A scipy.special function, imported on first use: importing SciPy costs start-up time most checks never need."""

    def call(*args: Any) -> Any:
        from scipy import special  # noqa: PLC0415 - lazy for start-up speed (see the docstring)

        return getattr(special, name)(*args)

    return call


def _mp_erf(x: Any) -> Any:
    return mpmath.erf(x)


#: Scalar functions: (float64 version, mpmath version), by SymPy class name.
FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "exp": (np.exp, _mp(mpmath.exp)),
    "log": (np.log, _mp(lambda x: mpmath.log(x) if x > 0 else mpmath.mpf("nan"))),
    "sin": (np.sin, _mp(mpmath.sin)),
    "cos": (np.cos, _mp(mpmath.cos)),
    "tan": (np.tan, _mp(mpmath.tan)),
    "cot": (lambda x: 1 / np.tan(x), _mp(mpmath.cot)),
    "sec": (lambda x: 1 / np.cos(x), _mp(mpmath.sec)),
    "csc": (lambda x: 1 / np.sin(x), _mp(mpmath.csc)),
    "asin": (np.arcsin, _mp(lambda x: mpmath.asin(x) if abs(x) <= 1 else mpmath.mpf("nan"))),
    "acos": (np.arccos, _mp(lambda x: mpmath.acos(x) if abs(x) <= 1 else mpmath.mpf("nan"))),
    "atan": (np.arctan, _mp(mpmath.atan)),
    "sinh": (np.sinh, _mp(mpmath.sinh)),
    "cosh": (np.cosh, _mp(mpmath.cosh)),
    "tanh": (np.tanh, _mp(mpmath.tanh)),
    "asinh": (np.arcsinh, _mp(mpmath.asinh)),
    "acosh": (np.arccosh, _mp(lambda x: mpmath.acosh(x) if x >= 1 else mpmath.mpf("nan"))),
    "atanh": (np.arctanh, _mp(lambda x: mpmath.atanh(x) if abs(x) < 1 else mpmath.mpf("nan"))),
    "Abs": (np.abs, _mp(abs)),
    "sign": (np.sign, _mp(mpmath.sign)),
    "erf": (_special("erf"), _mp(_mp_erf)),
    "erfc": (_special("erfc"), _mp(mpmath.erfc)),
    "sigmoid": (lambda x: 0.5 * (1 + np.tanh(np.asarray(x, dtype=float) / 2)), _mp(lambda x: 1 / (1 + mpmath.exp(-x)))),
    "relu": (lambda x: np.maximum(x, 0.0), _mp(lambda x: max(x, mpmath.mpf(0)))),
    "Phi": (_special("ndtr"), _mp(lambda x: (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2)),
    "phi": (lambda x: np.exp(-x * x / 2) / math.sqrt(2 * math.pi), _mp(mpmath.npdf)),
    "gelu": (lambda x: x * _special("ndtr")(x), _mp(lambda x: x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2)),
    "factorial": (lambda x: _special("gamma")(np.asarray(x, dtype=float) + 1), _mp(lambda x: mpmath.factorial(x))),
}
RELATIONS: dict[type, Callable[[Any, Any], Any]] = {
    sp.Equality: np.equal,
    sp.Unequality: np.not_equal,
    sp.LessThan: np.less_equal,
    sp.StrictLessThan: np.less,
    sp.GreaterThan: np.greater_equal,
    sp.StrictGreaterThan: np.greater,
}


def mp_power(base: Any, exponent: Any) -> Any:
    try:
        value = mpmath.power(base, exponent)
    except (ZeroDivisionError, ValueError):
        return mpmath.mpf("nan")
    if isinstance(value, mpmath.mpc):
        return mpmath.mpf("nan") if abs(value.imag) > abs(value) * mpmath.mpf(10) ** -40 else value.real
    return value
