"""LMS answers as numbers: tolerances and accepted spellings, checked against independent arithmetic."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

import symwork
from symwork.errors import NotSupportedError
from symwork.publish.lms import numbers


def _four_figures(value: float, rounding: str) -> float:
    exact = Decimal(repr(value))
    return float(exact.quantize(Decimal(1).scaleb(exact.adjusted() - 3), rounding=rounding))


@pytest.mark.parametrize(
    ("exact", "value", "tolerance"),
    [
        (sp.Rational(1, 3), "0.333333333333", "0.0001"),
        (sp.Rational(-7, 8), "-0.875", "0.0001"),
        (sp.sqrt(2), "1.41421356237", "0.001"),
        (sp.log(3), "1.09861228867", "0.001"),
        (sp.Rational(9, 2048), "0.00439453125", "0.000001"),
        (100 * sp.log(10), "230.258509299", "0.1"),
        (sp.Integer(25165824), "25165824", "0"),
        (sp.Integer(0), "0", "0"),
        (sp.Integer(-3), "-3", "0"),
    ],
)
def test_lms_numbers_tolerance_is_one_unit_in_the_fourth_figure(exact: sp.Expr, value: str, tolerance: str) -> None:
    entry = numbers.entry(exact)
    assert (entry.value, entry.tolerance) == (value, tolerance)
    assert entry.kind == ("integer" if exact.is_Integer else "approximate")


@pytest.mark.parametrize("derivation_id", [d.id for d in symwork.derivations() if d.exercise is not None])
def test_lms_numbers_accept_rounded_and_truncated_answers_and_refuse_slips(derivation_id: str) -> None:
    exercise = symwork.get(derivation_id).make_exercise(5)
    try:
        answer = numbers.answer(exercise)
    except NotSupportedError:
        pytest.skip("not a numeric answer")
    for entry in answer.entries:
        if entry.kind == "word":
            continue
        # The decimal printed and the range accepted, against mpmath's own functions at 50 digits (not evalf).
        with mpmath.workdps(50):
            truth = mpmath.mpf(sp.lambdify([], entry.exact, "mpmath")())
        low, high = float(entry.low), float(entry.high)
        assert abs(float(entry.value) - float(truth)) <= 1e-11 * max(1.0, abs(float(truth))), entry
        if entry.kind == "integer":
            assert entry.tolerance == "0" and Fraction(entry.value) == Fraction(int(entry.exact))
            continue
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            typed = _four_figures(float(truth), rounding)
            assert low <= typed <= high, (entry, typed)
        # Slips a grader must not take for right: a sign, a factor of 2, 0.2 % off.
        for wrong in (-float(truth), 2 * float(truth), float(truth) * 1.002):
            if wrong != float(truth):
                assert not low <= wrong <= high, (entry, wrong)


def test_lms_numbers_spellings_are_within_the_tolerance() -> None:
    for exact in (sp.Rational(1, 3), sp.Rational(-2, 27), sp.Rational(145, 1024), sp.sqrt(2), sp.Rational(2469, 2)):
        entry = numbers.entry(exact)
        assert entry.spellings
        for spelling in entry.spellings:
            value = Fraction(spelling)
            assert Decimal(entry.low) <= Decimal(value.numerator) / Decimal(value.denominator) <= Decimal(entry.high), (
                spelling
            )
    assert numbers.entry(sp.Rational(1, 3)).spellings == ("0.3333", "1/3", ".3333")
    assert numbers.entry(sp.Rational(-7, 8)).spellings == ("-0.8750", "-0.875", "-7/8", "-.8750", "-.875")


def test_lms_numbers_refuse_what_is_not_a_real_number() -> None:
    for value in (sp.Symbol("x"), sp.I, sp.oo):
        with pytest.raises(NotSupportedError, match="not a finite real number"):
            numbers.entry(value)


def test_lms_numbers_label_entries_by_tuple_label_or_index() -> None:
    exercise = SimpleNamespace(
        answer=sp.ImmutableMatrix([[1], [sp.Rational(1, 4)]]),
        answer_label=r"(\E[X], \Var(X))",
        derivation_id="t",
        seed=0,
        parts=(),
    )
    answer = numbers.answer(exercise)
    assert answer.listed and [e.label for e in answer.entries] == [r"\E[X]", r"\Var(X)"]
    matrix = SimpleNamespace(
        answer=sp.ImmutableMatrix([[1, 2], [3, 4]]), answer_label="J", derivation_id="t", seed=0, parts=()
    )
    assert [e.label for e in numbers.answer(matrix).entries] == ["J_{11}", "J_{12}", "J_{21}", "J_{22}"]
    vector = SimpleNamespace(
        answer=sp.ImmutableMatrix([[1], [2]]), answer_label=r"\bm{p}", derivation_id="t", seed=0, parts=()
    )
    assert [e.label for e in numbers.answer(vector).entries] == [r"\bm{p}_{1}", r"\bm{p}_{2}"]
    assert numbers.answer(vector).lines == (r"\bm{p} = \left[\begin{matrix}1\\2\end{matrix}\right]",)


def test_lms_numbers_word_parts_become_choices() -> None:
    parts = (
        SimpleNamespace(
            name="d",
            label="a",
            words=("", "dependent", "independent"),
            choices=("dependent", "independent"),
            answer="independent",
            ask="",
        ),
        SimpleNamespace(name=r"\det G", label="b", words=(), choices=(), answer=sp.Integer(4), ask=""),
    )
    exercise = SimpleNamespace(answer=sp.Integer(4), answer_label="", derivation_id="t", seed=0, parts=parts)
    answer = numbers.answer(exercise)
    word, number = answer.entries
    assert (word.kind, word.value, word.choices) == ("word", "independent", ("dependent", "independent"))
    assert (number.kind, number.value, number.label) == ("integer", "4", r"\det G")
    assert answer.listed and answer.lines == (r"d: \text{independent}", r"\det G = 4")
