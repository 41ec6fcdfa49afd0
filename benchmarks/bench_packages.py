"""Packages benchmark: the Pareto skyline over rank vectors, and the whole packages analysis.

    python benchmarks/bench_packages.py                  # 2**16 and 2**20 states, 3 runs
    python benchmarks/bench_packages.py --sizes 16 --repeat 5
    python benchmarks/bench_packages.py --example        # the worked example of docs/packages.md

Rows "skyline": :func:`detente.engine.pareto.skyline` over 2**k random rank vectors of 5
decision makers (each a random permutation: every rank distinct, the hardest case for the
sort-filter pass). Rows "packages": :func:`detente.packages` (Nash and GMR) on a random
2**k-state model of 5 decision makers with 6 prioritised statements each (the conflict of
benchmarks/bench_engine.py), against the state with the smallest sum of ranks, so that most
states are acceptable. Prints medians in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
EXAMPLE = ROOT / "tests" / "data" / "trade_packages.yaml"


def median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def model(n_options: int):  # type: ignore[no-untyped-def]
    """bench_engine's random conflict with 5 DMs and no infeasible states."""
    from dataclasses import replace

    from bench_engine import build

    return replace(build(n_options, n_dms=5), constraints=())


def worst_state(m) -> str:  # type: ignore[no-untyped-def]
    """The state with the smallest sum of ranks over the DMs."""
    k = int(m.ranks.sum(axis=0).argmin())
    return str(m.space.text(int(m.feasible[k])))


def example() -> None:
    """The worked example's numbers (docs/packages.md)."""
    import detente
    from detente.analyses.drafts import drafts

    m = detente.load(EXAMPLE)
    data = detente.packages(m, ["nash", "gmr"], limit=0).to_dict()
    print(f"acceptable {data['acceptable']}, Pareto {data['pareto']}")
    print("| state | Pareto | Nash | GMR | gain A | gain B |")
    print("|---|---|---|---|---|---|")
    for p in data["packages"]:
        marks = [
            "frontier" if p["frontier"][c] else "holds" if p["stable"][c] else "–"
            for c in ("nash", "gmr")
        ]
        print(
            f"| {p['state']} | {'yes' if p['pareto'] else '–'} | {' | '.join(marks)} | "
            + " | ".join(f"{g:.2f}" for g in p["gains"].values())
            + " |"
        )
    for key in ("maximin", "nash_bargaining", "kalai_smorodinsky"):
        print(key, {c: v["state"] if v else None for c, v in data[key].items()})
    for d in drafts(m, ["nash", "gmr"]).drafts:
        for s in d.states:
            print(d.name, s.state, "vetoes", s.vetoes, "holds", s.holds, "nearest", s.nearest)


def main() -> None:
    import numpy as np

    import detente
    from detente.engine.pareto import skyline

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 20])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--example", action="store_true")
    args = parser.parse_args()
    if args.example:
        example()
        return
    rows = []
    rng = np.random.default_rng(1)
    for k in args.sizes:
        n = 1 << k
        pts = np.stack([rng.permutation(n) for _ in range(5)], axis=1).astype(np.int32)
        front = int(skyline(pts).sum())
        rows.append(
            (
                f"skyline, 2**{k} states, 5 DMs ({front:,} Pareto)",
                median(lambda pts=pts: skyline(pts), args.repeat),
            )
        )
        m = model(k)
        worst = worst_state(m)
        r = detente.packages(m, ["nash", "gmr"], against=worst)
        rows.append(
            (
                f"packages (nash, gmr), 2**{k} states, 5 DMs "
                f"({r.acceptable:,} acceptable, {int(r.pareto.sum()):,} Pareto)",
                median(
                    lambda m=m, worst=worst: detente.packages(m, ["nash", "gmr"], against=worst),
                    args.repeat,
                ),
            )
        )
    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  median s")
    for name, sec in rows:
        print(f"{name:<{width}}  {sec:8.2f}")


if __name__ == "__main__":
    main()
