"""Seeded, domain-aware random points for checks: each domain is a sampler in a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from symwork.core.spec import Input
from symwork.errors import LibraryError

Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def _simplex(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]) if shape else np.asarray(1.0)


def _onehot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape)
    if not shape:
        return np.asarray(1.0)
    hot = rng.integers(0, shape[-1], size=shape[:-1])
    np.put_along_axis(out, np.asarray(hot)[..., None], 1.0, axis=-1)
    return out


def _symmetric(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    square = rng.uniform(-2, 2, shape)
    return (square + np.swapaxes(square, -1, -2)) / 2


def _spd(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    square = rng.uniform(-1, 1, shape)
    return square @ np.swapaxes(square, -1, -2) + np.eye(shape[-1])


#: How each domain draws values; a derivation with linked inputs supplies its own ``sampler``.
SAMPLERS: dict[str, Sampler] = {
    "real": lambda rng, shape: rng.uniform(-2.0, 2.0, shape),
    "positive": lambda rng, shape: rng.uniform(0.5, 2.5, shape),
    "unit": lambda rng, shape: rng.uniform(0.05, 0.95, shape),
    "small": lambda rng, shape: rng.uniform(0.01, 0.3, shape),
    "integer": lambda rng, shape: rng.integers(-5, 6, shape).astype(float),
    "count": lambda rng, shape: rng.integers(1, 12, shape).astype(float),
    "simplex": _simplex,
    "onehot": _onehot,
    "symmetric": _symmetric,
    "spd": _spd,
}


def concrete_shape(shape: Sequence[Any], sizes: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(int(sizes[dim]) if isinstance(dim, str) else int(dim) for dim in shape)


def sample_inputs(
    inputs: Sequence[Input], sizes: Mapping[str, int], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One random point: a value for every input, drawn from its domain at the given sizes."""
    point: dict[str, np.ndarray] = {}
    for item in inputs:
        try:
            sampler = SAMPLERS[item.domain]
        except KeyError:
            raise LibraryError(
                f"Input {item.name!r} has domain {item.domain!r}; use one of {', '.join(SAMPLERS)}."
            ) from None
        point[item.name] = np.asarray(sampler(rng, concrete_shape(item.shape, sizes)), dtype=float)
    return point
