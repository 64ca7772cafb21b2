"""QTI 1.2 export for Canvas Classic Quizzes: manifest, assessment, question groups, numerical and
fill-in-multiple-blanks items in the shape Canvas's own exporter writes them, equation images, figures as files."""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

import symwork
from symwork.cli import main
from symwork.publish import exporting
from symwork.publish.lms import variants
from symwork.publish.lms.qti import package

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
BLANK = re.compile(r"\[(sw\d+)\]")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))


def _html(fragment: str) -> _Images:
    parser = _Images()
    parser.feed(fragment)
    parser.close()
    return parser


def _meta(item: ET.Element) -> dict[str, str]:
    return {
        f.findtext(f"{Q}fieldlabel", ""): f.findtext(f"{Q}fieldentry", "") for f in item.iter(f"{Q}qtimetadatafield")
    }


def check_qti_structure(data: bytes) -> tuple[ET.Element, zipfile.ZipFile]:
    """The package as Canvas's QTI importer reads it; returns the assessment root and the zip."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "imsmanifest.xml"
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest" and manifest.find(f"{CP}organizations") is not None
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    qti = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
    assert len(qti) == 1
    for resource in resources:
        for file in resource.findall(f"{CP}file"):
            assert file.get("href") in names, file.get("href")
        if resource.get("type") == "webcontent":
            assert resource.get("href") == resource.find(f"{CP}file").get("href")  # Canvas imports only the href
    root = ET.fromstring(archive.read(qti[0].find(f"{CP}file").get("href")))
    assert root.tag == f"{Q}questestinterop"
    assessment = root.find(f"{Q}assessment")
    assert assessment is not None and assessment.get("ident") and assessment.get("title") is not None
    top = assessment.find(f"{Q}section")
    assert top.get("ident") == "root_section"
    idents: set[str] = set()
    for group in top.findall(f"{Q}section"):
        selection = group.find(f"{Q}selection_ordering/{Q}selection")
        assert selection.findtext(f"{Q}selection_number") == "1"
        assert float(selection.findtext(f"{Q}selection_extension/{Q}points_per_item")) > 0
        for item in group.findall(f"{Q}item"):
            assert item.get("ident") not in idents and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", item.get("ident"))
            idents.add(item.get("ident"))
            _check_item(item, names)
    assert idents
    return root, archive


def _check_item(item: ET.Element, names: list[str]) -> None:
    meta = _meta(item)
    kind = meta["question_type"]
    assert kind in ("numerical_question", "fill_in_multiple_blanks_question") and float(meta["points_possible"]) > 0
    stem = item.findtext(f"{Q}presentation/{Q}material/{Q}mattext", "")
    assert item.find(f"{Q}presentation/{Q}material/{Q}mattext").get("texttype") == "text/html"
    parsed = _html(stem)
    assert "script" not in parsed.tags
    for image in parsed.images:
        if image.get("class") == "equation_image":
            # Canvas's markup: the LaTeX doubly URL-encoded after /equation_images/, and in the data attribute.
            latex = image["data-equation-content"]
            assert unquote(unquote(image["src"].removeprefix("/equation_images/").removesuffix("?scale=1"))) == latex
            assert image["alt"] == f"LaTeX: {latex}"
        else:
            assert image["src"].startswith("%24IMS-CC-FILEBASE%24/images/")
            assert unquote(image["src"]).replace("$IMS-CC-FILEBASE$/", "") in names
    assert item.find(f"{Q}resprocessing/{Q}outcomes/{Q}decvar").get("varname") == "SCORE"
    assert item.find(f"{Q}itemfeedback[@ident='general_fb']") is not None
    if kind == "numerical_question":
        render = item.find(f"{Q}presentation/{Q}response_str/{Q}render_fib")
        assert render.get("fibtype") == "Decimal"
        return
    blanks = BLANK.findall(stem)
    lids = item.findall(f"{Q}presentation/{Q}response_lid")
    assert blanks and [lid.get("ident") for lid in lids] == [f"response_{b}" for b in blanks]
    for lid in lids:
        assert lid.get("rcardinality") == "Single"
        labels = lid.findall(f"{Q}render_choice/{Q}response_label")
        assert labels and len({label.get("ident") for label in labels}) == len(labels)


def _request(ids: list[str], **options: object) -> variants.Request:
    return variants.Request(tuple(symwork.get(i) for i in ids), "Week 3", macros=exporting.macros(), **options)  # type: ignore[arg-type]


def test_lms_qti_has_a_question_group_per_derivation() -> None:
    ids = ["sigmoid-derivative", "softmax-jacobian", "gaussian-moments"]
    root, _ = check_qti_structure(package(_request(ids, variants=4, seed=2)).data)
    groups = root.findall(f"{Q}assessment/{Q}section/{Q}section")
    assert len(groups) == 3
    kinds = [[_meta(item)["question_type"] for item in group.findall(f"{Q}item")] for group in groups]
    assert kinds == [
        ["numerical_question"] * 4,
        ["fill_in_multiple_blanks_question"] * 4,
        ["fill_in_multiple_blanks_question"] * 4,
    ]


def test_lms_qti_numerical_ranges_hold_the_exact_answer() -> None:
    root, _ = check_qti_structure(
        package(_request(["tanh-derivative", "kl-gaussians", "gaussian-entropy"], variants=3)).data
    )
    for item in root.iter(f"{Q}item"):
        seed = int(item.get("ident").rsplit("-", 1)[1])
        derivation = next(
            d for d in ("tanh-derivative", "kl-gaussians", "gaussian-entropy") if d in item.get("ident")
        )
        exact = symwork.get(derivation).make_exercise(seed).answer
        condition = item.find(f"{Q}resprocessing/{Q}respcondition[@continue='No']/{Q}conditionvar")
        exact_value = Decimal(condition.findtext(f".//{Q}varequal"))
        assert abs(float(exact_value) - float(exact)) <= 1e-9 * max(1, abs(float(exact)))
        low, high = condition.findtext(f".//{Q}vargte"), condition.findtext(f".//{Q}varlte")
        if exact.is_Integer:
            assert low is None and high is None
        else:
            assert Decimal(low) < Decimal(repr(float(exact))) < Decimal(high)
            assert (Decimal(high) - Decimal(low)) / 2 <= Decimal(abs(float(exact))) * Decimal("0.001")


def test_lms_qti_blanks_accept_spellings_of_the_exact_entries() -> None:
    root, _ = check_qti_structure(package(_request(["softmax-jacobian", "bayes-rule"], variants=2)).data)
    for item in root.iter(f"{Q}item"):
        seed = int(item.get("ident").rsplit("-", 1)[1])
        derivation = "softmax-jacobian" if "softmax" in item.get("ident") else "bayes-rule"
        cells = list(symwork.get(derivation).make_exercise(seed).answer)
        lids = item.findall(f"{Q}presentation/{Q}response_lid")
        assert len(lids) == len(cells)
        scores = item.findall(f"{Q}resprocessing/{Q}respcondition/{Q}setvar[@action='Add']")
        assert abs(sum(float(s.text) for s in scores) - 100) < 0.05
        for lid, cell in zip(lids, cells, strict=True):
            for label in lid.findall(f"{Q}render_choice/{Q}response_label"):
                typed = Fraction(label.findtext(f"{Q}material/{Q}mattext"))
                assert abs(float(typed) - float(cell)) <= 1e-3 * abs(float(cell)) + 1e-12
            assert (
                f"{cell.p}/{cell.q}"
                in [label.findtext(f"{Q}material/{Q}mattext") for label in lid.iter(f"{Q}response_label")]
                or cell.is_Integer
            )


def test_lms_qti_figures_are_files_not_data_uris() -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    pytest.importorskip("matplotlib")
    root, archive = check_qti_structure(package(_request(["beta-bernoulli-update"])).data)
    assert "images/beta-bernoulli-update.png" in archive.namelist()
    assert archive.read("images/beta-bernoulli-update.png").startswith(b"\x89PNG")
    stem = next(root.iter(f"{Q}mattext")).text or ""
    assert "data:" not in stem and "%24IMS-CC-FILEBASE%24/images/beta-bernoulli-update.png" in stem


def test_lms_qti_is_reproducible_and_hostile_text_stays_inert() -> None:
    students = (SimpleNamespace(id="a&b", name="<script>alert(1)</script> ]]> &amp;", slug="a_b", extra=()),)
    request = variants.Request(
        (symwork.get("softmax-jacobian"),),
        'T ]]> <script>x</script> & "q"',
        students=students,
        macros=exporting.macros(),
    )
    first, second = package(request).data, package(request).data
    assert first == second
    root, archive = check_qti_structure(first)
    assert root.find(f"{Q}assessment").get("title") == 'T ]]> <script>x</script> & "q"'
    stem = next(root.iter(f"{Q}mattext")).text or ""
    assert "<script" not in stem and "&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp;amp;" in stem
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_lms_qti_cli_default_file_name(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["export", "bernoulli-mle", "--to", "qti", "--variants", "2"])
    assert result.exit_code == 0, result.output
    assert "wrote bernoulli-mle-qti.zip: 2 questions" in result.output
    check_qti_structure((tmp_path / "bernoulli-mle-qti.zip").read_bytes())


def test_lms_qti_leaves_out_what_has_no_numeric_exercise() -> None:
    kept = package(_request(["sigmoid-derivative"]))
    assert kept.questions == 1 and kept.notes == ()
    no_exercise = [d for d in symwork.derivations() if d.exercise is None]
    if no_exercise:
        mixed = package(
            variants.Request((no_exercise[0], symwork.get("sigmoid-derivative")), "t", macros=exporting.macros())
        )
        assert mixed.questions == 1 and mixed.notes == (f"{no_exercise[0].id}: no exercise to ask (left out)",)
