"""The web application: :func:`create_app` wires the API, the pages, the token check and the
request size limit around one :class:`~detente.surfaces.web.workbench.Workbench`."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from detente.model.errors import DetenteError, ModelError, ModelTooLargeError, error_data
from detente.surfaces.web import api, pages
from detente.surfaces.web.config import Settings
from detente.surfaces.web.store import NotFound, StaleVersion
from detente.surfaces.web.workbench import Workbench

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = Path(__file__).parent / "static"
TOKEN_COOKIE = "detente_token"


def create_app(settings: Settings) -> FastAPI:
    """A FastAPI app serving the workbench with these settings."""
    bench = Workbench(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        bench.close()

    app = FastAPI(
        title="detente workbench", version=_version(), lifespan=lifespan,
        openapi_url="/api/openapi.json", docs_url="/api/docs", redoc_url=None,
        description="Model conflicts and analyse them with the Graph Model for Conflict "
        "Resolution. Analysis answers are exactly the JSON of the matching `detente` command.",
    )
    app.state.bench = bench
    _add_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(TokenCheck, token=settings.token)
    app.add_middleware(OriginCheck, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


def _version() -> str:
    import detente

    return detente.__version__


def _add_error_handlers(app: FastAPI) -> None:
    async def model_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DetenteError)
        status = 413 if isinstance(exc, ModelTooLargeError) else 422
        if not request.url.path.startswith("/api"):
            return pages.error_page(request, status, str(exc))
        return JSONResponse({"detail": str(exc), "error": error_data(exc)}, status_code=status)

    async def not_found(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/api"):
            return pages.error_page(request, 404, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def stale(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StaleVersion)
        return JSONResponse({"detail": str(exc), "latest": exc.latest}, status_code=409)

    app.add_exception_handler(DetenteError, model_error)
    app.add_exception_handler(ModelError, model_error)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(StaleVersion, stale)


# ----- ASGI middleware ------------------------------------------------------------------
class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by Content-Length up front and by
    counting when the body is streamed without one."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (b'{"detail":"request too large: this server accepts at most '
                + f"{self.limit:,}".encode() + b' bytes"}')
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class OriginCheck:
    """Refuse requests for another host name (DNS rebinding) when ``allowed_hosts`` is set,
    and state-changing requests sent by a page of another site (its ``Origin`` is not this
    server), with 403."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        problem = None
        if self.allowed is not None and _host_name(host) not in self.allowed:
            problem = f"this server does not answer to the host name {host!r}"
        origin = headers.get("origin")
        if (problem is None and scope["method"] in self.UNSAFE and origin
                and origin != "null" and urlsplit(origin).netloc.lower() != host.lower()):
            problem = f"a page of {origin} may not change this server's models"
        if problem is None:
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": problem}, status_code=403)(scope, receive, send)


def _host_name(host: str) -> str:
    """``'127.0.0.1:8000'`` → ``'127.0.0.1'``, ``'[::1]:8000'`` → ``'::1'``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


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
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        given = _bearer(headers.get("authorization", "")) or _cookie(
            headers.get("cookie", ""), TOKEN_COOKIE)
        if given is not None and self._ok(given):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = (query.get("token") or [None])[0]
        path: str = scope["path"]
        if from_query is not None and self._ok(from_query) and not path.startswith("/api"):
            # a browser opening the link it was given: remember the token, drop it from the URL
            response: Response = Response(status_code=303, headers={"Location": path})
            response.set_cookie(TOKEN_COOKIE, from_query, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if path.startswith("/api"):
            response = JSONResponse(
                {"detail": "this server needs a token: send 'Authorization: Bearer TOKEN'"},
                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        else:
            response = Response(
                "This detente server needs a token: open the address with ?token=TOKEN "
                "(as given to `detente serve --token`).", status_code=401,
                media_type="text/plain")
        await response(scope, receive, send)

    def _ok(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8", "replace"),
                                   self.token.encode("utf-8"))


def _bearer(value: str) -> str | None:
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
