"""Commitment devices as deal repairs, beside guarantees.

The model's declared commitments (``mediation: commitments:``) each make a reversible option
one-way. A set of them is tried as a repair of the deal: the model with those options one-way
(:meth:`Conflict.with_directions`; a set the deal's own steps would break is skipped and
counted), and under each concept whether every phase then holds (the test of
:meth:`DealContext.holds`). Sets go by increasing size, never two on one option, and stop after
the first size at which every concept that breaks as written is repaired by some set.
Foresight compares states, not moves, so a commitment never changes whether the deal completes
with foresight; ``completes`` repeats the deal's own verdict for each set.
"""

from __future__ import annotations

from itertools import combinations

from detente.analyses.deal.context import DealContext, next_phase
from detente.analyses.deal.foresight import foresight
from detente.analyses.deal.result import CommitmentRepair, DealCommitments
from detente.engine import Engine
from detente.model.deal import Deal, DealError

#: The most commitment sets one deal analysis tries (each is a full analysis of the model).
MAX_REPAIR_SETS = 64


def _sets(n_options: list[str], size: int) -> list[tuple[int, ...]]:
    return [combo for combo in combinations(range(len(n_options)), size)
            if len({n_options[k] for k in combo}) == size]


def commitment_repairs(run: DealContext, deal: Deal) -> DealCommitments:
    """Declared commitment sets tried as repairs of ``deal`` under ``run``'s concepts."""
    c = run.c
    declared = c.mediation.commitments
    options = [x.option for x in declared]
    states = [ph.state for ph in deal.phases]

    def holds(ctx: DealContext, concept: str) -> bool:
        return all(ctx.holds(s, next_phase(deal, k), concept) for k, s in enumerate(states))

    broken = {k for k in run.concepts if not holds(run, k)}
    if not declared or not broken:
        return DealCommitments(len(declared), 0, 0, ())
    all_sets = [s for size in range(1, len(declared) + 1) for s in _sets(options, size)]
    if len(all_sets) > MAX_REPAIR_SETS:
        return DealCommitments(len(declared), 0, 0, (), (
            f"{len(declared)} declared commitments make {len(all_sets):,} sets, each a full "
            f"analysis of the model (limit {MAX_REPAIR_SETS}): declare fewer commitments"))
    completes = foresight(c, deal, run.induction).completes
    tried = skipped = 0
    repairs: list[CommitmentRepair] = []
    for size in range(1, len(declared) + 1):
        for combo in _sets(options, size):
            chosen = tuple(declared[k] for k in combo)
            try:
                d = c.with_directions({x.option: x.make for x in chosen})
            except DealError:
                skipped += 1  # a step of the deal undoes a committed option
                continue
            tried += 1
            ctx = DealContext(d, run.concepts, Engine(d))
            repairs.append(CommitmentRepair(chosen, {k: holds(ctx, k) for k in run.concepts},
                                            completes))
        if all(any(r.holds[k] for r in repairs) for k in broken):
            break
    return DealCommitments(len(declared), tried, skipped, tuple(repairs))


__all__ = ["MAX_REPAIR_SETS", "commitment_repairs"]
