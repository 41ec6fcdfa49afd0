"""The web application: :func:`create_app` wires the API, the pages and the guards (security
headers, size limit, host and cross-site checks, token, CSRF token: :mod:`.guards`) around one
:class:`~detente.surfaces.web.workbench.Workbench`."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from detente.model.errors import DetenteError, ModelError, ModelTooLargeError
from detente.surfaces.web import api, editor, pages, whatif, whatif_pages
from detente.surfaces.web.config import Settings
from detente.surfaces.web.guards import (
    BodyLimit,
    CrossSiteCheck,
    CsrfCheck,
    SecurityHeaders,
    TokenCheck,
    security_headers,
)
from detente.surfaces.web.store import NotFound, StaleVersion
from detente.surfaces.web.workbench import Workbench

STATIC = Path(__file__).parent / "static"
#: Swagger UI (vendored in static/, Apache-2.0: static/swagger-ui.LICENSE.txt); no inline
#: script, so the CSP holds on this page too.
SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>detente workbench API</title>
<link rel="stylesheet" href="/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""
#: Longest echo of a bad input in a 422 answer (characters).
MAX_ECHO = 200


def create_app(settings: Settings) -> FastAPI:
    """A FastAPI app serving the workbench with these settings."""
    bench = Workbench(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await _close(bench, settings.close_grace_s)

    app = FastAPI(
        title="detente workbench", version=_version(), lifespan=lifespan,
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        description="Model conflicts and analyse them with the Graph Model for Conflict "
        "Resolution. Analysis answers are exactly the JSON of the matching `detente` command.",
    )
    app.state.bench = bench
    app.state.csrf_token = csrf_token(settings.csrf_secret or secrets.token_bytes(32))
    pages.templates.env.globals["csrf_token"] = _template_csrf_token
    _add_error_handlers(app)
    app.include_router(api.router)
    app.include_router(whatif.router)
    app.include_router(pages.router)
    app.include_router(editor.router)
    app.include_router(whatif_pages.router)
    app.add_api_route("/api/docs", _docs, include_in_schema=False, response_class=HTMLResponse)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(CsrfCheck, token=app.state.csrf_token)
    app.add_middleware(TokenCheck, token=settings.token)
    app.add_middleware(CrossSiteCheck, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def csrf_token(secret: bytes) -> str:
    """The pages' CSRF token, derived from the server's secret (random per process unless
    ``Settings.csrf_secret`` is given)."""
    return hmac.new(secret, b"detente csrf token", hashlib.sha256).hexdigest()


@jinja2.pass_context
def _template_csrf_token(context: Any) -> str:
    """``{{ csrf_token() }}`` in a page: the token of the app rendering it."""
    token: str = context["request"].app.state.csrf_token
    return token


async def _docs() -> HTMLResponse:
    return HTMLResponse(SWAGGER_PAGE)


async def _close(bench: Workbench, seconds: float) -> None:
    """Close the workbench (cancel jobs, close the store), waiting at most ``seconds``: a job
    that does not stop in time is left to die with the process (every save is already
    committed), so a stop signal stops the server promptly."""
    done = threading.Event()

    def close() -> None:
        try:
            bench.close()
        finally:
            done.set()

    threading.Thread(target=close, name="detente-close", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def _version() -> str:
    import detente

    return detente.__version__


def _add_error_handlers(app: FastAPI) -> None:
    async def model_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DetenteError)
        status = 413 if isinstance(exc, ModelTooLargeError) else 422
        if not request.url.path.startswith("/api"):
            return pages.error_page(request, status, str(exc))
        return JSONResponse(api.error_answer(exc), status_code=status)

    async def not_found(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith("/api"):
            return pages.error_page(request, 404, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def stale(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StaleVersion)
        return JSONResponse({"detail": str(exc), "latest": exc.latest}, status_code=409)

    async def invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [_printable(e) for e in jsonable_encoder(exc.errors())]
        return JSONResponse({"detail": errors}, status_code=422)

    async def server_error(request: Request, _exc: Exception) -> Response:
        # runs outside the middleware, so it adds the security headers itself
        return JSONResponse({"detail": "internal error: the server could not answer this "
                             "request (see its log)"}, status_code=500,
                            headers=security_headers(request.url.path))

    app.add_exception_handler(Exception, server_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(DetenteError, model_error)
    app.add_exception_handler(ModelError, model_error)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(StaleVersion, stale)


def _printable(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error that can be sent as UTF-8: a lone surrogate (``\\ud800`` in a JSON
    body) is shown escaped and located, and a long input is cut to :data:`MAX_ECHO`
    characters."""
    out = {k: _text(v) for k, v in error.items()}
    raw = error.get("input")
    if error.get("type") == "string_unicode" and isinstance(raw, str):
        at = next((i for i, ch in enumerate(raw) if "\ud800" <= ch <= "\udfff"), None)
        if at is not None:
            out["msg"] += (f": character {at + 1:,} is a lone surrogate escape "
                           f"({_text(raw[at])}), which is not a character; send the text "
                           "as UTF-8")
    value = out.get("input")
    if isinstance(value, str) and len(value) > MAX_ECHO:
        out["input"] = f"{value[:MAX_ECHO]}… ({len(value):,} characters in all)"
    return out


def _text(value: Any) -> Any:
    """``value`` with every string encodable as UTF-8 (lone surrogates escaped)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    return value
