"""The library checks itself: every printed line of every derivation on instances, every result against independent
numerics, every claim sampled on its domain, every exercise part against the result at its values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy as sp

from symwork.audit.exercises import check_exercise, degenerate, generic_dependence, stress_exercise, to_float
from symwork.audit.lines import KEY, RESULT, StepCheck, check_claim, check_steps, free_indices
from symwork.audit.results import autodiff, check_result, finite_difference, references
from symwork.core import printed, registry
from symwork.core.callable import make_callable
from symwork.core.derivation import Derivation
from symwork.core.instances import instance_sizes
from symwork.errors import SymworkError
from symwork.seeds import problem_seed

__all__ = [
    "KEY",
    "RESULT",
    "AuditRow",
    "StepCheck",
    "audit",
    "audit_all",
    "autodiff",
    "check_claim",
    "check_exercise",
    "check_result",
    "check_steps",
    "degenerate",
    "finite_difference",
    "free_indices",
    "generic_dependence",
    "instance_sizes",
    "references",
    "repeated_lines",
    "stress_exercise",
    "to_float",
]

#: Exercise variants the audit checks part by part besides the one a build with seed 0 prints.
EXERCISE_SEEDS = (0, 1, 2)


@dataclass(frozen=True)
class AuditRow:
    """One derivation's audit: printed lines checked (rows, key, claims), exercise parts, points used, failures."""

    id: str
    steps: int
    points: int
    instances: int
    failures: tuple[str, ...] = field(default_factory=tuple)
    claims: int = 0
    key: str = "row"
    parts: int = 0

    @property
    def status(self) -> str:
        return "ok" if not self.failures else "FAIL"


def audit(derivation: Derivation, *, seed: int = 0, points: int = 6) -> AuditRow:
    """Check every printed line on every instance, the result against independent numerics, and the exercise's parts.

    The printed lines are those of `symwork.core.printed`: the rows of the worked solution, the key's own
    equation (checked separately when it is not the result row) and each exercise part's answer.
    """
    failures: list[str] = []
    total_points = 0
    step_count = claims = 0
    key = "row"
    sizes_list = instance_sizes(derivation)
    for sizes in sizes_list:
        try:
            instance = derivation.instance(**sizes)
            checks = check_steps(instance, seed=seed, points=points)
            result_failures = check_result(instance, seed=seed)
        except (SymworkError, ArithmeticError, ValueError, TypeError, sp.SympifyError) as exc:
            failures.append(f"sizes {sizes}: {exc}")
            continue
        step_count = max(step_count, sum(1 for item in checks if item.step != KEY))
        claims = max(claims, sum(1 for item in checks if item.relation != "="))
        if any(item.step == KEY for item in checks):
            key = "chain"
        for item in checks:
            total_points += item.verdict.points
            if item.verdict.status != "equal":
                label = item.line if item.step <= 0 else f"{item.line} ({item.why})"
                failures.append(
                    f"{label} at sizes {sizes}: {item.verdict.status} {item.verdict.detail or item.verdict.counterexample}"
                )
        failures.extend(result_failures)
    if derivation.reference is None and derivation.forward is None:
        failures.append("no independent reference: give reference= or forward= with wrt=")
    failures.extend(_uses_failures(derivation))
    failures.extend(repeated_lines(derivation))
    parts = 0
    if derivation.exercise is not None:
        for variant in dict.fromkeys((problem_seed(seed, derivation.id), *EXERCISE_SEEDS)):
            try:
                exercise = derivation.make_exercise(variant)
            except (SymworkError, ArithmeticError, ValueError, TypeError) as exc:
                failures.append(f"exercise seed {variant}: {exc}")
                continue
            parts = max(parts, len(exercise.parts))
            failures.extend(f"exercise {message}" for message in check_exercise(derivation, exercise))
    return AuditRow(derivation.id, step_count, total_points, len(sizes_list), tuple(failures), claims, key, parts)


def repeated_lines(derivation: Derivation) -> list[str]:
    """Rows that print nothing new: the same right side twice in a chain, or an equation printed twice."""
    rows = printed.solution(derivation.body)
    found = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        line = "result" if row.number == len(rows) else f"step {row.number}"
        if row.lhs is None and row.claim is not None and row.claim == row.rhs:
            found.append(f"{line} repeats the right side of the line above")
        key = (sp.srepr(row.claim), sp.srepr(row.rhs))
        if row.claim is not None and key in seen:
            found.append(f"{line} repeats step {seen[key]}")
        seen.setdefault(key, row.number)
    return found


def _uses_failures(derivation: Derivation) -> list[str]:
    known = {item.id for item in registry.derivations(strict=False)}
    return [f"uses {used!r}, which is not a derivation id" for used in derivation.uses if used not in known]


def audit_all(derivations: Iterable[Derivation], *, seed: int = 0) -> list[AuditRow]:
    return [audit(item, seed=seed) for item in derivations]


make_callable(__name__, "audit")
