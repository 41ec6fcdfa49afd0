"""Flagship commands benchmark: wall time of ``detente report``, ``detente deal`` and
``detente brief`` on the reworked flagship (examples/ceasefire_2024.yaml, 2,880 states, 5 DMs),
where the mediation analysis (the deal's fallback for broken phases, the brief's fixes) is the
cost centre.

Each command runs as its own process (``python -m detente.surfaces.cli``), so the times include
start-up and the per-process caches (edit lists) as a user sees them. ``--baseline DIR`` also
times another source tree (a ``src`` folder, e.g. of an older commit:
``git archive <commit> src | tar -x -C /tmp/old``), alternating the two runs so that both see
the same load; the table then has a column per tree. Medians of ``--repeat`` runs (default 3).
The machine this is run on is usually shared (2 cores): treat the numbers as rough.

    python benchmarks/bench_flagship.py                        # this tree, 3 repeats
    python benchmarks/bench_flagship.py --baseline /tmp/old/src --repeat 5
    python benchmarks/bench_flagship.py --baseline /tmp/old/src --src /tmp/new/src
    python benchmarks/bench_flagship.py --commands deal brief
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "examples" / "ceasefire_2024.yaml"
COMMANDS = ("report", "deal", "brief")


def command_args(command: str, out: Path) -> list[str]:
    """The CLI arguments of one command on the flagship (the report as Markdown into ``out``)."""
    if command == "report":
        return ["report", str(FLAGSHIP), "-o", str(out / "flagship.md")]
    return [command, str(FLAGSHIP), "--format", "json"]


def run_once(command: str, src: Path) -> float:
    """Seconds of one run of ``command`` with the package imported from ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "detente.surfaces.cli",
                               *command_args(command, Path(tmp))],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"detente {command} failed ({src}):\n{done.stderr}")
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--commands", nargs="*", choices=COMMANDS, default=list(COMMANDS))
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another source tree (its src folder) to time alongside")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the source tree timed as 'this tree' (default: this checkout's)")
    args = parser.parse_args()
    trees = [("this tree", args.src.resolve())]
    if args.baseline is not None:
        trees.insert(0, ("baseline", args.baseline.resolve()))
    print(f"| command ({FLAGSHIP.name}) | " + " | ".join(f"{name} (s)" for name, _ in trees)
          + " |")
    print("|---|" + "---:|" * len(trees))
    for command in args.commands:
        times: dict[str, list[float]] = {name: [] for name, _ in trees}
        for _ in range(args.repeat):
            for name, src in trees:
                times[name].append(run_once(command, src))
        cells = " | ".join(f"{statistics.median(times[name]):.1f}" for name, _ in trees)
        print(f"| `detente {command}` | {cells} |", flush=True)
    print(f"\nMedians of {args.repeat} runs each; a shared machine, so rough.")


if __name__ == "__main__":
    main()
