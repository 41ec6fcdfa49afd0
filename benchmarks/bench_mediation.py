"""Mediation design benchmark: the flagship deal, the growth of the search, and the local
target check against whole-model batch evaluation (``engine.batch.stable_batch``).

Run: ``.venv/bin/python benchmarks/bench_mediation.py`` (about two minutes; ``--part growth``
for one part; ``--part commitments``: the commitment search with 1-3 declared commitments).
Oversize requests are measured by ``benchmarks/bench_refusals.py``. Prints Markdown
tables for docs/mediation.md. Timings are medians of ``--repeat`` runs (default 3) on
whatever machine runs it; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import detente
from detente.analyses.mediation import mediate
from detente.analyses.mediation.edits import (
    edit_lists,
    estimate_lists,
    existing_lists,
    lists_within,
)
from detente.analyses.mediation.local import LocalChecks
from detente.analyses.mediation.search import SearchTooLarge, build_space
from detente.engine.batch import stable_batch
from detente.model.errors import AnalysisError
from detente.model.preferences import StatementPreference

FLAGSHIP = Path(__file__).resolve().parent.parent / "tests" / "data" / "ceasefire_2024_coarse.yaml"
DEAL = "YNNYYY----N"
FULL = "YNNYYYNYYNN"  # state 277: deal + guarantee + US forces deployed
STATUS_QUO = "NYYNNNNNYNN"


def median_time(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def flagship_table(repeat: int) -> None:
    c = detente.load(FLAGSHIP)
    cases = [
        (DEAL, ("seq",), 3, False, "the issue's benchmark"),
        (DEAL, ("nash",), 3, False, "own-only: per-DM minima"),
        (DEAL, ("nash", "seq", "sim"), 3, False, "coupled"),
        (FULL, ("seq_sim",), 3, False, "coupled, 2 edits needed"),
        (FULL, ("smr", "sim"), 3, False, "coupled, 2 edits needed"),
        (STATUS_QUO, ("seq",), 3, False, "coupled, SEQ not yet met"),
        (DEAL, ("seq",), 1, True, "status quo must evolve to it"),
        (DEAL, ("seq",), 2, True, "status quo must evolve to it"),
        (DEAL, ("seq",), 3, True, "status quo must evolve to it"),
    ]
    print("| target | concepts | max edits | reachable | min edits | solutions | seconds | note |")
    print("|---|---|---:|---|---:|---:|---:|---|")
    for target, concepts, k, reach, note in cases:
        def run(target: str = target, concepts: tuple[str, ...] = concepts, k: int = k,
                reach: bool = reach) -> object:
            try:
                return mediate(c, target, list(concepts), max_edits=k, limit=0,
                               reachable=reach)
            except SearchTooLarge as exc:
                return exc
        seconds, r = median_time(run, 1 if reach and k >= 2 else repeat)
        if isinstance(r, AnalysisError):
            print(f"| `{target}` | {'+'.join(concepts)} | {k} | {reach} | refused | – | "
                  f"{seconds:.2f} | {str(r)[:90]}… |")
            continue
        assert not isinstance(r, Exception)
        me = "–" if r.min_edits is None else str(r.min_edits)  # type: ignore[attr-defined]
        print(f"| `{target}` | {'+'.join(concepts)} | {k} | {reach} | {me} | "
              f"{len(r.solutions)} | {seconds:.2f} | {note} |")  # type: ignore[attr-defined]


def growth_tables() -> None:
    print("\nDistinct statement lists of one DM within k edits (m statements, c candidates), "
          "enumerated; `lists_within` = the closed-form count the refusal uses (asserted equal "
          "to the enumeration); bound = the branching estimate, capped by the lists that exist "
          "(used only beyond 30 statements):\n")
    print("| m | c | k=1 | k=2 | k=3 | lists_within k=3 | bound k=3 | exist (any k) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m, c in [(4, 0), (4, 1), (6, 1), (8, 0), (8, 2), (10, 2)]:
        counts = [len(edit_lists(m, c, k)) for k in (1, 2, 3)]
        assert [lists_within(m, c, k) for k in (1, 2, 3)] == counts
        print(f"| {m} | {c} | {counts[0]:,} | {counts[1]:,} | {counts[2]:,} | "
              f"{lists_within(m, c, 3):,} | {estimate_lists(m, c, 3):,} | "
              f"{existing_lists(m, c):,} |")
    model = detente.load(FLAGSHIP)
    targets = [int(x) for x in model.index_of(model.matching(DEAL))]
    local = LocalChecks(model, targets, ("seq",))
    print(f"\nFlagship, target `{DEAL}` (16 states), SEQ: lists within 3 edits and the classes "
          "the search runs over (lists that decide every local comparison alike):\n")
    print("| DM | statements | candidates | lists | classes | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for j, dm in enumerate(model.dms):
        t = time.perf_counter()
        sp = build_space(model, local, j, 3, True)
        pref = dm.preference
        m = len(pref.statements) if isinstance(pref, StatementPreference) else 0
        print(f"| {dm.name} | {m} | {len(sp.pool) - m} | {len(sp.lists):,} | "
              f"{sp.n_classes:,} | {time.perf_counter() - t:.2f} |")


def broad_targets() -> None:
    """The local-work estimate against the time of ``mediate --max-edits 0`` for patterns of
    growing breadth (the limit lifted for the measurement): the rate calibrates
    ``MAX_LOCAL_WORK``."""
    from detente.analyses import mediation
    from detente.analyses.mediation import analysis as mediation_analysis
    from detente.analyses.mediation import local as local_module

    c = detente.load(FLAGSHIP)
    print("\nBroad targets, `--max-edits 0` (the limit lifted to measure): estimated local "
          f"work and time; limit {local_module.MAX_LOCAL_WORK:,} units\n")
    print("| target | states | concepts | work units | seconds | units/s |")
    print("|---|---:|---|---:|---:|---:|")
    saved = mediation_analysis.MAX_LOCAL_WORK  # the limit where mediate checks it
    mediation_analysis.MAX_LOCAL_WORK = 10**18
    try:
        for pattern, concepts in [(DEAL, ("seq",)), ("YNNY-------", ("seq",)),
                                  ("YN---------", ("seq",)), ("YN---------", ("gmr",)),
                                  ("YN---------", ("smr",)), ("YN---------", ("sim",)),
                                  ("-----------", ("nash",))]:
            targets = mediation.resolve_targets(c, pattern)
            work = local_module.local_work(c, targets, concepts)
            t = time.perf_counter()
            mediate(c, pattern, list(concepts), max_edits=0)
            seconds = time.perf_counter() - t
            print(f"| `{pattern}` | {len(targets):,} | {'+'.join(concepts)} | {work:,} | "
                  f"{seconds:.2f} | {work / seconds:,.0f} |")
    finally:
        mediation_analysis.MAX_LOCAL_WORK = saved


def check_speed(n_profiles: int) -> None:
    """Profiles per second: the local target check against stable_batch on the same
    random profiles (each DM one of its lists within 3 edits), SEQ at state 277."""
    c = detente.load(FLAGSHIP)
    target = [int(c.index_of(c.parse_state(FULL))[0])]
    local = LocalChecks(c, target, ("seq",))
    spaces = [build_space(c, local, j, 3, True) for j in range(len(c.dms))]
    rng = np.random.default_rng(0)
    picks = np.stack([rng.integers(0, sp.n_classes, n_profiles) for sp in spaces], axis=1)
    t = time.perf_counter()
    bits = {sp.dm: sp.bits[picks[:, q]] for q, sp in enumerate(spaces)}
    local_res = local.stable(bits, 0)["seq"].all(axis=1)
    t_local = time.perf_counter() - t
    ranks = np.empty((n_profiles, len(c.dms), c.n_states), dtype=np.int64)
    for q, sp in enumerate(spaces):
        for p in range(n_profiles):
            lst = sp.lists[sp.members[picks[p, q]][0]]
            pref = StatementPreference(tuple(sp.pool[x] for x in lst))
            ranks[p, q] = pref.scores(c.feasible, c.bits)
    t = time.perf_counter()
    batch = stable_batch(c, ranks, ["seq"])["seq"][:, :, target[0]].all(axis=1)
    t_batch = time.perf_counter() - t
    assert (batch == local_res).all(), "local check and stable_batch disagree"
    print(f"\nSEQ at state 277 for {n_profiles:,} random profiles (edits within 3 for every "
          "DM), same answers:\n")
    print("| method | seconds | profiles/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| local target check (mediation.local) | {t_local:.2f} | "
          f"{n_profiles / t_local:,.0f} | 1 |")
    print(f"| whole-model batch (engine.batch.stable_batch) | {t_batch:.2f} | "
          f"{n_profiles / t_batch:,.0f} | {t_batch / t_local:.0f}× slower |")


#: Commitment devices declared on the flagship for the commitment benchmark, in order: the
#: first n are declared (the US guarantee first: the issue's observation).
COMMITMENTS = (
    ("us_guarantee", "fwd", "Written into the framework, the guarantee cannot be withdrawn."),
    ("offensive", "back", "A halted offensive cannot be resumed (forces withdrawn)."),
    ("isr_accept", "fwd", "Israel's acceptance ratified by its cabinet."),
)


def flagship_with_commitments(n: int) -> detente.Conflict:
    """The flagship with the first ``n`` of :data:`COMMITMENTS` declared."""
    from dataclasses import replace

    from detente.model.mediation import Commitment

    c = detente.load(FLAGSHIP)
    declared = tuple(Commitment(o, m, why) for o, m, why in COMMITMENTS[:n])  # type: ignore[arg-type]
    return replace(c, mediation=replace(c.mediation, commitments=declared))


def commitments_table(repeat: int) -> None:
    """The commitment search on the flagship's full exchange under SEQ&SIM with 1-3 declared
    commitments (0: none, the baseline): minimal sets, the commitments that make the priority
    fix cheaper, time."""
    print("\nCommitment devices: the flagship, target `YNNYYYNYYNN` (the full exchange), "
          "SEQ&SIM, `mediate(..., limit=0)` with the first n declared commitments:\n")
    print("| declared | sets tried | min commitments | minimal sets | min edits | "
          "cheaper with | seconds |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    for n in (0, 1, 2, 3):  # 0: the search without commitments, for comparison
        c = flagship_with_commitments(n)
        seconds, r = median_time(lambda c=c: mediate(c, FULL, ["seq_sim"], limit=0), repeat)
        assert isinstance(r, detente.MediationResult) and r.commitments is not None
        cr = r.commitments
        cheaper = "; ".join(f"{w.commitment.option} {w.commitment.make}: {w.min_edits}"
                            for w in cr.helpful_edits(r.min_edits)) or "–"
        least = "–" if cr.min is None else str(cr.min)
        print(f"| {n} | {cr.tried} | {least} | {len(cr.solutions)} | {r.min_edits} | "
              f"{cheaper} | {seconds:.2f} |")


def commitment_check_table(repeat: int) -> None:
    """One commitment set checked for the model's own profile: the local checks at the target
    against the committed model's forward engine (whole model), per concept, on the pre-rework
    flagship (its full exchange) and the reworked one (its deal's first phase); the rate that
    sets ``commitments.ENGINE_WORK_PER_STATE`` (local work per state and DM above which the
    engine is used)."""
    from detente.analyses.mediation.commitments import committed
    from detente.analyses.mediation.local import local_work
    from detente.engine import Engine
    from detente.engine.single import MoveIndex

    reworked = detente.load(FLAGSHIP.parent.parent.parent / "examples" / "ceasefire_2024.yaml")
    assert reworked.deal is not None
    cases = [(flagship_with_commitments(1), FULL),
             (reworked, reworked.state_string(reworked.deal.phases[0].state))]
    print("\nOne commitment set (the first declared) checked at a target for the model's "
          "own profile:\n")
    print("| model | target | concept | local work | per state and DM | local checks (s) | "
          "engine (s) |")
    print("|---|---|---|---:|---:|---:|---:|")
    for c, code in cases:
        d = committed(c, c.mediation.commitments[:1])
        target = [int(d.index_of(d.space.parse(code))[0])]
        for concept in ("nash", "gmr", "smr", "seq", "sim", "seq_sim"):
            def local(concept: str = concept, d: detente.Conflict = d,
                      target: list[int] = target) -> object:
                lc = LocalChecks(d, target, (concept,), MoveIndex(d))
                bits = {j: b[None, :] for j, b in lc.bits_from_ranks(d.ranks).items()}
                return lc.stable(bits, 0)

            def engine(concept: str = concept, d: detente.Conflict = d) -> object:
                return Engine(d).equilibrium_mask(concept)

            work = local_work(d, target, (concept,))
            t_local, _ = median_time(local, repeat)
            t_engine, _ = median_time(engine, repeat)
            print(f"| {d.n_states:,} states | `{code}` | {concept} | {work:,} | "
                  f"{work / (d.n_states * len(d.dms)):.1f} | {t_local:.3f} | {t_engine:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--part", choices=["flagship", "growth", "broad", "speed",
                                           "commitments"],
                        action="append",
                        help="run only these parts (default: all)")
    args = parser.parse_args()
    parts = args.part or ["flagship", "growth", "broad", "speed", "commitments"]
    if "flagship" in parts:
        flagship_table(args.repeat)
    if "growth" in parts:
        growth_tables()
    if "broad" in parts:
        broad_targets()
    if "speed" in parts:
        check_speed(args.profiles)
    if "commitments" in parts:
        commitments_table(args.repeat)
        commitment_check_table(args.repeat)


if __name__ == "__main__":
    main()
