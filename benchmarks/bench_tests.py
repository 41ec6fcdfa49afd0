"""The quick subset's time: `pytest -m "not slow"` in a fresh process, wall clock and CPU time.

    python benchmarks/bench_tests.py
    python benchmarks/bench_tests.py --repeat 3 --mode cached
    python benchmarks/bench_tests.py -- tests/engine        # other pytest arguments

Two ways to run it, as README's command meets them:

- ``compiled``: PYTHONDONTWRITEBYTECODE=1 (this development machine's environment sets it):
  every run compiles detente's modules and pytest rewrites and compiles every test module again;
- ``cached``: Python's default, the bytecode kept between runs (here in a temporary
  PYTHONPYCACHEPREFIX, filled first by a ``--collect-only`` run, which imports every module:
  the doctests of src/ are collected too).

The CPU column is the user + system time of pytest and the processes it started and waited for
(os.wait4); on a shared machine it is the steadier figure, and on an idle 2-core machine the
wall clock comes close to it (the suite runs in one process). The load average is printed at
the end: compare wall clocks only at similar loads. The first run after a change to the
engine's compiled kernels also compiles them with numba (tens of CPU seconds, cached for the
next runs): use --repeat 2 or more and read the min columns.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_for(mode: str, cache: str) -> dict[str, str]:
    """The environment of a ``mode`` run (``cached``: bytecode kept in ``cache``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    if mode == "compiled":
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one pytest run, and its last summary line."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", *args]
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, _, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        text = out.read().decode(errors="replace")
    lines = [x for x in text.splitlines() if re.search(r"\d+ (passed|failed|error)", x)]
    return wall, usage.ru_utime + usage.ru_stime, (lines[-1].strip("= ") if lines else "?")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--mode", choices=["both", "compiled", "cached"], default="both")
    ap.add_argument("pytest_args", nargs="*", help="after --: pytest arguments (default: the "
                    "quick subset, -m 'not slow')")
    args = ap.parse_args()
    pytest_args = args.pytest_args or ["-m", "not slow"]
    modes = ["compiled", "cached"] if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory(prefix="pyc-") as cache:
        if "cached" in modes:
            run(["--collect-only", *pytest_args], env_for("cached", cache))  # warm the cache
        rows = []
        for mode in modes:
            runs = [run(pytest_args, env_for(mode, cache)) for _ in range(args.repeat)]
            rows.append((mode, statistics.median(r[0] for r in runs), min(r[0] for r in runs),
                         statistics.median(r[1] for r in runs), min(r[1] for r in runs),
                         runs[-1][2]))
    print(f"pytest {' '.join(pytest_args)}: median of {args.repeat} run(s); load average "
          f"{os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores")
    print("| bytecode | median wall s | min wall s | median CPU s | min CPU s | last run |")
    print("|---|---|---|---|---|---|")
    for mode, wall, fast, cpu, least, result in rows:
        print(f"| {mode} | {wall:.1f} | {fast:.1f} | {cpu:.1f} | {least:.1f} | {result} |")


if __name__ == "__main__":
    main()
