"""The JSON API every page posts to: check, parse, verify, grade and the derivation list (documented in README).

Responses are the CLI's ``--json`` objects (plus ``text``, the terminal's lines, for check and verify).
Bad requests are answered 400 with ``{"error": …}``, bodies over their cap 413, a full queue 503 with
Retry-After (see `symwork.web.app` for the mapping); the work itself runs in the sandbox pool, and a
check or preview the pool has answered before is answered again at once (`Service.kept_check`).
Grading needs the lecturer's token (`symwork.web.lecturer`; 403 without it).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from symwork.core import registry
from symwork.errors import InputError
from symwork.web import bodies, lecturer
from symwork.web.grading import Grader
from symwork.web.service import Service
from symwork.web.settings import ANSWER_BYTES, DERIVATION_BYTES, UPLOAD_BYTES


def _finite(value: Any) -> Any:
    # Counterexample values can be inf or nan; JSON has no such numbers, so they travel as strings.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def json_response(content: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """JSON as UTF-8, never NaN, anything unknown as its string (like ``symwork … --json``)."""
    body = json.dumps(_finite(content), ensure_ascii=False, allow_nan=False, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def _in_pool(request: Request, function: Any, *args: Any, **kwargs: Any) -> Any:
    """Admit the request to the pool (503 when full) and run ``function`` in a thread."""
    service = _service(request)
    with service.pool.admit():
        return await to_thread.run_sync(lambda: function(*args, **kwargs), limiter=request.app.state.limiter)


async def check(request: Request) -> Response:
    arrived = time.monotonic()
    data = await bodies.json_object(request, "answer", ANSWER_BYTES)
    derivation_id = bodies.text_field(data, "id", limit=200)
    answer = bodies.text_field(data, "answer", limit=ANSWER_BYTES)
    seed = bodies.seed_field(data)
    student = bodies.text_field(data, "student", limit=200, required=False)
    service = _service(request)
    assert derivation_id is not None and answer is not None
    kept = service.kept_check(derivation_id, answer, seed=seed, student=student)
    if kept is not None:
        return json_response(kept)
    checked = await _in_pool(request, service.check, derivation_id, answer, seed=seed, student=student, arrived=arrived)
    return json_response(checked)


async def parse(request: Request) -> Response:
    data = await bodies.json_object(request, "text", ANSWER_BYTES)
    text = bodies.text_field(data, "text", limit=ANSWER_BYTES)
    assert text is not None
    service = _service(request)
    kept = service.kept_preview(text)
    return json_response(kept if kept is not None else await _in_pool(request, service.preview, text))


async def verify(request: Request) -> Response:
    data = await bodies.json_object(request, "derivation", DERIVATION_BYTES)
    text = bodies.text_field(data, "text", limit=DERIVATION_BYTES)
    against = bodies.text_field(data, "against", limit=200, required=False) or None
    return json_response(await _in_pool(request, _service(request).verify, text, against=against))


async def derivations(request: Request) -> Response:
    topic = request.query_params.get("topic")
    if topic is not None:
        registry.topic(topic)  # an unknown topic is an error that lists the known ones
    items = [d for d in registry.derivations() if topic is None or d.topic == topic]
    return json_response([{"id": d.id, "topic": d.topic, "title": d.title} for d in items])


def _grader(request: Request) -> Grader:
    grader: Grader = request.app.state.grader
    return grader


async def grade(request: Request) -> Response:
    lecturer.require(request)
    grader = _grader(request)
    run = grader.new_run()
    try:
        files = await bodies.uploads(request, run.folder, names=("submissions", "roster"), limit=UPLOAD_BYTES)
        if "submissions" not in files:
            raise InputError("The upload lacks the file 'submissions' (a CSV with columns id, derivation, answer).")
        await to_thread.run_sync(grader.start, run, files["submissions"], files.get("roster"))
    except BaseException:
        grader.drop(run)
        raise
    if run.state == "error":
        grader.drop(run)
        return json_response({"error": run.error}, status=400)
    return json_response(run.status(), status=202, headers={"Location": f"/api/grade/{run.token}"})


async def grade_status(request: Request) -> Response:
    lecturer.require(request)
    return json_response(_grader(request).get(request.path_params["token"]).status())


async def grade_report(request: Request) -> Response:
    lecturer.require(request)
    path = _grader(request).report_file(request.path_params["token"], "report")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename="report.csv")


async def grade_summary(request: Request) -> Response:
    lecturer.require(request)
    path = _grader(request).report_file(request.path_params["token"], "summary")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename="report-summary.csv")


ROUTES = [
    Route("/api/check", check, methods=["POST"]),
    Route("/api/parse", parse, methods=["POST"]),
    Route("/api/verify", verify, methods=["POST"]),
    Route("/api/derivations", derivations, methods=["GET"]),
    Route("/api/grade", grade, methods=["POST"]),
    Route("/api/grade/{token}", grade_status, methods=["GET"]),
    Route("/api/grade/{token}/report.csv", grade_report, methods=["GET"]),
    Route("/api/grade/{token}/summary.csv", grade_summary, methods=["GET"]),
]
