"""The output path alone: JSON / Parquet / CSV writing time and added memory for a stability
result of a given size, without running the analysis (which dominates end to end; see
bench_output.py). The result holds random stability masks (each state stable for each DM with
probability --density) for three concepts over bench_engine's 4-DM model, so the output is as
large as a real one.

    python benchmarks/bench_output_only.py --sizes 20 24

Each size runs in a fresh process; "added RSS" is the peak resident memory after writing minus
before. The development machine is shared: expect noise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_one(n: int, density: float) -> dict[str, object]:
    import numpy as np

    sys.path.insert(0, str(HERE))
    from bench_engine import build

    from detente.analyses.stability import StabilityResult
    from detente.surfaces.outputs.state_table import iter_json, write_table

    c = build(n)
    rng = np.random.default_rng(1)
    stable = {k: rng.random((len(c.dms), c.n_states)) < density for k in ("nash", "gmr", "seq")}
    result = StabilityResult(c, stable)
    out: dict[str, object] = {"options": n, "states": c.n_states}
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("json", "parquet", "csv"):
            before = peak_gib()
            path = Path(tmp) / f"out.{label}"
            t = time.perf_counter()
            if label == "json":
                with open(path, "w", encoding="utf-8") as fh:
                    for chunk in iter_json(result):
                        fh.write(chunk)
            else:
                write_table(result, c, path, label)
            out[label] = (time.perf_counter() - t, peak_gib() - before,
                          os.path.getsize(path) / 2**20)
            path.unlink()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[16, 20, 24])
    ap.add_argument("--density", type=float, default=0.5)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.density)))
        return
    print("| options | states | output | write s | added RSS | file |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        res = subprocess.run([sys.executable, __file__, "--one", str(n), "--density",
                              str(args.density)], capture_output=True, text=True, check=True)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        for label in ("json", "parquet", "csv"):
            secs, added, size = r[label]
            print(f"| {n} | {r['states']:,} | {label} | {secs:.1f} | {added:.2f} GiB | "
                  f"{size:,.0f} MiB |")


if __name__ == "__main__":
    main()
