"""Exports: LaTeX fragments, Markdown with macros, notebooks that execute, JSON, Jupyter display."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import symwork
from symwork.cli import main
from symwork.publish import exporting


def test_exporting_latex_fragment_has_no_preamble_and_names_packages(runner: CliRunner) -> None:
    text = runner.invoke(main, ["export", "softmax-jacobian", "--to", "latex"]).output
    assert text.startswith("% symwork softmax-jacobian")
    assert "% Needs: amsmath" in text and r"\begin{align*}" in text
    assert r"\documentclass" not in text and r"\begin{document}" not in text


def test_exporting_markdown_front_matter_and_macros(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "notes" / "softmax.md"
    result = runner.invoke(main, ["export", "softmax-jacobian", "--to", "markdown", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert front and 'title: "Jacobian of the softmax"' in front.group(1)
    assert "$$" in text and r"\frac{\partial s_{i}}{\partial z_{j}}" in text
    macros = (out.parent / "symwork-macros.js").read_text()
    config = json.loads(macros.removeprefix("window.MathJax = ").rstrip().rstrip(";"))
    sty = (Path(__file__).parent.parent / "templates" / "symwork.sty").read_text()
    for name in config["tex"]["macros"]:
        assert f"\\providecommand{{\\{name}}}" in sty, name


def test_exporting_json_lists_steps(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(main, ["export", "calculus", "--to", "json"]).output)
    assert {item["topic"] for item in data} == {"calculus"}
    assert all(item["steps"] for item in data)


def test_exporting_unknown_target_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["export", "nothing-here", "--to", "json"])
    assert result.exit_code == 2 and "neither a derivation id nor a worksheet" in result.output


def test_exporting_jupyter_display() -> None:
    derivation = symwork.get("softmax-jacobian")
    assert derivation._repr_latex_().startswith("$$\\begin{aligned}")
    assert "**Step 1.**" in derivation._repr_markdown_()


@pytest.mark.parametrize("topic", ["linear-algebra", "calculus", "probability"])
def test_exporting_notebook_executes(topic: str, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    items = [d for d in symwork.derivations() if d.topic == topic]
    notebook = nbformat.reads(exporting.notebook(items, title=topic), as_version=4)
    nbformat.validate(notebook)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "ok" in outputs


# --- issue 11: printed notation for people, and exports from the printed structure ---------------------

import sympy as sp  # noqa: E402 - the tests below build expressions

from symwork.publish import printing  # noqa: E402

_mu, _x = sp.Symbol("mu", real=True), sp.Symbol("x")
_sigma = sp.Symbol("sigma", positive=True)
_A = sp.MatrixSymbol("A", 3, 3)


@pytest.mark.parametrize(
    ("expr", "tex"),
    [
        (_x - _mu, r"x - \mu"),
        (sp.Symbol("t") - sp.Symbol("k"), r"t - k"),
        (sp.exp(-((_x - _mu) ** 2) / (2 * _sigma**2)) / sp.sqrt(2 * sp.pi * _sigma**2), r"\frac{e^{- \frac{\left(x - \mu\right)^{2}}{2 \sigma^{2}}}}{\sigma \sqrt{2 \pi}}"),
        (_sigma * sp.sqrt(2 * sp.pi), r"\sigma \sqrt{2 \pi}"),
        (sp.sqrt(2) * sp.sqrt(sp.pi) / 3, r"\frac{\sqrt{2 \pi}}{3}"),
        (sp.sqrt(2) / (sp.sqrt(sp.pi) * sp.exp(2)), r"\frac{2}{e^{2} \sqrt{2 \pi}}"),
        (sp.log(2 * sp.pi * sp.E * _sigma**2) / 2, r"\frac{\ln\left(2 \pi e \sigma^{2}\right)}{2}"),
        (400 * sp.log(10), r"400 \ln 10"),
        (sp.log(sp.pi) / 2, r"\frac{\ln \pi}{2}"),
        (sp.Determinant(sp.MatrixSymbol("A", 2, 2)), r"\det A"),
        (sp.Identity(3) - sp.Symbol("eta") * _A, r"I - \eta A"),
        (sp.Matrix([sp.Rational(1, 3), 2]), r"\left[\begin{matrix}\displaystyle \frac{1}{3}\\2\end{matrix}\right]"),
        (sp.Sum(_x, (sp.Symbol("i"), 1, sp.Symbol("n")), (sp.Symbol("j"), 1, sp.Symbol("n"))), r"\sum_{i,j=1}^{n} x"),
        (sp.Add(sp.Symbol("b") ** 2, sp.Symbol("v"), sp.Symbol("e"), evaluate=False), r"b^{2} + v + e"),
    ],
)
def test_exporting_prints_for_people(expr: sp.Expr, tex: str) -> None:
    # Finding 14 (term order, density forms, √2√π), 7 (ln), 15 (det, I) and 16 (fractions in matrices).
    assert printing.latex(expr) == tex


def test_exporting_log_style_applies_everywhere() -> None:
    assert printing.latex(sp.log(_x), log_style="log") == r"\log x"
    assert printing.latex(sp.Symbol("logp"), log_style="log") == r"\log p"
    with pytest.raises(symwork.SymworkError, match="log_style 'lg' is not one of ln, log"):
        printing.latex(sp.log(_x), log_style="lg")


def test_exporting_derivative_at_a_point_prints_as_f_prime() -> None:
    from symwork.core.functions import sigmoid

    point = sp.Subs(sp.Derivative(sigmoid(_x), _x), _x, sp.log(4))
    assert printing.latex(point) == r"\sigma'\left(\ln 4\right)"


def test_exporting_four_index_jacobian_prints_blocks_over_a_and_c() -> None:
    # Finding 10: J_abcf as blocks over (a, c), each the matrix over (b, f); no axis of size 1 dropped.
    array = sp.ImmutableDenseNDimArray(list(range(4)), (2, 1, 2, 1))
    assert printing.latex(array) == (
        r"\left[\begin{array}{cc}\left[\begin{matrix}0\end{matrix}\right] & \left[\begin{matrix}1\end{matrix}\right]"
        r"\\[4pt]\left[\begin{matrix}2\end{matrix}\right] & \left[\begin{matrix}3\end{matrix}\right]\end{array}\right]"
    )


def test_exporting_partial_derivatives_of_functions_of_several_unknowns() -> None:
    # Finding 8: ℓ(μ, σ) is differentiated with ∂, ℓ(p) with d.
    gaussian = printing.rows(symwork.get("gaussian-mle").body)
    coin = printing.rows(symwork.get("bernoulli-mle").body)
    assert gaussian[0].lhs == r"\frac{\partial \ell}{\partial \mu}"
    assert coin[0].lhs == r"\frac{\mathrm{d} \ell}{\mathrm{d} p}"


def test_exporting_markdown_prints_every_part_of_the_exercise() -> None:
    text = "\n".join(exporting.markdown_body(symwork.get("precision-recall-f1")))
    for line in (r"\text{(a)}\quad & P = \frac{", r"\text{(b)}\quad & R = \frac{", r"\text{(c)}\quad & F_1 = \frac{"):
        assert line in text


def test_exporting_show_text_prints_claims_key_and_every_answer(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "bernoulli-mle", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "  5.    < 0" in result.output  # a claim reads as one, not as "= 0"
    assert "Result:\n  phat = k/n" in result.output and "(a) \\hat p = 2/17" in result.output
