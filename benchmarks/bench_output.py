"""Output benchmark: `detente analyze --format json|parquet` end to end, by number of options.

The model is bench_engine's random 4-DM conflict (a quarter of the options each, six
statements per DM, one infeasibility pattern removing 1/8 of the states), written as a YAML
file. Each run is a fresh `detente` process timed with /usr/bin/time (wall seconds and peak
resident memory). "analysis only" runs the same analysis in a process that writes nothing;
"old json" is the previous output path (`json.dumps(result.to_dict(), indent=2)`), for
comparison (skipped above 20 options: it needs minutes and gigabytes).

    python benchmarks/bench_output.py                       # 16 20 24 options, nash gmr seq
    python benchmarks/bench_output.py --sizes 20 --concepts nash gmr smr seq sim seq_sim

Medians of --repeat runs. The development machine is shared: expect noise, compare ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ANALYSIS_ONLY = """
import sys, detente
detente.analyze(detente.load(sys.argv[1]), sys.argv[2:])
"""
OLD_JSON = """
import json, sys, detente
r = detente.analyze(detente.load(sys.argv[1]), sys.argv[2:])
sys.stdout.write(json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\\n")
"""


def write_model(n: int, folder: Path) -> Path:
    sys.path.insert(0, str(HERE))
    from bench_engine import build

    from detente.formats.native import dumps

    path = folder / f"bench{n}.yaml"
    path.write_text(dumps(build(n)), encoding="utf-8")
    return path


def timed(cmd: list[str], stdout: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS GiB) of one process."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        res = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], stdout=out,
                             stderr=subprocess.PIPE, check=True)
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    wall, kib = res.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), int(kib) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[16, 20, 24])
    ap.add_argument("--concepts", nargs="+", default=["nash", "gmr", "seq"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old-max-options", type=int, default=20)
    args = ap.parse_args()
    flags = [x for k in args.concepts for x in ("-c", k)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            model = write_model(n, folder)
            runs = {
                "analysis only": ([str(BIN / "python"), "-c", ANALYSIS_ONLY, str(model),
                                   *args.concepts], None),
                "json (stdout)": ([str(BIN / "detente"), "analyze", str(model), "--format",
                                   "json", *flags], folder / "out.json"),
                "parquet": ([str(BIN / "detente"), "analyze", str(model), "--format", "parquet",
                             "-o", str(folder / "out.parquet"), *flags], None),
                "csv": ([str(BIN / "detente"), "analyze", str(model), "--format", "csv",
                         "-o", str(folder / "out.csv"), *flags], None),
            }
            if n <= args.old_max_options:
                runs["old json"] = ([str(BIN / "python"), "-c", OLD_JSON, str(model),
                                     *args.concepts], folder / "old.json")
            repeat = args.repeat if n < 24 else 1
            for label, (cmd, out) in runs.items():
                measured = [timed(cmd, out) for _ in range(repeat)]
                size = ""
                produced = out or (folder / ("out." + label) if label in ("parquet", "csv")
                                   else None)
                if produced and produced.exists():
                    size = f"{os.path.getsize(produced) / 2**20:,.0f} MiB"
                rows.append((n, label, statistics.median(m[0] for m in measured),
                             max(m[1] for m in measured), size))
                print(f"  {n} options, {label}: {rows[-1][2]:.1f} s", file=sys.stderr)
    print(f"Concepts: {', '.join(args.concepts)}; median of {args.repeat} (1 at 24 options)")
    print("| options | output | wall s | peak RSS | file |")
    print("|---|---|---|---|---|")
    for n, label, wall, peak, size in rows:
        print(f"| {n} | {label} | {wall:.1f} | {peak:.2f} GiB | {size} |")


if __name__ == "__main__":
    main()
