"""Strength of preference: time of strong GMR/SMR/SEQ against the classic concepts.

The conflict is bench_engine.py's (4 DMs, 6 prioritised statements each, one infeasibility
pattern) with each DM's first two statements marked strong. Each concept runs on a fresh
engine (layouts built before the clock starts); medians of --repeat runs, in seconds.

    python benchmarks/bench_strength.py                  # 12 16 20 options
    python benchmarks/bench_strength.py --sizes 12 --repeat 3
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

PAIRS = [("gmr", "strong_gmr"), ("smr", "strong_smr"), ("seq", "strong_seq")]


def with_strength(c):  # type: ignore[no-untyped-def]
    """Each DM's first two statements marked strong."""
    from detente.model import StatementPreference

    prefs = {}
    for dm in c.dms:
        sts = dm.preference.statements
        prefs[dm.name] = StatementPreference(
            tuple(replace(s, strong=k < 2) for k, s in enumerate(sts)))
    return c.with_preferences(prefs)


def timed(c, key: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    from detente.engine import Engine

    times = []
    for _ in range(repeat):
        engine = Engine(c)
        _ = engine.layouts
        start = time.perf_counter()
        engine.stable(key)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 16, 20])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| options | states | " + " | ".join(f"{a} s | {b} s" for a, b in PAIRS) + " |")
    print("|---" * (2 + 2 * len(PAIRS)) + "|")
    for n in args.sizes:
        c = with_strength(build(n))
        cells = [f"{timed(c, k, args.repeat):.3f}" for pair in PAIRS for k in pair]
        print(f"| {n} | {c.n_states:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
