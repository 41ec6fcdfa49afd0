"""Coalition analysis output benchmark: `detente coalitions MODEL --all` in fresh processes,
timed with /usr/bin/time (wall time, peak resident memory), and the size of what it writes.

Rows: the analysis alone (no output), the JSON (streamed, compact), one page of it
(--limit), the text, and "old json": the previous shape (every improvement with its Y/N
strings, option changes and steps as nested objects) built as one Python structure and written
with json.dumps(indent=2), as `detente coalitions --format json` did before.

    python benchmarks/bench_coalitions.py                      # the flagship, every row
    python benchmarks/bench_coalitions.py --skip old text      # leave the slow rows out
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DETENTE = str(Path(PYTHON).with_name("detente"))

ANALYSIS_ONLY = """
import sys, detente
from detente.analyses.coalitions import coalition_analysis
coalition_analysis(detente.load(sys.argv[1]), all_coalitions=True)
"""

OLD_JSON = """
import json, sys, detente
import numpy as np
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.coalitions.output import DEFINITIONS
from detente.engine.registry import COALITION_NAMES
c = detente.load(sys.argv[1])
r = coalition_analysis(c, all_coalitions=True)
def numbers(mask):
    return [int(k) + 1 for k in np.flatnonzero(mask)]
coalitions = []
for h, key in enumerate(r.coalitions):
    moves = []
    for s in np.flatnonzero(r.n_improvements[h]):
        moves.extend(r.improvements(key, int(s) + 1))
    coalitions.append({"members": list(key), "improvements": moves, "stable_against": {
        k: {dm: numbers(r.against[k][key][m]) for m, dm in enumerate(key)} for k in r.concepts}})
concepts = {k: {"label": COALITION_NAMES[k],
                "equilibria": [{"number": c.state_number(int(x)), "state": c.state_string(int(x))}
                               for x in r.equilibria(k)],
                "stable_for": {dm: numbers(r.stable[k][i]) for i, dm in enumerate(c.dm_names)}}
            for k in r.concepts}
data = {"model": c.name, "options": list(c.option_names), "dms": list(c.dm_names),
        "n_states": c.n_states, "definitions": DEFINITIONS, "coalitions": coalitions,
        "concepts": concepts}
sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\\n")
"""


def measure(args: list[str], out: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS GiB, bytes written to stdout) of one fresh process."""
    with out.open("wb") as fh:
        proc = subprocess.run(["/usr/bin/time", "-v", *args], stdout=fh,
                              stderr=subprocess.PIPE, text=True, check=True, cwd=ROOT)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall and rss, proc.stderr
    seconds = sum(float(x) * 60 ** k for k, x in enumerate(reversed(wall.group(1).split(":"))))
    return seconds, int(rss.group(1)) / 2**20, out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="tests/data/ceasefire_2024_coarse.yaml")
    ap.add_argument("--limit", type=int, default=100, help="states in the page row")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["analysis", "json", "page", "text", "old"])
    args = ap.parse_args()
    rows = {
        "analysis": ("analysis only", [PYTHON, "-c", ANALYSIS_ONLY, args.model]),
        "json": ("json (stdout)", [DETENTE, "coalitions", args.model, "--all", "--format",
                                   "json"]),
        "page": (f"json, --limit {args.limit}", [DETENTE, "coalitions", args.model, "--all",
                                                 "--format", "json", "--limit",
                                                 str(args.limit)]),
        "text": ("text", [DETENTE, "coalitions", args.model, "--all"]),
        "old": ("old json", [PYTHON, "-c", OLD_JSON, args.model]),
    }
    print(f"`detente coalitions {args.model} --all`, one fresh process per row")
    print("| output | wall s | peak RSS | written |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for key, (label, cmd) in rows.items():
            if key in args.skip:
                continue
            wall, rss, size = measure(cmd, out)
            written = f"{size / 2**20:,.1f} MiB" if key != "analysis" else ""
            print(f"| {label} | {wall:.1f} | {rss:.2f} GiB | {written} |", flush=True)
            os.unlink(out)


if __name__ == "__main__":
    main()
