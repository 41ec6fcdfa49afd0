"""Robustness benchmark: sampled preference profiles, all six concepts, time and peak memory.

Two cases, each in a fresh subprocess (so peak RSS is the case's own):

* ``flagship``: the pre-rework flagship, tests/data/ceasefire_2024_coarse.yaml (1,280 states,
  5 DMs) with 8 alternatives per DM (random reorderings of its statements, each 1/9 likely,
  the main one keeps 1/9), 10,000 sampled profiles; target ≤ 30 s and ≤ 2 GiB on 2 cores.
* ``random16``: a random 16-option, 4-DM model (as benchmarks/bench_engine.py builds), 3
  alternatives per DM, 1,000 sampled profiles; target ≤ 60 s.

    python benchmarks/bench_robustness.py                       # both cases, once
    python benchmarks/bench_robustness.py --repeat 3            # medians of 3
    python benchmarks/bench_robustness.py --case flagship --samples 1000
    python benchmarks/bench_robustness.py --part sim --repeat 5  # one per-profile pass alone

Prints a Markdown table: wall seconds (median), CPU seconds, profiles per second, peak RSS.

``--part`` times one pass of the engine's batch evaluation alone, in this process, after a
warm-up run (numba's compiling): ``sim``/``seq`` the compiled per-profile pass for SIM or SEQ
(``stable_batch``'s ``ProfileGraph``), ``reach`` the evolution from state 1
(``evolution_batch``; ``--method stacked`` forces the stacked engine's path). The model is
bench_engine's random ``--options``-option model with 3 alternatives per DM, and
``--samples`` (default 100) sampled profiles, deduplicated.
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


def run_part(part: str, options: int, samples: int, repeat: int, method: str
             ) -> dict[str, Any]:
    """Median wall seconds of one batch pass (``--part``) over sampled profiles."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import numpy as np
    from bench_engine import build

    from detente.analyses.robustness.profiles import sample_profiles
    from detente.engine.batch import (
        DEFAULT_MAX_BYTES,
        ProfileGraph,
        base_layouts,
        distinct_rows,
        evolution_batch,
    )

    c = with_alternatives(build(options), 3, 1)
    prof = sample_profiles(c, samples, 0)
    variants = [v.ranks(c) for v in prof.variants]
    ranks = np.stack([variants[j][prof.ids[:, j]] for j in range(len(c.dms))], axis=1)
    ranks = ranks[distinct_rows(ranks.reshape(ranks.shape[0], -1))[0]]
    layouts = base_layouts(c)
    graph = ProfileGraph.build(c, layouts, DEFAULT_MAX_BYTES)
    assert graph is not None

    def once() -> None:
        if part == "reach":
            evolution_batch(c, ranks, 0, layouts=layouts, method=method,  # type: ignore[arg-type]
                            graph=graph if method != "stacked" else None)
        else:
            graph.stable(ranks, part == "seq", part == "sim")

    once()  # compiles on a machine's first run
    walls, cpus = [], []
    for _ in range(repeat):
        t, p = time.perf_counter(), time.process_time()
        once()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - p)
    return {"part": part, "options": options, "states": c.n_states, "profiles": len(ranks),
            "method": method, "wall_s": statistics.median(walls),
            "cpu_s": statistics.median(cpus), "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--samples", type=int, help="override the case's sample count")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--part", choices=("sim", "seq", "reach"),
                        help="time one per-profile pass alone (see above)")
    parser.add_argument("--options", type=int, default=12, help="--part's model size")
    parser.add_argument("--method", choices=("compiled", "stacked"), default="compiled",
                        help="--part reach: which path of evolution_batch")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        r = run_part(args.part, args.options, args.samples or 100, args.repeat, args.method)
        print("| part | options | states | profiles | method | wall s (median) | CPU s (median) "
              "| runs |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {r['part']} | {r['options']} | {r['states']:,} | {r['profiles']:,} | "
              f"{r['method']} | {r['wall_s']:.3f} | {r['cpu_s']:.3f} | {r['repeat']} |")
        return
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
