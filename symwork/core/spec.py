"""The authoring vocabulary: Input, Step, Definition, Body, Exercise and Verdict (frozen dataclasses)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy as sp

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

Shape = tuple["str | int", ...]


@dataclass(frozen=True)
class Input:
    """A named input of a derivation: a scalar or an array with a symbolic shape and a sampling domain.

    Example: ``Input("z", ("n",), "real", "logits")`` is a vector of n real logits.
    """

    name: str
    shape: Shape = ()
    domain: str = "real"
    description: str = ""


@dataclass(frozen=True)
class Step:
    """One line of a derivation, ``lhs = rhs``, with its justification.

    ``lhs=None`` continues the chain: the step claims that the previous right-hand side equals ``rhs``.
    """

    rhs: Any
    why: str
    lhs: Any = None


@dataclass(frozen=True)
class Definition:
    """A named quantity used in the steps, e.g. ``s_i = e^{z_i} / Σ_k e^{z_k}``.

    ``symbol`` is a SymPy Symbol or IndexedBase; ``indices`` are the index symbols of ``expr``.
    Checks substitute the definition; printing keeps the short name.
    """

    symbol: Any
    expr: Any
    indices: tuple[Any, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Body:
    """What a derivation function returns for given sizes: its definitions, steps and result.

    ``indices`` maps each free index symbol to its upper bound (ranges are 1..bound).
    ``result`` is a Step whose ``lhs`` names what is derived; ``result_indices`` orders the axes of
    the array that ``Derivation.evaluate`` returns. ``variables`` declares auxiliary symbols (not inputs)
    that steps may contain, with their sampling domains.
    """

    steps: tuple[Step, ...]
    result: Step
    definitions: tuple[Definition, ...] = ()
    indices: Mapping[Any, Any] = field(default_factory=dict)
    result_indices: tuple[Any, ...] = ()
    variables: tuple[Input, ...] = ()
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exercise:
    """A concrete exercise drawn from a seed: prompt (LaTeX text), exact input values and exact answer.

    An exercise hook returns the prompt and the values; the engine fills in ``answer`` (the derivation's
    result at those values), ``derivation_id`` and ``seed``. A hook gives ``answer`` itself only where
    the result has no closed form to evaluate (an eigendecomposition, say).
    """

    prompt: str
    values: Mapping[str, Any]
    answer: Any = None
    answer_label: str = ""
    derivation_id: str = ""
    seed: int = 0


class Status(StrEnum):
    """What a comparison decided; a str, so ``verdict.status == "equal"`` reads as before."""

    EQUAL = "equal"
    DIFFERENT = "different"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing two expressions.

    ``status`` is a `Status` (equal, different or undecided); ``method`` says what decided it; for
    "different", ``counterexample`` holds a point where both sides are defined and disagree.
    """

    status: Status | str
    method: str
    points: int = 0
    counterexample: Mapping[str, Any] | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    @property
    def equal(self) -> bool:
        return self.status == Status.EQUAL


def symbolic_shape_names(inputs: tuple[Input, ...]) -> list[str]:
    """The size names used by the inputs' shapes, in first-use order."""
    names: list[str] = []
    for item in inputs:
        for dim in item.shape:
            if isinstance(dim, str) and dim not in names:
                names.append(dim)
    return names


def sympy_symbol_for_size(name: str) -> sp.Symbol:
    # Lazy: the specs are imported by `symwork --help`'s path, which must not import SymPy.
    import sympy as sp

    return sp.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class Instance:
    """A derivation at concrete sizes: its body, with every sum over a known range."""

    derivation: Any  # a core.derivation.Derivation (typed loosely: the model sits below it)
    sizes: Mapping[str, int]
    body: Body
