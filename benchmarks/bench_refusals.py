"""The oversize and malformed requests of issue 16 (item 7) to ``robustness``, ``mediate`` and
``report``: time, peak memory and outcome of each, every one in its own process.

    python benchmarks/bench_refusals.py                      # this checkout
    python benchmarks/bench_refusals.py --src /tmp/old/src   # another version's sources
    python benchmarks/bench_refusals.py --timeout 60 --memory 4GiB

Each request runs as ``python -m detente.surfaces.cli ...`` with an address-space limit
(``--memory``, so a runaway request fails with MemoryError instead of taking the machine) and
a wall-clock limit (``--timeout``: killed). Prints a Markdown table: request, outcome (exit
code; the error's first words; for JSON, whether it is valid strict JSON), wall seconds and
peak RSS. The two generated models are written to a temporary folder: an ``unknown_order``
group of 11 statements, and the flagship with ``mediation: target: -----------``.
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

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = str(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")

LONG_ORDER = """name: Long order
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2}, {name: a3}]
    preferences:
      statements:
        - unknown_order: [a1, a2, a3, not a1, not a2, not a3, a1 iff b, a2 iff b, a3 iff b, b,
                          not b]
  - name: B
    options: [{name: b}]
    preferences: {statements: [b if a1, not a2]}
status_quo: NNNN
"""


def requests(folder: Path) -> list[tuple[str, list[str]]]:
    """(label, CLI arguments) of each request, in the issue's order."""
    long_order = folder / "long_order.yaml"
    long_order.write_text(LONG_ORDER, encoding="utf-8")
    broad = folder / "broad_target.yaml"
    text = Path(FLAGSHIP).read_text(encoding="utf-8")
    broad.write_text(text.replace("target: YNNYYY----N", 'target: "-----------"', 1),
                     encoding="utf-8")
    out = str(folder / "report.html")
    return [
        ("robustness flagship --samples 5 --format json",
         ["robustness", FLAGSHIP, "--samples", "5", "--format", "json"]),
        ("robustness long_order (11 statements in unknown order)",
         ["robustness", str(long_order)]),
        ("report long_order", ["report", str(long_order), "-o", out]),
        ("robustness flagship --samples 5 --seed -1",
         ["robustness", FLAGSHIP, "--samples", "5", "--seed", "-1"]),
        ("robustness long_order --samples 100000000",
         ["robustness", str(long_order), "--samples", "100000000"]),
        ("mediate flagship --target=----------- --max-edits 0",
         ["mediate", FLAGSHIP, "--target=-----------", "--max-edits", "0"]),
        ("report flagship with mediation target -----------", ["report", str(broad), "-o", out]),
        ("mediate flagship --target=YNNYYYNNNNN -c nash --max-edits 10",
         ["mediate", FLAGSHIP, "--target=YNNYYYNNNNN", "-c", "nash", "--max-edits", "10"]),
        ("mediate ... --max-edits 1000",
         ["mediate", FLAGSHIP, "--target=YNNYYYNNNNN", "-c", "nash", "--max-edits", "1000"]),
        ("mediate ... --max-edits 1000000",
         ["mediate", FLAGSHIP, "--target=YNNYYYNNNNN", "-c", "nash", "--max-edits",
          "1000000"]),
        ("mediate ... --max-edits 1000 --dm Hamas (13,700 lists exist)",
         ["mediate", FLAGSHIP, "--target=YNNYYYNNNNN", "-c", "nash", "--max-edits", "1000",
          "--dm", "Hamas"]),
    ]


def parse_bytes(text: str) -> int:
    units = {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
    for unit, size in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * size)
    return int(text)


def run(args: list[str], src: str | None, timeout: float, memory: int
        ) -> tuple[int | None, str, str, float, int]:
    """(exit code or None when killed, stdout, stderr, wall seconds, peak RSS bytes)."""
    env = dict(os.environ, COLUMNS="200")
    if src:
        env["PYTHONPATH"] = src

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "detente.surfaces.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = None
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return code, out, err, wall, peak


def outcome(code: int | None, out: str, err: str, want_json: bool) -> str:
    if code is None:
        return "killed at the time limit"
    if want_json and code == 0:
        def bad(name: str) -> object:
            raise ValueError(name)

        try:
            json.loads(out, parse_constant=bad)
            return "exit 0, valid JSON"
        except ValueError as exc:
            return f"exit 0, INVALID JSON ({exc})"
    lines = [x for x in err.strip().splitlines() if x.strip()]
    last = lines[-1].strip() if lines else ""
    if code == 0:
        return "exit 0"
    return f"exit {code}: {last[:110].replace('|', '/')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", help="PYTHONPATH of the detente sources to measure")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory", default="4GiB", help="address-space limit per request")
    parser.add_argument("--only", type=int, action="append", help="request numbers (1-based)")
    args = parser.parse_args()
    print("| # | request | outcome | wall s | peak RSS MiB |")
    print("|---:|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, cli) in enumerate(requests(Path(tmp)), 1):
            if args.only and n not in args.only:
                continue
            # RUSAGE_CHILDREN keeps the largest child so far: run each in a fresh wrapper
            wrapper = [sys.executable, __file__, "--child", json.dumps(
                [cli, args.src, args.timeout, parse_bytes(args.memory)])]
            res = json.loads(subprocess.run(wrapper, capture_output=True, text=True,
                                            check=True).stdout)
            print(f"| {n} | {label} | {res['outcome']} | {res['wall']:.1f} | "
                  f"{res['peak'] / 2**20:.0f} |", flush=True)


def child(spec: str) -> None:
    cli, src, timeout, memory = json.loads(spec)
    code, out, err, wall, peak = run(cli, src, timeout, memory)
    print(json.dumps({"outcome": outcome(code, out, err, "json" in cli), "wall": wall,
                      "peak": peak}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
