"""Fuzz benchmark: the long pass of the structure-aware mutation fuzzer (tests/fuzzing.py).

Every command on every mutated model (seeds: synthetic models with every section of the model
file, the bundled examples including the flagship, the .gmcr test files), each in a child
process under a time and a memory budget; a sample through the command line, in-process and as
real ``detente`` processes. Prints a table command × (runs, ok, detente errors, failures,
median ms, max ms, max MB) and each distinct failure with its reproduction; the failing inputs
are written to --out.

    python benchmarks/bench_fuzz.py --minutes 5 --seed 1 --out /tmp/fuzz
    python benchmarks/bench_fuzz.py --cases 200 --start 200 --no-large   # the next 200 cases
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # from tests/, put on the path above


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--cases", type=int, default=100_000, help="most cases (default: no limit "
                   "but --minutes)")
    p.add_argument("--seed", type=int, default=1, help="seed of the pass (default 1)")
    p.add_argument("--start", type=int, default=0, help="first case number (default 0)")
    p.add_argument("--minutes", type=float, default=5.0, help="stop after this long (default 5)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for failing inputs (default: a new temporary folder)")
    p.add_argument("--seconds", type=float, default=20.0,
                   help="time budget per command in seconds (default 20)")
    p.add_argument("--megabytes", type=float, default=1024.0,
                   help="memory budget per command in MB (default 1024)")
    p.add_argument("--cli-every", type=int, default=4,
                   help="every n-th case also through the in-process command line (default 4)")
    p.add_argument("--real-every", type=int, default=25,
                   help="every n-th case also as a real detente process (default 25; 0: none)")
    p.add_argument("--no-large", action="store_true",
                   help="leave out the slow examples (the flagship)")
    p.add_argument("--max-failures", type=int, default=None, help="stop after this many")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="detente-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    pool = fuzzing.seeds(large=not args.no_large)
    budget = fuzzing.Budget(seconds=args.seconds, megabytes=args.megabytes)
    last = [time.perf_counter()]

    def progress(r: fuzzing.Report) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"... {r.cases} cases, {len(r.failures)} failures", file=sys.stderr,
                  flush=True)

    report = fuzzing.fuzz(args.seed, args.cases, pool, budget, out, cli_every=args.cli_every,
                          real_every=args.real_every, seconds=60 * args.minutes,
                          max_failures=args.max_failures, start=args.start, progress=progress)
    print(f"seed {args.seed}, cases {args.start}..{args.start + report.cases - 1} "
          f"({report.cases} cases, {report.seconds:.0f} s), budget {budget.seconds} s and "
          f"{budget.megabytes:.0f} MB per command; seeds: {', '.join(s.name for s in pool)}")
    print(f"sections mutated: {', '.join(sorted(report.sections))}")
    print()
    print(report.table())
    print()
    print("slowest and largest run per command (rerun one with the same options and "
          "--start N --cases 1):")
    for name, s in sorted(report.stats.items()):
        if s.slowest[1]:
            print(f"  {name}: {s.slowest[0]:.0f} ms {s.slowest[1]}; {s.largest[0]:.1f} MB "
                  f"{s.largest[1]}")
    distinct = report.distinct()
    print()
    print(f"{len(report.failures)} failures, {len(distinct)} distinct; inputs in {out}")
    for signature, failures in distinct.items():
        print()
        print(f"== {signature} ({len(failures)}x)")
        print(failures[0].describe())
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
