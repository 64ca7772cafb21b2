"""Reading request bodies under caps: JSON objects with typed fields, and uploads streamed to temporary files.

A body is refused as soon as its declared length or the bytes read so far pass the cap (`LimitError`,
answered 413); malformed JSON, a missing or mistyped field is `InputError` (answered 400). Uploads are
copied chunk by chunk into files in a folder the caller owns and removes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message

from symwork.errors import InputError, LimitError
from symwork.web.settings import ENVELOPE_BYTES, JSON_ESCAPE, MAX_SEED

_CHUNK = 1 << 16


def _too_large(what: str, limit: int) -> LimitError:
    return LimitError(f"The {what} is larger than the limit of {limit:,} bytes; shorten it or split it.")


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise InputError(f"The Content-Length {value[:40]!r} is not a number of bytes.")
    return int(value)


def capped(request: Request, limit: int, what: str, shown: int | None = None) -> Request:
    """The same request, whose body may be read at most ``limit`` bytes far (then `LimitError`, quoting ``shown``)."""
    shown = limit if shown is None else shown
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise _too_large(what, shown)
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(what, shown)
        return message

    return Request(request.scope, counted)


async def _read(request: Request, limit: int, what: str, shown: int) -> bytes:
    chunks: list[bytes] = []
    stream: AsyncIterator[bytes] = capped(request, limit, what, shown).stream()
    async for chunk in stream:
        chunks.append(chunk)
    return b"".join(chunks)


async def json_object(request: Request, field: str, limit: int) -> dict[str, Any]:
    """The body as a JSON object whose largest field, ``field``, may have ``limit`` bytes once decoded.

    The body itself is read only as far as that field could take written as JSON (escapes and all); the
    field's exact size is checked by `text_field`.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise InputError(f"The request has Content-Type {kind or 'none'!r}; send a JSON object as application/json.")
    raw = await _read(request, limit * JSON_ESCAPE + ENVELOPE_BYTES, field, limit)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError("The request body is not valid UTF-8 JSON; send a JSON object.") from None
    if not isinstance(data, dict):
        raise InputError(f'The request body is a JSON {type(data).__name__}, not an object; send {{"key": value}}.')
    return data


def text_field(data: dict[str, Any], name: str, *, limit: int, required: bool = True) -> str | None:
    """A string field of at most ``limit`` UTF-8 bytes (`LimitError` past it)."""
    value = data.get(name)
    if value is None:
        if required:
            raise InputError(f"The request lacks the field {name!r}; send it as a string.")
        return None
    if not isinstance(value, str):
        raise InputError(f"The field {name!r} is a {type(value).__name__}; send it as a string.")
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise LimitError(f"The {name} has {size:,} bytes, more than the limit of {limit:,}; shorten it.")
    return value


def seed_field(data: dict[str, Any], name: str = "seed") -> int | None:
    """An optional whole number from 0 to 2**63 - 1 (JSON true/false are not numbers)."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise InputError(f"The {name} {str(value)[:40]!r} is not a whole number from 0 to 2**63 - 1.")
    return value


def seed_text(text: str | None, name: str = "seed") -> int | None:
    """A seed from a query string: digits only, within range; '' and None are no seed."""
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_SEED:
        raise InputError(f"The {name} {text[:40]!r} is not a whole number from 0 to 2**63 - 1.")
    return int(text)


async def uploads(request: Request, folder: Path, *, names: tuple[str, ...], limit: int) -> dict[str, Path]:
    """Save the file parts ``names`` of a multipart body into ``folder`` (``<name>.csv``), under ``limit`` in all.

    Only the named parts are kept; the body as a whole may not pass ``limit`` bytes (plus a little for the
    multipart framing), and a field that is not a file is `InputError`.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise InputError(f"The request has Content-Type {kind or 'none'!r}; upload files as multipart/form-data.")
    saved: dict[str, Path] = {}
    form = await capped(request, limit + 64 * 1024, "upload").form(max_files=len(names), max_fields=len(names))
    try:
        for name in names:
            part = form.get(name)
            if part is None or (isinstance(part, UploadFile) and not part.filename and part.size == 0):
                continue
            if not isinstance(part, UploadFile):
                raise InputError(f"The field {name!r} is text; upload it as a file.")
            target = folder / f"{name}.csv"
            with target.open("wb") as out:
                await part.seek(0)
                while chunk := await part.read(_CHUNK):
                    out.write(chunk)
            if target.stat().st_size > limit:
                raise _too_large(f"file {name!r}", limit)
            saved[name] = target
    finally:
        await form.close()
    return saved


def remove(folder: Path) -> None:
    """Remove a temporary folder and everything in it (missing is fine)."""
    shutil.rmtree(folder, ignore_errors=True)
