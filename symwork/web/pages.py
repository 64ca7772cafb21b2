"""The HTML pages: library, derivation, exercise, verify and grade, rendered by Jinja with autoescape on.

A derivation page shows the worked solution exactly as the PDFs print it (`symwork.publish.problems`,
one source); an exercise page shows the variant of a worksheet seed or of a roster student. Every form
on these pages posts to the JSON API (`symwork.web.api`) from `static/symwork.js`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import jinja2
from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from symwork.core import registry
from symwork.core.derivation import Derivation
from symwork.publish import exporting
from symwork.publish.problems import Problem, problem
from symwork.web import lecturer, texts
from symwork.web.bodies import seed_text
from symwork.web.service import Service
from symwork.web.settings import ANSWER_BYTES, DERIVATION_BYTES, UPLOAD_BYTES

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
KATEX = STATIC / "katex"
#: What `make web-assets` copies from the katex npm package; the page needs both.
KATEX_FILES = ("katex.min.js", "katex.min.css")
MISSING_KATEX = (
    "KaTeX is missing from {folder}, so formulas show as LaTeX source: run 'make web-assets' in a symwork "
    "checkout (npm ci, then copy node_modules/katex/dist), or install a symwork wheel built after it."
)

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every value is escaped unless a function here built it as Markup from escaped parts
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters["tex"] = texts.text
ENVIRONMENT.globals["math"] = texts.math


def katex_missing() -> str | None:
    """What to run when the KaTeX files are not installed in the package, or None when they are."""
    if all((KATEX / name).is_file() for name in KATEX_FILES):
        return None
    return MISSING_KATEX.format(folder=KATEX)


_views: dict[str, Problem] = {}
_views_lock = threading.Lock()


def _view(derivation: Derivation) -> Problem:
    """The worked solution of the default sheet (seed 0), built once per derivation (SymPy is not thread-safe)."""
    with _views_lock:
        if derivation.id not in _views:
            _views[derivation.id] = problem(derivation, seed=0)
        return _views[derivation.id]


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    service: Service = request.app.state.service
    base = {
        "katex": katex_missing() is None,
        "katex_help": katex_missing(),
        # KaTeX names macros with their backslash (MathJax's table has bare names: E would expand the letter E).
        "macros": json.dumps({"\\" + name: body for name, body in exporting.macros().items()}, sort_keys=True),
        "roster": service.roster is not None,
        "lecturer": lecturer.is_lecturer(request),
        "course": service.settings.course,
        "path": request.url.path,
        "limits": {"answer": ANSWER_BYTES, "derivation": DERIVATION_BYTES, "upload": UPLOAD_BYTES},
    }
    html = ENVIRONMENT.get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page, with the message (escaped) and a way back."""
    return _page(request, "error.html", status=status, title="Error", message=message)


async def library(request: Request) -> Response:
    topics = [(topic, [d for d in registry.derivations() if d.topic == topic.id]) for topic in registry.topics()]
    others = [d for d in registry.derivations() if d.topic not in {t.id for t, _ in topics}]
    return _page(request, "library.html", title="Library", topics=topics, others=others)


async def derivation(request: Request) -> Response:
    item = registry.get(request.path_params["id"])
    view = await to_thread.run_sync(_view, item)
    return _page(request, "derivation.html", title=item.title, d=item, view=view)


async def exercise(request: Request) -> Response:
    item = registry.get(request.path_params["id"])
    service: Service = request.app.state.service
    student = request.query_params.get("student") or None
    seed = seed_text(request.query_params.get("seed"))
    if student is not None:
        exercise_seed = service.exercise_seed(item.id, student=student[:200])
    else:
        exercise_seed = service.sheet_seed(item.id, seed or 0)
    shown: dict[str, Any] = {"prompt": None, "label": None}
    if item.exercise is not None and exercise_seed is not None:
        with service.pool.admit():
            shown = await to_thread.run_sync(
                service.exercise, item.id, exercise_seed, limiter=request.app.state.limiter
            )
    view = await to_thread.run_sync(_view, item)
    return _page(
        request,
        "exercise.html",
        title=f"Exercise: {item.title}",
        d=item,
        view=view,
        prompt=shown["prompt"],
        label=shown["label"],
        seed=seed or 0,
        student=student,
        exercise_seed=exercise_seed if item.exercise is not None else None,
    )


async def verify(request: Request) -> Response:
    against = request.query_params.get("against") or None
    if against is not None:
        registry.get(against)
    return _page(request, "verify.html", title="Verify a derivation", against=against, items=registry.derivations())


async def grade(request: Request) -> Response:
    lecturer.require(request)
    return _page(request, "grade.html", title="Grade a class")


ROUTES = [
    Route("/", library, methods=["GET"]),
    Route("/d/{id}", derivation, methods=["GET"]),
    Route("/d/{id}/exercise", exercise, methods=["GET"]),
    Route("/verify", verify, methods=["GET"]),
    Route("/grade", grade, methods=["GET"]),
]
