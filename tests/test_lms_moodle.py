"""Moodle XML export: the structure Moodle's importer reads (docs.moodle.org "Moodle XML format"), answers that
match the exact ones, worked solutions with expanded macros, figures as base64 files, hostile text kept inert."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import sympy as sp
from click.testing import CliRunner

import symwork
from symwork.cli import main
from symwork.publish import exporting
from symwork.publish.lms import latex_html, moodle, numbers, variants
from symwork.publish.lms.markup import cdata, identifier, text_element, xml_attr

ROOT = Path(__file__).resolve().parent.parent
#: Child elements every question of a type must have (Moodle's qformat_xml reads these).
REQUIRED = {
    "category": ("category/text",),
    "numerical": (
        "name/text",
        "questiontext/text",
        "generalfeedback/text",
        "answer/text",
        "answer/tolerance",
        "idnumber",
    ),
    "cloze": ("name/text", "questiontext/text", "generalfeedback/text", "idnumber"),
    "multichoice": ("name/text", "questiontext/text", "single", "answer/text", "idnumber"),
}
CLOZE_FIELD = re.compile(r"\{1:(NUMERICAL|MULTICHOICE):([^{}]*)\}")
MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)


class _Tags(HTMLParser):
    """The tags, attributes and text of an HTML fragment, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def check_moodle_structure(data: bytes) -> list[ET.Element]:
    """Every rule this test file relies on; returns the non-category questions."""
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    data.decode("utf-8")  # UTF-8 throughout
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    questions, seen_category, idnumbers = [], False, set()
    for question in root:
        assert question.tag == "question"
        kind = question.get("type")
        assert kind in REQUIRED, kind
        for path in REQUIRED[kind]:
            assert question.find(path) is not None, (kind, path)
        if kind == "category":
            assert question.findtext("category/text", "").startswith("$course$/top/")
            seen_category = True
            continue
        assert seen_category, "a question before any category lands in the default category"
        assert question.find("questiontext").get("format") == "html"
        idnumber = question.findtext("idnumber", "")
        assert 0 < len(idnumber) <= 100 and idnumber not in idnumbers
        idnumbers.add(idnumber)
        for file in question.findall("questiontext/file"):
            assert file.get("encoding") == "base64" and file.get("path") == "/"
            assert base64.b64decode(file.text or "").startswith(b"\x89PNG\r\n\x1a\n")
            assert f"@@PLUGINFILE@@/{file.get('name')}" in question.findtext("questiontext/text", "")
        questions.append(question)
    return questions


def _request(ids: list[str], **options: object) -> variants.Request:
    return variants.Request(tuple(symwork.get(i) for i in ids), "Week 3", macros=exporting.macros(), **options)  # type: ignore[arg-type]


def test_lms_moodle_quiz_has_a_category_per_derivation_and_a_question_per_variant() -> None:
    ids = ["sigmoid-derivative", "softmax-jacobian", "cross-entropy-kl", "gradient-descent-quadratic"]
    package = moodle.quiz(_request(ids, variants=3, seed=7))
    assert moodle.quiz(_request(ids, variants=3, seed=7)).data == package.data  # the same input, the same bytes
    root = ET.fromstring(package.data)
    kinds = [(q.get("type"), q.findtext("category/text")) for q in root]
    assert [k for k in kinds if k[0] == "category"] == [("category", f"$course$/top/Week 3/{i}") for i in ids]
    questions = check_moodle_structure(package.data)
    assert package.questions == len(questions) == 12
    # cross-entropy-kl asks for three parts (H(p), H(p, q), KL): one cloze field each.
    assert [q.get("type") for q in questions] == ["numerical"] * 3 + ["cloze"] * 3 + ["cloze"] * 3 + ["cloze"] * 3
    # Variant k is the exercise `symwork build --seed 7+k-1` prints.
    tags = [[t.text for t in q.findall("tags/tag/text")] for q in questions[:3]]
    seeds = [symwork.seeds.problem_seed(7 + k, "sigmoid-derivative") for k in range(3)]
    assert [t[2] for t in tags] == [f"symwork-seed-{s}" for s in seeds]


def test_lms_moodle_answers_match_the_exact_answers() -> None:
    package = moodle.quiz(_request(["tanh-derivative", "layernorm-jacobian", "gaussian-entropy"], variants=2))
    for question in check_moodle_structure(package.data):
        seed = int(
            next(t.text for t in question.findall("tags/tag/text") if t.text.startswith("symwork-seed-")).rsplit(
                "-", 1
            )[1]
        )
        derivation = next(
            t.text
            for t in question.findall("tags/tag/text")
            if t.text.count("-") and t.text != "symwork" and not t.text.startswith("symwork-seed-")
        )
        exact = symwork.get(derivation.removeprefix("symwork-")).make_exercise(seed).answer
        cells = list(exact) if isinstance(exact, sp.MatrixBase) else [exact]
        if question.get("type") == "numerical":
            fields = [(question.findtext("answer/text"), question.findtext("answer/tolerance"))]
            assert question.find("answer").get("fraction") == "100"
        else:
            fields = [tuple(f.split(":")) for _, f in CLOZE_FIELD.findall(question.findtext("questiontext/text", ""))]
            fields = [(value.removeprefix("="), tolerance) for value, tolerance in fields]
        assert len(fields) == len(cells)
        for (value, tolerance), cell in zip(fields, cells, strict=True):
            assert abs(float(value) - float(cell)) <= float(tolerance) + 1e-12
            assert abs(float(value) - float(cell)) <= 1e-9 * max(1, abs(float(cell)))
        # The exact form is in the feedback, with the decimal and the range accepted.
        feedback = question.findtext("generalfeedback/text", "")
        line = numbers.answer(symwork.get(derivation.removeprefix("symwork-")).make_exercise(seed)).lines[0]
        assert html.escape(line, quote=False) in feedback


def test_lms_moodle_feedback_carries_the_worked_solution_with_macros_expanded() -> None:
    package = moodle.quiz(_request(["softmax-jacobian"]))
    question = check_moodle_structure(package.data)[0]
    feedback = question.findtext("generalfeedback/text", "")
    assert "Worked solution." in feedback and feedback.count("<tr>") >= len(symwork.get("softmax-jacobian").steps)
    formulas = [a or b for a, b in MATH.findall(feedback + question.findtext("questiontext/text", ""))]
    assert formulas and all(f.strip() for f in formulas)
    for name in exporting.macros():
        assert not any(re.search(rf"\\{name}(?![A-Za-z])", f) for f in formulas), name
    assert not any(re.search(r"\\bm(?![A-Za-z])", f) for f in formulas)


def test_lms_moodle_figure_travels_as_a_base64_file() -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    pytest.importorskip("matplotlib")
    question = check_moodle_structure(moodle.quiz(_request(["gradient-descent-quadratic"])).data)[0]
    files = question.findall("questiontext/file")
    assert len(files) == 1 and files[0].get("name") == "gradient-descent-quadratic.png"
    images = [a for tag, a in parse_html(question.findtext("questiontext/text", "")).tags if tag == "img"]
    assert images == [
        {
            "src": "@@PLUGINFILE@@/gradient-descent-quadratic.png",
            "alt": "Figure for Gradient descent on a quadratic",
            "style": "max-width: 100%; height: auto;",
        }
    ]


HOSTILE = 'Week ]]> 3 <script>alert("x")</script> & \\(\\href{javascript:alert(1)}{x}\\) \x01/done'


def test_lms_moodle_hostile_titles_and_names_stay_text(tmp_path: Path) -> None:
    students = (SimpleNamespace(id="s]]>1", name="<script>alert(2)</script> & Co ]]>", slug="s-1", extra=()),)
    request = variants.Request(
        (symwork.get("sigmoid-derivative"), symwork.get("softmax-jacobian")),
        HOSTILE,
        students=students,
        macros=exporting.macros(),
    )
    data = moodle.quiz(request).data
    questions = check_moodle_structure(data)
    root = ET.fromstring(data)
    assert (
        root[0].findtext("category/text")
        == '$course$/top/Week ]]> 3 <script>alert("x")<//script> & \\(\\href{javascript:alert(1)}{x}\\) \ufffd//done/sigmoid-derivative'
    )
    for question in questions:
        assert "s]]>1" in question.findtext("name/text", "")
        html_text = question.findtext("questiontext/text", "")
        parsed = parse_html(html_text)
        assert "script" not in {tag for tag, _ in parsed.tags}
        assert "<script>alert(2)</script> & Co ]]>" in "".join(parsed.text)
        # The name sits in an element MathJax and Moodle's filters leave alone.
        spans = [a for tag, a in parsed.tags if tag == "span"]
        assert spans and all("tex2jax_ignore" in (a.get("class") or "") for a in spans)


def test_lms_moodle_cloze_words_and_multichoice() -> None:
    word = numbers.word_entry("in/dependent}", ("dependent", "in/dependent}"), label="d", index=(1,))
    assert moodle.cloze_field(word, 1) == "{1:MULTICHOICE:dependent~=in\\/dependent\\}}"
    number = numbers.entry(sp.Rational(-2, 27), label="x")
    assert moodle.cloze_field(number, 1) == "{1:NUMERICAL:=-0.0740740740741:0.00001}"


def test_lms_moodle_math_markup_table() -> None:
    convert = latex_html.converter("mathjax", exporting.macros())
    assert convert.text(r"Let $\bm{s} = \softmax(\bm{z})$ and \emph{so} $a<b$ \& more") == (
        r"Let \(\boldsymbol{s} = \operatorname{softmax}(\boldsymbol{z})\) and <em>so</em> \(a&lt;b\) &amp; more"
    )
    assert convert.text(r"cost \$5, $$\E[X]$$ -- done") == r"cost $5, \[\mathbb{E}[X]\] – done"
    canvas = latex_html.converter("canvas", exporting.macros())
    image = canvas.math(r"\R^n")
    assert 'class="equation_image"' in image and 'data-equation-content="\\mathbb{R}^n"' in image
    assert "/equation_images/%255Cmathbb%257BR%257D%255En?scale=1" in image


def _katex() -> Path | None:
    for folder in (ROOT / "node_modules" / "katex", Path("/tmp/katexenv/node_modules/katex")):
        if folder.is_dir() and shutil.which("node"):
            return folder
    return None


@pytest.fixture(scope="module")
def katex_failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every formula of every derivation's Moodle question, typeset by KaTeX (from npm) in one node process."""
    katex = _katex()
    if katex is None:
        pytest.skip("KaTeX (npm install katex) or node is missing")
    formulas: list[tuple[str, str]] = []
    for derivation in symwork.derivations():
        if derivation.exercise is None:
            continue
        data = moodle.quiz(variants.Request((derivation,), "t", macros=exporting.macros())).data.decode("utf-8")
        # The HTML text MathJax or KaTeX's auto-render would read: entities decoded.
        found = {ET.fromstring(f"<t>{a or b}</t>").text or "" for a, b in MATH.findall(data)}
        formulas += [(derivation.id, formula) for formula in sorted(found)]
    source = tmp_path_factory.mktemp("katex") / "formulas.json"
    source.write_text(json.dumps([f for _, f in formulas]), encoding="utf-8")
    script = (
        f"const katex = require({json.dumps(str(katex))}); const fs = require('fs');"
        f"const all = JSON.parse(fs.readFileSync({json.dumps(str(source))}, 'utf8'));"
        "console.log(JSON.stringify(all.map(f => { try { katex.renderToString(f, {throwOnError: true}); return ''; }"
        " catch (e) { return e.message; } })));"
    )
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    failures: dict[str, list[str]] = {}
    for (derivation_id, formula), error in zip(formulas, json.loads(done.stdout), strict=True):
        failures.setdefault(derivation_id, [])
        if error:
            failures[derivation_id].append(f"{formula} :: {error[:120]}")
    return failures


@pytest.mark.parametrize("derivation_id", [d.id for d in symwork.derivations() if d.exercise is not None])
def test_lms_moodle_every_formula_renders_in_katex(derivation_id: str, katex_failures: dict[str, list[str]]) -> None:
    """The exported math is valid for a real renderer: macros expanded, nothing KaTeX cannot typeset."""
    assert derivation_id in katex_failures
    assert katex_failures[derivation_id] == []


def test_lms_moodle_cli_writes_the_file_and_refuses_mixed_options(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bank.xml"
    result = runner.invoke(
        main, ["export", "tanh-derivative", "--to", "moodle", "--variants", "2", "--seed", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(check_moodle_structure(out.read_bytes())) == 2
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\ns1,Ada\n")
    both = runner.invoke(
        main, ["export", "tanh-derivative", "--to", "moodle", "--variants", "2", "--roster", str(roster)]
    )
    assert both.exit_code == 2 and "not both" in both.output
    text = runner.invoke(main, ["export", "tanh-derivative", "--to", "json", "--variants", "2"])
    assert text.exit_code == 2 and "--variants applies to --to moodle, qti, gradescope only" in text.output


def test_lms_moodle_cli_choices_are_the_tables() -> None:
    from symwork.cli import library

    assert set(library.TEXT_FORMATS) == set(exporting.EXPORT_FORMATS)
    assert set(library.LMS_FORMATS) == set(exporting.LMS_FORMATS) == set(library.LMS_FILES)


def test_lms_moodle_markup_cannot_be_broken_by_text() -> None:
    hostile = 'a]]>b<c>&"d\x01\x7f\ud800'
    assert ET.fromstring(f"<t>{cdata(hostile)}</t>").text == 'a]]>b<c>&"d\ufffd\ufffd\ufffd'
    assert ET.fromstring(f"<t a={xml_attr(hostile + chr(10))}/>").get("a") == 'a]]>b<c>&"d\ufffd\ufffd\ufffd\n'
    assert ET.fromstring(text_element("t", hostile)).text == 'a]]>b<c>&"d\ufffd\ufffd\ufffd'
    assert identifier("s]]>1", "x y", 42) == "s_1-x_y-42" and identifier("9", "a")[:1].isalpha()
