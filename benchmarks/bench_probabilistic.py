"""Probabilistic-stability benchmark: median seconds of each concept (Rêgo & dos Santos 2015)
on a model with declared uncertainty, the pairwise probabilities built first and timed apart.

Each timed run starts from empty tables (move matrices and the others' reach rebuilt), so a
row is what ``detente analyze -c KEY`` spends on one concept asked alone.

    python benchmarks/bench_probabilistic.py                                  # coarse flagship
    python benchmarks/bench_probabilistic.py examples/black_sea_grain_2022.yaml --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import detente
from detente.engine import probabilistic
from detente.engine.probabilistic import all_probabilities, probabilistic_stable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"
KEYS = ("nash@0.5", "gmr@0.5", "smr@0.5", "seq@0.5", "gmr@0.8/0.3", "seq@0.8/0.3/0.2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keys", nargs="*", default=list(KEYS))
    args = parser.parse_args()
    c = detente.load(args.model)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        probs, exact = all_probabilities(c)
        times.append(time.perf_counter() - t)
    print(f"{c.name}: {c.n_states:,} states, {len(c.dms)} DMs, probabilities "
          f"{'exact' if exact else 'estimated'}")
    print(f"{'pairwise probabilities':>24}: {statistics.median(times):.3f} s")
    for key in args.keys:
        times = []
        for _ in range(args.repeat):
            probabilistic._TABLES.clear()
            t = time.perf_counter()
            st = probabilistic_stable(c, key, probs)
            times.append(time.perf_counter() - t)
        print(f"{key:>24}: {statistics.median(times):.3f} s, "
              f"{int(st.all(axis=0).sum())} equilibria")


if __name__ == "__main__":
    main()
