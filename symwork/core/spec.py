"""The authoring vocabulary: Input, Step, Definition, Body, Exercise and Verdict (frozen dataclasses)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from symwork.errors import InputError, LibraryError

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
    relation: str = "="

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise LibraryError(f"Step relation {self.relation!r} is not one of {', '.join(RELATIONS)}; use one of those.")


#: The relations a step may claim, and how each reads in LaTeX. Anything but "=" is a claim (an
#: inequality) that the audit samples on the derivation's domain with a counterexample search.
RELATIONS: dict[str, str] = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}


@dataclass(frozen=True)
class Definition:
    """A named quantity used in the steps, e.g. ``s_i = e^{z_i} / Σ_k e^{z_k}``.

    ``symbol`` is a SymPy Symbol or IndexedBase; ``indices`` are the index symbols of ``expr``.
    Checks substitute the definition; printing keeps the short name. ``given=False`` keeps it out of the
    printed "Given" block: a name the checks need (E[m_t] by linearity, say) but that the problem asks
    the reader to show, not one it hands them.
    """

    symbol: Any
    expr: Any
    indices: tuple[Any, ...] = ()
    description: str = ""
    given: bool = True


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
class Part:
    """One thing an exercise asks for, printed with its own answer and checked on its own.

    ``of`` says what the answer is: None, the derivation's result at the exercise's values; an int, that
    entry of a vector result; or a SymPy formula in the inputs and defined names, which the engine
    evaluates at the values like the result. ``words`` turns the sign of that quantity into a word
    answer, as (if negative, if zero, if positive): ``("", "dependent", "independent")``. ``name`` is what
    the key prints before the answer (LaTeX text, or a SymPy expression such as
    ``Subs(Derivative(sigmoid(x), x), x, log(4))``, printed σ′(ln 4), which the audit checks equals the
    answer). ``ask`` is the request as printed in the exercise's list of parts (empty for a one-part
    exercise whose prompt says it all). The engine fills ``answer`` and ``label`` ("a", "b", …); a hook
    gives ``answer`` only where there is no closed form, and then ``reference(**values)``, an
    independent numeric computation, is what the audit checks it against.
    """

    name: Any = ""
    ask: str = ""
    of: Any = None
    words: tuple[str, ...] = ()
    reference: Callable[..., Any] | None = None
    answer: Any = None
    label: str = ""

    @property
    def is_result(self) -> bool:
        """The answer is the derivation's whole result at the exercise's values (a part with a reference is not)."""
        return self.of is None and not self.words and self.reference is None

    @property
    def is_word(self) -> bool:
        """The answer is a word chosen by the sign of a quantity (compare typed answers as text)."""
        return bool(self.words)

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a word answer may be (empty for a value answer)."""
        return tuple(word for word in self.words if word)


@dataclass(frozen=True)
class Exercise:
    """A concrete exercise drawn from a seed: prompt (LaTeX text), exact input values and exact answers.

    An exercise hook returns the prompt, the values and (for an exercise that asks several things) its
    ``parts``; the engine fills in ``answer`` (the derivation's result at those values), each part's
    answer and label, ``derivation_id`` and ``seed``. A hook without parts asks one thing, named by
    ``answer_label``. A hook gives ``answer`` itself only where the result has no closed form to
    evaluate (an eigendecomposition, say).
    """

    prompt: str
    values: Mapping[str, Any]
    answer: Any = None
    answer_label: str = ""
    derivation_id: str = ""
    seed: int = 0
    parts: tuple[Part, ...] = ()

    def part(self, label: str) -> Part:
        """The part with this label ("a", "b", …); raises InputError listing the labels there are."""
        for item in self.parts:
            if item.label == label:
                return item
        labels = ", ".join(repr(item.label) for item in self.parts) or "none"
        raise InputError(f"Exercise of {self.derivation_id!r} has no part {label!r}; its parts are {labels}.")


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
