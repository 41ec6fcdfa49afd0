"""Command-line start-up: median wall time of fresh `detente` processes.

    python benchmarks/bench_startup.py --repeat 15
    python benchmarks/bench_startup.py --repeat 15 --before /tmp/before/src
    python benchmarks/bench_startup.py --crossover
    python benchmarks/bench_startup.py --phases

"python -c pass" is the interpreter's own floor on this machine; the "python: import ..."
rows are the libraries' floor: numpy and pydantic (what reading any model needs), then every
library a text `analyze` of the flagship loads (numpy, pydantic, ruamel.yaml, lark, typer,
rich's console and table), without any of detente's own code. Help is measured piped
(plain help, as scripts see it) and, where `script` can give it a terminal, as people see it
(rich help). `analyze` runs on the pre-rework flagship (tests/data/ceasefire_2024_coarse.yaml,
1,280 states, 5 DMs), on the reworked flagship (examples/ceasefire_2024.yaml, 2,880 states) and
on bench_engine's random 12-option model (3,584 states, 4 DMs), written to a temporary YAML
file; its output goes to /dev/null (the default text: summary and a table of 100 states; the
JSON case shows the same analysis without rendering that table).

--after SRC times the checkout whose src is SRC instead of this tree. --before SRC runs the
same commands with SRC (the `src` folder of another checkout, e.g.
`git archive COMMIT src | tar -x -C /tmp/before`) first on PYTHONPATH, interleaved with the
current tree's runs, and prints both columns. Each variant runs every command once before the
timed runs (numba compiles its kernels on a checkout's first run: a few seconds, not counted).

--crossover times SIM alone (every DM, in a fresh process: loading numba included for the
compiled backend) with each backend forced, on random models of growing size: the numpy
search is cheaper below engine/simultaneous.py's COMPILED_FROM_CELLS, the compiled kernel
from there. --phases splits one `detente analyze` of the flagship at its phase boundaries
(wall and CPU time of each; with --before, both checkouts, interleaved).
The development machine is shared: expect noise, compare with the floor; the CPU column
(user + system time of the process) is the steadier figure under load.

The timed processes cache their bytecode in a temporary folder (PYTHONPYCACHEPREFIX), as an
installed package runs from the bytecode pip wrote: where the environment sets
PYTHONDONTWRITEBYTECODE (as this development machine's does), every run would otherwise compile
detente's sixty-odd modules again (about 0.1 s). --no-bytecode-cache measures that case;
--before-compiles adds it as the before column, interleaved (same checkout, or --before's).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

#: One fresh `detente analyze FILE` with a clock at each phase boundary (the command module's
#: load_conflict and render wrapped), printed as JSON on stderr.
PHASES = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
marks = {}
def mark(name):
    marks[name] = (time.perf_counter(), time.process_time())
sys.argv = ['detente', 'analyze', sys.argv[1]]
import detente.surfaces.cli.app as app
mark('import the command line')
import detente.surfaces.cli.commands.analyze as command
load, render = command.load_conflict, command.render
def timed_load(*a, **k):
    mark('parse arguments, import the analysis code')
    out = load(*a, **k)
    mark('load the model')
    return out
def timed_render(*a, **k):
    mark('analyse (every concept)')
    out = render(*a, **k)
    mark('render the summary and table')
    return out
command.load_conflict, command.render = timed_load, timed_render
try:
    app.main()
except SystemExit:
    pass
last, out = (t0, c0), {}
for name, t in marks.items():
    out[name], last = (t[0] - last[0], t[1] - last[1]), t
sys.stderr.write(json.dumps(out))
"""

#: The libraries' floor: what reading a model needs (pydantic's BaseModel, numpy), and every
#: library ``detente analyze`` of the flagship loads for its text output.
FLOOR_MODEL = "import numpy\nfrom pydantic import BaseModel"
FLOOR_ANALYZE = (FLOOR_MODEL + "\nimport lark, ruamel.yaml, typer, rich.console, rich.table")

#: (options, DMs) of bench_engine's random models for --crossover.
CROSSOVER = [(12, 4), (13, 4), (14, 4), (15, 4), (15, 5), (16, 4), (17, 4)]


def run_s(cmd: list[str], env: dict[str, str] | None = None) -> float:
    return run_wall_cpu(cmd, env)[0]


def run_wall_cpu(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock seconds of one fresh process, and the CPU seconds (user + system) it used:
    on a shared machine the CPU time is what the process itself cost, without its waits for
    a core."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env)
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


#: Folder where the timed processes cache their bytecode (set by main; None: leave the
#: environment as it is, see --no-bytecode-cache).
BYTECODE: str | None = None


def with_path(src: str | None, cached: bool = True) -> dict[str, str] | None:
    """The environment for a run of the checkout whose ``src`` folder is given (None: this
    tree, as installed), with Python's bytecode cache on (in :data:`BYTECODE`), or with every
    module compiled on each run (``cached`` false)."""
    env = dict(os.environ)
    if not cached:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    elif BYTECODE is not None:
        # An installed package runs from the bytecode pip wrote at install time; an
        # environment with PYTHONDONTWRITEBYTECODE would recompile every module on each run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE
    if src is not None:
        env["PYTHONPATH"] = src
    return env


def bench_model(folder: Path) -> Path:
    """bench_engine's random 12-option model (3,584 states) as a YAML file."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import build

    import detente

    path = folder / "bench12.yaml"
    detente.save(build(12), path)
    return path


Variant = tuple[str, str | None, bool]  # (column name, src folder or None, bytecode cached)


def variants_of(args: argparse.Namespace) -> list[Variant]:
    """The checkouts to time: "after" (--after or this tree), and "before" (--before's, or
    with --before-compiles the same checkout compiling every module on each run)."""
    out: list[Variant] = [("after", args.after, True)]
    if args.before or args.before_compiles:
        src = args.before if args.before else args.after
        out.append(("before", src, not args.before_compiles))
    return out


def startup(args: argparse.Namespace) -> None:
    detente = str(BIN / "detente")
    py = [detente]  # the installed script; PYTHONPATH picks the checkout
    pd = str(ROOT / "examples" / "prisoners_dilemma.yaml")
    flagship = str(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    reworked = str(ROOT / "examples" / "ceasefire_2024.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        big = str(bench_model(Path(tmp)))
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("python: import numpy, pydantic", [sys.executable, "-c", FLOOR_MODEL]),
            ("python: import every library analyze loads",
             [sys.executable, "-c", FLOOR_ANALYZE]),
            ("detente --version", [*py, "--version"]),
            ("detente --help (piped)", [*py, "--help"]),
            ("detente validate prisoners_dilemma.yaml", [*py, "validate", pd]),
            ("detente validate ceasefire_2024_coarse.yaml", [*py, "validate", flagship]),
            ("detente analyze ceasefire_2024_coarse.yaml (1,280 states)",
             [*py, "analyze", flagship]),
            ("detente analyze ceasefire_2024_coarse.yaml --format json",
             [*py, "analyze", flagship, "--format", "json"]),
            ("detente analyze ceasefire_2024.yaml (reworked flagship, 2,880 states)",
             [*py, "analyze", reworked]),
            ("detente analyze bench12.yaml (3,584 states)", [*py, "analyze", big]),
        ]
        variants = variants_of(args)
        if shutil.which("script") and len(variants) == 1:
            cases.append(("detente --help (terminal)",
                          ["script", "-qec", f"{detente} --help", "/dev/null"]))
        for _, src, cached in variants:  # warm-up: numba's first compile, file caches
            for _, cmd in cases:
                run_s(cmd, with_path(src, cached))
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeat):
            for label, cmd in cases:
                for name, src, cached in variants:
                    wall, used = run_wall_cpu(cmd, with_path(src, cached))
                    times.setdefault((label, name), []).append(wall)
                    cpu.setdefault((label, name), []).append(used)
    print(f"{args.repeat} fresh processes each: median and min wall clock, median CPU time "
          f"(user + system); load average {os.getloadavg()[0]:.1f} at the end")
    if args.after:
        print(f"after: PYTHONPATH={args.after}")
    heads = ["median s", "min s", "CPU s"]
    if len(variants) > 1:
        print(f"before: PYTHONPATH={variants[1][1] or '(this tree)'}"
              + ("" if variants[1][2] else ", every module compiled on each run"))
        heads = [f"{name} {h}" for name in ("before", "after") for h in heads]
    print("| command | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    for label, _ in cases:
        cells = [f"{v:.3f}" for name, _, _ in variants[::-1]
                 for v in (statistics.median(times[label, name]), min(times[label, name]),
                           statistics.median(cpu[label, name]))]
        print(f"| {label} | " + " | ".join(cells) + " |")


def sim_once(options: int, dms: int, backend: str) -> dict[str, float]:
    """In this (fresh) process: SIM of every DM through ``backend``, loading included."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import build

    import detente.engine.simultaneous as sim
    from detente.engine import Engine

    c = build(options, n_dms=dms)
    engine = Engine(c)
    nash = [engine.stable_for("nash", i) for i in range(dms)]
    grid = engine.sim_grid
    t = time.perf_counter()
    for i in range(dms):
        sim.sim_stable(grid, engine.utilities, i, nash[i], backend=backend)
    return {"states": c.n_states, "cells": c.n_states * int(grid.width.sum()),
            "seconds": time.perf_counter() - t}


def crossover(args: argparse.Namespace) -> None:
    from detente.engine.simultaneous import COMPILED_FROM_CELLS

    warm = [sys.executable, __file__, "--sim-once", "12", "4", "compiled"]
    subprocess.run(warm, capture_output=True, check=True)  # numba's first compile
    print(f"SIM of every DM, fresh process each, median of {args.repeat}; "
          f"COMPILED_FROM_CELLS = {COMPILED_FROM_CELLS:,}")
    print("| options | DMs | states | cells | numpy s | compiled s (numba loaded) | cheaper |")
    print("|---|---|---|---|---|---|---|")
    for options, dms in CROSSOVER:
        row: dict[str, float] = {}
        out: dict[str, float] = {}
        for backend in ("numpy", "compiled"):
            runs = []
            for _ in range(args.repeat):
                cmd = [sys.executable, __file__, "--sim-once", str(options), str(dms), backend]
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                out = json.loads(done.stdout)
                runs.append(out["seconds"])
            row[backend] = statistics.median(runs)
        cheaper = "numpy" if row["numpy"] < row["compiled"] else "compiled"
        print(f"| {options} | {dms} | {int(out['states']):,} | {int(out['cells']):,} | "
              f"{row['numpy']:.3f} | {row['compiled']:.3f} | {cheaper} |")


def phases(args: argparse.Namespace) -> None:
    flagship = str(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    variants = variants_of(args)
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _, src, cached in variants:  # warm-up: the bytecode cache, file caches
        subprocess.run([sys.executable, "-c", PHASES, flagship], capture_output=True,
                       check=True, env=with_path(src, cached))
    for _ in range(args.repeat):
        for variant, src, cached in variants:
            done = subprocess.run([sys.executable, "-c", PHASES, flagship], capture_output=True,
                                  text=True, check=True, env=with_path(src, cached))
            for name, pair in json.loads(done.stderr.strip().splitlines()[-1]).items():
                runs.setdefault((name, variant), []).append(tuple(pair))
    print(f"detente analyze ceasefire_2024.yaml, in-process clocks (wall, and CPU: the "
          f"process's user + system time), median of {args.repeat} fresh processes "
          "(interpreter start-up not included)")
    for name, src, cached in variants[::-1]:
        print((f"{name}: PYTHONPATH={src}" if src else f"{name}: this tree")
              + ("" if cached else ", every module compiled on each run"))
    heads = [f"{v} {h}" for v, _, _ in variants[::-1] for h in ("wall s", "CPU s")]
    print("| phase | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    names = list(dict.fromkeys(name for name, _ in runs))
    totals = {h: 0.0 for h in heads}
    for name in names:
        cells = []
        for variant, _, _ in variants[::-1]:
            for k, h in enumerate(("wall s", "CPU s")):
                value = statistics.median(p[k] for p in runs[name, variant])
                totals[f"{variant} {h}"] += value
                cells.append(f"{value:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| total | " + " | ".join(f"{totals[h]:.3f}" for h in heads) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--before", metavar="SRC", help="also time the checkout whose src is SRC")
    ap.add_argument("--after", metavar="SRC",
                    help="time the checkout whose src is SRC instead of this tree (e.g. a "
                    "`git archive HEAD src` while others edit the tree)")
    ap.add_argument("--crossover", action="store_true", help="time SIM's two backends by size")
    ap.add_argument("--phases", action="store_true",
                    help="where the time of one `detente analyze` of the flagship goes")
    ap.add_argument("--sim-once", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="leave PYTHONDONTWRITEBYTECODE as the environment has it (if set, "
                    "every run compiles detente's modules again)")
    ap.add_argument("--before-compiles", action="store_true",
                    help="a before column for the same checkout (or --before's) with every "
                    "module compiled on each run (PYTHONDONTWRITEBYTECODE=1), interleaved")
    args = ap.parse_args()
    global BYTECODE
    cache = None if args.no_bytecode_cache else tempfile.TemporaryDirectory(prefix="pyc-")
    BYTECODE = cache.name if cache is not None else None
    if not args.sim_once and not args.crossover:
        compiled = os.environ.get("PYTHONDONTWRITEBYTECODE") and cache is None
        print("bytecode: compiled on every run (PYTHONDONTWRITEBYTECODE)" if compiled else
              "bytecode: cached, as an installed package runs (the warm-up writes it)")
    if args.sim_once:
        options, dms, backend = args.sim_once
        print(json.dumps(sim_once(int(options), int(dms), backend)))
    elif args.crossover:
        crossover(args)
    elif args.phases:
        phases(args)
    else:
        startup(args)


if __name__ == "__main__":
    main()
