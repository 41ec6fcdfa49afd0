"""Cross-site and transport defences of the workbench (issue 16): Origin ``null`` and
Sec-Fetch-Site refused on writes, a CSRF token on every page write, headers that forbid framing
and sniffing on every answer, no 500 on a lone surrogate, 413 for a chunked body over the
limit, Swagger UI served from this server. Each test sends the attack first."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS, allowed_hosts_for
from web_helpers import PD, client, threaded_server

LOCAL = {"host": "127.0.0.1:8000"}
SAME = "http://127.0.0.1:8000"


def _token(html: str) -> str:
    """The CSRF token a page carries (hidden form field)."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def _models(c: object) -> int:
    return len(c.get("/api/models", headers=LOCAL).json())  # type: ignore[attr-defined]


# ----- cross-site writes -----------------------------------------------------------------
def test_origin_null_cannot_create_or_save(tmp_path: Path) -> None:
    """A sandboxed frame of another site sends ``Origin: null``: it must change nothing, even
    with the page's token."""
    with client(tmp_path, allowed_hosts=LOOPBACK_HOSTS) as c:
        c.post("/api/models", json={"yaml": PD}, headers=LOCAL)
        token = _token(c.get("/", headers=LOCAL).text)
        null = {**LOCAL, "origin": "null"}
        r = c.post("/models/new", data={"csrf_token": token}, headers=null,
                   follow_redirects=False)
        assert r.status_code == 403 and "Origin: null" in r.text
        r = c.post("/models/1/save", data={"yaml": "# PWNED\n" + PD, "version": "1",
                                           "csrf_token": token}, headers=null)
        assert r.status_code == 403
        r = c.post("/api/models", json={"yaml": PD}, headers=null)
        assert r.status_code == 403
        assert c.put("/api/models/1", json={"yaml": PD, "version": 1},
                     headers=null).status_code == 403
        assert _models(c) == 1
        assert c.get("/api/models/1", headers=LOCAL).json()["version"] == 1


@pytest.mark.slow
@pytest.mark.parametrize(("site", "origin", "allowed"), [
    ("cross-site", None, False),
    ("cross-site", SAME, False),
    ("same-site", None, False),             # e.g. 127.0.0.1:9999 (cookies are shared)
    ("same-site", "http://127.0.0.1:9999", False),
    ("same-origin", SAME, True),
    ("none", None, True),                  # typed into the address bar
    (None, None, True),                    # not a browser
])
def test_sec_fetch_site_on_writes(tmp_path: Path, site: str | None, origin: str | None,
                                  allowed: bool) -> None:
    with client(tmp_path, allowed_hosts=LOOPBACK_HOSTS) as c:
        token = _token(c.get("/", headers=LOCAL).text)
        headers = dict(LOCAL)
        if site is not None:
            headers["sec-fetch-site"] = site
        if origin is not None:
            headers["origin"] = origin
        r = c.post("/models/new", data={"csrf_token": token}, headers=headers,
                   follow_redirects=False)
        assert r.status_code == (303 if allowed else 403), r.text
        assert _models(c) == (1 if allowed else 0)


def test_page_writes_need_the_csrf_token(tmp_path: Path) -> None:
    """A form posted by another site's page (even one whose browser sends no Origin or
    Sec-Fetch-Site) lacks the token: refused, nothing created or saved."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        assert c.post("/models/new", follow_redirects=False).status_code == 403
        r = c.post("/models/new", data={"csrf_token": "0" * 64}, follow_redirects=False)
        assert r.status_code == 403 and "token" in r.text
        r = c.post("/models/1/save", data={"yaml": "# PWNED\n" + PD, "version": "1"})
        assert r.status_code == 403
        r = c.post("/models/import", files={"file": ("m.yaml", PD.encode())},
                   follow_redirects=False)
        assert r.status_code == 403
        r = c.post("/models/1/check", data={"yaml": PD})  # htmx sends it as a header
        assert r.status_code == 403
        assert _models(c) == 1 and c.get("/api/models/1").json()["version"] == 1

        token = _token(c.get("/").text)  # the pages' own forms carry it
        r = c.post("/models/new", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        r = c.post("/models/import", data={"csrf_token": token},
                   files={"file": ("m.yaml", PD.encode())}, follow_redirects=False)
        assert r.status_code == 303
        r = c.post("/models/1/save", data={"yaml": "# edited\n" + PD, "version": "1",
                                           "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        r = c.post("/models/1/check", data={"yaml": PD}, headers={"x-csrf-token": token})
        assert r.status_code == 200 and "check-error" not in r.text
        assert _models(c) == 3 and c.get("/api/models/1").json()["version"] == 2


def test_every_page_form_and_htmx_request_carries_the_token(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        index = c.get("/").text
        token = _token(index)
        for html in (index, c.get("/models/1").text):
            forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
            assert forms
            for body in forms:
                assert f'name="csrf_token" value="{token}"' in body
            assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in html  # on <body>


@pytest.mark.slow
def test_api_posts_must_be_json_or_carry_a_header(tmp_path: Path) -> None:
    """A cross-site form (urlencoded, multipart, text/plain) or a no-cors fetch with a
    typeless body can POST without a preflight: the API refuses those."""
    body = json.dumps({"yaml": PD})
    with client(tmp_path) as c:
        for content_type in ("text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", None):
            headers = {} if content_type is None else {"content-type": content_type}
            r = c.post("/api/models", content=body.encode(), headers=headers)
            assert r.status_code == 403, (content_type, r.text)
            assert "application/json" in r.json()["detail"]
        assert _models(c) == 0
        assert c.post("/api/models", json={"yaml": PD}).status_code == 201
        r = c.post("/api/validate", content=body.encode(),
                   headers={"authorization": "Bearer x", "content-type": "text/plain"})
        assert r.status_code != 403  # a header a form cannot send: not forged


def test_cross_site_reads_are_refused(tmp_path: Path) -> None:
    """Another site's ``<img>`` or script cannot make the server compute or read; a link
    followed from another site (a navigation) still opens the page."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        for site in ("cross-site", "same-site"):
            sub = {"sec-fetch-site": site, "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image"}
            assert c.get("/models/1/graph.png", headers=sub).status_code == 403
            assert c.get("/api/models/1/analysis", headers=sub).status_code == 403
            nav = {"sec-fetch-site": site, "sec-fetch-mode": "navigate",
                   "sec-fetch-dest": "document"}
            assert c.get("/models/1", headers=nav).status_code == 200
        same = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "no-cors"}
        assert c.get("/models/1/graph.png", headers=same).status_code in (200, 204)


# ----- headers on every answer -----------------------------------------------------------
HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
           # same-origin, not no-referrer: under no-referrer Chromium sends Origin: null on
           # the pages' own form posts (test_web_browser.py saves through the form)
           "referrer-policy": "same-origin"}


def _check_headers(r: httpx.Response) -> None:
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.status_code)
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp


@pytest.mark.slow
def test_security_headers_on_every_answer(tmp_path: Path) -> None:
    with client(tmp_path, max_request_bytes=10_000) as c:
        c.post("/api/models", json={"yaml": PD})
        for r in (c.get("/"), c.get("/models/1"), c.get("/api/models"),
                  c.get("/static/app.css"), c.get("/api/docs"), c.get("/models/99"),
                  c.get("/api/models/1/report"), c.get("/models/1/report"),
                  c.post("/models/new"),  # 403
                  c.post("/api/models", content=b"x" * 20_000,
                         headers={"content-type": "application/json"})):  # 413
            _check_headers(r)
        # the report's own inline CSS is allowed there, and only there
        assert "'unsafe-inline'" in c.get("/models/1/report").headers["content-security-policy"]
        assert "'unsafe-inline'" not in c.get("/models/1").headers["content-security-policy"]
    with client(tmp_path / "t", token="s3cret-token") as c:
        r = c.get("/")
        assert r.status_code == 401
        _check_headers(r)


# ----- bad input and big bodies ----------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/validate", "/api/models"])
def test_lone_surrogate_in_json_gets_422_not_500(tmp_path: Path, path: str) -> None:
    with client(tmp_path) as c:
        for text, at in (("\ud800", 1), (PD + "# \udfff\n", len(PD) + 3)):
            body = json.dumps({"yaml": text}).encode()  # ASCII: the surrogate as an escape
            r = c.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code == 422, r.text
            error = r.json()["detail"][0]
            assert error["loc"] == ["body", "yaml"]
            assert f"character {at:,} is a lone surrogate escape" in error["msg"]
            assert repr(text[at - 1])[1:-1] in error["msg"]  # \ud800 / \udfff, escaped
            assert len(error["input"]) < 400  # a long input is not echoed whole


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    """The app under uvicorn on a free port (a real HTTP/1.1 server: chunked bodies)."""
    import tempfile

    db = Path(tempfile.mkdtemp(prefix="detente-sec-")) / "web.db"
    app = create_app(Settings(db_path=db, max_request_bytes=10_000,
                              allowed_hosts=LOOPBACK_HOSTS))
    with threaded_server(app) as port:
        yield f"127.0.0.1:{port}"


def _raw(address: str, request: bytes) -> bytes:
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        out = b""
        while b"\r\n\r\n" not in out or not out.endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    return out


@pytest.mark.parametrize("path", ["/api/models", "/models/import"])
def test_chunked_body_over_the_limit_gets_413(live: str, path: str) -> None:
    chunk = b"x" * 4000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    out = _raw(live, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: " + live.encode()
               + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n" + body)
    status = out.split(b"\r\n", 1)[0]
    assert status == b"HTTP/1.1 413 Request Entity Too Large", out[:300]
    assert b"at most 10,000 bytes" in out
    assert httpx.get(f"http://{live}/api/models").json() == []


# ----- Swagger UI from this server ---------------------------------------------------------
def test_api_docs_load_nothing_from_elsewhere(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.get("/api/docs")
        assert r.status_code == 200 and "swagger-ui" in r.text
        urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert urls and all(u.startswith("/static/") for u in urls), urls
        assert "<script>" not in r.text  # no inline script (the CSP forbids it)
        for url in urls:
            asset = c.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
        init = c.get("/static/swagger-init.js").text
        assert "/api/openapi.json" in init and "validatorUrl: null" in init
        assert "Apache License" in c.get("/static/swagger-ui.LICENSE.txt").text


# ----- --host on another loopback address ----------------------------------------------
def test_a_loopback_host_given_is_an_allowed_host_name() -> None:
    assert allowed_hosts_for("127.0.0.2") == (*LOOPBACK_HOSTS, "127.0.0.2")
    assert allowed_hosts_for("127.0.0.1") == LOOPBACK_HOSTS
    assert allowed_hosts_for("[::1]") == LOOPBACK_HOSTS
    assert allowed_hosts_for("LocalHost") == LOOPBACK_HOSTS
    assert allowed_hosts_for("0.0.0.0") is None  # needs a token; any host name


def test_an_unexpected_error_answers_500_with_the_security_headers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server-error handler runs outside every middleware: it adds the headers itself and
    never shows the exception."""
    import warnings

    from detente.surfaces.web.workbench import Workbench

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Workbench, "version", broken)
    app = create_app(Settings(db_path=tmp_path / "web.db"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        answer = c.get("/api/models/1")
    assert answer.status_code == 500
    assert "secret internals" not in answer.text
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
