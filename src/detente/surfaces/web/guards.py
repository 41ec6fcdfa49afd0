"""ASGI middleware guarding the workbench: security headers on every answer, the request size
limit, the host and cross-site checks, the token, and the pages' CSRF token.

Order (outermost first): :class:`SecurityHeaders`, :class:`BodyLimit`, :class:`CrossSiteCheck`,
:class:`TokenCheck`, :class:`CsrfCheck`; ``docs/web.md`` (Safety) says what each enforces.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "detente_token"
#: The pages' CSRF token: a hidden form field, or this header (htmx requests).
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Content-Security-Policy of every answer: nothing from elsewhere, no inline script, no
#: framing, forms post only here.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
#: The report (also saved as a standalone file) carries its own inline CSS.
REPORT_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
REPORT_PATH = re.compile(r"^/(?:api/)?models/[^/]+/report$")
HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # not no-referrer: under it browsers send ``Origin: null`` on the pages' own form posts
    # (Fetch standard), which the cross-site check must refuse
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def security_headers(path: str) -> dict[str, str]:
    """The headers :class:`SecurityHeaders` adds, for an answer it cannot wrap (the server
    error handler, which runs outside every middleware)."""
    csp = REPORT_CSP if REPORT_PATH.match(path) else CSP
    return {**{k.decode(): v.decode() for k, v in HEADERS}, "content-security-policy": csp}


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope.get("headers", [])}


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


async def _pass(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> bool:
    """Hand anything but an HTTP request straight to ``app``; True when it did."""
    if scope["type"] != "http":
        await app(scope, receive, send)
        return True
    return False


# ----- headers ---------------------------------------------------------------------------
class SecurityHeaders:
    """Add the CSP, ``X-Frame-Options: DENY``, ``nosniff``, ``Referrer-Policy: same-origin``
    and the cross-origin isolation headers to every HTTP answer (refusals included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await _pass(self.app, scope, receive, send):
            return
        csp = (REPORT_CSP if REPORT_PATH.match(scope["path"]) else CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = {k.lower() for k, _v in message.get("headers", [])}
                extra = [(k, v) for k, v in (*HEADERS, (b"content-security-policy", csp))
                         if k not in given]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ----- size ------------------------------------------------------------------------------
class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413: by Content-Length up front, and
    by counting a body streamed without one (chunked), refusing as soon as it passes the limit
    (the app then sees the client gone, and its own answer is dropped)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await _pass(self.app, scope, receive, send):
            return
        length = _headers(scope).get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(send)
                return
        seen, started, refused = 0, False, False

        async def counting_receive() -> Message:
            nonlocal seen, started, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started:
                        refused = started = True
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is sent; the app's answer to a cut body is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:  # the app failing on the body we cut short is expected
                raise

    async def _refuse(self, send: Send) -> None:
        body = (b'{"detail":"request too large: this server accepts at most '
                + f"{self.limit:,}".encode() + b' bytes"}')
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


# ----- host and site ---------------------------------------------------------------------
class CrossSiteCheck:
    """Refuse with 403: a request for another host name (DNS rebinding) when
    ``allowed_hosts`` is set; a state-changing request from another site (its ``Origin`` is
    ``null`` or another server, or ``Sec-Fetch-Site`` says ``cross-site``, or ``same-site``
    without this server's origin); and a read that another site's page embeds or fetches
    (``Sec-Fetch-Site`` cross-site or same-site, other than a navigation)."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await _pass(self.app, scope, receive, send):
            return
        headers = _headers(scope)
        host = headers.get("host", "")
        problem = None
        if self.allowed is not None and _host_name(host) not in self.allowed:
            problem = f"this server does not answer to the host name {host!r}"
        elif scope["method"] in UNSAFE:
            problem = write_problem(headers)
        else:
            problem = read_problem(headers)
        if problem is None:
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": problem}, status_code=403)(scope, receive, send)


def write_problem(headers: dict[str, str]) -> str | None:
    """Why a state-changing request with these headers may come from another site's page
    (None: it does not).

    >>> write_problem({"host": "127.0.0.1:8000", "origin": "null"})[:40]
    'a page with no origin of its own (Origin'
    >>> write_problem({"host": "127.0.0.1:8000", "sec-fetch-site": "same-origin"}) is None
    True
    """
    origin = headers.get("origin")
    site = headers.get("sec-fetch-site", "").strip().lower()
    if origin is not None:
        if origin.strip().lower() == "null":
            return ("a page with no origin of its own (Origin: null: a sandboxed frame, a "
                    "local file or a cross-site redirect) may not change this server's models")
        if not _same_origin(origin, headers.get("host", "")):
            return f"a page of {origin} may not change this server's models"
    if site == "cross-site" or (site == "same-site" and origin is None):
        return (f"a page of another site (Sec-Fetch-Site: {site}) may not change this "
                "server's models")
    return None


def read_problem(headers: dict[str, str]) -> str | None:
    """Why a read with these headers is another site's page embedding or fetching this
    server's answers (None: it is not; following a link from elsewhere is fine)."""
    site = headers.get("sec-fetch-site", "").strip().lower()
    mode = headers.get("sec-fetch-mode", "").strip().lower()
    if site in ("cross-site", "same-site") and mode != "navigate":
        return (f"a page of another site (Sec-Fetch-Site: {site}, Sec-Fetch-Mode: {mode}) may "
                "not load this server's answers; open the workbench's address instead")
    return None


def _same_origin(origin: str, host: str) -> bool:
    """Whether ``origin`` (``http://host:port``) names the server asked for as ``host``."""
    return urlsplit(origin.strip()).netloc.lower() == host.strip().lower()


def _host_name(host: str) -> str:
    """``'127.0.0.1:8000'`` → ``'127.0.0.1'``, ``'[::1]:8000'`` → ``'::1'``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# ----- token -----------------------------------------------------------------------------
class TokenCheck:
    """With a token set, every request except static files must carry it: as
    ``Authorization: Bearer TOKEN``, or in the ``detente_token`` cookie that opening any page
    with ``?token=TOKEN`` sets (for browsers)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        given = _bearer(headers.get("authorization", "")) or _cookie(
            headers.get("cookie", ""), TOKEN_COOKIE)
        if given is not None and _equal(given, self.token):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = (query.get("token") or [None])[0]
        path: str = scope["path"]
        if from_query is not None and _equal(from_query, self.token) and not _is_api(path):
            # a browser opening the link it was given: remember the token, drop it from the URL
            response: Response = Response(status_code=303, headers={"Location": path})
            response.set_cookie(TOKEN_COOKIE, from_query, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if _is_api(path):
            response = JSONResponse(
                {"detail": "this server needs a token: send 'Authorization: Bearer TOKEN'"},
                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        else:
            response = PlainTextResponse(
                "This detente server needs a token: open the address with ?token=TOKEN "
                "(as given to `detente serve --token`).", status_code=401)
        await response(scope, receive, send)


def _equal(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode("utf-8", "replace"),
                               expected.encode("utf-8", "replace"))


def _bearer(value: str) -> str | None:
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


# ----- CSRF ------------------------------------------------------------------------------
class CsrfCheck:
    """Refuse with 403 a state-changing request that another site's page could have forged.

    Pages (not ``/api``): the request must carry this server's CSRF token, in the
    ``X-CSRF-Token`` header (htmx sends it) or the ``csrf_token`` form field (the forms hold
    it); another site cannot read it. API: a POST must send JSON (``Content-Type:
    application/json``), an ``Authorization`` header or the token header: what a form or a
    no-cors fetch of another site cannot send without a CORS preflight, which this server
    never grants (PUT and DELETE always need one)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self._ok(headers.get(CSRF_HEADER)):
            await self.app(scope, receive, send)
            return
        if _is_api(scope["path"]):
            if (scope["method"] != "POST" or "authorization" in headers
                    or _is_json(headers.get("content-type", ""))):
                await self.app(scope, receive, send)
                return
            detail = ("a POST to the API must send its body as JSON (Content-Type: "
                      "application/json) or carry an Authorization header, so that no page "
                      "of another site can forge it")
            await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)
            return
        body, gone = await _read_body(receive)
        if gone:
            return
        if self._ok(await _form_field(scope, body, CSRF_FIELD)):
            await self.app(scope, _replay(body, receive), send)
            return
        await PlainTextResponse(
            "This request lacks the page's security token (csrf_token), or carries a stale "
            "one: it may come from another site's page. If you sent it from the workbench, "
            "reload the page (the server may have restarted) and try again.",
            status_code=403)(scope, receive, send)

    def _ok(self, given: str | None) -> bool:
        return given is not None and _equal(given, self.token)


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/")
                                           and kind.endswith("+json"))


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body (the size limit bounds it), and whether the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits on the real one (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _form_field(scope: Scope, body: bytes, name: str) -> str | None:
    """A text field of a urlencoded or multipart form body (None: not there or no form)."""
    kind = _headers(scope).get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    try:
        async with Request(scope, _replay(body, _never)).form() as form:
            value = form.get(name)
    except Exception:  # a malformed form carries no token; the app reports its own error
        return None
    return value if isinstance(value, str) else None


async def _never() -> Message:
    return {"type": "http.disconnect"}
