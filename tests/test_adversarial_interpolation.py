"""The interpolation attack of issue 14: counterexample points revealed by "Not equal" cannot forge a correct answer."""

from __future__ import annotations

from fractions import Fraction

import symwork
from symwork.answers import checker
from symwork.answers.marking import check_answer, point_seed
from symwork.compare import compare
from symwork.parse import parse

CORRECT = r"\sigma(x)(1-\sigma(x))"


def _forged(points: list[float]) -> str:
    """The right answer plus a polynomial that vanishes at every revealed point, exactly (binary values)."""
    factors = "".join(f"(x - ({Fraction(float(p))}))" for p in points)
    return CORRECT + (f" + 100{factors}" if points else " + 1")


def _attack(check: object, rounds: int) -> tuple[str, list[float]]:
    points: list[float] = []
    for _ in range(rounds):
        result = check(_forged(points))  # type: ignore[operator]
        if result["verdict"] == "equal":
            return "equal", points
        points.append(result["counterexample"]["point"]["x"])
    return check(_forged(points))["verdict"], points  # type: ignore[operator]


def test_interpolation_attack_forges_fixed_points_so_the_threat_is_real() -> None:
    # With the same points on every call (the engine at a fixed seed), the attack succeeds: this is the
    # check that `symwork check` must not be.
    def fixed(text: str) -> dict:
        verdict = compare(parse(text), parse(CORRECT), seed=0)
        return {"verdict": str(verdict.status), "counterexample": verdict.counterexample}

    verdict, _ = _attack(fixed, rounds=40)
    assert verdict == "equal"


def test_interpolation_attack_fails_against_check_after_8_and_after_30_calls() -> None:
    def fresh(text: str) -> dict:
        return checker.check("sigmoid-derivative", text, sandbox=checker.IN_PROCESS)

    for rounds in (8, 30):
        verdict, points = _attack(fresh, rounds=rounds)
        assert verdict == "different"
        assert len(set(points)) == len(points)  # every call revealed a new point


def test_interpolation_attack_fails_against_a_graders_fixed_secret() -> None:
    secret = b"lecturer's course secret"
    derivation = symwork.get("sigmoid-derivative")

    def graded(text: str) -> dict:
        return check_answer(derivation, text, secret=secret).to_json()

    verdict, _ = _attack(graded, rounds=30)
    assert verdict == "different"


def test_grading_with_a_secret_is_reproducible_and_points_depend_on_the_answer() -> None:
    derivation = symwork.get("softmax-jacobian")
    secret = b"s3cret"
    first = check_answer(derivation, r"s_i \delta_{ij}", secret=secret).to_json()
    again = check_answer(derivation, r"s_i \delta_{ij}", secret=secret).to_json()
    assert first == again
    assert point_seed(secret, "id", "a") != point_seed(secret, "id", "b")
    assert point_seed(secret, "id", "a") != point_seed(b"other", "id", "a")
    fresh = {str(check_answer(derivation, r"s_i \delta_{ij}").counterexample.point) for _ in range(3)}
    assert len(fresh) == 3  # without a secret, every call draws new points
