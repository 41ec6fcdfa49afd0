"""What-if benchmark: the server side of ``POST /api/models/{id}/whatif`` on a flagship (by
default the pre-rework one, tests/data/ceasefire_2024_coarse.yaml), each scenario new to the
answer cache (the version's engine cached, as on a running server), through the API
in-process (TestClient).

    python benchmarks/bench_whatif.py              # 5 runs per scenario
    python benchmarks/bench_whatif.py --repeat 3
    python benchmarks/bench_whatif.py --model examples/ceasefire_2024.yaml   # the reworked one

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


def scenarios(model: Path) -> list[tuple[str, dict[str, object]]]:
    """The timed scenarios. "Israel's other order" reverses the first group in unknown order
    of Israel's main reading (on the coarse flagship: release_hostages, isr_new_demands). A
    setting the model's rules refuse with the offensive on (the reworked flagship: no US
    guarantee during an offensive) is timed with ``offensive: N`` added, and says so."""
    import detente
    from detente.analyses.whatif import apply_scenario
    from detente.model.errors import ArgumentError
    from detente.model.uncertainty import readings_of

    conflict = detente.load(model)
    israel = next(dm for dm in conflict.dms if dm.name == "Israel")
    main = readings_of(israel.preference, israel.readings)[0]
    first, size = main.groups[0]
    order = [s.text for s in reversed(main.statements[first : first + size])]
    out: list[tuple[str, dict[str, object]]] = []
    for name, sc in FIXED:
        scenario = sc if sc is not None else {"orders": {"Israel": [order]}}
        settings = scenario.get("settings")
        if isinstance(settings, dict):
            try:
                apply_scenario(conflict, scenario)
            except ArgumentError:
                name, scenario = (
                    f"{name}, offensive N",
                    {"settings": {**settings, "offensive": "N"}},
                )
        out.append((name, scenario))
    return out


FIXED: list[tuple[str, dict[str, object] | None]] = [
    ("Hamas hardline", {"alternatives": {"Hamas": "hardline"}}),
    ("Iran deterred", {"alternatives": {"Iran": "deterred"}}),
    ("Israel's other order", None),
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
    parser.add_argument(
        "--model",
        type=Path,
        default=ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml",
        help="the model file (default: the pre-rework flagship)",
    )
    args = parser.parse_args()
    text = args.model.read_text(encoding="utf-8")
    timed = scenarios(args.model)
    with (
        tempfile.TemporaryDirectory() as tmp,
        TestClient(create_app(Settings(db_path=Path(tmp) / "bench.db"))) as c,
    ):
        c.post("/api/models", json={"yaml": text})
        start = time.perf_counter()
        assert c.post("/api/models/1/whatif", json={}).status_code == 200
        first = time.perf_counter() - start
        version = 1
        times: dict[str, list[float]] = {name: [] for name, _ in timed}
        for k in range(args.repeat):
            # a new version (a comment added): its answers are not cached; its engine is
            # built by one request
            new = {"yaml": f"{text}\n# run {k}\n", "version": version}
            version = c.put("/api/models/1", json=new).json()["version"]
            assert c.post("/api/models/1/whatif", json={"alternatives": {}}).status_code == 200
            for name, scenario in timed:
                if not scenario:
                    continue  # the empty scenario's answer was just cached by the warm-up
                start = time.perf_counter()
                r = c.post("/api/models/1/whatif", json=scenario)
                times[name].append(time.perf_counter() - start)
                assert r.status_code == 200, r.text
        rows = [(name, statistics.median(t)) for name, t in times.items() if t]
    print(f"{args.model.name} what-if, server side, median of {args.repeat} (seconds)")
    print(f"{'scenario':<38} {'request':>8}")
    print(f"{'first request (cold)':<38} {first:>8.3f}")
    for name, t in rows:
        print(f"{name:<38} {t:>8.3f}")


if __name__ == "__main__":
    main()
