"""Command-line start-up: median wall time of fresh `detente` processes.

    python benchmarks/bench_startup.py --repeat 15

"python -c pass" is the interpreter's own floor on this machine. Help is measured piped
(plain help, as scripts see it) and, where `script` can give it a terminal, as people see it
(rich help). The development machine is shared: expect noise, compare with the floor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def median_s(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    detente = str(BIN / "detente")
    pd = str(ROOT / "examples" / "prisoners_dilemma.yaml")
    flagship = str(ROOT / "examples" / "ceasefire_2024.yaml")
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("detente --version", [detente, "--version"]),
        ("detente --help (piped)", [detente, "--help"]),
        ("detente validate prisoners_dilemma.yaml", [detente, "validate", pd]),
        ("detente validate ceasefire_2024.yaml", [detente, "validate", flagship]),
    ]
    if shutil.which("script"):
        cases.append(("detente --help (terminal)",
                      ["script", "-qec", f"{detente} --help", "/dev/null"]))
    print(f"median of {args.repeat} runs")
    print("| command | median s |")
    print("|---|---|")
    for label, cmd in cases:
        print(f"| {label} | {median_s(cmd, args.repeat):.3f} |")


if __name__ == "__main__":
    main()
