"""Turns derivations into what templates print: problems with given quantities, steps, the key's equation and answers.

Every equation here is printed from `symwork.core.printed`, the structure the audit checks line by line;
nothing is assembled from a derivation's steps by another route.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from symwork.core import printed
from symwork.core.derivation import Derivation
from symwork.core.instances import definition_name
from symwork.core.spec import Exercise, Part
from symwork.publish import printing
from symwork.publish.templates import TeX
from symwork.seeds import problem_seed


@dataclass(frozen=True)
class Answer:
    """One exercise part as printed: its label, what it asks, and ``name = value`` (or ``name: word``)."""

    label: TeX
    ask: TeX
    text: TeX


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
    answers: tuple[Answer, ...] = ()
    log_style: str = "ln"
    key_where: TeX = TeX("")

    @property
    def parts_asked(self) -> tuple[Answer, ...]:
        """The parts the exercise lists (none when a one-part exercise's prompt asks it all)."""
        return tuple(answer for answer in self.answers if answer.ask)


def _tex_row(row: printing.Row) -> printing.Row:
    return printing.Row(
        TeX(row.lhs), tuple(TeX(line) for line in row.rhs_lines), TeX(row.why), row.lhs_alone, TeX(row.relation)
    )


def result_tex(derivation: Derivation, *, log_style: str = "ln") -> str:
    """The key's equation (`symwork.core.printed.key`): the result's own, or from where its chain starts."""
    return printing.equation_tex(printed.key(derivation.body), log_style=log_style)


def key_where(derivation: Derivation, *, log_style: str = "ln") -> tuple[str, ...]:
    """The given definitions the key's equation mentions (``s_i = e^{z_i}/S``): a key never uses a name it leaves undefined."""
    body = derivation.body
    equation = printed.key(body)
    mentioned = _names(equation.lhs) | _names(equation.rhs)
    shown = list(zip(printed.given(body), printing.definitions(body, log_style=log_style), strict=True))
    # Close over the definitions: s_i = e^{z_i}/S brings S = Σ_k e^{z_k} along.
    for _ in shown:
        mentioned |= {n for d, _ in shown if definition_name(d) in mentioned for n in _names(d.expr)}
    return tuple(f"{name} = {expr}" for d, (name, expr, _) in shown if definition_name(d) in mentioned)


def _names(expr: Any) -> set[str]:
    if not isinstance(expr, sp.Basic):
        return set()
    names = {getattr(symbol, "name", "") for symbol in expr.free_symbols}
    names |= {node.base.label.name for node in expr.atoms(sp.Indexed)}
    names |= {node.name for node in expr.atoms(sp.MatrixSymbol)}
    return names


def part_tex(part: Part, *, log_style: str = "ln") -> str:
    """``name = value`` of one answered part, or ``name: word`` for a word answer."""
    name = part.name if isinstance(part.name, str) else printing.latex(part.name, log_style=log_style)
    if part.is_word:
        return (rf"{name}\colon\ " if name else "") + rf"\text{{{part.answer}}}"
    return (f"{name} = " if name else "") + printing.latex(part.answer, log_style=log_style)


def answer_tex(exercise: Exercise, *, log_style: str = "ln") -> str:
    """Every answer of an exercise in one display: one line per part, labelled when there are several."""
    parts = printed.answers(exercise)
    if len(parts) == 1:
        return part_tex(parts[0], log_style=log_style)
    lines = [rf"\text{{({part.label})}}\quad & {part_tex(part, log_style=log_style)}" for part in parts]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def problem(derivation: Derivation, *, seed: int = 0, figure: str | None = None, log_style: str = "ln") -> Problem:
    """The template view of a derivation; memoised because every version of every worksheet asks again."""
    key = (derivation.id, derivation.source, seed, log_style)
    if key not in _PROBLEMS:
        _PROBLEMS[key] = _problem(derivation, seed=seed, log_style=log_style)
    view = _PROBLEMS[key]
    return view if figure is None else replace(view, figure=figure)


_PROBLEMS: dict[tuple[str, str, int, str], Problem] = {}


def _problem(derivation: Derivation, *, seed: int, log_style: str) -> Problem:
    body = derivation.body
    rows = tuple(_tex_row(row) for row in printing.rows(body, log_style=log_style))
    prompt = answer = None
    exercise_seed = None
    answers: tuple[Answer, ...] = ()
    if derivation.exercise is not None:
        exercise_seed = problem_seed(seed, derivation.id)
        exercise = derivation.make_exercise(exercise_seed)
        prompt, answer = TeX(exercise.prompt), TeX(answer_tex(exercise, log_style=log_style))
        answers = tuple(
            Answer(TeX(part.label), TeX(part.ask), TeX(part_tex(part, log_style=log_style))) for part in exercise.parts
        )
    # Work space grows with the length of the worked solution, within a page.
    space = f"{min(12.0, 2.5 + 1.1 * len(rows)):.1f}"
    return Problem(
        id=derivation.id,
        title=TeX(derivation.title),
        question=TeX(derivation.question),
        given=tuple((TeX(n), TeX(d), TeX(w)) for n, d, w in printing.definitions(body, log_style=log_style)),
        rows=rows,
        result=TeX(result_tex(derivation, log_style=log_style)),
        space=space,
        exercise_prompt=prompt,
        exercise_answer=answer,
        exercise_seed=exercise_seed,
        answers=answers,
        log_style=log_style,
        # Each definition in its own inline math, so that a long list wraps between them.
        key_where=TeX(r",\quad ".join(rf"\({line}\)" for line in key_where(derivation, log_style=log_style))),
    )


def plain_text(derivation: Derivation, *, seed: int | None = None) -> str:
    """The derivation as plain text (``symwork show``), from the same printed structure as every other version.

    Each row with its relation (a claim reads ``<=``, not ``=``), the key's equation, and with ``seed``
    the exercise variant with every part's answer.
    """
    body = derivation.body
    text = [f"{derivation.id}: {derivation.title}  [{derivation.topic}]", "", derivation.question.replace("$", ""), ""]
    given = printed.given(body)
    if given:
        text.append("Given:")
        for definition in given:
            symbol = definition.symbol
            name = symbol[definition.indices] if definition.indices and isinstance(symbol, sp.IndexedBase) else symbol
            text.append(
                f"  {sp.sstr(name)} = {sp.sstr(definition.expr)}    ({definition.description.replace('$', '')})"
            )
        text.append("")
    text.append("Steps:")
    for row in printed.solution(body):
        lhs = sp.sstr(row.lhs) if row.lhs is not None else "  "
        text.append(f"  {row.number}. {lhs} {row.relation} {sp.sstr(row.rhs)}")
        text.append(f"       because {row.why.replace('$', '')}")
    key = printed.key(body)
    text += [
        "",
        "Result:",
        f"  {sp.sstr(key.lhs) + ' ' + key.relation + ' ' if key.lhs is not None else ''}{sp.sstr(key.rhs)}",
    ]
    if seed is not None and derivation.exercise is not None:
        exercise = derivation.make_exercise(seed)
        text += ["", f"Exercise (seed {seed}): {exercise.prompt.replace('$', '')}"]
        text += [f"  ({part.label}) {part.ask.replace('$', '')}" for part in exercise.parts if part.ask]
        text.append("Answers:")
        for part in exercise.parts:
            name = part.name if isinstance(part.name, str) else sp.sstr(part.name)
            value = part.answer if part.is_word else sp.sstr(part.answer)
            text.append(f"  ({part.label}) {name + (': ' if part.is_word else ' = ') if name else ''}{value}")
    return "\n".join(text) + "\n"
