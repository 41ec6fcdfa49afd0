"""Limited-move benchmark: median seconds of L_h (``limited_move_stable``) by DMs, options, horizon.

The models are bench_engine.py's random ones (statements over all options, one infeasibility
pattern), with the options shared out among 2, 3 or 4 decision makers. The layouts are built
before the clock starts, so a row is the anticipation alone.

    python benchmarks/bench_limited.py                       # the default grid below
    python benchmarks/bench_limited.py --dms 2 --sizes 12 16 --horizons 2 8 --repeat 7
    git show HEAD~1:src/detente/engine/limited.py > /tmp/old_limited.py
    python benchmarks/bench_limited.py --dms 2 --against /tmp/old_limited.py

``--against FILE`` times another version of ``engine/limited.py`` too, interleaved with this one
on the same layouts (runs alternate, so load on the machine hits both alike), and checks that
both give the same stability.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build


def _module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("limited_against", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(n_options: int, n_dms: int, horizon: int, repeat: int,
        versions: list[ModuleType]) -> tuple[int, list[float]]:
    import numpy as np

    from detente.engine import Engine

    c = build(n_options, n_dms)
    engine = Engine(c)
    layouts, utilities = engine.layouts, engine.utilities
    times: list[list[float]] = [[] for _ in versions]
    results = []
    for r in range(repeat):
        order = list(range(len(versions)))
        if r % 2:
            order.reverse()
        for k in order:
            t = time.perf_counter()
            out = versions[k].limited_move_stable(layouts, utilities, horizon)
            times[k].append(time.perf_counter() - t)
            if r == 0:
                results.append(out)
    if not all(np.array_equal(results[0], x) for x in results[1:]):
        raise SystemExit(f"{n_dms} DMs, {n_options} options, L{horizon}: the versions differ")
    return c.n_states, [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dms", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 16])
    ap.add_argument("--horizons", type=int, nargs="+", default=[2, 8, 1000])
    ap.add_argument("--repeat", type=int, default=5, help="runs per row (median reported)")
    ap.add_argument("--against", help="another engine/limited.py to time alongside this one")
    args = ap.parse_args()
    from detente.engine import limited
    from detente.model.errors import DetenteError

    versions = [limited] + ([_module(args.against)] if args.against else [])
    cols = ["median s"] + (["--against median s"] if args.against else [])
    print("| DMs | options | states | horizon | " + " | ".join(cols) + " |")
    print("|---|---|---|---|" + "---|" * len(cols))
    for n_dms in args.dms:
        for n in args.sizes:
            for h in args.horizons:
                try:
                    states, secs = row(n, n_dms, h, args.repeat, versions)
                except DetenteError as exc:  # a refusal is a row too
                    print(f"| {n_dms} | {n} | — | {h} | refused: {str(exc)[:90]} |")
                    continue
                print(f"| {n_dms} | {n} | {states:,} | {h} | "
                      + " | ".join(f"{s:.4f}" for s in secs) + " |")


if __name__ == "__main__":
    main()
