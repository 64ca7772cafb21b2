"""Turns derivations into what templates print: problems with given quantities, steps, results and exercises."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from symwork.core.derivation import Derivation
from symwork.publish import printing
from symwork.publish.templates import TeX
from symwork.seeds import problem_seed


@dataclass(frozen=True)
class Problem:
    """One derivation as the templates see it; every string is LaTeX that symwork produced."""

    id: str
    title: TeX
    question: TeX
    given: tuple[tuple[TeX, TeX, TeX], ...]
    rows: tuple[printing.Row, ...]
    result: TeX
    space: str
    exercise_prompt: TeX | None
    exercise_answer: TeX | None
    exercise_seed: int | None
    figure: str | None = None


def _tex_row(row: printing.Row) -> printing.Row:
    return printing.Row(TeX(row.lhs), tuple(TeX(line) for line in row.rhs_lines), TeX(row.why), row.lhs_alone)


def result_tex(derivation: Derivation) -> str:
    """``lhs = rhs`` of the result; a chained result borrows the first left-hand side of the chain."""
    body = derivation.body
    lhs = body.result.lhs
    if lhs is None:
        lhs = next((step.lhs for step in body.steps if step.lhs is not None), None)
    lines = printing.split_terms(body.result.rhs)
    rhs = r" \\ &\quad ".join(lines)
    return (f"{printing.latex(lhs)} = " if lhs is not None else "") + (
        rhs if len(lines) == 1 else r"\begin{aligned}&" + rhs + r"\end{aligned}"
    )


def answer_tex(exercise: Any) -> str:
    label = f"{exercise.answer_label} = " if exercise.answer_label else ""
    return label + printing.latex(exercise.answer)


def problem(derivation: Derivation, *, seed: int = 0, figure: str | None = None) -> Problem:
    """The template view of a derivation; memoised because every version of every worksheet asks again."""
    key = (derivation.id, derivation.source, seed)
    if key not in _PROBLEMS:
        _PROBLEMS[key] = _problem(derivation, seed=seed)
    view = _PROBLEMS[key]
    return view if figure is None else replace(view, figure=figure)


_PROBLEMS: dict[tuple[str, str, int], Problem] = {}


def _problem(derivation: Derivation, *, seed: int) -> Problem:
    body = derivation.body
    rows = tuple(_tex_row(row) for row in printing.rows(body))
    prompt = answer = None
    exercise_seed = None
    if derivation.exercise is not None:
        exercise_seed = problem_seed(seed, derivation.id)
        exercise = derivation.make_exercise(exercise_seed)
        prompt, answer = TeX(exercise.prompt), TeX(answer_tex(exercise))
    # Work space grows with the length of the worked solution, within a page.
    space = f"{min(12.0, 2.5 + 1.1 * len(rows)):.1f}"
    return Problem(
        id=derivation.id,
        title=TeX(derivation.title),
        question=TeX(derivation.question),
        given=tuple((TeX(n), TeX(d), TeX(w)) for n, d, w in printing.definitions(body)),
        rows=rows,
        result=TeX(result_tex(derivation)),
        space=space,
        exercise_prompt=prompt,
        exercise_answer=answer,
        exercise_seed=exercise_seed,
    )
