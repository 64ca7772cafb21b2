"""The lecturer's token: grading (the grade page, ``/api/grade…``) needs it; the students' pages never do.

`symwork serve` makes a new token for every run (or reads ``--lecturer-token-file``) and prints a
lecturer link, ``/lecturer?token=…``. Opening it sets an HttpOnly, SameSite=Strict cookie and leads to
the grade page with the token gone from the address bar; scripts send ``Authorization: Bearer TOKEN``
instead. Any other request for grading is answered 403 with a message that says where the link is.
"""

from __future__ import annotations

import re
import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from symwork.errors import InputError
from symwork.web.settings import LECTURER_TOKEN_CHARS

#: The cookie the lecturer link sets (the token itself, unreadable by scripts, never sent by other sites).
COOKIE = "symwork_lecturer"
#: What a request for grading without the token is told (403).
FORBIDDEN = (
    "Grading is for the lecturer: open the lecturer link that 'symwork serve' printed when it started "
    "(or send the header 'Authorization: Bearer TOKEN')."
)
BAD_LINK = "This lecturer link is not valid for this server; use the link 'symwork serve' printed when it started."
#: Characters a token may have: it travels in a link and in a cookie.
_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")


def check_token(token: str, *, source: str) -> str:
    """``token`` when it can be the lecturer's (long enough, link-safe); else `InputError` naming ``source``."""
    if len(token) < LECTURER_TOKEN_CHARS or not _TOKEN.fullmatch(token):
        raise InputError(
            f"The lecturer token in {source} must have at least {LECTURER_TOKEN_CHARS} characters of A-Z, a-z, 0-9, "
            f"'.', '_', '~' and '-'; put one such line there (for example: python -c 'import secrets; "
            f"print(secrets.token_urlsafe(24))')."
        )
    return token


def read_token_file(path: str) -> str:
    """The token on the first line of a file the lecturer keeps; `InputError` when it is missing or unfit."""
    try:
        with open(path, encoding="utf-8") as file:
            first = file.readline(1000).strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the lecturer token file {path!r} ({exc}); check the path.") from None
    return check_token(first, source=repr(path))


def _token(request: Request) -> str:
    token: str = request.app.state.service.settings.lecturer_token
    return token


def _same(given: str, token: str) -> bool:
    return secrets.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def is_lecturer(request: Request) -> bool:
    """Whether the request carries the lecturer's token (the link's cookie, or an Authorization header)."""
    token = _token(request)
    cookie = request.cookies.get(COOKIE)
    if cookie is not None and _same(cookie, token):
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _same(given.strip(), token)


def require(request: Request) -> None:
    """Refuse (403, with `FORBIDDEN`) a request for grading without the lecturer's token."""
    if not is_lecturer(request):
        raise HTTPException(403, detail=FORBIDDEN)


def link(base: str, token: str) -> str:
    """The lecturer link for a server at ``base`` (``http://host:port/``)."""
    return f"{base}lecturer?token={token}"


async def login(request: Request) -> Response:
    """The lecturer link: set the cookie and go to the grade page (403 for a wrong token)."""
    given = request.query_params.get("token", "")
    if not _same(given, _token(request)):
        raise HTTPException(403, detail=BAD_LINK)
    response = RedirectResponse("/grade", status_code=303)
    response.set_cookie(COOKIE, given, httponly=True, samesite="strict", path="/")
    return response


ROUTES = [Route("/lecturer", login, methods=["GET"])]
