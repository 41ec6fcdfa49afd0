"""Loopback load test of the web workbench: many clients asking for the flagship analysis.

Starts `detente serve` in a subprocess on a free 127.0.0.1 port with a fresh database,
stores the flagship model, then runs CLIENTS concurrent clients, each asking
`GET /api/models/1/analysis` in a loop for SECONDS seconds (bounded: it stops by itself,
and talks to loopback only). Prints a table: requests, errors, throughput, latency
percentiles. Every answer is checked to be 200 with the same bytes as the first one.

    python benchmarks/bench_web_load.py                        # 50 clients, 20 s
    python benchmarks/bench_web_load.py --clients 10 --seconds 5
    python benchmarks/bench_web_load.py --no-cache             # recompute every request

`--no-cache` starts the server with DETENTE_WEB_CACHE=0, so each request runs the whole
stability analysis (all six concepts) instead of answering from the result cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Path, env: dict[str, str] | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente.surfaces.cli", "serve", "--port", str(port),
         "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/openapi.json", timeout=1)
            return base, proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


async def _client(http: httpx.AsyncClient, url: str, until: float, expected: Any,
                  latencies: list[float], errors: list[str]) -> None:
    while time.monotonic() < until:
        t0 = time.perf_counter()
        try:
            r = await http.get(url)
            ok = r.status_code == 200 and r.content == expected
            if not ok:
                errors.append(f"{r.status_code}")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append(time.perf_counter() - t0)


async def _load(url: str, clients: int, seconds: float) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        expected = (await http.get(url)).content
        latencies: list[float] = []
        errors: list[str] = []
        t0 = time.monotonic()
        until = t0 + seconds
        await asyncio.gather(*(_client(http, url, until, expected, latencies, errors)
                               for _ in range(clients)))
        wall = time.monotonic() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return {"clients": clients, "seconds": round(wall, 1), "requests": len(lat),
            "errors": len(errors), "per_s": len(lat) / wall if wall else 0.0,
            "median_ms": statistics.median(lat) * 1000 if lat else float("nan"),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": lat[-1] * 1000 if lat else 0}


def run_load(base: str, clients: int, seconds: float, path: str = "/api/models/1/analysis",
             ) -> dict[str, Any]:
    """Run the bounded load against a running server; returns the figures."""
    return asyncio.run(_load(base + path, clients, seconds))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--no-cache", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 300:
        ap.error("keep it bounded: 1-500 clients, at most 300 s")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DETENTE_WEB_CACHE": "0"} if args.no_cache else {}
        base, proc = start_server(Path(tmp) / "bench.db", env)
        try:
            r = httpx.post(base + "/api/models", json={"yaml": FLAGSHIP.read_text()}, timeout=60)
            r.raise_for_status()
            out = run_load(base, args.clients, args.seconds)
        finally:
            proc.kill()
            proc.wait()
    cache = "off" if args.no_cache else "on"
    print("| clients | cache | seconds | requests | errors | req/s | median ms | p95 ms "
          "| p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {out['clients']} | {cache} | {out['seconds']} | {out['requests']} | "
          f"{out['errors']} | {out['per_s']:.1f} | {out['median_ms']:.0f} | "
          f"{out['p95_ms']:.0f} | {out['p99_ms']:.0f} | {out['max_ms']:.0f} |")
    if out["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
