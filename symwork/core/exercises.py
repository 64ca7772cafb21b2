"""Exercise variants: the hook's draw, and every part's exact answer computed by the engine (result, entry, formula, word)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from symwork.core.instances import (
    exact_answer,
    exact_sizes,
    exact_substitution,
    instantiate,
    prepare,
    substitute,
    tidy_all,
)
from symwork.core.spec import Exercise, Part
from symwork.errors import InputError, LibraryError

if TYPE_CHECKING:
    from symwork.core.derivation import Derivation


def exact_value(derivation: Derivation, values: Mapping[str, Any], expr: Any) -> Any:
    """Any expression in the derivation's inputs and defined names at exact values, as SymPy.

    Example: ``exact_value(get("cross-entropy-kl"), {"p": [...], "q": [...]}, H_p)`` is the entropy of p,
    an exercise part that is not the whole result.
    """
    sizes = exact_sizes(derivation, values)
    key = (derivation.id, derivation.source, sizes, sp.srepr(expr))
    if key not in _PREPARED_FORMULAS:
        # Prepared once per derivation, sizes and formula: a class's variants differ only in the values.
        _PREPARED_FORMULAS[key] = prepare(expr, instantiate(derivation, dict(sizes)).body)
    return tidy_all(substitute(_PREPARED_FORMULAS[key], exact_substitution(derivation, values)))


_PREPARED_FORMULAS: dict[tuple[str, str, tuple[tuple[str, int], ...], str], Any] = {}


def make_exercise(derivation: Derivation, seed: int) -> Exercise:
    """The exercise for ``seed``: the hook draws values and a prompt; the engine computes every part's exact answer."""
    drawn = _drawn(derivation, seed)
    answer = _result(derivation, drawn)
    # An exercise without parts asks one thing: the result, named by its answer label.
    parts = drawn.parts or (Part(name=drawn.answer_label),)
    filled = tuple(
        _filled(derivation, drawn.values, part, answer, LETTERS[number]) for number, part in enumerate(parts)
    )
    return replace(drawn, answer=answer, parts=filled, derivation_id=derivation.id, seed=seed)


def exercise_result(derivation: Derivation, seed: int) -> Any:
    """The exact answer of the variant for ``seed``, its parts left out: what a typed answer is graded against.

    The same value as ``make_exercise(derivation, seed).answer``, at a fraction of the cost where parts ask for
    formulas of their own (each one an exact value to compute and simplify).
    """
    return _result(derivation, _drawn(derivation, seed))


def _drawn(derivation: Derivation, seed: int) -> Exercise:
    if derivation.exercise is None:
        raise InputError(f"Derivation {derivation.id!r} has no exercise generator.")
    return derivation.exercise(np.random.default_rng(seed))


def _result(derivation: Derivation, drawn: Exercise) -> Any:
    return drawn.answer if drawn.answer is not None else exact_answer(derivation, drawn.values)


#: Part labels in order.
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _filled(derivation: Derivation, values: Mapping[str, Any], part: Part, answer: Any, letter: str) -> Part:
    """A part with its label and exact answer: the result, an entry of it, or a formula at the values."""
    label = part.label or letter
    if part.answer is not None:
        return replace(part, label=label)
    if part.of is None and part.reference is not None and not part.words:
        raise LibraryError(
            f"Part {label!r} of {derivation.id!r} has reference= but neither of= nor answer=; say what it asks for."
        )
    if part.of is None:
        quantity = answer
    elif isinstance(part.of, int):
        entries = list(answer) if isinstance(answer, (sp.MatrixBase, sp.NDimArray)) else [answer]
        if not 0 <= part.of < len(entries):
            raise LibraryError(
                f"Part {label!r} of {derivation.id!r} asks for entry {part.of} of a result with {len(entries)}."
            )
        quantity = entries[part.of]
    else:
        quantity = exact_value(derivation, values, part.of)
    if part.words:
        quantity = _word(derivation, label, part.words, quantity)
    return replace(part, label=label, answer=quantity)


def _word(derivation: Derivation, label: str, words: tuple[str, ...], quantity: Any) -> str:
    """The word for the sign of ``quantity``: words are (if negative, if zero, if positive)."""
    if len(words) != 3 or isinstance(quantity, (sp.MatrixBase, sp.NDimArray)):
        raise LibraryError(
            f"Part {label!r} of {derivation.id!r} needs three words (negative, zero, positive) of a scalar."
        )
    sign = int(sp.sign(sp.nsimplify(quantity) if not isinstance(quantity, sp.Basic) else quantity))
    word = words[sign + 1]
    if not word:
        raise LibraryError(f"Part {label!r} of {derivation.id!r}: the quantity {quantity} has a sign with no word.")
    return word
