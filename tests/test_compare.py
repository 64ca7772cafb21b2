"""The comparison engine: tiers, domains, precision, matrices, and property tests with hypothesis."""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symwork.compare import compare
from symwork.core.functions import logsumexp, sigmoid
from symwork.parse import parse
from symwork.publish.printing import latex

x, y, a, b = sp.symbols("x y a b")


def test_compare_finds_counterexample_for_sign_error() -> None:
    verdict = compare(x - y, y - x)
    assert verdict.status == "different"
    point = verdict.counterexample["point"]
    assert verdict.counterexample["lhs"] == point["x"] - point["y"]


def test_removable_singularity_is_equal() -> None:
    assert compare((x**2 - 1) / (x - 1), x + 1).status == "equal"


def test_sqrt_of_square_is_abs_not_x() -> None:
    assert compare(sp.sqrt(x**2), sp.Abs(x)).status == "equal"
    verdict = compare(sp.sqrt(x**2), x)
    assert verdict.status == "different"
    assert verdict.counterexample["point"]["x"] < 0


def test_near_cancellation_is_caught_by_high_precision() -> None:
    assert compare(1 + sp.Rational(1, 10**12) * x, sp.Integer(1)).status == "different"
    assert compare(1 + sp.Rational(1, 10**30) * x, sp.Integer(1)).status == "different"
    assert compare(sp.Integer(2) ** 100 + 1, sp.Integer(2) ** 100).status == "different"


def test_cancellation_does_not_fake_a_difference() -> None:
    assert compare(sp.cosh(x) ** 2 - sp.sinh(x) ** 2, sp.Integer(1)).status == "equal"


def test_large_powers_do_not_overflow() -> None:
    assert compare((x - a) ** 400, (a - x) ** 400).status == "equal"
    assert compare((x - a) ** 400, (x - a) ** 399).status == "different"


def test_log_rules_hold_on_the_common_domain() -> None:
    assert compare(sp.log(a * b), sp.log(a) + sp.log(b)).status == "equal"


def test_ml_identities() -> None:
    assert compare(sigmoid(x) * (1 - sigmoid(x)), sp.exp(-x) / (1 + sp.exp(-x)) ** 2).status == "equal"
    assert compare(sp.tanh(x), 2 * sigmoid(2 * x) - 1).status == "equal"
    assert compare(logsumexp(a, b), y + logsumexp(a - y, b - y)).status == "equal"


def test_matrices_compare_shape_first() -> None:
    row, column = sp.ImmutableMatrix([[1, 2]]), sp.ImmutableMatrix([[1], [2]])
    verdict = compare(row, column)
    assert (verdict.status, verdict.method) == ("different", "shape")
    differing = compare(sp.ImmutableMatrix([[x, 1]]), sp.ImmutableMatrix([[x, 2]]))
    assert differing.counterexample["entry"] == [1, 2]


def test_sums_with_symbolic_bounds_and_derivatives() -> None:
    k, n = sp.symbols("k n")
    assert compare(sp.Sum(k, (k, 1, n)), n * (n + 1) / 2).status == "equal"
    assert compare(sp.Sum(k, (k, 1, n)), n**2 / 2).status == "different"
    assert compare(sp.Derivative(x**3, x), 3 * x**2).status == "equal"


def test_exact_tier_certifies_small_rational_functions() -> None:
    assert compare(x**3 - 1, (x - 1) * (x**2 + x + 1)).method == "exact"


# --- properties ----------------------------------------------------------------------------------

leaves = st.sampled_from([x, y, sp.Integer(2), sp.Integer(3), sp.Rational(1, 2)])


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda p: p[0] + p[1]),
        st.tuples(children, children).map(lambda p: p[0] * p[1]),
        st.tuples(children, children).map(lambda p: p[0] - p[1]),
        children.map(lambda c: c**2),
        children.map(sp.exp),
        children.map(sp.sin),
        children.map(sigmoid),
    )


expressions = st.recursive(leaves, _combine, max_leaves=6)


@settings(max_examples=50, deadline=None)
@given(expressions)
def test_compare_latex_round_trip_gives_an_equal_expression(expr: sp.Expr) -> None:
    assert compare(parse(latex(expr)), expr).status == "equal"


@settings(max_examples=50, deadline=None)
@given(expressions)
def test_compare_expression_equals_its_expansion(expr: sp.Expr) -> None:
    assert compare(expr, sp.expand(expr)).status == "equal"


@settings(max_examples=50, deadline=None)
@given(expressions, st.sampled_from([sp.Rational(1, 1000), sp.Integer(1), x / 7]))
def test_compare_expression_differs_from_a_perturbed_copy(expr: sp.Expr, bump: sp.Expr) -> None:
    assert compare(expr, expr + bump).status == "different"
