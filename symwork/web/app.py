"""The Starlette application of `symwork serve`: routes, start-up and shut-down, errors and security headers.

Starlette rather than FastAPI: the API's objects are the CLI's JSON (nothing to declare as models), the
bodies are read by hand under caps, and FastAPI would add pydantic and a layer over the same Starlette.
The pool starts (warm) before the first request is accepted and stops, workers ended, on shut-down.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter, to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from symwork.answers import checker
from symwork.answers.sandbox import default_sandbox
from symwork.classroom.plan import roster_seeds
from symwork.core import registry
from symwork.errors import InputError, LimitError, SymworkError, UnknownDerivationError
from symwork.web import api, lecturer, pages
from symwork.web.grading import Grader
from symwork.web.pool import BusyError, Pool
from symwork.web.service import Service
from symwork.web.settings import RETRY_AFTER_SECONDS, Settings

#: Errors → HTTP status, most specific first (anything else of ours is a 500 with its one-line message).
STATUSES: tuple[tuple[type[SymworkError], int], ...] = (
    (BusyError, 503),
    (UnknownDerivationError, 404),
    (LimitError, 413),
    (InputError, 400),
    (SymworkError, 500),
)
#: Sent with every response: no script but ours, no framing, no sniffing, no referrer.
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def status_of(exc: SymworkError) -> int:
    """The HTTP status for an error of ours."""
    return next(status for kind, status in STATUSES if isinstance(exc, kind))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _symwork_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SymworkError)
    status = status_of(exc)
    # An unknown derivation named in an API request is a bad request; in a page's address it is "not found".
    if status == 404 and _wants_json(request):
        status = 400
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    if _wants_json(request):
        return api.json_response({"error": str(exc)}, status=status, headers=headers)
    response = pages.error_page(request, status, str(exc))
    response.headers.update(headers or {})
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = (
        exc.detail if exc.status_code != 404 else f"There is no page at {request.url.path!r}; start from the library."
    )
    if _wants_json(request):
        return api.json_response({"error": message}, status=exc.status_code, headers=exc.headers)
    return pages.error_page(request, exc.status_code, message)


async def _internal_error(request: Request, exc: Exception) -> Response:
    message = f"Something went wrong on the server ({type(exc).__name__}); please report it."
    if _wants_json(request):
        return api.json_response({"error": message}, status=500)
    return pages.error_page(request, 500, message)


class SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings, *, on_ready: Callable[[Service], None] | None = None) -> Starlette:
    """The application for ``settings``; its lifespan starts the pool and the grader and stops them."""
    roster = roster_seeds(settings.roster, settings.course) if settings.roster is not None else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Sandbox workers load the library themselves: --library folders must be in the environment first.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        registry.derivations()
        pool = Pool(settings.workers, queue_size=settings.queue, memory=settings.memory, timeout=settings.timeout)
        app.state.limiter = CapacityLimiter(pool.capacity)
        app.state.service = Service(settings, pool, roster)
        app.state.grader = Grader(settings, roster=settings.roster)
        await to_thread.run_sync(pool.start)
        # verify_text compares its steps in the checker's own sandbox: warm it too, library and all.
        await to_thread.run_sync(lambda: checker.warm(library=True))
        if on_ready is not None:
            on_ready(app.state.service)
        try:
            yield
        finally:
            await to_thread.run_sync(app.state.grader.close)
            await to_thread.run_sync(pool.close)
            await to_thread.run_sync(default_sandbox().close)

    handlers: dict[Any, Callable[[Request, Exception], Any]] = {
        SymworkError: _symwork_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    }
    app = Starlette(
        routes=[*pages.ROUTES, *lecturer.ROUTES, *api.ROUTES, Mount("/static", StaticFiles(directory=pages.STATIC), name="static")],
        lifespan=lifespan,
        exception_handlers=handlers,
    )
    app.add_middleware(SecurityHeaders)
    return app
