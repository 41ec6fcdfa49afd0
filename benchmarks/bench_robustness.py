"""Robustness benchmark: sampled preference profiles, all six concepts, time and peak memory.

Two cases, each in a fresh subprocess (so peak RSS is the case's own):

* ``flagship``: the pre-rework flagship, tests/data/ceasefire_2024_coarse.yaml (1,280 states, 5 DMs) with 8 alternatives per DM
  (random reorderings of its statements, each 1/9 likely, the main one keeps 1/9), 10,000
  sampled profiles; target ≤ 30 s and ≤ 2 GiB on 2 cores.
* ``random16``: a random 16-option, 4-DM model (as benchmarks/bench_engine.py builds), 3
  alternatives per DM, 1,000 sampled profiles; target ≤ 60 s.

    python benchmarks/bench_robustness.py                       # both cases, once
    python benchmarks/bench_robustness.py --repeat 3            # medians of 3
    python benchmarks/bench_robustness.py --case flagship --samples 1000

Prints a Markdown table: wall seconds (median), CPU seconds, profiles per second, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = {"flagship": (8, 10_000, 30.0), "random16": (3, 1_000, 60.0)}


def with_alternatives(c: Any, k: int, seed: int) -> Any:
    """``c`` with ``k`` alternatives per DM: random reorderings of its statements."""
    from dataclasses import replace

    from detente.model.preferences import StatementPreference
    from detente.model.uncertainty import Reading

    rnd = random.Random(seed)
    dms = []
    for dm in c.dms:
        sts = list(dm.preference.statements)
        alts = []
        for a in range(k):
            order = sts[:]
            rnd.shuffle(order)
            alts.append(Reading(f"alt{a}", 1 / (k + 1), StatementPreference(tuple(order))))
        main = Reading("main", 1 / (k + 1), dm.preference)
        dms.append(replace(dm, readings=(main, *alts)))
    return replace(c, dms=tuple(dms))


def model(case: str) -> Any:
    import detente

    k = CASES[case][0]
    if case == "flagship":
        return with_alternatives(detente.load(ROOT / "tests/data/ceasefire_2024_coarse.yaml"), k, 1)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import build

    return with_alternatives(build(16), k, 1)


def run_one(case: str, samples: int, repeat: int) -> dict[str, Any]:
    from detente.analyses.robustness import robustness

    c = model(case)
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        t, p = time.perf_counter(), time.process_time()
        result = robustness(c, samples=samples, seed=0, exact=False)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - p)
    assert result is not None
    return {
        "case": case, "states": c.n_states, "dms": len(c.dms), "profiles": result.profiles,
        "samples": result.samples, "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--samples", type=int, help="override the case's sample count")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case = args.child
        print(json.dumps(run_one(case, args.samples or CASES[case][1], args.repeat)))
        return
    rows = []
    for case in args.case or list(CASES):
        cmd = [sys.executable, __file__, "--child", case, "--repeat", str(args.repeat)]
        if args.samples:
            cmd += ["--samples", str(args.samples)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print("| case | states | DMs | profile space | sampled | wall s (median) | CPU s | "
          "profiles/s | peak RSS GiB | target |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        target = CASES[r["case"]][2]
        scale = CASES[r["case"]][1] / r["samples"]
        print(f"| {r['case']} | {r['states']:,} | {r['dms']} | {r['profiles']:,} | "
              f"{r['samples']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
              f"{r['samples'] / r['wall_s']:.0f} | {r['peak_bytes'] / 2**30:.2f} | "
              f"≤ {target:.0f} s for {CASES[r['case']][1]:,}"
              + (f" (×{scale:.0f} samples)" if scale != 1 else "") + " |")


if __name__ == "__main__":
    main()
