"""Registry: discovery of built-in and user folders, kebab-case and unique ids."""

from __future__ import annotations

from pathlib import Path

import pytest

import symwork
from symwork.core import registry
from symwork.errors import LibraryError

from .conftest import USER_DERIVATION


def test_registry_finds_the_first_three_derivations() -> None:
    ids = {d.id for d in symwork.derivations()}
    assert {"sigmoid-derivative", "softmax-jacobian", "cross-entropy-gradient"} <= ids


def test_registry_orders_by_topic_then_id() -> None:
    items = symwork.derivations()
    order = {topic: i for i, topic in enumerate(("linear-algebra", "calculus", "probability"))}
    keys = [(order[d.topic], d.id) for d in items]
    assert keys == sorted(keys)


def test_registry_loads_a_user_folder(user_library: Path) -> None:
    assert registry.load_folder(user_library) == ["cube-derivative"]
    assert symwork.get("cube-derivative").evaluate(x=2.0) == pytest.approx(12.0)


def test_registry_duplicate_id_names_both_files(tmp_path: Path) -> None:
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.py").write_text(USER_DERIVATION.format(id="duplicate-cube"))
    registry.load_folder(tmp_path / "one")
    with pytest.raises(LibraryError) as error:
        registry.load_folder(tmp_path / "two")
    assert "one.py" in str(error.value) and "two.py" in str(error.value)


def test_registry_rejects_non_kebab_case_id(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(USER_DERIVATION.format(id="Bad_Id"))
    with pytest.raises(LibraryError, match="kebab-case"):
        registry.load_folder(tmp_path)


def test_registry_broken_module_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(LibraryError, match="broken.py"):
        registry.load_folder(tmp_path)


def test_registry_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="does not exist"):
        registry.load_folder(tmp_path / "nowhere")


def test_registry_builtin_derivations_live_in_files_named_after_their_ids() -> None:
    # `symwork check ID` imports only <id_with_underscores>.py: a built-in misnamed would cost the whole library.
    misnamed = [d.id for d in registry.derivations() if Path(d.source).stem != d.id.replace("-", "_")]
    assert misnamed == []


def test_registry_get_before_loading_imports_only_the_named_module(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "topic.toml").write_text('id = "lazy-topic"\ntitle = "Lazy"\n', encoding="utf-8")
    body = (
        "from symwork import Body, Input, Step, derivation\nimport sympy as sp\nx = sp.Symbol('x')\n"
        "@derivation(id='{id}', title='T', topic='lazy-topic', question='Q', inputs=[Input('x')])\n"
        "def build():\n    return Body(steps=(Step(lhs=x, rhs=x, why='same'),))\n"
    )
    (folder / "wanted_one.py").write_text(body.format(id="wanted-one"), encoding="utf-8")
    (folder / "broken_other.py").write_text("raise RuntimeError('must not be imported')\n", encoding="utf-8")
    with registry.isolated():
        registry._loaded_builtin = False  # as in a fresh process: nothing loaded yet
        registry._EXTRA_FOLDERS.append(folder)
        try:
            assert registry.get("wanted-one").id == "wanted-one"
            assert registry.load_errors()  # the whole library, once asked for, reports the broken module
        finally:
            registry._loaded_builtin = True
