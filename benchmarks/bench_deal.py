"""Deal benchmark: time of `detente.deal_analysis` against `detente.analyze`, by model size and
number of guarantor options.

Uses the engine benchmark's random model (4 decision makers, 6 prioritised statements each,
one infeasibility pattern) with a 4-phase deal: from the status quo (all N), each phase sets one
more option of the next DM. Guarantors are the last options of the model (set to N in the
phases, so every setting is tried). The pre-rework flagship
(tests/data/ceasefire_2024_coarse.yaml) is measured too. Medians of --repeat runs; the machine
is shared, so treat the numbers as rough.

A long deal is measured too: the flagship with --long phases alternating its cease-fire and
its status quo, without guarantors, with the mediation fallback (every broken phase asks the
mediation analysis; each distinct state is asked once).

Tranche design (--design): the flagship with a second hostage tranche
(tests/data/hostage_tranches_deal.yaml) as 6, 7 or 8 tranches of single steps, without
`after`: every order, all six concepts, its 3 guarantor options (`detente.deal_design`).

    python benchmarks/bench_deal.py                     # 8 12 16 options, 0/3/6 guarantors
    python benchmarks/bench_deal.py --sizes 12 --guarantors 0 6 --repeat 3
    python benchmarks/bench_deal.py --sizes --long 50   # the flagship and the long deal only
    python benchmarks/bench_deal.py --sizes --long 0 --design 6 7 8   # tranche design only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build

import detente
from detente.model.conflict import Conflict
from detente.model.deal import Deal, Phase, Tranche, tranche_phases

ROOT = Path(__file__).resolve().parent.parent


def with_deal(c: Conflict, n_guarantors: int) -> Conflict:
    """A 4-phase deal: phase k sets the first option of DM k (mod the DMs), from all-N."""
    first = [c.bits[dm.options[0]] for dm in c.dms]
    guarantors = tuple(c.option_names[-n_guarantors:]) if n_guarantors else ()
    state, phases = 0, []
    for k in range(4):
        state |= 1 << first[k % len(first)]
        while not c.is_feasible(state):  # step past the infeasibility pattern
            state |= 1 << first[(k + 1) % len(first)]
        phases.append(Phase(f"p{k}", state))
    return replace(c, status_quo=0, deal=Deal("bench", tuple(phases), guarantors=guarantors))


def alternating(c: Conflict, n: int) -> Conflict:
    """The flagship with an ``n``-phase deal alternating its first phase and its status quo,
    without guarantors."""
    assert c.deal is not None and c.status_quo is not None
    a, s = c.deal.phases[0].state, c.status_quo
    phases = tuple(Phase(f"p{k}", a if k % 2 == 0 else s) for k in range(n))
    return replace(c, deal=Deal("long", phases))


#: The flagship's phase one as single-step tranches, in the order written; the first n are used.
TRANCHES = (
    ("drop demands", "isr_new_demands", False), ("halt offensive", "offensive", False),
    ("Israel accepts", "isr_accept", True), ("Hamas accepts", "ham_accept", True),
    ("hostages", "release_hostages", True), ("prisoners", "release_prisoners", True),
    ("hostages 2", "release_hostages_2", True), ("Qatar and Egypt press", "qe_press_hamas", True),
)


def tranche_flagship(n: int) -> Conflict:
    """The two-hostage-tranche flagship with its deal as the first ``n`` single-step tranches
    (no `after`); the options not in a tranche are set as the full deal sets them."""
    c = detente.load(ROOT / "tests" / "data" / "hostage_tranches_deal.yaml")
    assert c.deal is not None and c.status_quo is not None
    end = c.deal.phases[-1].state
    used = {o for _, o, _ in TRANCHES[:n]}
    start = c.status_quo
    for k, name in enumerate(c.option_names):  # the rest of the deal: already in force
        if name not in used and name != "qe_press_hamas":
            start = (start & ~(1 << k)) | (end & 1 << k)
    tranches = tuple(Tranche(t, ((o, v),)) for t, o, v in TRANCHES[:n])
    deal = Deal("design", tranche_phases(c.option_names, start, tranches),
                guarantors=c.deal.guarantors, tranches=tranches)
    return replace(c, status_quo=start, deal=deal)


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="*", default=[8, 12, 16])
    ap.add_argument("--guarantors", type=int, nargs="+", default=[0, 3, 6])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--long", type=int, default=50, help="phases of the long deal (0: none)")
    ap.add_argument("--design", type=int, nargs="*", default=[],
                    help="tranche design on the flagship with these numbers of tranches")
    args = ap.parse_args()
    if args.design:
        design_table(args.design, args.repeat)
        if not args.sizes and not args.long:
            return
    print("| model | states | guarantors | analyze s | deal_analysis s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    flagship = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    rows: list[tuple[str, Conflict]] = [("flagship", flagship)]
    for n in args.sizes:
        base = build(n)
        rows += [(f"random {n} options", with_deal(base, g)) for g in args.guarantors]
    for name, c in rows:
        assert c.deal is not None
        a = median_time(lambda c=c: detente.analyze(c), args.repeat)
        d = median_time(lambda c=c: detente.deal_analysis(c, mediate=False), args.repeat)
        print(f"| {name} | {c.n_states} | {len(c.deal.guarantors)} | {a:.3f} | {d:.3f} | "
              f"{d / a:.1f} |")
    if args.long:
        c = alternating(flagship, args.long)
        d = median_time(lambda: detente.deal_analysis(c), args.repeat)
        print(f"\nflagship, {args.long} phases over 2 states, no guarantors, with the "
              f"mediation fallback (all six concepts): deal_analysis {d:.2f} s")


def design_table(sizes: list[int], repeat: int) -> None:
    """Median time of ``deal_design`` (all six concepts, every order) by number of tranches."""
    print("| tranches | orders | skipped | ranked | completing | deal_design s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        c = tranche_flagship(n)
        r = detente.deal_design(c, limit=0)
        t = median_time(lambda c=c: detente.deal_design(c, limit=0), repeat)
        done = sum(d.completes for d in r.designs)
        print(f"| {n} | {r.tried:,} | {r.skipped:,} | {r.ranked:,} | {done:,} | {t:.2f} |")
    print()


if __name__ == "__main__":
    main()
