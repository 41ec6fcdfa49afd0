"""Engine benchmark: time per solution concept and peak memory, by number of options.

Each size runs in a fresh subprocess (so peak RSS is that size's own). The conflict is
random but realistic: 4 decision makers with 1/4 of the options each, 6 prioritised
statements per DM (literals and conjunctions over all options), and one 3-option
infeasibility pattern (removing 1/8 of the states).

    python benchmarks/bench_engine.py                 # 8 12 16 20 24 options
    python benchmarks/bench_engine.py --sizes 8 12 --concepts nash gmr --repeat 3

"total s" is the sum over the concepts measured in that row; "—" marks a concept skipped at
that size (SIM above --sim-max-options).
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

CONCEPTS = ["nash", "gmr", "smr", "seq", "sim", "seq_sim"]


def build(n_options: int, n_dms: int = 4, seed: int = 1):  # type: ignore[no-untyped-def]
    from detente.model import (
        Conflict,
        DecisionMaker,
        InfeasiblePattern,
        Option,
        Statement,
        StatementPreference,
        parse_statement,
    )

    rnd = random.Random(seed)
    names = [f"o{k}" for k in range(n_options)]
    owner = [k * n_dms // n_options for k in range(n_options)]
    options = tuple(Option(n, f"D{owner[k]}") for k, n in enumerate(names))
    dms = []
    for i in range(n_dms):
        statements = []
        for _ in range(6):
            lits = [("" if rnd.random() < 0.5 else "not ") + rnd.choice(names)
                    for _ in range(rnd.choice([1, 1, 2]))]
            text = " and ".join(lits)
            statements.append(Statement(text, parse_statement(text)))
        dms.append(DecisionMaker(f"D{i}", tuple(n for k, n in enumerate(names) if owner[k] == i),
                                 StatementPreference(tuple(statements))))
    picked = rnd.sample(names, 3)
    cons = (InfeasiblePattern(tuple((n, True) for n in picked), "benchmark"),)
    return Conflict(f"bench{n_options}", options, tuple(dms), cons)


def run_one(n_options: int, concepts: list[str], repeat: int) -> dict[str, object]:
    from detente.engine import Engine

    t0 = time.perf_counter()
    c = build(n_options)
    build_s = time.perf_counter() - t0
    times: dict[str, list[float]] = {k: [] for k in concepts}
    for _ in range(repeat):
        engine = Engine(c)
        _ = engine.layouts
        for k in concepts:
            t = time.perf_counter()
            engine.stable(k)  # every DM, as detente.analyze does
            times[k].append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "options": n_options, "states": c.n_states, "build_s": build_s,
        "median_s": {k: statistics.median(v) for k, v in times.items()},
        "peak_bytes": peak,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 12, 16, 20, 24])
    ap.add_argument("--concepts", nargs="+", default=CONCEPTS)
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (median reported)")
    ap.add_argument("--sim-max-options", type=int, default=24,
                    help="skip SIM and SEQ&SIM above this many options (its cost is not linear)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.concepts, args.repeat)))
        return
    rows = []
    for n in args.sizes:
        concepts = [k for k in args.concepts
                    if n <= args.sim_max_options or k not in ("sim", "seq_sim")]
        cmd = [sys.executable, __file__, "--one", str(n), "--repeat", str(args.repeat),
               "--concepts", *concepts]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"{n} options: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  done {n} options", file=sys.stderr)
    header = ["options", "states", "model s"] + [f"{k} s" for k in args.concepts] + [
        "total s", "peak RSS"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        med = r["median_s"]
        total = sum(med.values())
        cells = [str(r["options"]), f"{r['states']:,}", f"{r['build_s']:.2f}"]
        cells += [f"{med[k]:.2f}" if k in med else "—" for k in args.concepts]
        cells += [f"{total:.2f}", f"{r['peak_bytes'] / 2**30:.2f} GiB"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
