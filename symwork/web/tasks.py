"""The work the web sends into sandbox workers: preview, check, equal and exercise prompts (verify sends its own).

Every function here runs inside a `symwork.web.pool.Pool` worker, under that worker's hard time and
memory limits, and returns plain data (dicts of str, int, float, None). The checks call the public
checker with ``sandbox="in-process"``: the worker *is* the sandbox, so there is no second round trip.
The server process names these functions by string (``"symwork.web.tasks:check"``) and never imports
this module.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

from symwork import answers
from symwork.answers import checker
from symwork.answers.marking import parsed
from symwork.core import registry
from symwork.errors import SymworkError
from symwork.parse import parse
from symwork.publish import printing

#: Longest LaTeX a preview sends back; a longer reading is refused (the page could not show it anyway).
PREVIEW_CHARS = 20_000
#: Where a parse error points, as the parser words it ("… at column 7; …").
_COLUMN = re.compile(r"\bat column (\d+)\b")


def warm() -> int:
    """Make this worker ready: the checker's imports and grammars, the printer, and the library; its pid."""
    checker.warm_in_process(library=True)
    printing.latex(parse("x^2"))
    return os.getpid()


def preview(text: str) -> dict[str, Any]:
    """How the checker reads ``text``: ``{"latex", "error", "column"}`` (column 1-based, where the parser stopped)."""
    if not text.strip():
        return {"latex": None, "error": None, "column": None}
    try:
        # The checker's own cached reading: the preview shows exactly what will be compared.
        expression = parsed(text)
    except SymworkError as exc:
        message = str(exc)
        found = _COLUMN.search(message)
        return {"latex": None, "error": message, "column": int(found.group(1)) if found else None}
    latex = printing.latex(expression)
    if len(latex) > PREVIEW_CHARS:
        return {
            "latex": None,
            "error": f"The expression prints as {len(latex):,} characters of LaTeX, too long to preview; simplify it.",
            "column": None,
        }
    return {"latex": latex, "error": None, "column": None}


def check(derivation_id: str, answer: str, *, seed: int | None, limit: float) -> dict[str, Any]:
    """`symwork check --json` with ``--timeout limit``, computed in this worker (whose hard limit is ``limit``).

    Decided results are kept by the server (`symwork.web.kept`), not here: a repeated answer never reaches a worker.
    """
    return answers.check(derivation_id, answer, seed=seed, timeout=limit, sandbox=answers.IN_PROCESS)


def equal(a_text: str, b_text: str, *, syntax: str, seed: int, limit: float) -> dict[str, Any]:
    """`symwork equal --json` with ``--timeout limit``, computed in this worker."""
    return answers.equal(a_text, b_text, syntax=syntax, seed=seed, timeout=limit, sandbox=answers.IN_PROCESS)


@lru_cache(maxsize=4096)
def exercise(derivation_id: str, seed: int) -> dict[str, Any]:
    """The exercise variant for ``seed`` as a student sees it: ``{"prompt", "label"}`` (LaTeX), or Nones."""
    derivation = registry.get(derivation_id)
    if derivation.exercise is None:
        return {"prompt": None, "label": None}
    made = derivation.make_exercise(seed)
    return {"prompt": made.prompt, "label": made.answer_label or None}
