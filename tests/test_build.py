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
from symwork.publish import figures, jobs, worksheets
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


HELPER = '''"""Shared by two derivations: the symbol they differentiate by."""
import sympy as sp

VARIABLE = sp.Symbol("{name}")
'''

POWER = '''"""A user derivation: the derivative of a power{uses}."""
import sympy as sp
from symwork import Body, Input, Step, derivation
{import_line}


@derivation(id="{id}", title="Power {power}", topic="calculus", question="Differentiate a power.", inputs=[Input("x")])
def power(**sizes):
    x = {variable}
    return Body(
        steps=(Step(lhs=sp.Derivative(x**{power}, x), rhs={power} * x**{lower}, why="power rule"),),
        result=Step(rhs={power} * x**{lower}, why="as found"),
    )
'''


def _power_library(folder: Path, variable: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "_helper.py").write_text(HELPER.format(name=variable))
    for stem, power, shared in (("square", 2, True), ("cube", 3, True), ("quartic", 4, False)):
        source = POWER.format(
            id=f"helper-{stem}",
            power=power,
            lower=power - 1,
            uses=", by the shared helper's variable" if shared else "",
            import_line="from ._helper import VARIABLE" if shared else "",
            variable="VARIABLE" if shared else 'sp.Symbol("x")',
        )
        (folder / f"{stem}.py").write_text(source)
    return folder


def _build_with_library(library: Path, sheets: list[worksheets.Worksheet], out: Path) -> builder.Report:
    # Each version of the library is its own folder, so it is imported afresh, as a new process would.
    with registry.isolated():
        registry.add_library(library)
        return builder.build(sheets, builder.Options(out=out))


@needs_tex
def test_build_cache_rebuilds_exactly_what_a_shared_helper_changes(tmp_path: Path) -> None:
    sheets = [
        worksheets.Worksheet(name=stem, title=stem, ids=(f"helper-{stem}",), versions=("key",))
        for stem in ("square", "cube", "quartic")
    ]
    out = tmp_path / "out"
    first = _power_library(tmp_path / "v1", "x")
    assert {o.status for o in _build_with_library(first, sheets, out).outcomes} == {"built"}
    # The helper now prints the variable as t: both derivations that import it change, the third does not.
    second = _power_library(tmp_path / "v2", "t")
    report = _build_with_library(second, sheets, out)
    assert {o.job.worksheet.name: o.status for o in report.outcomes} == {"square": "built", "cube": "built", "quartic": "cached"}
    assert report.tex_runs == 2
    assert "t^{2}" in (out / "square/key.tex").read_text() and "x^{3}" in (out / "quartic/key.tex").read_text()
    # An edit that changes no rendered byte (a comment in the helper) rebuilds nothing.
    third = _power_library(tmp_path / "v3", "t")
    (third / "_helper.py").write_text((third / "_helper.py").read_text() + "# t reads better than x here\n")
    unchanged = _build_with_library(third, sheets, out)
    assert {o.status for o in unchanged.outcomes} == {"cached"} and unchanged.tex_runs == 0


@needs_tex
def test_build_cache_rebuilds_a_modified_or_deleted_output(tmp_path: Path) -> None:
    sheet = [worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian",), versions=("key",))]
    options = builder.Options(out=tmp_path)
    builder.build(sheet, options)
    pdf, tex = tmp_path / "w/key.pdf", tmp_path / "w/key.tex"
    good_pdf, good_tex = pdf.read_bytes(), tex.read_bytes()
    damage = {
        "edited pdf": lambda: pdf.write_bytes(good_pdf + b"% edited by hand\n"),
        "deleted pdf": pdf.unlink,
        "truncated pdf": lambda: pdf.write_bytes(good_pdf[:100]),
        "edited tex": lambda: tex.write_text("% a build interrupted after writing the .tex\n"),
    }
    for what, spoil in damage.items():
        spoil()
        report = builder.build(sheet, options)
        assert [o.status for o in report.outcomes] == ["built"], what
        assert pdf.read_bytes() == good_pdf and tex.read_bytes() == good_tex, what
    settled = builder.build(sheet, options)
    assert [o.status for o in settled.outcomes] == ["cached"] and settled.tex_runs == 0


FIGURE_DERIVATION = '''"""A user derivation with a figure of its own, drawn by a module-level function."""
import sympy as sp
from symwork import Body, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

x = sp.Symbol("x")


def draw() -> bytes:
    fig, ax = new_figure(3.0, 2.0)
    ax.plot([0, 1, 2], [0, 1, 8])
    return pdf_bytes(fig)


def broken() -> bytes:
    return b"not a PDF"


@derivation(id="drawn-cube", title="A cube, drawn", topic="calculus", question="Differentiate a cube.", inputs=[Input("x")], figure=draw)
def drawn_cube(**sizes):
    return Body(steps=(Step(lhs=sp.Derivative(x**3, x), rhs=3 * x**2, why="power rule"),), result=Step(rhs=3 * x**2, why="as found"))


@derivation(id="drawn-badly", title="Badly drawn", topic="calculus", question="Differentiate x.", inputs=[Input("x")], figure=broken)
def drawn_badly(**sizes):
    return Body(steps=(Step(lhs=sp.Derivative(x, x), rhs=sp.Integer(1), why="power rule"),), result=Step(rhs=sp.Integer(1), why="as found"))
'''


def test_build_figure_of_a_derivation_is_drawn_in_the_helper_process(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    library = tmp_path / "lib"
    library.mkdir()
    (library / "drawn.py").write_text(FIGURE_DERIVATION)
    registry.add_library(library)
    good = worksheets.Worksheet(name="good", title="G", ids=("drawn-cube",), versions=("solutions",))
    bad = worksheets.Worksheet(name="bad", title="B", ids=("drawn-badly",), versions=("solutions",))
    prefetch = figures.FigurePrefetch(jobs.plan([good], builder.Options(out=tmp_path)))
    try:
        drawn = prefetch.get(registry.get("drawn-cube"))
    finally:
        prefetch.close()
    assert prefetch.drawn_here == []
    # The helper process drew the same bytes as this one does: figures keep PDFs reproducible.
    assert drawn is not None and drawn == registry.get("drawn-cube").figure()
    report = builder.build([good, bad], builder.Options(out=tmp_path / "out", pdf=False))
    assert [o.status for o in report.outcomes] == ["tex only", "failed"]
    assert (tmp_path / "out/good/fig-drawn-cube.pdf").read_bytes() == drawn
    assert "fig-drawn-cube.pdf" in (tmp_path / "out/good/solutions.tex").read_text()
    assert "The figure of 'drawn-badly' is not PDF bytes" in report.failed[0].message


# --- issue 11: layout, log style and course order ----------------------------------------------------------


def test_build_worksheet_warns_when_a_problem_uses_a_later_result(tmp_path: Path) -> None:
    file = tmp_path / "late.toml"
    file.write_text('title = "Late"\nderivations = ["attention-jacobian-q", "sigmoid-derivative", "softmax-jacobian"]\n')
    warnings = worksheets.load_toml(file).order_warnings()
    assert warnings == [
        "late: problem 1 ('attention-jacobian-q') uses 'softmax-jacobian', which appears only later (problem 3); "
        "move 'softmax-jacobian' before it."
    ]
    assert all(sheet.order_warnings() == [] for sheet in worksheets.builtin_worksheets())


def test_build_log_style_is_a_worksheet_setting_applied_to_answers(tmp_path: Path) -> None:
    from symwork.publish import problems

    file = tmp_path / "logs.toml"
    file.write_text('title = "Logs"\nderivations = ["hoeffding-sample-size"]\nlog_style = "log"\n')
    assert worksheets.load_toml(file).log_style == "log"
    natural = problems.problem(symwork.get("hoeffding-sample-size"))
    common = problems.problem(symwork.get("hoeffding-sample-size"), log_style="log")
    assert r"\ln" in natural.exercise_answer and r"\ln" in natural.result
    assert r"\ln" not in common.exercise_answer + common.result and r"\log" in common.exercise_answer
    file.write_text('title = "Logs"\nderivations = ["hoeffding-sample-size"]\nlog_style = "lg"\n')
    with pytest.raises(symwork.SymworkError, match="log_style 'lg' must be one of ln, log"):
        worksheets.load_toml(file)


def test_build_student_copy_sets_each_task_apart(tmp_path: Path) -> None:
    # Finding 16: "(a) Derive…" ran on inside the statement; the parts of an exercise are listed on their own lines.
    sheet = [worksheets.Worksheet(name="w", title="W", ids=("precision-recall-f1", "sigmoid-derivative"), versions=("student",))]
    builder.build(sheet, builder.Options(out=tmp_path, pdf=False))
    text = (tmp_path / "w/student.tex").read_text()
    assert "\\par\\medskip\n\\textbf{Derivation.} Derive the general result" in text
    assert "\\exercisepart{a}{Compute its precision $P$.}" in text and "\\exercisepart{c}{Compute its $F_1$ score.}" in text
    assert "(a)} Derive" not in text


@needs_tex
def test_build_running_header_keeps_title_and_version_apart(tmp_path: Path) -> None:
    # Finding 16: "LLMThe…": the course and the title overlapped in the header of every solutions page.
    sheet = [
        worksheets.Worksheet(
            name="w",
            title="The mathematics of large language models: a workbook with a rather long title indeed",
            ids=("softmax-jacobian", "logsumexp-hessian", "layernorm-jacobian", "rmsnorm-jacobian"),
            versions=("solutions",),
        )
    ]
    report = builder.build(sheet, builder.Options(out=tmp_path))
    assert report.failed == [] and [w for o in report.outcomes for w in o.warnings] == []
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(tmp_path / "w/solutions.pdf"), "-"], capture_output=True, text=True
    ).stdout
    header = next(line for line in layout.splitlines() if line.strip())
    assert header.rstrip().endswith("Worked solutions") and "  " in header.strip()
    assert "Mathematical Foundations for LLMs" not in header


def test_build_key_keeps_each_answer_with_its_problem(tmp_path: Path) -> None:
    sheet = [worksheets.Worksheet(name="w", title="W", ids=("perplexity", "softmax-jacobian"), versions=("key",))]
    builder.build(sheet, builder.Options(out=tmp_path, pdf=False))
    text = (tmp_path / "w/key.tex").read_text()
    assert text.count("\\begin{minipage}{\\linewidth}") == 2 == text.count("\\end{minipage}")
    assert r"\text{(b)}\quad & \text{bits per token} = " in text
    assert r"where \(s_{i} = \frac{e^{z_{i}}}{S}\),\quad \(S = \sum_{k=1}^{n} e^{z_{k}}\)" in text


def test_build_plan_refuses_a_derivation_listed_twice_and_an_unknown_one() -> None:
    twice = worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian", "softmax-jacobian"), source="w.toml")
    with pytest.raises(symwork.SymworkError, match="'softmax-jacobian' is listed twice in w.toml"):
        jobs.plan([twice], jobs.Options())
    unknown = worksheets.Worksheet(name="w", title="W", ids=("softmax-jacobian", "no-such-thing"))
    with pytest.raises(symwork.SymworkError, match="no-such-thing"):
        jobs.plan([unknown], jobs.Options())


@needs_tex
def test_build_stopped_tex_run_places_nothing(tmp_path: Path) -> None:
    from symwork.publish.latexmk import INTERRUPTED, TexRuns, compile_tex

    sheet = worksheets.Worksheet(name="w", title="W", ids=("sigmoid-derivative",))
    job = jobs.plan([sheet], jobs.Options(out=tmp_path, versions=("key",)))[0]
    rendered = builder.render_job(job)
    runs = TexRuns()
    runs.stop()  # as on Ctrl-C: no TeX run starts, and nothing goes into the job's folder
    outcome = compile_tex(job, rendered.tex, dict(rendered.figures), timeout=60, place={"key.tex": b"new"}, runs=runs)
    assert outcome.status == "failed" and INTERRUPTED in outcome.message
    assert sorted(p.name for p in job.folder.iterdir()) == []
