"""Unknown-preference benchmark: median seconds of the concepts of Li, Hipel, Kilgour & Fang
(2004) (engine/unknown.py) by options and DMs, against the classic concept on the same model.

The models are bench_engine.py's random ones (six statements per DM over all options, one
infeasibility pattern) with each DM's second and fourth statements marked unknown. Each run
builds a fresh engine, so a row includes the dense move matrices (one per DM) and relations.

    python benchmarks/bench_unknown.py                       # the default grid below
    python benchmarks/bench_unknown.py --sizes 9 11 --dms 3 --concepts gmr_c seq_c --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build


def model(n_options: int, n_dms: int):  # type: ignore[no-untyped-def]
    from detente.model.conflict import Conflict
    from detente.model.unknown import UnknownPreference

    c = build(n_options, n_dms)
    dms = tuple(replace(dm, unknown=UnknownPreference((), (1, 3))) for dm in c.dms)
    return Conflict(c.name, c.options, dms, c.constraints)


def median_seconds(n_options: int, n_dms: int, key: str, repeat: int) -> tuple[int, float]:
    from detente.engine import Engine

    c = model(n_options, n_dms)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        Engine(c).stable(key)
        times.append(time.perf_counter() - t)
    return c.n_states, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[7, 9, 11], help="options")
    ap.add_argument("--dms", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--concepts", nargs="+", default=["gmr", "gmr_c", "smr_c", "seq_c"])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print("| options | states | DMs | " + " | ".join(args.concepts) + " |")
    print("|---|---|---|" + "---|" * len(args.concepts))
    for n in args.sizes:
        for d in args.dms:
            cells = []
            states = 0
            for key in args.concepts:
                states, sec = median_seconds(n, d, key, args.repeat)
                cells.append(f"{sec:.3f} s")
            print(f"| {n} | {states:,} | {d} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
