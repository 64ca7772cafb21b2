"""Derivation: one registered piece of mathematics, and what it offers (instances, evaluation, exercises)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from symwork.core import exercises, instances
from symwork.core.spec import Body, Exercise, Input, Instance, Step

if TYPE_CHECKING:
    import numpy as np

#: How a derivation shows itself in Jupyter, by MIME kind ("latex", "markdown"). The publishing layer
#: fills this table when it is imported (see symwork.publish.display), so that the model does not
#: depend on its printers.
DISPLAY: dict[str, Callable[[Derivation], str]] = {}


@dataclass(frozen=True)
class Derivation:
    """One piece of mathematics, registered with ``@derivation``; see ``symwork.core.registry``."""

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
    figure: Callable[[], bytes] | None = None
    tags: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()

    @cached_property
    def body(self) -> Body:
        """The derivation for symbolic sizes, as printed in worksheets."""
        return self.build(**instances.symbolic_sizes(self))

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.body.steps

    @property
    def result(self) -> Step:
        return self.body.result

    def instance(self, **sizes: int) -> Instance:
        """The derivation at concrete sizes, e.g. ``get("softmax-jacobian").instance(n=3)``."""
        return instances.instantiate(self, sizes)

    def evaluate(self, **values: Any) -> np.ndarray:
        """The final result at concrete numeric inputs; sizes are read from the arrays' shapes.

        Example: ``get("softmax-jacobian").evaluate(z=np.array([0.1, -2.0, 0.5]))`` is a 3×3 array.
        """
        return instances.evaluate(self, values)

    def make_exercise(self, seed: int = 0) -> Exercise:
        """The exercise variant for ``seed``, with its exact answer."""
        return exercises.make_exercise(self, seed)

    def _repr_latex_(self) -> str | None:
        show = DISPLAY.get("latex")
        return show(self) if show is not None else None

    def _repr_markdown_(self) -> str | None:
        show = DISPLAY.get("markdown")
        return show(self) if show is not None else None
