"""Worksheet builds: every worksheet in every version, the cache, determinism, hostile text and LaTeX errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import symwork
from symwork import seeds
from symwork.classroom import roster as roster_module
from symwork.core import registry
from symwork.publish import build as builder
from symwork.publish import worksheets
from symwork.publish.templates import escape_tex

needs_tex = pytest.mark.skipif(not builder.tex_available(), reason="TeX Live is not installed")

HOSTILE = [
    r"\input{/etc/passwd}",
    r"^^5cinput{/etc/passwd}",
    r"}\end{document}",
    "50% & $5 #1 a_b ~x",
    "{{ 7*7 }}",
    "Ünïcödé – “quotes”",
    "emoji \N{GRINNING FACE}",
    "NUL\x00byte",
]


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, builder.Report, builder.Report]:
    out = tmp_path_factory.mktemp("output")
    sheets = worksheets.builtin_worksheets()
    first = builder.build(sheets, builder.Options(out=out))
    snapshot = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    second = builder.build(sheets, builder.Options(out=out))
    assert {p: p.read_bytes() for p in out.rglob("*.pdf")} == snapshot
    return out, first, second


@needs_tex
@pytest.mark.xdist_group("full-build")
def test_build_every_worksheet_in_every_version(full_build: tuple[Path, builder.Report, builder.Report]) -> None:
    out, first, _ = full_build
    assert first.failed == []
    for sheet in worksheets.builtin_worksheets():
        for version in worksheets.VERSIONS:
            assert (out / sheet.name / f"{version}.pdf").stat().st_size > 1000
            assert (out / sheet.name / f"{version}.tex").is_file()


@needs_tex
@pytest.mark.xdist_group("full-build")
def test_build_solutions_show_every_title(full_build: tuple[Path, builder.Report, builder.Report]) -> None:
    out, _, _ = full_build
    text = subprocess.run(["pdftotext", str(out / "workbook" / "solutions.pdf"), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.replace("\u2019", "'").split())
    for derivation in symwork.derivations():
        title = " ".join(derivation.title.replace("$", "").split())
        if "\\" not in title:
            assert title in flat, derivation.id


@needs_tex
@pytest.mark.xdist_group("full-build")
def test_build_second_run_is_cached_and_runs_no_tex(full_build: tuple[Path, builder.Report, builder.Report]) -> None:
    _, _, second = full_build
    assert second.tex_runs == 0
    assert {o.status for o in second.outcomes} == {"cached"}


@needs_tex
def test_build_is_byte_identical_from_scratch(tmp_path: Path) -> None:
    sheet = worksheets.resolve(["calculus"])
    builder.build(sheet, builder.Options(out=tmp_path / "a", versions=("key",)))
    builder.build(sheet, builder.Options(out=tmp_path / "b", versions=("key",)))
    assert (tmp_path / "a/calculus/key.pdf").read_bytes() == (tmp_path / "b/calculus/key.pdf").read_bytes()
    assert (tmp_path / "a/calculus/key.tex").read_bytes() == (tmp_path / "b/calculus/key.tex").read_bytes()


@needs_tex
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_build_prints_hostile_titles_literally(tmp_path: Path, hostile: str) -> None:
    sheet = [worksheets.Worksheet(name="t", title=hostile, course=hostile, ids=("softmax-jacobian",))]
    report = builder.build(sheet, builder.Options(out=tmp_path, versions=("key",)))
    assert report.failed == [], report.failed
    text = subprocess.run(["pdftotext", str(tmp_path / "t/key.pdf"), "-"], capture_output=True, text=True).stdout
    visible = hostile.replace("\x00", "").replace("\N{GRINNING FACE}", "U+1F600")
    if "Ü" not in hostile:
        assert " ".join(visible.split()) in " ".join(text.split())
    assert "root:" not in text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("50% & $5", r"50\% \& \$5"),
        (r"\input{x}", r"\textbackslash{}input\{x\}"),
        ("^^5c", r"\textasciicircum{}\textasciicircum{}5c"),
        ("a_b ~x #1", r"a\_b \textasciitilde{}x \#1"),
        ("a\x00b\x07c", "abc"),
        ("\N{GRINNING FACE}", r"\symworkchar{1F600}"),
    ],
)
def test_build_escape_tex_table(text: str, escaped: str) -> None:
    assert escape_tex(text) == escaped


BROKEN = '''
import sympy as sp
from symwork import Body, Input, Step, derivation
x = sp.Symbol("x")
@derivation(id="broken-latex", title="Broken", topic="calculus", question=r"Show \\nosuchmacro{{}} that.",
            inputs=[Input("x")], forward=lambda x: x**2, wrt="x", elementwise=True)
def broken(**sizes):
    return Body(steps=(Step(lhs=sp.Derivative(x**2, x), rhs=2*x, why="power rule"),), result=Step(rhs=2*x, why="done"))
'''


@needs_tex
def test_build_latex_error_names_line_derivation_and_template(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    (library / "broken.py").write_text(BROKEN)
    registry.load_folder(library)
    out = tmp_path / "out"
    good = [worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian",))]
    builder.build(good, builder.Options(out=out, versions=("key",)))
    old_pdf = (out / "w/key.pdf").read_bytes()
    bad = [worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian", "broken-latex"))]
    report = builder.build(bad, builder.Options(out=out, versions=("student",)))
    report_key = builder.build(bad, builder.Options(out=out, versions=("key",)))
    assert len(report.failed) == 1
    message = report.failed[0].message
    assert "student.tex:" in message and "Undefined control sequence" in message
    assert "derivation 'broken-latex'" in message and "template student.tex.j2:14)" in message
    assert (out / "w/student.tex").is_file() and (out / "w/student.log").is_file()
    # The key (which prints no question) still builds; a failed build never replaces a good PDF.
    assert report_key.failed == []
    assert old_pdf != b""


def test_build_without_tex_writes_tex_and_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    sheet = [worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian",))]
    report = builder.build(sheet, builder.Options(out=tmp_path))
    assert {o.status for o in report.outcomes} == {"tex only"}
    assert any("apt-get install" in note for note in report.notes)
    assert (tmp_path / "w/student.tex").is_file() and not (tmp_path / "w/student.pdf").exists()


def test_build_toml_worksheet(tmp_path: Path) -> None:
    file = tmp_path / "week1.toml"
    file.write_text('title = "Week 1"\ncourse = "ML 101"\nderivations = ["softmax-jacobian"]\nversions = ["key"]\n')
    sheet = worksheets.load_toml(file)
    assert sheet.name == "week1" and sheet.ids == ("softmax-jacobian",) and sheet.versions == ("key",)
    report = builder.build([sheet], builder.Options(out=tmp_path / "out", pdf=False))
    assert [o.job.name for o in report.outcomes] == ["key"]
    assert "Week 1" in (tmp_path / "out/week1/key.tex").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('title = "x"\n', "derivations"),
        ('derivations = ["softmax-jacobian"]\nversions = ["teacher"]\n', "versions"),
        ('derivations = ["softmax-jacobian"]\ncolour = 1\n', "unknown key"),
        ("not toml = = =", "not valid TOML"),
    ],
)
def test_build_toml_errors_are_clear(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(content)
    with pytest.raises(symwork.SymworkError, match=message):
        worksheets.load_toml(file)


def test_build_roster_gives_each_student_a_variant_and_a_key(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from symwork.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffid,name,email\ns1,Ada Lovelace,a@x\ns/2,50% & $ Grace,b@y\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "calculus", "--roster", str(roster), "--out", str(out), "--no-pdf"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    first = (out / "calculus/students/s1/student.tex").read_text()
    assert "Ada Lovelace" in first and r"50\% \& \$ Grace" in next((out / "calculus/students").glob("s-2-*")).joinpath("student.tex").read_text()
    key = json.loads((out / "calculus/key.json").read_text())
    assert {row["id"] for row in key} == {"s1", "s/2"}
    assert len({row["student_seed"] for row in key}) == 2
    assert (out / "calculus/key.csv").read_text().splitlines()[0].startswith("id,name,student_seed,derivation,seed")
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and json.loads((out / "calculus/key.json").read_text()) == key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name\nAda\n", "needs the columns 'id' and 'name'"),
        ("id,name\ns1,A\ns1,B\n", "already appears on line 2"),
        ("id,name\n,A\n", "the id is empty"),
        ("id,name\n", "has no students"),
    ],
)
def test_build_roster_errors_name_the_row(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "roster.csv"
    file.write_text(content)
    with pytest.raises(symwork.SymworkError, match=message):
        roster_module.load_roster(file)


@needs_tex
@pytest.mark.xdist_group("full-build")
def test_build_nothing_runs_into_the_margin(full_build: tuple[Path, builder.Report, builder.Report]) -> None:
    _, first, _ = full_build
    assert [w for o in first.outcomes for w in o.warnings] == []


@needs_tex
def test_build_changing_one_derivation_rebuilds_only_what_contains_it(tmp_path: Path) -> None:
    from .conftest import USER_DERIVATION

    library = tmp_path / "lib"
    library.mkdir()
    source = library / "cube.py"
    source.write_text(USER_DERIVATION.format(id="cube-rebuild"))
    registry.add_library(library)
    sheets = [
        worksheets.Worksheet(name="with-cube", title="A", ids=("cube-rebuild",), versions=("key",)),
        worksheets.Worksheet(name="without", title="B", ids=("softmax-jacobian",), versions=("key",)),
    ]
    out = tmp_path / "out"
    builder.build(sheets, builder.Options(out=out))
    # A new process would import the edited module; the cache keys on the file's content either way.
    source.write_text(source.read_text().replace('title="Derivative of a cube"', 'title="Derivative of a cube, again"'))
    report = builder.build(sheets, builder.Options(out=out))
    assert {o.job.worksheet.name: o.status for o in report.outcomes} == {"with-cube": "built", "without": "cached"}
    assert report.tex_runs == 1


def test_build_roster_key_seeds_match_the_printed_variants_with_a_course_override(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from symwork.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ada\n")
    out = tmp_path / "out"
    args = ["build", "probability", "--roster", str(roster), "--out", str(out), "--no-pdf", "--course", "ML 2027"]
    assert runner.invoke(main, args).exit_code == 0
    key = json.loads((out / "probability/key.json").read_text())
    assert {row["student_seed"] for row in key} == {seeds.student_seed("ML 2027", "s1")}
    assert f"variant {seeds.student_seed('ML 2027', 's1')}" in (out / "probability/students/s1/student.tex").read_text()
