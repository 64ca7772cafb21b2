"""What every version prints, as SymPy: the given block, the solution rows, the key's equation and the exercise's answers.

This is the one structure that printers read (worksheets, key, Markdown, notebooks) and that the audit
checks, line by line, on every instance: each row and the key are claims ``lhs relation rhs`` that must
hold on the derivation's domain, and each answer is the derivation's result (or a named part of it) at
the exercise's values. A line printed from anywhere else would be a line nothing checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symwork.core.spec import Body, Definition, Exercise, Part
from symwork.errors import LibraryError

#: How relations combine along a chain ``a = b ≤ c = d``: the chain claims ``a ≤ d``.
_STRICTER = {("=", "<="): "<=", ("=", "<"): "<", ("<=", "<"): "<", ("=", ">="): ">=", ("=", ">"): ">", (">=", ">"): ">"}


@dataclass(frozen=True)
class Equation:
    """One printed row ``lhs relation rhs`` with its justification.

    ``lhs`` is what is printed on the left (None: a blank, the row continues the one above); ``claim`` is
    the left side the row asserts about: ``lhs``, or the previous row's right side for a continued row.
    ``number`` counts the rows from 1 (0 is the key's equation).
    """

    lhs: Any
    rhs: Any
    why: str
    relation: str = "="
    claim: Any = None
    number: int = 0

    @property
    def is_claim(self) -> bool:
        """An inequality, sampled on the domain, rather than an identity."""
        return self.relation != "="


def combine(first: str, second: str) -> str:
    """The relation of a chain ``a first b second c`` between ``a`` and ``c``.

    Example: ``combine("=", "<=")`` is ``"<="``; a chain that goes up and then down claims nothing.
    """
    if first == second:
        return first
    for pair in ((first, second), (second, first)):
        if pair in _STRICTER:
            return _STRICTER[pair]
    raise LibraryError(f"A chain mixes {first!r} and {second!r}, so its ends are not related; split it in two.")


def solution(body: Body) -> tuple[Equation, ...]:
    """The rows of the worked solution: every step, then the result, each with the side it claims about."""
    rows: list[Equation] = []
    previous: Any = None
    for number, step in enumerate((*body.steps, body.result), start=1):
        claim = step.lhs if step.lhs is not None else previous
        rows.append(Equation(step.lhs, step.rhs, step.why, step.relation, claim, number))
        previous = step.rhs
    return tuple(rows)


def key(body: Body) -> Equation:
    """The result's own equation, as the answer key prints it.

    A result without a left side continues a chain: its equation starts where that chain starts (the
    nearest row above with a left side), and its relation combines the chain's relations. It is not
    the first left side of the derivation: that pairing printed false keys before (issue 11).
    """
    rows = solution(body)
    result = rows[-1]
    if result.lhs is not None:
        return Equation(result.lhs, result.rhs, result.why, result.relation, result.lhs, 0)
    relation = result.relation
    for row in reversed(rows[:-1]):
        relation = combine(row.relation, relation)
        if row.lhs is not None:
            return Equation(row.lhs, result.rhs, result.why, relation, row.lhs, 0)
    return Equation(None, result.rhs, result.why, relation, None, 0)


def given(body: Body) -> tuple[Definition, ...]:
    """The definitions printed in the "Given" block (those not kept back with ``given=False``)."""
    return tuple(definition for definition in body.definitions if definition.given)


def answers(exercise: Exercise) -> tuple[Part, ...]:
    """The exercise's answers, one per part, as the solutions and the key print them."""
    return exercise.parts


@dataclass(frozen=True)
class Printed:
    """Everything one derivation prints in every version, for one body (symbolic or an instance)."""

    given: tuple[Definition, ...]
    solution: tuple[Equation, ...]
    key: Equation
    exercise: Exercise | None = None


def printed(body: Body, exercise: Exercise | None = None) -> Printed:
    """The printed structure of a body and, optionally, an exercise variant."""
    return Printed(given(body), solution(body), key(body), exercise)
