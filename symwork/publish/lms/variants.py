"""What an LMS export holds: the request, its variants (seeds or students) and one item per derivation and variant.

Seeds are the ones every other output uses: variant k of ``--variants N --seed S`` is what
``symwork build --seed S+k-1`` prints, and a roster student's variant is the one ``symwork build --roster``
prints for them; each problem's exercise seed is ``problem_seed(that seed, derivation id)``, as in key.csv
and the grader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symwork.core.derivation import Derivation
from symwork.errors import InputError, NotSupportedError
from symwork.publish import problems
from symwork.publish.lms import numbers
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed

#: Most variants one export may ask for (each is an exercise per derivation, with its worked solution).
MAX_VARIANTS = 500


@dataclass(frozen=True)
class Request:
    """What to export: the derivations in order, a title, the course (it names roster seeds), the variants
    (``variants`` consecutive seeds from ``seed``) or the students of a roster, and symwork.sty's macros."""

    derivations: tuple[Derivation, ...]
    title: str
    course: str = DEFAULT_COURSE
    variants: int = 1
    seed: int = 0
    students: tuple[Any, ...] | None = None  # roster Students (id, name, slug)
    macros: Mapping[str, str] = field(default_factory=dict)
    name: str = "symwork"  # a safe stem for identifiers and file names
    wheel: Path | None = None  # Gradescope: a symwork wheel to ship instead of building one
    points: float = 1.0  # per problem


@dataclass(frozen=True)
class Variant:
    """One variant: its number (from 1), the worksheet seed it is printed with, and its student if any."""

    number: int
    seed: int
    student: Any = None

    @property
    def label(self) -> str:
        """Plain text naming the variant, e.g. ``variant 2 (seed 1)`` or ``s001 Ada Lovelace``."""
        if self.student is not None:
            return f"{self.student.id} {self.student.name}".strip()
        return f"variant {self.number} (seed {self.seed})"


@dataclass(frozen=True)
class Item:
    """One question: a derivation's exercise for one variant, its answer as numbers and its worked solution."""

    derivation: Derivation
    variant: Variant
    exercise: Any  # core.spec.Exercise
    answer: numbers.Answer
    problem: problems.Problem  # the seed-independent view: question, given, steps

    @property
    def seed(self) -> int:
        """The exercise seed (``symwork check ID ANSWER --seed`` takes this one)."""
        return int(self.exercise.seed)


@dataclass(frozen=True)
class Package:
    """An export's bytes, the suffix of its file, how many questions it holds and what was left out."""

    data: bytes
    suffix: str
    questions: int
    notes: tuple[str, ...] = ()


def variants(request: Request) -> list[Variant]:
    """The variants of a request, in order. Raises InputError for a count out of range or both kinds asked."""
    if request.students is not None:
        if request.variants != 1:
            raise InputError(
                "Give either a roster or a number of variants, not both; a roster makes one variant per student."
            )
        if not request.students:
            raise InputError("The roster has no students; add rows with an id and a name.")
        return [Variant(n, student_seed(request.course, s.id), s) for n, s in enumerate(request.students, start=1)]
    if not 1 <= request.variants <= MAX_VARIANTS:
        raise InputError(f"--variants {request.variants!r} is out of range; ask for 1 to {MAX_VARIANTS}.")
    if request.seed < 0:
        raise InputError(f"--seed {request.seed!r} is negative; use 0 or more.")
    return [Variant(k + 1, request.seed + k) for k in range(request.variants)]


def items(request: Request) -> tuple[list[Item], list[str]]:
    """Every (derivation, variant) item in derivation order, and notes on the derivations left out.

    A derivation is left out when it has no exercise or its answer is not a set of real numbers (an LMS
    compares numbers). Raises InputError when nothing is left.
    """
    chosen = variants(request)
    out: list[Item] = []
    notes: list[str] = []
    for derivation in request.derivations:
        if derivation.exercise is None:
            notes.append(f"{derivation.id}: no exercise to ask (left out)")
            continue
        view = problems.problem(derivation)
        made: list[Item] = []
        try:
            for variant in chosen:
                exercise = derivation.make_exercise(problem_seed(variant.seed, derivation.id))
                made.append(Item(derivation, variant, exercise, numbers.answer(exercise), view))
        except NotSupportedError as exc:
            notes.append(f"{derivation.id}: {exc} (left out)")
            continue
        out.extend(made)
    if not out:
        raise InputError("None of the derivations asked for has a numeric exercise; an LMS export needs one.")
    return out, notes


def grouped(found: Sequence[Item]) -> list[tuple[Derivation, list[Item]]]:
    """Items by derivation, in the order they came."""
    groups: dict[str, tuple[Derivation, list[Item]]] = {}
    for item in found:
        groups.setdefault(item.derivation.id, (item.derivation, []))[1].append(item)
    return list(groups.values())
