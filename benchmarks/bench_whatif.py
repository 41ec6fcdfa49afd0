"""What-if benchmark: the server side of ``POST /api/models/{id}/whatif`` on the flagship
(the pre-rework flagship, tests/data/ceasefire_2024_coarse.yaml), each scenario new to the answer cache (the version's engine
cached, as on a running server), through the API in-process (TestClient).

    python benchmarks/bench_whatif.py              # 5 runs per scenario
    python benchmarks/bench_whatif.py --repeat 3

Prints a table of medians in seconds: the scenario, and the time of one request. The first
request of a version (engine layouts built, JIT warm) is timed apart. docs/web.md quotes it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCENARIOS: list[tuple[str, dict[str, object]]] = [
    ("Hamas hardline", {"alternatives": {"Hamas": "hardline"}}),
    ("Iran deterred", {"alternatives": {"Iran": "deterred"}}),
    ("Israel's other order", {"orders": {"Israel": [["release_hostages", "isr_new_demands"]]}}),
    ("US guarantee in force", {"settings": {"us_guarantee": "Y"}}),
    (
        "all guarantors in force",
        {"settings": {"us_guarantee": "Y", "us_press_israel": "Y", "qe_press_hamas": "Y"}},
    ),
    ("US guarantee made fwd", {"commitments": {"us_guarantee": "fwd"}}),
]


def main() -> None:
    from fastapi.testclient import TestClient

    from detente.surfaces.web.app import create_app
    from detente.surfaces.web.config import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = (ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml").read_text(encoding="utf-8")
    with (
        tempfile.TemporaryDirectory() as tmp,
        TestClient(create_app(Settings(db_path=Path(tmp) / "bench.db"))) as c,
    ):
        c.post("/api/models", json={"yaml": text})
        start = time.perf_counter()
        assert c.post("/api/models/1/whatif", json={}).status_code == 200
        first = time.perf_counter() - start
        version = 1
        times: dict[str, list[float]] = {name: [] for name, _ in SCENARIOS}
        for k in range(args.repeat):
            # a new version (a comment added): its answers are not cached; its engine is
            # built by one request
            new = {"yaml": f"{text}\n# run {k}\n", "version": version}
            version = c.put("/api/models/1", json=new).json()["version"]
            assert c.post("/api/models/1/whatif", json={"alternatives": {}}).status_code == 200
            for name, scenario in SCENARIOS:
                if not scenario:
                    continue  # the empty scenario's answer was just cached by the warm-up
                start = time.perf_counter()
                r = c.post("/api/models/1/whatif", json=scenario)
                times[name].append(time.perf_counter() - start)
                assert r.status_code == 200, r.text
        rows = [(name, statistics.median(t)) for name, t in times.items() if t]
    print(f"flagship what-if, server side, median of {args.repeat} (seconds)")
    print(f"{'scenario':<26} {'request':>8}")
    print(f"{'first request (cold)':<26} {first:>8.3f}")
    for name, t in rows:
        print(f"{name:<26} {t:>8.3f}")


if __name__ == "__main__":
    main()
