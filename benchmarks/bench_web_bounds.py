"""What the workbench's GET bounds do on the flagship (docs/web.md, "Bounded answers").

Runs in-process (FastAPI TestClient) on a fresh database and prints, for a few requests,
the status, the seconds taken, the bytes answered and the estimate of a refusal; then the
bytes the result cache holds against its budget.

    .venv/bin/python benchmarks/bench_web_bounds.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from web_helpers import FLAGSHIP, client  # noqa: E402

REQUESTS = [
    "/api/models/1/analysis",
    "/api/models/1/coalitions",
    "/api/models/1/coalitions?all=true",
    "/api/models/1/coalitions?all=true&limit=100",
    "/api/models/1/robustness",
    "/api/models/1/casefile",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, client(Path(tmp)) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        print("| request | status | seconds | bytes answered | estimate of a refusal |")
        print("|---|---|---|---|---|")
        for path in REQUESTS:
            start = time.perf_counter()
            r = c.get(path)
            took = time.perf_counter() - start
            estimate = r.json().get("estimate") if r.status_code == 413 else None
            if estimate:
                estimate = ", ".join(f"{k} {v:,}" for k, v in estimate.items())
            print(f"| `GET {path.removeprefix('/api/models/1')}` | {r.status_code} | "
                  f"{took:.1f} | {len(r.content):,} | {estimate or ''} |")
        cache = c.app.state.bench.cache  # type: ignore[attr-defined]
        print(f"\ncache: {len(cache)} entries, {cache.nbytes:,} bytes of a {cache.max_bytes:,} "
              "byte budget")


if __name__ == "__main__":
    main()
