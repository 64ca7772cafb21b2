"""ML functions: derivatives, numeric values and LaTeX."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symwork.core.functions import logsumexp, relu, sigmoid, softmax
from symwork.core.numeric import NUMPY_FUNCTIONS
from symwork.publish import printing

x, y, z = sp.symbols("x y z")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sigmoid(x).diff(x), sigmoid(x) * (1 - sigmoid(x))),
        (relu(x).diff(x), sp.Heaviside(x, 0)),
        (logsumexp(x, y).diff(x), softmax(1, x, y)),
        (softmax(1, x, y).diff(y), -softmax(1, x, y) * softmax(2, x, y)),
        (sigmoid(0), sp.Rational(1, 2)),
        (relu(-3), 0),
        (relu(sp.Rational(5, 2)), sp.Rational(5, 2)),
        (logsumexp(x), x),
        (softmax(1, x), 1),
    ],
)
def test_functions_exact_rules(expr: sp.Expr, expected: sp.Expr) -> None:
    assert sp.simplify(expr - expected) == 0


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        (sigmoid(sp.Integer(2)), 1 / (1 + np.exp(-2))),
        (logsumexp(sp.Integer(1), sp.Integer(2)), np.log(np.exp(1) + np.exp(2))),
        (softmax(sp.Integer(2), sp.Integer(0), sp.log(3)), 0.75),
    ],
)
def test_functions_evalf_matches_numpy(expr: sp.Expr, value: float) -> None:
    assert float(expr.evalf(30)) == pytest.approx(value, rel=1e-12)


def test_functions_numpy_versions_are_stable_for_large_inputs() -> None:
    values = np.array([-1000.0, 0.0, 1000.0])
    assert NUMPY_FUNCTIONS["sigmoid"](values) == pytest.approx([0.0, 0.5, 1.0])
    assert NUMPY_FUNCTIONS["logsumexp"](np.array(1000.0), np.array(1000.0)) == pytest.approx(1000 + np.log(2))


def test_functions_derivative_matches_finite_difference() -> None:
    f = sp.lambdify(x, sigmoid(x).diff(x).rewrite(sp.exp), "numpy")
    h = 1e-6
    for point in (-2.0, 0.3, 1.7):
        numeric = (NUMPY_FUNCTIONS["sigmoid"](point + h) - NUMPY_FUNCTIONS["sigmoid"](point - h)) / (2 * h)
        assert f(point) == pytest.approx(numeric, rel=1e-7)


@pytest.mark.parametrize(
    ("expr", "latex"),
    [
        (sigmoid(x), r"\sigma\left(x\right)"),
        (relu(x), r"\relu\left(x\right)"),
        (logsumexp(x, y), r"\logsumexp\left(x, y\right)"),
        (softmax(2, x, y), r"\softmax\left(x, y\right)_{2}"),
        (sp.IndexedBase("z")[sp.Symbol("i")], "z_{i}"),
        (sp.KroneckerDelta(sp.Symbol("i"), sp.Symbol("j")), r"\delta_{ij}"),
        (sp.MatrixSymbol("x", 3, 1).T, r"\bm{x}^\top"),
        (sp.Derivative(sp.IndexedBase("s")[sp.Symbol("i")], sp.IndexedBase("z")[sp.Symbol("j")]), r"\frac{\partial s_{i}}{\partial z_{j}}"),
    ],
)
def test_functions_print_in_symwork_notation(expr: sp.Expr, latex: str) -> None:
    assert printing.latex(expr) == latex
