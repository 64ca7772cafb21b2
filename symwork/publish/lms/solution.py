"""A question's HTML: the statement (prompt, figure, answer fields) and the worked solution with the exact answer."""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from symwork.core.derivation import Derivation
from symwork.errors import SymworkError
from symwork.publish import figures
from symwork.publish.lms.latex_html import Converter
from symwork.publish.lms.markup import identifier, plain_html
from symwork.publish.lms.numbers import SIGNIFICANT, Answer, Entry
from symwork.publish.lms.variants import Item

#: What a student is told about typing numbers, by how the LMS compares them.
HOW_TO_ANSWER: dict[str, str] = {
    "tolerance": (
        f"Type integers exactly and other numbers as decimals to at least {SIGNIFICANT} significant figures "
        "(for example 0.3333 for 1/3)."
    ),
    "spelling": (
        f"Type each entry as an integer, as a fraction such as -2/27, or as a decimal rounded to exactly "
        f"{SIGNIFICANT} significant figures (for example 0.3333 or -0.07407)."
    ),
}
#: A step's relation (``Row.relation``) as LaTeX; a step claims an equality unless it says otherwise.
RELATIONS: dict[str, str] = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}
#: Resolution of a figure turned into PNG for a web page (the PDF is vector; 110 dpi is ~550 px wide).
FIGURE_DPI = 110


@dataclass(frozen=True)
class Figure:
    """A derivation's figure as PNG, with the file name it travels under and its alternative text."""

    name: str
    png: bytes
    alt: str


_FIGURES: dict[tuple[str, str], Figure | str] = {}


def figure(derivation: Derivation) -> Figure | None:
    """The derivation's figure as PNG (its PDF through poppler's pdftoppm), or None when it has none or it
    cannot be drawn (`figure_problem` says why); the same figure always gives the same bytes."""
    found = _figure(derivation)
    return found if isinstance(found, Figure) else None


def figure_problem(derivation: Derivation) -> str | None:
    """Why a derivation's figure is missing from an export (for the notes), or None when nothing is missing."""
    found = _figure(derivation)
    return found or None if isinstance(found, str) else None


def _figure(derivation: Derivation) -> Figure | str:
    key = (derivation.id, derivation.source)
    if key not in _FIGURES:
        try:
            _FIGURES[key] = _draw(derivation)
        except SymworkError as exc:  # one broken figure must not lose the whole export: it is left out, and said
            _FIGURES[key] = f"its figure was left out: {exc}"
    return _FIGURES[key]


def _draw(derivation: Derivation) -> Figure | str:
    if derivation.figure is None:
        return ""
    pdf = figures.draw(derivation)
    tool = shutil.which("pdftoppm")
    if pdf is None or tool is None:
        return "its figure was left out; install matplotlib and poppler-utils (pdftoppm) to include it"
    with tempfile.TemporaryDirectory(prefix="symwork-figure-") as folder:
        source = Path(folder) / "figure.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(
            [tool, "-png", "-r", str(FIGURE_DPI), "-singlefile", str(source), str(Path(folder) / "figure")],
            capture_output=True,
            timeout=60,
        )
        produced = Path(folder) / "figure.png"
        if done.returncode != 0 or not produced.exists():
            return f"its figure was left out: pdftoppm failed ({done.stderr.decode(errors='replace').strip()[:200]})"
        png = produced.read_bytes()
    return Figure(f"{identifier(derivation.id)}.png", png, f"Figure for {derivation.title}")


def statement(
    item: Item,
    convert: Converter,
    *,
    fields: str,
    how: str,
    figure_src: Callable[[Figure], str] | None = None,
) -> str:
    """The question text: title, the student it is for, the prompt, the figure, how to answer, the fields."""
    derivation, out = item.derivation, ['<div class="symwork-question">']
    out.append(f"<p><strong>{convert.text(derivation.title)}</strong></p>")
    if item.variant.student is not None:
        student = item.variant.student
        out.append(f"<p>For {plain_html(student.name or student.id)} ({plain_html(student.id)})</p>")
    out.append(f"<p>{convert.text(item.exercise.prompt)}</p>")
    asks = [convert.text(part.ask) for part in getattr(item.exercise, "parts", ()) if getattr(part, "ask", "")]
    if asks:
        out.append('<ol type="a">' + "".join(f"<li>{ask}</li>" for ask in asks) + "</ol>")
    drawn = figure(derivation) if figure_src is not None else None
    if drawn is not None and figure_src is not None:
        src, alt = html.escape(figure_src(drawn), quote=True), html.escape(drawn.alt, quote=True)
        out.append(f'<p><img src="{src}" alt="{alt}" style="max-width: 100%; height: auto;" /></p>')
    if how:
        out.append(f"<p><em>{HOW_TO_ANSWER[how]}</em></p>")
    if fields:
        out.append(fields)
    out.append("</div>")
    return "\n".join(out)


def entry_grid(answer: Answer, convert: Converter, field: Callable[[Entry, int], str]) -> str:
    """The answer's fields laid out as it is shaped: a matrix as a grid beside its name, a vector as a
    column, named quantities and arrays of more axes as one labelled line each."""
    entries = answer.entries
    if answer.scalar:
        return f"<p>{_named(entries[0], convert)} {field(entries[0], 1)}</p>"
    if answer.listed or len(answer.shape) > 2:
        lines = [f"<tr><td>{_named(e, convert)}</td><td>{field(e, n)}</td></tr>" for n, e in enumerate(entries, 1)]
        return '<table class="symwork-fields"><tbody>\n' + "\n".join(lines) + "\n</tbody></table>"
    rows, cols = answer.shape
    cells = []
    for r in range(rows):
        row = entries[r * cols : (r + 1) * cols]
        cells.append("<tr>" + "".join(f"<td>{field(e, r * cols + k + 1)}</td>" for k, e in enumerate(row)) + "</tr>")
    name = convert.math((answer.label or "x") + " =")
    return (
        f'<table class="symwork-fields"><tbody><tr><td>{name}</td><td>'
        '<table class="symwork-matrix" style="border-left: 1px solid; border-right: 1px solid;"><tbody>\n'
        + "\n".join(cells)
        + "\n</tbody></table></td></tr></tbody></table>"
    )


def _named(entry: Entry, convert: Converter) -> str:
    """An entry's name before its field: ``x =`` for a number, ``x:`` for a word."""
    return convert.math(entry.label + (":" if entry.kind == "word" else " ="))


def worked_solution(item: Item, convert: Converter) -> str:
    """The general feedback: the derivation's question, what is given, every step with its reason, and the
    exercise's exact answer with each entry's decimal value and the range accepted."""
    problem, out = item.problem, ['<div class="symwork-solution">']
    out.append(f"<p><strong>Worked solution.</strong> {convert.text(problem.question)}</p>")
    if problem.given:
        out.append("<p>Given:</p>")
        out.append('<table class="symwork-given"><tbody>')
        for name, definition, why in problem.given:
            out.append(
                f"<tr><td>{convert.math(f'{name} = {definition}')}</td><td><small>{convert.text(why)}</small></td></tr>"
            )
        out.append("</tbody></table>")
    out.append('<table class="symwork-steps"><tbody>')
    for row in problem.rows:
        lhs = convert.math(row.lhs) if row.lhs else ""
        relation = RELATIONS.get(getattr(row, "relation", "="), "=")
        rhs = convert.math(f"{relation} " + " ".join(row.rhs_lines))
        out.append(
            f'<tr><td style="text-align: right;">{lhs}</td><td>{rhs}</td><td><small>{convert.text(row.why)}</small></td></tr>'
        )
    out.append("</tbody></table>")
    out.append(f"<p><strong>Exercise.</strong> {convert.text(item.exercise.prompt)}</p>")
    answer = item.answer
    for line in answer.lines:
        out.append(f"<p>{convert.math(line, display=True)}</p>")
    out.append(_decimals(answer, convert))
    out.append(f"<p><small>symwork {item.derivation.id}, exercise seed {item.seed}.</small></p>")
    out.append("</div>")
    return "\n".join(out)


def _decimals(answer: Answer, convert: Converter) -> str:
    rows = []
    for entry in answer.entries:
        if entry.kind == "word":
            accepted = "chosen from " + ", ".join(entry.choices)
        elif entry.kind == "integer":
            accepted = "exactly"
        else:
            accepted = f"from {entry.low} to {entry.high}"
        rows.append(
            f"<tr><td>{convert.math(entry.label)}</td><td>{convert.math(entry.exact_tex)}</td>"
            f"<td>{entry.value}</td><td><small>{accepted}</small></td></tr>"
        )
    head = "<tr><th></th><th>exact</th><th>decimal</th><th>accepted</th></tr>"
    return '<table class="symwork-answer"><tbody>' + head + "".join(rows) + "</tbody></table>"
