"""Brief benchmark: the mediator's brief of the flagship (its deal and its mediation target,
under the model's four mediation concepts; 12 preference profiles and 3 single assumptions in
one batch evaluation).

    python benchmarks/bench_brief.py              # 5 runs
    python benchmarks/bench_brief.py --repeat 3

Prints a table of medians in seconds: the brief without fixes (what a what-if needs: verdicts,
breakers, guarantees, probabilities, flips; a fresh Engine each run), the brief from the case
file's own results (deal, mediation, robustness given, as the report does), the full brief with
fixes (the mediation searches), and for comparison one ``analyze`` of the four concepts.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import detente
    from detente.analyses.casefile import build_case_file
    from detente.engine import Engine

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    model = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    keys = model.mediation.concepts
    detente.brief(model, fixes=False)  # warm up (numba kernels, imports)
    case = build_case_file(model, keys, with_graph=False)
    engine = Engine(model)

    def from_case() -> object:
        return detente.brief(
            model,
            engine=engine,
            deal=case.deal,
            mediation=case.mediation,
            robustness=case.robustness,
        )

    rows = [
        (
            "brief, no fixes (fresh engine)",
            median(lambda: detente.brief(model, fixes=False), args.repeat),
        ),
        ("brief from the case file's results", median(from_case, args.repeat)),
        (
            "brief with fixes (mediation searches)",
            median(lambda: detente.brief(model), max(1, args.repeat // 2)),
        ),
        (
            "analyze: the flagship, 4 concepts",
            median(lambda: detente.analyze(model, keys), args.repeat),
        ),
    ]
    print(f"{'what':<42} {'median s':>9}")
    for name, seconds in rows:
        print(f"{name:<42} {seconds:>9.3f}")


if __name__ == "__main__":
    main()
