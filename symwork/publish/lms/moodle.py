"""Moodle XML: a category per derivation holding its variants as numerical, cloze or multichoice questions.

Import with Question bank → Import → "Moodle XML format"; a quiz then draws one question per student with
"Add a random question" from each category. Text is HTML in CDATA with math as ``\\( … \\)`` for Moodle's
MathJax filter, figures travel inside the question as base64 ``<file>``s (``@@PLUGINFILE@@`` links).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from symwork.core.derivation import Derivation
from symwork.publish.lms import latex_html, solution, variants
from symwork.publish.lms.latex_html import Converter
from symwork.publish.lms.markup import cdata, element, identifier, plain_html, text_element
from symwork.publish.lms.numbers import Entry
from symwork.publish.lms.variants import Item, Package, Request

#: The grade a wrong try costs in Moodle's interactive and adaptive modes (Moodle's own default).
PENALTY = "0.3333333"
#: Moodle's limit on a question's or category's idnumber.
IDNUMBER_LENGTH = 100


def plain_title(title: str) -> str:
    """A derivation title (LaTeX text) as plain text for names: ``$2\\times2$`` becomes ``2×2``."""
    text = title.replace(r"\times", "×").replace("$", "")
    return re.sub(r"\\([A-Za-z]+)", r"\1", text)


def category_path(request: Request, derivation: Derivation) -> str:
    """``$course$/top/<title>/<derivation id>``; a ``/`` inside a name is doubled, as Moodle reads it."""
    title = (request.title or "symwork").replace("/", "//")
    return f"$course$/top/{title}/{derivation.id}"


def _category(request: Request, derivation: Derivation, convert: Converter) -> str:
    info = f"<p>{convert.text(derivation.title)}: {convert.text(derivation.question)}</p>"
    return "\n".join(
        [
            '<question type="category">',
            f"<category>{text_element('text', category_path(request, derivation))}</category>",
            f'<info format="html"><text>{cdata(info)}</text></info>',
            text_element("idnumber", identifier("symwork", request.name, derivation.id)[:IDNUMBER_LENGTH]),
            "</question>",
        ]
    )


def _idnumber(item: Item, request: Request) -> str:
    who = item.variant.student.slug if item.variant.student is not None else f"v{item.variant.number}"
    return identifier(request.name, item.derivation.id, who)[:IDNUMBER_LENGTH]


def _question(item: Item, request: Request, kind: str, text: str, convert: Converter, body: list[str]) -> str:
    """The parts every question type shares around its own ``body``."""
    drawn = solution.figure(item.derivation)
    files = (
        element("file", base64.b64encode(drawn.png).decode("ascii"), name=drawn.name, path="/", encoding="base64")
        if drawn is not None and "@@PLUGINFILE@@" in text
        else ""
    )
    name = f"{plain_title(item.derivation.title)} — {item.variant.label}"
    tags = ["symwork", f"symwork-{item.derivation.id}", f"symwork-seed-{item.seed}"]
    return "\n".join(
        [
            f'<question type="{kind}">',
            f"<name>{text_element('text', name)}</name>",
            f'<questiontext format="html"><text>{cdata(text)}</text>{files}</questiontext>',
            f'<generalfeedback format="html"><text>{cdata(solution.worked_solution(item, convert))}</text></generalfeedback>',
            *body,
            "<tags>" + "".join(f"<tag>{text_element('text', tag)}</tag>" for tag in tags) + "</tags>",
            "</question>",
        ]
    )


def _common(item: Item, request: Request, grade: float | None) -> list[str]:
    lines = [f"<defaultgrade>{grade:.7f}</defaultgrade>"] if grade is not None else []
    return [
        *lines,
        f"<penalty>{PENALTY}</penalty>",
        "<hidden>0</hidden>",
        text_element("idnumber", _idnumber(item, request)),
    ]


def _plugin_file(drawn: solution.Figure) -> str:
    return f"@@PLUGINFILE@@/{drawn.name}"


def numerical(item: Item, request: Request, convert: Converter) -> str:
    """A scalar answer: one ``numerical`` answer with the tolerance of `numbers.TOLERANCES`."""
    entry = item.answer.entries[0]
    fields = f"<p>{convert.math(entry.label + ' =')} ?</p>"
    text = solution.statement(item, convert, fields=fields, how="tolerance", figure_src=_plugin_file)
    body = [
        *_common(item, request, request.points),
        '<answer fraction="100" format="moodle_auto_format">',
        text_element("text", entry.value),
        '<feedback format="html"><text></text></feedback>',
        text_element("tolerance", entry.tolerance),
        "</answer>",
        "<unitgradingtype>0</unitgradingtype>",
        "<unitpenalty>0.1000000</unitpenalty>",
        "<showunits>3</showunits>",
        "<unitsleft>0</unitsleft>",
    ]
    return _question(item, request, "numerical", text, convert, body)


_CLOZE_SPECIAL = str.maketrans({c: "\\" + c for c in '}#~/"\\'})


def cloze_field(entry: Entry, number: int) -> str:
    """One embedded answer: ``{1:NUMERICAL:=value:tolerance}`` for a number (numbers need no escaping), or
    ``{1:MULTICHOICE:=right~other}`` for a word, its special characters escaped as Moodle's cloze syntax wants."""
    if entry.kind != "word":
        return f"{{1:NUMERICAL:={entry.value}:{entry.tolerance}}}"
    options = [("=" if choice == entry.value else "") + choice.translate(_CLOZE_SPECIAL) for choice in entry.choices]
    return "{1:MULTICHOICE:" + "~".join(options) + "}"


def cloze(item: Item, request: Request, convert: Converter) -> str:
    """A vector, matrix, tuple or several-part answer: a ``cloze`` question with one field per entry."""
    fields = solution.entry_grid(item.answer, convert, cloze_field)
    text = solution.statement(item, convert, fields=fields, how="tolerance", figure_src=_plugin_file)
    return _question(item, request, "cloze", text, convert, _common(item, request, None))


def multichoice(item: Item, request: Request, convert: Converter) -> str:
    """A one-word answer chosen from a few words: ``multichoice``, the right word worth 100%."""
    entry = item.answer.entries[0]
    fields = f"<p>{convert.math(entry.label + ':')} ?</p>"
    text = solution.statement(item, convert, fields=fields, how="", figure_src=_plugin_file)
    answers = []
    for choice in entry.choices:
        answers += [
            f'<answer fraction="{100 if choice == entry.value else 0}" format="html">',
            f"<text>{cdata(plain_html(choice))}</text>",
            '<feedback format="html"><text></text></feedback>',
            "</answer>",
        ]
    body = [
        *_common(item, request, request.points),
        "<single>true</single>",
        "<shuffleanswers>true</shuffleanswers>",
        "<answernumbering>abc</answernumbering>",
        "<showstandardinstruction>0</showstandardinstruction>",
        '<correctfeedback format="html"><text>Correct.</text></correctfeedback>',
        '<partiallycorrectfeedback format="html"><text></text></partiallycorrectfeedback>',
        '<incorrectfeedback format="html"><text></text></incorrectfeedback>',
        *answers,
    ]
    return _question(item, request, "multichoice", text, convert, body)


def question_type(item: Item) -> str:
    """Which Moodle question type asks this item: multichoice for one word, numerical for one number, else cloze."""
    entries = item.answer.entries
    if len(entries) == 1:
        return "multichoice" if entries[0].kind == "word" else "numerical"
    return "cloze"


#: Moodle question type → the writer of its XML.
QUESTION_TYPES: dict[str, Callable[[Item, Request, Converter], str]] = {
    "numerical": numerical,
    "cloze": cloze,
    "multichoice": multichoice,
}


def quiz(request: Request) -> Package:
    """The Moodle XML file (UTF-8, ``<quiz>`` root) for a request: per derivation a category, then its variants."""
    found, notes = variants.items(request)
    convert = latex_html.converter("mathjax", request.macros)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- Made by symwork; import with Question bank > Import > Moodle XML format. -->",
        "<quiz>",
    ]
    for derivation, members in variants.grouped(found):
        out.append(_category(request, derivation, convert))
        out.extend(QUESTION_TYPES[question_type(item)](item, request, convert) for item in members)
        problem = solution.figure_problem(derivation)
        if problem:
            notes.append(f"{derivation.id}: {problem}")
    out.append("</quiz>")
    return Package(("\n".join(out) + "\n").encode("utf-8"), ".xml", len(found), tuple(notes))
