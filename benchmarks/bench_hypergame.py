"""Hypergame benchmark: the flagship with three perceptions, every view and every single
correction, all six concepts (detente.hypergame: one stable_batch per distinct move graph).

    python benchmarks/bench_hypergame.py              # 5 runs
    python benchmarks/bench_hypergame.py --repeat 3

The perceptions are in tests/data/ceasefire_hypergame.yaml (not in the flagship file). Prints
a table of medians in seconds: the hypergame, and for comparison one full ``analyze`` (six
concepts) of the flagship.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def flagship_with_perceptions():  # type: ignore[no-untyped-def]
    """The flagship with the three perceptions of tests/data/ceasefire_hypergame.yaml."""
    import detente
    from detente.formats.native import loads
    from detente.formats.native.writer import dumps

    flagship = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    extra = (ROOT / "tests" / "data" / "ceasefire_hypergame.yaml").read_text(encoding="utf-8")
    model = loads(dumps(flagship) + extra, source="flagship+perceptions")
    return replace(model, source_file=str(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"))


def median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import detente

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    model = flagship_with_perceptions()
    detente.hypergame(model)  # warm up (numba kernels, imports)
    result = detente.hypergame(model)
    rows = [
        (
            f"hypergame: 5 views + {len(result.corrections)} corrections, 6 concepts",
            median(lambda: detente.hypergame(model), args.repeat),
        ),
        ("analyze: the flagship, 6 concepts", median(lambda: detente.analyze(model), args.repeat)),
    ]
    print(
        f"flagship: {model.n_states} states, {len(model.perceptions)} perceptions; "
        f"median of {args.repeat} runs"
    )
    print(f"{'what':<52} {'seconds':>8}")
    for what, secs in rows:
        print(f"{what:<52} {secs:>8.3f}")


if __name__ == "__main__":
    main()
