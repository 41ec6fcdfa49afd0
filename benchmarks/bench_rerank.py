"""Re-ranking benchmark: analysing one model under many preference profiles.

Three ways to get Nash, GMR and SEQ for P profiles (each profile: new statement preferences for
every DM) of the engine benchmark's random model:

* rebuild: a new ``Conflict`` per profile (validation, feasible-state enumeration) and a new
  ``Engine`` (layouts rebuilt);
* with_preferences: ``Conflict.with_preferences`` (only the preferences are validated and
  ranked) and ``Engine.with_preferences`` (layouts shared);
* with_ranks: the ranks computed once per profile outside, ``Engine.with_ranks`` (layouts
  shared, no Conflict at all).

    python benchmarks/bench_rerank.py                       # 12 16 options, 20 profiles
    python benchmarks/bench_rerank.py --sizes 12 --profiles 50 --repeat 3

Times are medians over --repeat runs, per profile, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import build

CONCEPTS = ("nash", "gmr", "seq")


def profiles(conflict, count: int, seed: int = 7):  # type: ignore[no-untyped-def]
    from detente.model import Statement, StatementPreference, parse_statement

    rnd = random.Random(seed)
    names = list(conflict.option_names)
    out = []
    for _ in range(count):
        prefs = {}
        for dm in conflict.dm_names:
            sts = []
            for _ in range(6):
                text = ("" if rnd.random() < 0.5 else "not ") + rnd.choice(names)
                sts.append(Statement(text, parse_statement(text)))
            prefs[dm] = StatementPreference(tuple(sts))
        out.append(prefs)
    return out


def run(n_options: int, count: int, repeat: int) -> dict[str, float]:
    from dataclasses import replace

    from detente.engine import Engine
    from detente.model import Conflict

    base = build(n_options)
    profs = profiles(base, count)
    engine = Engine(base)
    _ = engine.layouts

    def rebuild() -> None:
        for p in profs:
            dms = tuple(replace(d, preference=p[d.name]) for d in base.dms)
            c = Conflict(base.name, base.options, dms, base.constraints)
            e = Engine(c)
            for k in CONCEPTS:
                e.stable(k)

    def with_preferences() -> None:
        for p in profs:
            e = engine.with_preferences(base.with_preferences(p))
            for k in CONCEPTS:
                e.stable(k)

    ranks = [base.with_preferences(p).ranks for p in profs]

    def with_ranks() -> None:
        for r in ranks:
            e = engine.with_ranks(r)
            for k in CONCEPTS:
                e.stable(k)

    out: dict[str, float] = {"states": float(base.n_states)}
    for name, fn in (("rebuild", rebuild), ("with_preferences", with_preferences),
                     ("with_ranks", with_ranks)):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times) / count * 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 16])
    ap.add_argument("--profiles", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("| options | states | rebuild ms/profile | with_preferences | with_ranks | "
          "rebuild / with_preferences |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        r = run(n, args.profiles, args.repeat)
        print(f"| {n} | {int(r['states'])} | {r['rebuild']:.1f} | {r['with_preferences']:.1f} "
              f"| {r['with_ranks']:.1f} | {r['rebuild'] / r['with_preferences']:.2f} |")


if __name__ == "__main__":
    main()
