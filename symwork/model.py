"""The data model: Input, Step, Definition, Body, Exercise, Derivation, Instance and Verdict (frozen dataclasses)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import sympy as sp

#: Topics follow the three sections of the course module; order matters for worksheets.
TOPICS: tuple[str, ...] = ("linear-algebra", "calculus", "probability")

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
    """A concrete exercise drawn from a seed: prompt (LaTeX text), exact input values and exact answer."""

    prompt: str
    values: Mapping[str, Any]
    answer: Any
    answer_label: str = ""
    derivation_id: str = ""
    seed: int = 0


@dataclass(frozen=True)
class Derivation:
    """One piece of mathematics, registered with ``@derivation``; see ``registry.py``."""

    id: str
    title: str
    topic: str
    question: str
    inputs: tuple[Input, ...]
    build: Callable[..., Body]
    sizes: Mapping[str, tuple[int, ...]]
    source: str
    reference: Callable[..., Any] | None = None
    forward: Callable[..., Any] | None = None
    wrt: str | None = None
    elementwise: bool = False
    sampler: Callable[..., dict[str, Any]] | None = None
    exercise: Callable[..., Exercise] | None = None
    evaluator: Callable[..., Any] | None = None
    tags: tuple[str, ...] = ()

    @cached_property
    def body(self) -> Body:
        """The derivation for symbolic sizes, as printed in worksheets."""
        from . import instances

        return self.build(**instances.symbolic_sizes(self))

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.body.steps

    @property
    def result(self) -> Step:
        return self.body.result

    def instance(self, **sizes: int) -> Instance:
        """The derivation at concrete sizes, e.g. ``get("softmax-jacobian").instance(n=3)``."""
        from . import instances

        return instances.instantiate(self, sizes)

    def evaluate(self, **values: Any) -> np.ndarray:
        """The final result at concrete numeric inputs; sizes are read from the arrays' shapes.

        Example: ``get("softmax-jacobian").evaluate(z=np.array([0.1, -2.0, 0.5]))`` is a 3×3 array.
        """
        from . import instances

        return instances.evaluate(self, values)

    def make_exercise(self, seed: int = 0) -> Exercise:
        """The exercise variant for ``seed``."""
        from . import instances

        return instances.make_exercise(self, seed)

    def _repr_latex_(self) -> str:
        from . import printing

        return printing.derivation_display(self)

    def _repr_markdown_(self) -> str:
        from . import exporting

        return "\n".join(exporting.markdown_body(self))


@dataclass(frozen=True)
class Instance:
    """A derivation at concrete sizes: its body, with every sum over a known range."""

    derivation: Derivation
    sizes: Mapping[str, int]
    body: Body


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing two expressions.

    ``status`` is "equal", "different" or "undecided"; ``method`` says what decided it; for
    "different", ``counterexample`` holds a point where both sides are defined and disagree.
    """

    status: str
    method: str
    points: int = 0
    counterexample: Mapping[str, Any] | None = None
    detail: str = ""

    @property
    def equal(self) -> bool:
        return self.status == "equal"


def symbolic_shape_names(inputs: tuple[Input, ...]) -> list[str]:
    """The size names used by the inputs' shapes, in first-use order."""
    names: list[str] = []
    for item in inputs:
        for dim in item.shape:
            if isinstance(dim, str) and dim not in names:
                names.append(dim)
    return names


def sympy_symbol_for_size(name: str) -> sp.Symbol:
    import sympy as sp

    return sp.Symbol(name, integer=True, positive=True)
