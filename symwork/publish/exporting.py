"""Derivations in other formats: plain text, LaTeX fragments and JSON (a table of formats)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from symwork.core import instances, printed, registry
from symwork.core.derivation import Derivation
from symwork.publish import printing, problems
from symwork.publish.latexmk import sty_path
from symwork.publish.lms import gradescope, moodle, qti
from symwork.publish.lms.variants import Package, Request
from symwork.seeds import DEFAULT_COURSE

LATEX_PACKAGES = "amsmath, amssymb, bm, xcolor and symwork.sty (or the macros it defines)"


def _text(derivation: Derivation) -> str:
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


def _text_with_math(text: str) -> str:
    """Prose with ``$…$`` math as display-math material: ``\\text{…}`` for the prose, the math as it is.

    (Inside ``\\text{}`` a ``^``, ``\\partial`` or ``\\mathbb`` fails in MathJax and KaTeX.)
    """
    parts = text.split("$")
    return " ".join(f"\\text{{{part}}}" if index % 2 == 0 else part for index, part in enumerate(parts) if part)


def latex_fragment(derivation: Derivation) -> str:
    """An ``align*`` block to ``\\input`` into course notes; the leading comment names what it needs."""
    problem = problems.problem(derivation)
    out = [
        f"% symwork {derivation.id}: {derivation.title}",
        f"% Needs: {LATEX_PACKAGES}.",
        problem.question,
        r"\begin{align*}",
    ]
    for index, row in enumerate(problem.rows):
        end = r" \\" if index < len(problem.rows) - 1 else ""
        out.append(rf"  {row.lhs} &{row.relation} {row.rhs_lines[0]} && \why{{{row.why}}}" + ("" if len(row.rhs_lines) > 1 else end))
        for more_index, more in enumerate(row.rhs_lines[1:], start=2):
            out.append(rf"  \\ &\quad {more}" + (end if more_index == len(row.rhs_lines) else ""))
    out.append(r"\end{align*}")
    return "\n".join(out) + "\n"


def as_json(derivation: Derivation) -> dict[str, Any]:
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


_PROVIDED = re.compile(r"^\\providecommand\{\\(?P<name>[A-Za-z]+)\}\{(?P<body>.*)\}\s*$", re.MULTILINE)


def macros() -> dict[str, str]:
    """The notation macros of symwork.sty (``\\providecommand`` lines), the one source for MathJax/KaTeX."""
    return {m.group("name"): m.group("body") for m in _PROVIDED.finditer(sty_path().read_text(encoding="utf-8"))}


def macro_definitions() -> str:
    """The symwork macros as TeX definitions for a notebook's first cell (JupyterLab's MathJax keeps them page-wide).

    ``\\def`` rather than ``\\newcommand``: KaTeX-based viewers refuse a second ``\\newcommand`` of a name when
    they render the cell again.
    """
    return "".join(f"\\def\\{name}{{{body}}}" for name, body in sorted(macros().items()))


def mathjax_config() -> str:
    """A MathJax 3 configuration with the symwork macros (KaTeX takes the same ``macros`` object)."""
    return "window.MathJax = " + json.dumps({"tex": {"macros": macros(), "inlineMath": [["$", "$"], ["\\(", "\\)"]]}}, indent=2) + ";\n"


def markdown_body(derivation: Derivation, *, level: int = 2) -> list[str]:
    problem = problems.problem(derivation)
    out = [f"{'#' * level} {derivation.title}", "", problem.question, ""]
    if problem.given:
        out.append("Given:")
        out.append("")
        out.append("$$\\begin{aligned}")
        out.extend(f"{name} &= {definition} && {_text_with_math(why)} \\\\" for name, definition, why in problem.given)
        out.append("\\end{aligned}$$")
        out.append("")
    for number, row in enumerate(problem.rows, start=1):
        lhs = row.lhs or "\\phantom{=}"
        rhs = " ".join(row.rhs_lines)
        out.append(f"**Step {number}.** {row.why}")
        out.append("")
        out.append(f"$$ {lhs} {row.relation} {rhs} $$")
        out.append("")
    if problem.exercise_prompt:
        out.extend([f"**Exercise.** {problem.exercise_prompt}", "", f"$$ {problem.exercise_answer} $$", ""])
    return out


def markdown(derivations: list[Derivation], *, title: str) -> str:
    """Markdown with front matter that Jekyll and MkDocs accept; math in ``$…$`` and ``$$…$$``."""
    front = ["---", f"title: {json.dumps(title)}", "layout: page", "math: mathjax", "---", ""]
    body: list[str] = []
    for derivation in derivations:
        body.extend(markdown_body(derivation, level=2 if len(derivations) > 1 else 1))
    return "\n".join(front + body)


def latex_document(derivations: list[Derivation]) -> str:
    return "\n".join(latex_fragment(d) for d in derivations)


def notebook(derivations: list[Derivation], *, title: str) -> str:
    """A Jupyter notebook (nbformat 4): the derivation in Markdown cells, and SymPy code cells that
    rebuild every step at n = 3 (or the smallest audited size) and check it at random points."""
    # The notation macros (\\softmax, \\diag, \\bm, …) are defined in the first cell: the notebook renders anywhere.
    intro = f"# {title}\n\nGenerated by symwork; run all cells to re-check every step.\n\n${macro_definitions()}$"
    cells: list[dict[str, Any]] = [_markdown_cell(intro)]
    cells.append(_code_cell(_NOTEBOOK_PRELUDE))
    for derivation in derivations:
        cells.append(_markdown_cell("\n".join(markdown_body(derivation))))
        cells.append(_code_cell(_notebook_check_code(derivation)))
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "cells": [{**cell, "id": f"cell-{index}"} for index, cell in enumerate(cells)],
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _markdown_cell(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code_cell(code: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}


_NOTEBOOK_PRELUDE = '''# Plain SymPy: this notebook does not need symwork installed (Colab works as is).
import itertools
import sympy as sp
from sympy import *  # the step expressions below are SymPy constructors (srepr)
from sympy.functions.elementary.piecewise import ExprCondPair


def at_point(expr, point):
    """Substitute a point (name -> number or nested list, arrays 1-based as in the notes)."""
    mapping = {}
    for atom in expr.atoms(sp.Indexed):
        value = point.get(str(atom.base.label))
        if value is not None and all(i.is_Integer for i in atom.indices):
            for i in atom.indices:
                value = value[int(i) - 1]
            while isinstance(value, list) and len(value) == 1:  # an (n, 1) column read with one index
                value = value[0]
            mapping[atom] = sp.Float(value, 30)
    for atom in expr.atoms(sp.Symbol):
        if atom.name in point and not isinstance(point[atom.name], list):
            mapping[atom] = sp.Float(point[atom.name], 30)
    return expr.xreplace(mapping)


def check_step(lhs, rhs, points):
    """Both sides agree at each point (30 significant digits)."""
    for point in points:
        a = complex(at_point(lhs, point).doit().evalf(30))
        b = complex(at_point(rhs, point).doit().evalf(30))
        assert abs(a - b) <= 1e-8 * max(1.0, abs(a), abs(b)), (point, a, b)
    return "ok"
'''


def _notebook_check_code(derivation: Derivation) -> str:
    sizes = instances.instance_sizes(derivation)[0]
    instance = derivation.instance(**sizes)
    body = instance.body
    draw = instances.point_sampler(instance)
    rng = np.random.default_rng(0)
    points = [{k: np.asarray(v).tolist() for k, v in draw(rng).items()} for _ in range(2)]
    lines = [
        f"# {derivation.id} at sizes {sizes}: every step, rebuilt in SymPy and checked at two random points",
        f"points = {points!r}",
    ]
    for row in printed.solution(body):
        number = row.number
        if row.claim is None:
            continue
        if row.is_claim:
            lines.append(f"# step {number} ({_plain_question(row.why)}): a claim ({row.relation}), sampled by 'symwork audit {derivation.id}'")
            continue
        left, right = instances.prepare(row.claim, body), instances.prepare(row.rhs, body)
        pairs = _scalar_pairs(left, right, body)
        custom = sorted({type(f).__name__ for a, b in pairs for f in (a.atoms(sp.Function) | b.atoms(sp.Function)) if not type(f).__module__.startswith("sympy")})
        code = [sp.srepr(a) + ", " + sp.srepr(b) for a, b in pairs]
        if custom or sum(len(c) for c in code) > 80_000:
            reason = f"uses {', '.join(custom)}, defined in symwork only" if custom else "too large to inline"
            lines.append(f"# step {number} ({_plain_question(row.why)}): {reason}; 'symwork audit {derivation.id}' checks it")
            continue
        lines.append(f"# step {number}: {_plain_question(row.why)}")
        lines.extend(f"print({number}, check_step({pair}, points))" for pair in code)
    return "\n".join(lines) + "\n"


def _scalar_pairs(left: Any, right: Any, body: Any) -> list[tuple[Any, Any]]:
    """Entry-by-entry pairs with every free index given each of its values (the instance is small)."""
    if isinstance(left, sp.MatrixBase) or isinstance(right, sp.MatrixBase):
        left, right = sp.ImmutableMatrix(left), sp.ImmutableMatrix(right)
        if left.shape != right.shape:
            return []
        entries = list(zip(left, right, strict=True))
    else:
        entries = [(left, right)]
    pairs = []
    for a, b in entries:
        # A side may be a plain Python number (a printed constant such as 0 or 1).
        a, b = (x if isinstance(x, sp.Basic) else sp.Float(x) if isinstance(x, float) else sp.Integer(x) for x in (a, b))
        free = sorted((a.free_symbols | b.free_symbols) & set(body.indices), key=str)
        for combo in itertools.product(*[range(1, int(body.indices[s]) + 1) for s in free]):
            where = dict(zip(free, combo, strict=True))
            pairs.append((_plainer(a.xreplace(where).doit()), _plainer(b.xreplace(where).doit())))
    return pairs


def _plainer(expr: Any) -> Any:
    # Derivation modules may define their own functions and symbols; most can be spelled in SymPy's.
    # Our ML functions rewrite themselves into SymPy's erf, exp and Max (the notebook runs without symwork).
    custom_symbols = {a for a in expr.atoms(sp.Symbol) if not type(a).__module__.startswith("sympy")}
    expr = expr.xreplace({a: sp.Symbol(a.name, **a.assumptions0) for a in custom_symbols})
    for target in (sp.erf, sp.exp, sp.Max):
        expr = expr.rewrite(target) if any(not type(f).__module__.startswith("sympy") for f in expr.atoms(sp.Function)) else expr
    return expr


def export(targets: list[Derivation], fmt: str, *, title: str) -> str:
    """One of EXPORT_FORMATS for a derivation or a worksheet's derivations."""
    return EXPORT_FORMATS[fmt](targets, title)


#: `symwork export --to` choices.
EXPORT_FORMATS: dict[str, Callable[[list[Derivation], str], str]] = {
    "latex": lambda items, title: latex_document(items),
    "markdown": lambda items, title: markdown(items, title=title),
    "ipynb": lambda items, title: notebook(items, title=title),
    "json": lambda items, title: json.dumps([as_json(d) for d in items], indent=2) + "\n",
}

#: `symwork export --to` choices for a learning-management system: a file of exercise variants (bytes) that
#: the LMS imports and marks without Python (Moodle XML, a Canvas QTI 1.2 zip, a Gradescope autograder zip).
LMS_FORMATS: dict[str, Callable[[Request], Package]] = {
    "moodle": moodle.quiz,
    "qti": qti.package,
    "gradescope": gradescope.autograder,
}


def export_lms(
    targets: Sequence[Derivation],
    fmt: str,
    *,
    title: str,
    course: str | None = None,
    variants: int = 1,
    seed: int = 0,
    students: Sequence[Any] | None = None,
    name: str = "symwork",
    wheel: Path | None = None,
) -> Package:
    """One of LMS_FORMATS: ``variants`` variants with the worksheet seeds ``seed``, ``seed + 1``, … (as ``symwork
    build --seed``), or one variant per roster student (seeds from ``course`` and the id, as ``build --roster``)."""
    request = Request(
        tuple(targets), title, course or DEFAULT_COURSE, variants, seed,
        tuple(students) if students is not None else None, macros(), name, wheel,
    )  # fmt: skip
    return LMS_FORMATS[fmt](request)


#: `symwork show --format` choices.
SHOW_FORMATS: dict[str, Callable[[Derivation], str]] = {
    "text": _text,
    "latex": latex_fragment,
    "json": lambda derivation: json.dumps(as_json(derivation), indent=2) + "\n",
}


def show(derivation_id: str, fmt: str = "text") -> str:
    return SHOW_FORMATS[fmt](registry.get(derivation_id))
