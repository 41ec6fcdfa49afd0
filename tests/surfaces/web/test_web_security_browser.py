"""Cross-site attacks on the workbench in a real browser (Playwright driving Debian's
chromium, as tests/surfaces/web/test_web_browser.py does; no browser download): a page of
another origin, served by a second local HTTP server, (a) frames the workbench and clicks Save
in the frame, (b) auto-posts forms from sandboxed iframes (``Origin: null``) to create and save
models.
Before issue 16's fixes both changed the store; now neither does."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS
from web_helpers import CHROMIUM, PD, free_port, threaded_server

PWNED = "# PWNED by a cross-site page\n" + PD


Seen = list[tuple[str, str, "str | None", int]]


@pytest.fixture(scope="module")
def workbench() -> Iterator[tuple[str, str, Seen]]:
    """The workbench on a free loopback port, as `detente serve` runs it, with the Prisoner's
    Dilemma as model 1; yields (base URL, the pages' CSRF token, the requests it answered:
    method, path, Origin, status)."""
    db = Path(tempfile.mkdtemp(prefix="detente-attack-")) / "web.db"
    app = create_app(Settings(db_path=db, allowed_hosts=LOOPBACK_HOSTS))
    app.state.bench.create(PD)
    seen: Seen = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        origin = dict(scope["headers"]).get(b"origin")

        async def send_and_record(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen.append((scope["method"], scope["path"],
                             None if origin is None else origin.decode(), message["status"]))
            await send(message)

        await app(scope, receive, send_and_record)

    with threaded_server(recording) as port:
        yield f"http://127.0.0.1:{port}", str(getattr(app.state, "csrf_token", "none")), seen


def _attacker_pages(base: str, token: str) -> dict[str, str]:
    """The attacker's pages. The sandboxed forms even carry the real CSRF token (as if it had
    leaked): the Origin / Sec-Fetch-Site check alone must stop them."""
    def auto_post(action: str, fields: dict[str, str]) -> str:
        inputs = "".join(f'<textarea name="{k}">{escape(v)}</textarea>'
                         for k, v in fields.items())
        doc = (f'<form method="post" action="{base}{action}">{inputs}</form>'
               "<script>document.forms[0].submit()</script>")
        return f'<iframe sandbox="allow-forms allow-scripts" srcdoc="{escape(doc)}"></iframe>'

    return {
        "/frame.html": f'<iframe id="victim" src="{base}/models/1" width="1200" '
                       'height="900"></iframe>',
        "/sandbox.html": auto_post("/models/new", {"csrf_token": token})
        + auto_post("/models/1/save", {"yaml": PWNED, "version": "1", "csrf_token": token}),
    }


@pytest.fixture(scope="module")
def attacker(workbench: tuple[str, str, Seen]) -> Iterator[int]:
    """A second HTTP server (another port: another origin) serving the attacker's pages;
    yields its port."""
    pages = _attacker_pages(*workbench[:2])

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    thread.join(10)


def _state(base: str) -> tuple[int, int]:
    """(how many models, model 1's latest version)."""
    return (len(httpx.get(base + "/api/models").json()),
            httpx.get(base + "/api/models/1").json()["version"])


def _skip_without_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run should have installed it")
        pytest.skip("no chromium here (apt-get install chromium, or set DETENTE_CHROMIUM)")


@pytest.mark.slow
def test_cross_site_pages_cannot_frame_or_post_to_the_workbench(
        workbench: tuple[str, str, Seen], attacker: int) -> None:
    _skip_without_chromium()
    from playwright.sync_api import Error, sync_playwright

    base, _token, seen = workbench
    before = _state(base)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        # 127.0.0.1:other port is same-site (cookies shared); localhost is another site
        for host in ("127.0.0.1", "localhost"):
            page = browser.new_page()
            page.set_default_timeout(30_000)

            # (a) framing: the frame stays empty, so a click in it cannot save
            page.goto(f"http://{host}:{attacker}/frame.html", wait_until="load")
            victim = page.frames[1]
            clicked = False
            if not victim.url.startswith("chrome-error:"):  # not blocked: try to save in it
                frame = page.frame_locator("#victim")
                try:
                    frame.locator("#yaml").fill(PWNED, timeout=10_000)
                    frame.locator("#save").click(timeout=10_000)
                    clicked = True
                except Error:
                    pass
            assert not clicked, "the workbench rendered in another site's frame"
            assert all(f.query_selector("#editor-form") is None for f in page.frames)

            page.close()

            # (b) sandboxed frames (Origin: null) auto-posting to create and save
            page = browser.new_page()
            del seen[:]
            page.goto(f"http://{host}:{attacker}/sandbox.html", wait_until="load")
            deadline = time.monotonic() + 20
            while len([x for x in seen if x[0] == "POST"]) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            posts = sorted(x for x in seen if x[0] == "POST")
            assert posts == [("POST", "/models/1/save", "null", 403),
                             ("POST", "/models/new", "null", 403)], (host, seen)
            page.close()
        browser.close()
    assert _state(base) == before  # nothing created, nothing saved


@pytest.mark.slow
def test_api_docs_render_offline_under_the_csp(workbench: tuple[str, str, Seen]) -> None:
    """Was: /api/docs loaded Swagger UI from a CDN (blank offline). Now it is served from
    here; this browser has no network, and no CSP violation is reported."""
    _skip_without_chromium()
    from playwright.sync_api import expect, sync_playwright

    base = workbench[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("request", lambda r: problems.append(r.url)
                if not r.url.startswith((base, "data:")) else None)
        page.goto(base + "/api/docs")
        expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=30_000)
        assert page.locator(".opblock").count() >= 10
        browser.close()
    assert problems == []
