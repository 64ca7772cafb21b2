"""Tests over the whole derivation library: every step, every result, every exercise generator."""

from __future__ import annotations

import numpy as np
import pytest

import symwork
from symwork import audit as check
from symwork.core import registry

# Not strict: a derivation module that fails to load fails test_library_every_module_loads below,
# not the collection of every other derivation's tests.
ALL = symwork.derivations(strict=False)
IDS = [item.id for item in ALL]
WITH_EXERCISE = [item for item in ALL if item.exercise is not None]


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_every_step_holds_on_every_instance(item: symwork.Derivation) -> None:
    for sizes in check.instance_sizes(item):
        for result in check.check_steps(item.instance(**sizes), seed=7):
            assert result.verdict.status == "equal", (sizes, result)


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_result_matches_independent_computation(item: symwork.Derivation) -> None:
    assert item.reference is not None or item.forward is not None
    for sizes in check.instance_sizes(item):
        assert check.check_result(item.instance(**sizes), seed=11, points=4) == []


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_has_question_title_and_justified_steps(item: symwork.Derivation) -> None:
    assert item.title and item.question
    assert item.body.steps, "a derivation needs at least one step"
    assert all(step.why.strip() for step in (*item.body.steps, item.body.result))


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_exercise_stress_200_seeds(item: symwork.Derivation) -> None:
    assert check.stress_exercise(item, range(200)) == []


def test_library_every_module_loads() -> None:
    assert registry.load_errors() == []


def test_library_every_derivation_has_an_exercise() -> None:
    assert [item.id for item in ALL if item.exercise is None] == []


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_exercise_is_deterministic_per_seed(item: symwork.Derivation) -> None:
    first, again, other = item.make_exercise(5), item.make_exercise(5), item.make_exercise(6)
    assert first == again
    assert first.prompt and first.answer is not None
    assert isinstance(other.prompt, str)


def test_library_evaluate_rejects_missing_input() -> None:
    with pytest.raises(symwork.SymworkError, match="needs z"):
        symwork.get("softmax-jacobian").evaluate()


def test_library_evaluate_rejects_misshapen_input() -> None:
    with pytest.raises(symwork.SymworkError, match=r"shape \(n,\)"):
        symwork.get("softmax-jacobian").evaluate(z=np.zeros((2, 2)))


def test_library_unknown_id_names_close_matches() -> None:
    with pytest.raises(symwork.SymworkError, match="softmax-jacobian"):
        symwork.get("softmax-jacobain")
