"""Derivations in other formats: plain text, LaTeX fragments and JSON (a table of formats)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .model import Derivation

LATEX_PACKAGES = "amsmath, amssymb, bm, xcolor and symwork.sty (or the macros it defines)"


def _text(derivation: Derivation) -> str:
    import sympy as sp

    body = derivation.body
    lines = [f"{derivation.id}: {derivation.title}  [{derivation.topic}]", "", _plain_question(derivation.question), ""]
    if body.definitions:
        lines.append("Given:")
        for definition in body.definitions:
            name = definition.symbol[definition.indices] if definition.indices else definition.symbol
            lines.append(f"  {sp.sstr(name)} = {sp.sstr(definition.expr)}    ({definition.description})")
        lines.append("")
    lines.append("Steps:")
    for number, step in enumerate((*body.steps, body.result), start=1):
        lhs = sp.sstr(step.lhs) if step.lhs is not None else "  "
        lines.append(f"  {number}. {lhs} = {sp.sstr(step.rhs)}")
        lines.append(f"       because {_plain_question(step.why)}")
    return "\n".join(lines) + "\n"


def _plain_question(text: str) -> str:
    return text.replace("$", "")


def latex_fragment(derivation: Derivation) -> str:
    """An ``align*`` block to ``\\input`` into course notes; the leading comment names what it needs."""
    from . import content

    problem = content.problem(derivation)
    out = [
        f"% symwork {derivation.id}: {derivation.title}",
        f"% Needs: {LATEX_PACKAGES}.",
        problem.question,
        r"\begin{align*}",
    ]
    for index, row in enumerate(problem.rows):
        end = r" \\" if index < len(problem.rows) - 1 else ""
        out.append(rf"  {row.lhs} &= {row.rhs_lines[0]} && \why{{{row.why}}}" + ("" if len(row.rhs_lines) > 1 else end))
        for more_index, more in enumerate(row.rhs_lines[1:], start=2):
            out.append(rf"  \\ &\quad {more}" + (end if more_index == len(row.rhs_lines) else ""))
    out.append(r"\end{align*}")
    return "\n".join(out) + "\n"


def as_json(derivation: Derivation) -> dict[str, Any]:
    import sympy as sp

    from . import printing

    body = derivation.body
    return {
        "id": derivation.id,
        "title": derivation.title,
        "topic": derivation.topic,
        "question": derivation.question,
        "inputs": [
            {"name": i.name, "shape": list(i.shape), "domain": i.domain, "description": i.description}
            for i in derivation.inputs
        ],
        "definitions": [
            {"name": n, "latex": d, "description": w} for n, d, w in printing.definitions(body)
        ],
        "steps": [
            {
                "lhs": sp.sstr(step.lhs) if step.lhs is not None else None,
                "rhs": sp.sstr(step.rhs),
                "lhs_latex": printing.latex(step.lhs) if step.lhs is not None else None,
                "rhs_latex": printing.latex(step.rhs),
                "why": step.why,
            }
            for step in body.steps
        ],
        "result": {
            "lhs": sp.sstr(body.result.lhs) if body.result.lhs is not None else None,
            "rhs": sp.sstr(body.result.rhs),
            "latex": printing.latex(body.result.rhs),
            "why": body.result.why,
        },
    }


#: `symwork show --format` choices.
SHOW_FORMATS: dict[str, Callable[[Derivation], str]] = {
    "text": _text,
    "latex": latex_fragment,
    "json": lambda derivation: json.dumps(as_json(derivation), indent=2) + "\n",
}


def show(derivation_id: str, fmt: str = "text") -> str:
    from . import registry

    return SHOW_FORMATS[fmt](registry.get(derivation_id))
