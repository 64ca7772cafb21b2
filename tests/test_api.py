"""The public Python API that other tools depend on."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import symwork


def _softmax(z: anp.ndarray) -> anp.ndarray:
    shifted = anp.exp(z - anp.max(z))
    return shifted / anp.sum(shifted)


def _cross_entropy(z: anp.ndarray, y: anp.ndarray) -> anp.ndarray:
    return -anp.sum(y * anp.log(_softmax(z)))


@pytest.mark.parametrize("seed", range(5))
def test_api_evaluate_agrees_with_autograd_to_1e8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=int(rng.integers(2, 9)))
    y = rng.dirichlet(np.ones(z.size))
    x = rng.normal(size=(3, 4))
    cases = [
        (symwork.get("softmax-jacobian").evaluate(z=z), autograd.jacobian(_softmax)(z)),
        (symwork.get("cross-entropy-gradient").evaluate(z=z, y=y), autograd.grad(_cross_entropy)(z, y)),
        (
            symwork.get("sigmoid-derivative").evaluate(x=x),
            autograd.elementwise_grad(lambda v: 1 / (1 + anp.exp(-v)))(x),
        ),
    ]
    for value, expected in cases:
        assert value.shape == expected.shape
        assert np.max(np.abs(value - expected)) <= 1e-8 * max(1.0, np.max(np.abs(expected)))


def test_api_softmax_jacobian_example_from_the_docs() -> None:
    jacobian = symwork.get("softmax-jacobian").evaluate(z=np.array([0.1, -2.0, 0.5]))
    s = np.exp([0.1, -2.0, 0.5]) / np.exp([0.1, -2.0, 0.5]).sum()
    assert jacobian == pytest.approx(np.diag(s) - np.outer(s, s), abs=1e-12)


def test_api_parse_and_compare_are_callable() -> None:
    left = symwork.parse(r"\sigma(x)(1-\sigma(x))")
    right = symwork.parse("exp(-x)/(1+exp(-x))^2", syntax="plain")
    assert symwork.compare(left, right).status == "equal"
    assert symwork.parse_relation("a = b = c") == tuple(symwork.parse(t) for t in "abc")


def test_api_derivations_are_ordered_and_complete() -> None:
    ids = [d.id for d in symwork.derivations()]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)


def test_api_compare_and_parse_stay_callable_after_their_modules_are_imported() -> None:
    import importlib

    for name in ("compare", "parse"):
        module = importlib.import_module(f"symwork.{name}")
        assert getattr(symwork, name) is module and callable(module)
    assert symwork.compare(symwork.parse("2x"), symwork.parse("x+x")).status == "equal"
