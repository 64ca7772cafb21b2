"""Exercises checked part by part: each printed answer against the result at the exercise's values, and no degenerate draw."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from symwork.audit.results import references
from symwork.compare import compare
from symwork.core import instances, numeric
from symwork.core.derivation import Derivation
from symwork.core.spec import Exercise, Part
from symwork.errors import SymworkError

#: Relative size of the perturbation that asks whether an answer depends on an input at all.
NUDGE = 0.05


def check_exercise(derivation: Derivation, exercise: Exercise) -> list[str]:
    """Every part of one exercise variant: answered, equal to what it claims to be, checked independently.

    A part that is the result is compared with the result evaluated numerically at the values and with
    the derivation's references; an entry of the result with that entry; a formula with its own
    reference (or, failing one, its numeric value); a word with the word its reference gives. A part
    named by a SymPy expression must also equal its answer.
    """
    where = f"seed {exercise.seed}"
    if not exercise.parts:
        return [f"{where}: the exercise has no parts, so nothing it asks is answered"]
    failures: list[str] = []
    point = {name: np.asarray(to_float(value), dtype=float) for name, value in exercise.values.items()}
    try:
        result = np.asarray(derivation.evaluate(**point), dtype=float)
    except (SymworkError, ArithmeticError, ValueError, TypeError) as exc:
        return [f"{where}: the result cannot be evaluated at the exercise's values: {exc}"]
    for part in exercise.parts:
        label = f"{where} part ({part.label})"
        if part.answer is None or (isinstance(part.answer, str) and part.answer not in part.choices):
            failures.append(f"{label}: no answer is printed for what it asks")
            continue
        if not part.name and len(exercise.parts) > 1:
            failures.append(f"{label}: the answer has no name to print before it")
        try:
            failures.extend(f"{label}: {message}" for message in _check_part(derivation, part, point, result))
        except (SymworkError, ArithmeticError, ValueError, TypeError) as exc:
            failures.append(f"{label}: could not be checked: {exc}")
    return failures


def _check_part(derivation: Derivation, part: Part, point: Mapping[str, np.ndarray], result: np.ndarray) -> list[str]:
    failures: list[str] = []
    if isinstance(part.name, sp.Basic):
        verdict = compare(sp.sympify(part.name).doit(), part.answer, seed=1)
        if verdict.status != "equal":
            failures.append(f"its printed name {part.name} is {verdict.status} from the answer {part.answer}")
    if part.is_word:
        if part.reference is None:
            return [*failures, "a word answer needs reference= to check it independently"]
        expected = part.reference(**point)
        return failures + (
            [] if expected == part.answer else [f"answer {part.answer!r} but the reference says {expected!r}"]
        )
    value = np.asarray(to_float(part.answer), dtype=float)
    checks: dict[str, np.ndarray] = {}
    if part.is_result:
        checks["the result evaluated numerically"] = result
        checks.update(
            {name: found for name, (found, _) in references(derivation, point, finite_differences=False).items()}
        )
    elif isinstance(part.of, int):
        checks[f"entry {part.of} of the result"] = result.reshape(-1)[part.of]
    elif part.reference is not None:
        checks["its reference"] = np.asarray(part.reference(**point), dtype=float)
    elif part.of is not None:
        checks["its formula evaluated numerically"] = _formula_value(derivation, part.of, point)
    else:
        failures.append("an answer given by the hook needs reference= to check it independently")
    if part.reference is not None and "its reference" not in checks:
        checks["its reference"] = np.asarray(part.reference(**point), dtype=float)
    if not np.all(np.isfinite(value)):
        failures.append(f"non-finite answer {part.answer}")
    for name, expected in checks.items():
        if value.size != expected.size or not np.allclose(
            value.reshape(expected.shape), expected, rtol=1e-7, atol=1e-9
        ):
            failures.append(f"answer {part.answer} disagrees with {name} {np.asarray(expected).tolist()}")
    return failures


def _formula_value(derivation: Derivation, formula: Any, point: Mapping[str, np.ndarray]) -> np.ndarray:
    """A part's formula at float values, through the numeric evaluator (the other route to the exact answer)."""
    sizes = instances.infer_sizes(derivation, point)
    body = derivation.instance(**sizes).body
    return np.asarray(numeric.evaluate(instances.prepare(formula, body), point), dtype=float)


def stress_exercise(derivation: Derivation, seeds: Iterable[int]) -> list[str]:
    """Regenerate the exercise under many seeds: every part checked, and no draw degenerate (see `degenerate`)."""
    failures: list[str] = []
    generic: dict[str, float] | None = None
    for seed in seeds:
        exercise = derivation.make_exercise(seed)
        failures.extend(check_exercise(derivation, exercise))
        if generic is None:
            generic = generic_dependence(derivation, exercise)
        failures.extend(f"seed {seed}: {message}" for message in degenerate(derivation, exercise, generic))
    return failures


def _values(exercise: Exercise) -> dict[str, np.ndarray]:
    return {name: np.asarray(to_float(value), dtype=float) for name, value in exercise.values.items()}


def _change(
    derivation: Derivation, point: Mapping[str, np.ndarray], base: np.ndarray, name: str, rng: np.random.Generator
) -> float | None:
    """How much the result (``base`` at ``point``) moves when input ``name`` is nudged a little (None: not evaluable)."""
    value = point[name]
    nudged = value + NUDGE * np.maximum(1.0, np.abs(value)) * rng.choice([-1.0, 1.0], size=value.shape) * rng.uniform(
        0.5, 1.0, size=value.shape
    )
    try:
        moved = np.asarray(derivation.evaluate(**{**point, name: nudged}), dtype=float)
    except (SymworkError, ArithmeticError, ValueError, TypeError):
        return None
    if moved.shape != base.shape or not (np.all(np.isfinite(moved)) and np.all(np.isfinite(base))):
        return None
    return float(np.max(np.abs(moved - base), initial=0.0)) / max(1.0, float(np.max(np.abs(base), initial=0.0)))


def generic_dependence(derivation: Derivation, exercise: Exercise, *, draws: int = 3) -> dict[str, float]:
    """How much the result moves with each input at random points of the exercise's sizes (its usual dependence)."""
    point = _values(exercise)
    sizes = instances.infer_sizes(derivation, point)
    draw = instances.point_sampler(derivation.instance(**sizes))
    rng = np.random.default_rng(12345)
    found: dict[str, float] = {}
    for _ in range(draws):
        sample = {name: np.asarray(value, dtype=float) for name, value in draw(rng).items() if name in point}
        base = np.asarray(derivation.evaluate(**sample), dtype=float)
        for name in point:
            change = _change(derivation, sample, base, name, rng)
            if change is not None:
                found[name] = max(found.get(name, 0.0), change)
    return found


def degenerate(derivation: Derivation, exercise: Exercise, generic: Mapping[str, float]) -> list[str]:
    """Inputs the result usually depends on but that this draw makes irrelevant (a gradient at 0 ignores A).

    Such a draw tests nothing about that input: every value of it gives the same answer.
    """
    point = _values(exercise)
    rng = np.random.default_rng(exercise.seed)
    found: list[str] = []
    base = np.asarray(derivation.evaluate(**point), dtype=float)
    for name in point:
        if generic.get(name, 0.0) <= 1e-6:
            continue  # the result does not depend on it anywhere (a Hessian of a quadratic ignores x)
        change = _change(derivation, point, base, name, rng)
        if change is not None and change <= 1e-12:
            found.append(f"degenerate draw: the answer {exercise.answer} does not change with {name}")
    return found


def to_float(value: Any) -> Any:
    """An exact answer or value (SymPy numbers, matrices, arrays, nested lists) as floats for numpy."""
    if isinstance(value, sp.NDimArray):
        return np.array(value.tolist(), dtype=object).astype(float)
    if isinstance(value, sp.MatrixBase):
        array = np.array(value.tolist(), dtype=object).astype(float)
        return array.squeeze(axis=1) if value.shape[1] == 1 else array
    if isinstance(value, (list, tuple)):
        return np.array([to_float(v) for v in value], dtype=float)
    if isinstance(value, sp.Basic):
        return float(value)
    return value
