"""Shared helpers of the web workbench tests: an in-process app, and a real server process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

with warnings.catch_warnings():  # starlette's TestClient deprecates httpx in favour of httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from detente.surfaces.web import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = (ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml").read_text(encoding="utf-8")
PD = (ROOT / "examples" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")


@contextmanager
def client(tmp: Path, **settings: object) -> Iterator[TestClient]:
    """A TestClient over a fresh app with its database in ``tmp``."""
    app = create_app(Settings(db_path=tmp / "web.db", **settings))  # type: ignore[arg-type]
    with TestClient(app) as c:
        yield c


def _chromium() -> str | None:
    for candidate in (os.environ.get("DETENTE_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


#: Debian's Chromium for the browser tests (DETENTE_CHROMIUM overrides), or None.
CHROMIUM = _chromium()


@contextmanager
def threaded_server(app: object) -> Iterator[int]:
    """An ASGI ``app`` under uvicorn in a thread on a free loopback port; yields the port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(db: Path, *extra: str, host: str = "127.0.0.1",
           ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``detente serve`` in a subprocess on a free port of the loopback address ``host``;
    yields (base URL, process). The process is killed at the end if still running."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente.surfaces.cli", "serve", "--host", host,
         "--port", str(port), "--db", str(db), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ},
    )
    base = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/api/openapi.json", timeout=1).status_code in (200, 401,
                                                                                   403):
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"server did not start: {err}")
            time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def open_page(c: TestClient, path: str, timeout: float = 120) -> str:
    """GET a model page; when it shows an analysis in progress, wait for that job (as the
    page's own polling would) and GET it again."""
    text = c.get(path).text
    if 'data-job="' in text:
        job_id = text.split('data-job="')[1].split('"')[0]
        assert c.app.state.bench.jobs.wait(job_id, timeout).state == "done"  # type: ignore[attr-defined]
        text = c.get(path).text
    return text
