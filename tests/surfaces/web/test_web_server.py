"""The workbench as a real server process: kill -9 during saves, restart, a short load;
SIGTERM during a long request; --host on another loopback address."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from detente.surfaces.web.config import CLOSE_GRACE_S, SHUTDOWN_GRACE_S
from doc_scripts import load_script
from web_helpers import FLAGSHIP, PD, server


def _writer(base: str, k: int, acked: dict[int, str], stop: threading.Event) -> None:
    """Save new versions in a loop; remember every save the server acknowledged."""
    with httpx.Client(base_url=base, timeout=10) as http:
        n = 0
        while not stop.is_set():
            try:
                latest = http.get("/api/models/1").json()["version"]
                text = f"# writer {k} save {n}\n" + PD
                r = http.put("/api/models/1", json={"yaml": text, "version": latest})
            except (httpx.HTTPError, ValueError):
                return  # the server is gone
            if r.status_code == 200:
                acked[r.json()["version"]] = text
            else:
                assert r.status_code == 409, r.text
            n += 1


@pytest.mark.slow
def test_kill_9_during_saves_loses_no_committed_version(tmp_path: Path) -> None:
    db = tmp_path / "web.db"
    acked: dict[int, str] = {}
    with server(db) as (base, proc):
        assert httpx.post(base + "/api/models", json={"yaml": PD}).status_code == 201
        acked[1] = PD
        # a job that finishes before the kill, and one still queued or running at the kill
        quick = httpx.post(base + "/api/models/1/jobs", json={"kind": "analysis"}).json()["id"]
        finished = _wait_job(base, quick)
        assert finished["state"] == "done"
        flagship = httpx.post(base + "/api/models", json={"yaml": FLAGSHIP}, timeout=60).json()
        stop = threading.Event()
        writers = [threading.Thread(target=_writer, args=(base, k, acked, stop))
                   for k in range(4)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 20
        while len(acked) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        slow = httpx.post(base + f"/api/models/{flagship['id']}/jobs",  # seconds of work
                          json={"kind": "report"}).json()["id"]
        os.kill(proc.pid, signal.SIGKILL)  # mid-flight: writers are still saving
        proc.wait(10)
        stop.set()
        for w in writers:
            w.join(15)
    assert len(acked) >= 20
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute("SELECT version, yaml FROM versions WHERE model_id = 1"))
        latest = conn.execute("SELECT version FROM models WHERE id = 1").fetchone()[0]
    for version, text in acked.items():  # every acknowledged save is there, unchanged
        assert stored[version] == text
    assert sorted(stored) == list(range(1, latest + 1))  # no gap, nothing half-written
    # the server starts again on the same file and goes on from there; and (to start one
    # server less) it holds a short loopback load on the flagship analysis without errors:
    # a much shorter version of benchmarks/bench_web_load.py (50 clients for 20 s there)
    with server(db) as (base, _proc):
        # the finished job's result outlives the server; the unfinished one is interrupted
        assert httpx.get(base + f"/api/jobs/{quick}").json() == finished
        cut = httpx.get(base + f"/api/jobs/{slow}").json()
        assert cut["state"] == "failed" and cut["error"]["type"] == "Interrupted", cut
        r = httpx.put(base + "/api/models/1", json={"yaml": PD, "version": latest})
        assert r.status_code == 200 and r.json()["version"] == latest + 1
        r = httpx.post(base + "/api/models", json={"yaml": FLAGSHIP}, timeout=60)
        assert r.status_code == 201
        out = _bench_module().run_load(base, clients=8, seconds=2.0,
                                       path=f"/api/models/{r.json()['id']}/analysis")
    assert out["errors"] == 0 and out["requests"] >= 8


def _wait_job(base: str, job_id: str, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, object] = httpx.get(f"{base}/api/jobs/{job_id}", timeout=10).json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def _bench_module():  # type: ignore[no-untyped-def]
    return load_script("benchmarks/bench_web_load.py")


@pytest.mark.slow
def test_another_loopback_address_then_sigterm_during_a_long_request(tmp_path: Path) -> None:
    """Two fixes on one server process (a start costs seconds). Was: `--host 127.0.0.2`
    started without a token, then refused every request (not a loopback host name); now the
    address given is a host name it answers to. Was: SIGTERM waited for every request in
    flight, so a client stalling mid-body (or a long analysis) kept the server up for good;
    now it stops within the grace periods."""
    db = tmp_path / "web.db"
    with server(db, host="127.0.0.2") as (base, proc):
        assert httpx.get(base + "/api/models").status_code == 200
        assert httpx.post(base + "/api/models", json={"yaml": PD}).status_code == 201
        host, port = base.removeprefix("http://").split(":")
        assert httpx.get(base + "/api/models",  # DNS rebinding is still refused
                         headers={"host": f"evil.example:{port}"}).status_code == 403
        flagship = httpx.post(base + "/api/models", json={"yaml": FLAGSHIP}, timeout=60).json()
        httpx.post(base + f"/api/models/{flagship['id']}/jobs",  # seconds of work, running
                   json={"kind": "report"})
        with socket.create_connection((host, int(port)), timeout=10) as stalled:
            # a request whose body never finishes: in flight until the server gives up on it
            stalled.sendall(b"POST /api/validate HTTP/1.1\r\nHost: " + f"{host}:{port}".encode()
                            + b"\r\nContent-Type: application/json\r\n"
                            b"Content-Length: 1000\r\n\r\n{\"yaml\": \"")
            time.sleep(0.3)
            start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                raise AssertionError("the server did not stop on SIGTERM") from None
            took = time.monotonic() - start
    # 2 s for the stalled request, 1 s for the job, and some slack for a busy machine
    assert took < SHUTDOWN_GRACE_S + CLOSE_GRACE_S + 2, f"SIGTERM took {took:.1f} s"
    with sqlite3.connect(db) as conn:  # what was saved is intact
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 2
