"""Exports that render: every formula of the Markdown and notebook exports typeset by real MathJax 3 and KaTeX.

The renderers come from the npm registry (tests/js/package.json: ``npm ci --prefix tests/js``); the test is
skipped only when they are not installed there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import symwork
from symwork.publish import exporting

JS = Path(__file__).parent / "js"
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None
    or not (JS / "node_modules" / "katex").is_dir()
    or not (JS / "node_modules" / "mathjax-full").is_dir(),
    reason="MathJax and KaTeX are not installed: npm ci --prefix tests/js",
)


def _render(macros: dict[str, str], documents: list[str]) -> dict[str, Any]:
    result = subprocess.run(
        ["node", str(JS / "render.js")],
        input=json.dumps({"macros": macros, "documents": documents}),
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    return dict(json.loads(result.stdout))


def _mathjax_config_macros(text: str) -> dict[str, str]:
    config = json.loads(text.removeprefix("window.MathJax = ").rstrip().rstrip(";"))
    return dict(config["tex"]["macros"])


def _check(rendered: dict[str, Any]) -> None:
    assert rendered["checked"] > 500
    assert rendered["errors"] == [], rendered["errors"][:5]


@pytest.mark.slow  # renders every derivation: about 15 s
def test_adversarial_markdown_export_renders_with_the_shipped_macros() -> None:
    # The macros exactly as `symwork export --to markdown` ships them beside the file (symwork-macros.js).
    macros = _mathjax_config_macros(exporting.mathjax_config())
    assert {"bm", "softmax", "diag"} <= set(macros)
    documents = [exporting.markdown([d], title=d.title) for d in symwork.derivations()]
    _check(_render(macros, documents))


def test_adversarial_worksheet_markdown_renders(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from symwork.cli import main

    sheet = tmp_path / "week3.toml"
    sheet.write_text(
        'title = "Week 3"\nderivations = ["softmax-jacobian", "cross-entropy-gradient", "quadratic-form-gradient"]\n'
    )
    out = tmp_path / "notes" / "week3.md"
    result = CliRunner().invoke(main, ["export", str(sheet), "--to", "markdown", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert r"\bm" in text
    rendered = _render(_mathjax_config_macros((out.parent / "symwork-macros.js").read_text()), [text])
    assert rendered["checked"] >= 20 and rendered["errors"] == []


@pytest.mark.slow  # renders every derivation: about 15 s
def test_adversarial_notebook_carries_its_macros() -> None:
    # No macros from outside: the notebook's first cell defines them, as JupyterLab and VS Code render it.
    documents = []
    for derivation in symwork.derivations():
        try:
            notebook = json.loads(exporting.notebook([derivation], title=derivation.title))
        except Exception:  # noqa: BLE001 - a notebook that cannot be built fails test_exporting_notebook_executes
            continue
        documents.append("\n\n".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown"))
    assert all(r"\def\softmax{" in document for document in documents)
    _check(_render({}, documents))


def test_adversarial_render_check_fails_on_an_undefined_macro() -> None:
    # The checker itself: without the macros, \bm and \softmax are errors in both renderers.
    rendered = _render({}, [r"$$ \bm{x} + \softmax(z) $$"])
    engines = {(e["engine"], "\\bm" in e["message"] or "softmax" in e["message"]) for e in rendered["errors"]}
    assert engines == {("katex", True), ("mathjax", True)}
    assert _render(exporting.macros(), [r"$$ \bm{x} + \softmax(z) + \diag(\bm{s}) $$"])["errors"] == []
