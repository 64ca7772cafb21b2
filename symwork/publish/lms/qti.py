"""A QTI 1.2 zip as Canvas Classic Quizzes imports it: imsmanifest.xml, one assessment, one question group per
derivation holding its variants (numerical questions, or fill-in-multiple-blanks for vectors and matrices).

Import with Settings → Import Course Content → "QTI .zip file". Math is Canvas's own equation markup
(`latex_html.equation_image`); figures are PNG files in the zip under ``images/``, linked through
``$IMS-CC-FILEBASE$`` and listed as ``webcontent`` resources, because Canvas's sanitizer drops ``data:`` images.
"""

from __future__ import annotations

from symwork.publish.lms import latex_html, solution, variants
from symwork.publish.lms.latex_html import Converter
from symwork.publish.lms.markup import Member, element, identifier, text_element, zip_bytes
from symwork.publish.lms.markup import xml_attr as _q
from symwork.publish.lms.variants import Item, Package, Request

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_SCHEMA = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
#: Where figures go in the zip (Canvas resolves ``$IMS-CC-FILEBASE$/images/…`` against it).
IMAGES = "images"
#: Prefix of a blank's name in fill-in-multiple-blanks stems (``[sw1]``); unlikely in any math.
BLANK = "sw"


def _meta(pairs: list[tuple[str, str]]) -> str:
    fields = "".join(
        "<qtimetadatafield>"
        + text_element("fieldlabel", label)
        + text_element("fieldentry", value)
        + "</qtimetadatafield>"
        for label, value in pairs
    )
    return f"<qtimetadata>{fields}</qtimetadata>"


def _mattext(html_text: str) -> str:
    # HTML inside mattext is escaped character data (as Canvas's own exports write it).
    return element("material", text_element("mattext", html_text, texttype="text/html"))


def _figure_src(drawn: solution.Figure) -> str:
    return f"%24IMS-CC-FILEBASE%24/{IMAGES}/{drawn.name}"


def _feedback(item: Item, convert: Converter) -> tuple[str, str]:
    """The condition that shows the general feedback, and that feedback: the worked solution."""
    condition = '<respcondition continue="Yes"><conditionvar><other/></conditionvar><displayfeedback feedbacktype="Response" linkrefid="general_fb"/></respcondition>'
    material = element("flow_mat", _mattext(solution.worked_solution(item, convert)))
    return condition, f'<itemfeedback ident="general_fb">{material}</itemfeedback>'


def _ident(item: Item, request: Request) -> str:
    who = item.variant.student.slug if item.variant.student is not None else f"v{item.variant.number}"
    return identifier(request.name, item.derivation.id, who, item.seed)


def _title(item: Item) -> str:
    from_title = item.derivation.title.replace("$", "")
    return f"{from_title} — {item.variant.label}"


def numerical(item: Item, request: Request, convert: Converter) -> str:
    """``numerical_question``: exact answer with an error margin (the tolerance of `numbers.TOLERANCES`)."""
    entry = item.answer.entries[0]
    stem = solution.statement(
        item, convert, fields=f"<p>{convert.math(entry.label + ' =')} ?</p>", how="tolerance", figure_src=_figure_src
    )
    ident = _ident(item, request)
    if entry.tolerance == "0":
        accept = f'<varequal respident="response1">{entry.value}</varequal>'
    else:
        accept = (
            f'<or><varequal respident="response1">{entry.value}</varequal><and>'
            f'<vargte respident="response1">{entry.low}</vargte><varlte respident="response1">{entry.high}</varlte></and></or>'
        )
    condition, feedback = _feedback(item, convert)
    return "\n".join(
        [
            f"<item ident={_q(ident)} title={_q(_title(item))}>",
            "<itemmetadata>" + _meta([("question_type", "numerical_question"), ("points_possible", f"{request.points:g}"),
                                      ("original_answer_ids", "1"), ("assessment_question_identifierref", ident + "-ref")]) + "</itemmetadata>",
            "<presentation>" + _mattext(stem),
            '<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str>',
            "</presentation>",
            '<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>',
            condition,
            f'<respcondition continue="No"><conditionvar>{accept}</conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>',
            "</resprocessing>",
            feedback,
            "</item>",
        ]
    )  # fmt: skip


def blank_name(number: int) -> str:
    return f"{BLANK}{number}"


def fill_in_blanks(item: Item, request: Request, convert: Converter) -> str:
    """``fill_in_multiple_blanks_question``: one blank per entry, each listing its accepted spellings
    (Canvas compares blanks as text, so the tolerance becomes the spellings of `numbers.Entry`)."""
    entries = item.answer.entries
    stem = solution.statement(
        item,
        convert,
        fields=solution.entry_grid(item.answer, convert, lambda e, n: f"[{blank_name(n)}]"),
        how="spelling",
        figure_src=_figure_src,
    )
    ident = _ident(item, request)
    responses, conditions, answer_ids = [], [], []
    share = f"{100 / len(entries):.2f}"
    for number, entry in enumerate(entries, start=1):
        labels = []
        for k, spelling in enumerate(entry.spellings):
            answer_id = str(number * 1000 + k)
            answer_ids.append(answer_id)
            labels.append(
                f'<response_label ident="{answer_id}">{element("material", text_element("mattext", spelling, texttype="text/plain"))}</response_label>'
            )
        name = blank_name(number)
        responses.append(
            f'<response_lid ident="response_{name}" rcardinality="Single">{element("material", text_element("mattext", name))}'
            f"<render_choice>{''.join(labels)}</render_choice></response_lid>"
        )
        conditions.append(
            f'<respcondition><conditionvar><varequal respident="response_{name}">{number * 1000}</varequal></conditionvar>'
            f'<setvar varname="SCORE" action="Add">{share}</setvar></respcondition>'
        )
    condition, feedback = _feedback(item, convert)
    return "\n".join(
        [
            f"<item ident={_q(ident)} title={_q(_title(item))}>",
            "<itemmetadata>" + _meta([("question_type", "fill_in_multiple_blanks_question"), ("points_possible", f"{request.points:g}"),
                                      ("original_answer_ids", ",".join(answer_ids)), ("assessment_question_identifierref", ident + "-ref")]) + "</itemmetadata>",
            "<presentation>" + _mattext(stem),
            *responses,
            "</presentation>",
            '<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>',
            condition,
            *conditions,
            "</resprocessing>",
            feedback,
            "</item>",
        ]
    )  # fmt: skip


def assessment(request: Request, found: list[Item], ident: str, convert: Converter) -> str:
    """The assessment XML: a root section with one group per derivation that picks one of its variants."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<questestinterop xmlns="{QTI_NAMESPACE}" xmlns:xsi="{XSI}" xsi:schemaLocation="{QTI_NAMESPACE} {QTI_SCHEMA}">',
        f"<assessment ident={_q(ident)} title={_q(request.title or 'symwork')}>",
        _meta([("cc_maxattempts", "1")]),
        '<section ident="root_section">',
    ]
    for derivation, members in variants.grouped(found):
        group = identifier(ident, derivation.id)
        out.append(f"<section ident={_q(group)} title={_q(derivation.title.replace('$', ''))}>")
        out.append(
            "<selection_ordering><selection><selection_number>1</selection_number><selection_extension>"
            f"<points_per_item>{request.points:g}</points_per_item></selection_extension></selection></selection_ordering>"
        )
        out.extend(
            numerical(i, request, convert) if i.answer.scalar else fill_in_blanks(i, request, convert) for i in members
        )
        out.append("</section>")
    out += ["</section>", "</assessment>", "</questestinterop>"]
    return "\n".join(out) + "\n"


def manifest(ident: str, title: str, images: list[str]) -> str:
    """imsmanifest.xml: the assessment as an ``imsqti_xmlv1p2`` resource and each figure as ``webcontent``."""
    resources = [
        f'<resource identifier={_q(ident)} type="imsqti_xmlv1p2"><file href={_q(f"{ident}/{ident}.xml")}/></resource>'
    ]
    for name in images:
        path = f"{IMAGES}/{name}"
        resources.append(
            f'<resource identifier={_q(identifier(ident, "image", name))} type="webcontent" href={_q(path)}><file href={_q(path)}/></resource>'
        )
    return (
        "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                f'<manifest identifier={_q(ident + "-manifest")} xmlns="{CP_NAMESPACE}" xmlns:imsmd="{IMSMD}" xmlns:xsi="{XSI}" '
                f'xsi:schemaLocation="{CP_NAMESPACE} http://www.imsglobal.org/xsd/imscp_v1p1.xsd {IMSMD} http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd">',
                "<metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion>"
                f"<imsmd:lom><imsmd:general><imsmd:title>{text_element('imsmd:string', title)}</imsmd:title></imsmd:general></imsmd:lom></metadata>",
                "<organizations/>",
                "<resources>",
                *resources,
                "</resources>",
                "</manifest>",
            ]
        )
        + "\n"
    )


def package(request: Request) -> Package:
    """The QTI zip for a request: manifest, assessment and figures, with fixed dates (same input, same bytes)."""
    found, notes = variants.items(request)
    convert = latex_html.converter("canvas", request.macros)
    ident = identifier("symwork", request.name)
    images: dict[str, bytes] = {}
    for derivation, _ in variants.grouped(found):
        drawn = solution.figure(derivation)
        if drawn is not None:
            images[drawn.name] = drawn.png
        problem = solution.figure_problem(derivation)
        if problem:
            notes.append(f"{derivation.id}: {problem}")
    members = [
        Member("imsmanifest.xml", manifest(ident, request.title or "symwork", sorted(images)).encode("utf-8")),
        Member(f"{ident}/{ident}.xml", assessment(request, found, ident, convert).encode("utf-8")),
        *(Member(f"{IMAGES}/{name}", images[name]) for name in sorted(images)),
    ]
    return Package(zip_bytes(members), ".zip", len(found), tuple(notes))
