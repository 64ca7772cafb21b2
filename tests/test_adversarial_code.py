"""Code through the public API (issue 14): no public function hands text to sympify, parse_expr or eval."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import sympy

import symwork
from symwork import answers
from symwork.answers import checker
from symwork.answers.marking import check_answer, compare_texts
from symwork.answers.verify import verify_text
from symwork.errors import SymworkError

MARK = "touch_symwork_pwned"
HOSTILE = [
    f"__import__('os').system('{MARK}')",
    f"().__class__.__base__.__subclasses__()  # {MARK}",
    f"lambda: {MARK}",
    f"\\text{{__import__('os').system('{MARK}')}}",
]


@pytest.fixture
def no_text_to_sympify(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """sympify, parse_expr and S() raise if they ever see one of the hostile strings."""
    seen: list[str] = []

    def guard(original: Any) -> Any:
        def wrapped(value: Any = None, *args: Any, **kwargs: Any) -> Any:
            if isinstance(value, str) and MARK in value:
                seen.append(value)
                raise AssertionError(f"user text reached SymPy's string parser: {value!r}")
            return original(value, *args, **kwargs)

        return wrapped

    import sympy.parsing.sympy_parser as parser_module

    # sympify reads a string through parse_expr, imported when it runs: guarding parse_expr catches every
    # caller, however it imported sympify.
    monkeypatch.setattr(sys.modules["sympy.core.sympify"], "sympify", guard(sys.modules["sympy.core.sympify"].sympify))
    monkeypatch.setattr(sympy, "sympify", guard(sympy.sympify))
    monkeypatch.setattr(parser_module, "parse_expr", guard(parser_module.parse_expr))
    return seen


def _calls(text: str) -> list[Any]:
    derivation = symwork.get("softmax-jacobian")
    return [
        lambda: symwork.parse(text),
        lambda: symwork.parse_relation(text),
        lambda: symwork.compare(text, sympy.Symbol("x")),
        lambda: symwork.compare(sympy.Symbol("x"), [text]),
        lambda: compare_texts(text, "x"),
        lambda: check_answer(derivation, text),
        lambda: check_answer(derivation, text, seed=1),
        lambda: answers.equal(text, "x", sandbox=checker.IN_PROCESS),
        lambda: answers.check("softmax-jacobian", text, sandbox=checker.IN_PROCESS),
        lambda: verify_text(f"\\[ x = {text} \\]"),
        lambda: verify_text(f"x\n= {text}\n"),
    ]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_public_functions_never_pass_text_to_sympify(text: str, no_text_to_sympify: list[str], tmp_path: Path) -> None:
    for call in _calls(text):
        try:
            result = call()
        except SymworkError:
            continue  # refused with a clear error: fine
        if isinstance(result, dict):
            assert result.get("verdict") in {"error", "undecided", "invalid", "different"}, result
    assert no_text_to_sympify == []
    assert not (tmp_path / MARK).exists() and not Path(MARK).exists()


def test_compare_refuses_text_with_a_clear_error() -> None:
    with pytest.raises(SymworkError, match="symwork.parse"):
        symwork.compare("__import__('os')", "x")


def test_exact_answer_never_passes_text_to_sympify(no_text_to_sympify: list[str]) -> None:
    try:
        symwork.exact_answer(symwork.get("sigmoid-derivative"), {"x": HOSTILE[0]})
    except SymworkError:
        pass
    except AssertionError:
        raise
    except Exception:  # noqa: BLE001 - any other failure still means the text reached SymPy first
        pass
    assert no_text_to_sympify == []
