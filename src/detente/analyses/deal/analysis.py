"""Does a phased deal enforce itself? Phase by phase, step by step, with guarantees.

A deal (``Conflict.deal``) is an ordered list of phase states s_1 … s_m, the first reached from
the status quo. For a solution concept C (definitions in docs/deals.md):

* **stable** (per phase, per DM): exactly as :func:`detente.analyze` says for that state.
* **temptation**: a unilateral improvement (UI) of a DM from the phase; it is *deterred* under C
  when :func:`detente.explain` finds the sanction C asks for.
* a phase **holds** under C when every undeterred temptation of every DM leads to the next
  phase (the deal's own next step is not a defection); the last phase holds exactly when it is
  a C-equilibrium. The deal **holds** when every phase does; otherwise it **breaks** at the
  first phase that does not.
* **step** s_k → s_{k+1}: its movers own the options that change. For each mover: whether its
  own part of the move, alone from s_k, is an improvement for it; and what *stalling* leads to
  (the others make their changes, it does not).
* **exposure**: after a step that sets an irreversible option (``fwd`` N→Y, ``back`` Y→N), a
  mover who set one is exposed when another DM has an undeterred temptation from the new
  phase that does not lead to the next phase (the commitment problem; Fearon 1995).
* **guarantees**: settings of the deal's guarantor options, applied to every phase, under which
  the deal holds; fewest options in force (Y) first (third-party guarantees; Walter 2002).
  When none suffices, the minimal priority changes come from the mediation analysis
  (:func:`detente.analyses.mediation.mediate`), phase by phase.

The parts: :mod:`.deal_data` (the results), :mod:`.deal_context` (shared state and the "holds"
test), :mod:`.deal_guarantees` (guarantor settings and the mediation fallback); this module
runs them (phases, steps, exposure).

>>> import detente
>>> result = deal_analysis(detente.load("tests/data/ceasefire_2024_coarse.yaml"), concepts=["sim"])
>>> result.breaks_at("sim"), result.guarantees["sim"].settings[0].on
('cease-fire', ('us_press_israel',))
"""

from __future__ import annotations

from collections.abc import Iterable

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, own_engine, report
from detente.analyses.deal.commitments import commitment_repairs
from detente.analyses.deal.context import DealContext, next_phase
from detente.analyses.deal.foresight import foresight
from detente.analyses.deal.guarantees import guarantees_under
from detente.analyses.deal.result import (
    DealAnalysis,
    Exposure,
    GuaranteeResult,
    MoverCheck,
    PhaseResult,
    Setting,
    Step,
    Temptation,
)
from detente.analyses.moves import option_changes
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.deal import Deal
from detente.model.errors import AnalysisError


def deal_analysis(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    mediate: bool = True,
    max_edits: int = 3,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> DealAnalysis:
    """Analyse the model's phased deal under each concept (default all six).

    ``mediate``: when no guarantee setting makes the deal hold, ask the mediation analysis
    (:func:`detente.analyses.mediation.mediate`) for minimal priority changes, with at most
    ``max_edits`` edits per phase. ``engine``: an :class:`Engine` of ``model`` to share.
    ``progress``: a :class:`~detente.analyses.contract.ProgressEvent` as the phases and then
    the guarantees are analysed.
    """
    arguments.model(model)
    arguments.flag(mediate, "mediate")
    arguments.max_edits(max_edits)
    deal = model.deal
    if deal is None:
        raise AnalysisError(
            f"model {model.name!r} has no deal; add a `deal:` section with its phases "
            "(see docs/model-format.md)"
        )
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"))  # no L_h
    report(progress, 1, 2, "phases, steps and exposures")
    run = DealContext(model, keys, own_engine(model, engine, "deal_analysis"))
    codes = [ph.state for ph in deal.phases]
    phases = tuple(_phase(run, deal, k) for k in range(len(codes)))
    steps = tuple(_steps(run, deal))
    exposures = tuple(_exposures(run, deal, phases, steps))
    report(progress, 2, 2, "guarantees")
    guarantees = {k: guarantees_under(run, deal, k, mediate, max_edits) for k in keys}
    sq = model.status_quo
    return DealAnalysis(
        model.name, deal.name, deal.description, model.space.column_names, keys, deal.guarantors,
        None if sq is None else run.ref(sq), phases, steps, exposures, guarantees,
        foresight(model, deal, run.induction),
        header(model, keys, {"mediate": mediate, "max_edits": max_edits}),
        commitments=commitment_repairs(run, deal),
    )


def _phase(run: DealContext, deal: Deal, k: int) -> PhaseResult:
    ph = deal.phases[k]
    nxt = next_phase(deal, k)
    return PhaseResult(
        k, ph.name, ph.rationale, run.ref(ph.state), run.stable(ph.state),
        {c: run.holds(ph.state, nxt, c) for c in run.concepts},
        run.temptations(ph.state, nxt), run.explanation(ph.state),
    )


def _pairs(c: Conflict, deal: Deal) -> list[tuple[str, int, int]]:
    """(source name, before, after) of every step; the first from the status quo, if any."""
    out: list[tuple[str, int, int]] = []
    before, name = c.status_quo, "status quo"
    for ph in deal.phases:
        if before is not None:
            out.append((name, before, ph.state))
        before, name = ph.state, ph.name
    return out


def _steps(run: DealContext, deal: Deal) -> list[Step]:
    c = run.c
    out = []
    first = 0 if c.status_quo is not None else 1
    for n, (source, a, b) in enumerate(_pairs(c, deal)):
        k = n + first
        movers = []
        irreversible: dict[str, tuple[str, ...]] = {}
        for i, dm in enumerate(c.dm_names):
            mask = int(c.dm_masks[i])
            if not (a ^ b) & mask:
                continue
            movers.append(_mover(run, i, a, b, mask))
            set_fwd = ~a & b & mask & c.fwd_mask
            set_back = a & ~b & mask & c.back_mask
            fixed = tuple(
                o for j, o in enumerate(c.option_names) if (set_fwd | set_back) >> j & 1
            )
            if fixed:
                irreversible[dm] = fixed
        out.append(Step(k, source, deal.phases[k].name, tuple(movers), irreversible))
    return out


def _mover(run: DealContext, i: int, a: int, b: int, mask: int) -> MoverCheck:
    c = run.c
    own = (a & ~mask) | (b & mask)  # only i's changes
    stall = (b & ~mask) | (a & mask)  # everyone's changes but i's
    own_ok = c.is_feasible(own)
    stall_ok = c.is_feasible(stall)
    hurt: tuple[str, ...] = ()
    if stall_ok:
        hurt = tuple(
            dm for j, dm in enumerate(c.dm_names)
            if j != i and run.rank(j, stall) < run.rank(j, b)
        )
    return MoverCheck(
        c.dm_names[i],
        option_changes(c, a, (a & ~mask) | (b & mask)),
        run.ref(own) if own_ok else None,
        run.rank(i, own) > run.rank(i, a) if own_ok else None,
        run.rank(i, b) > run.rank(i, a),
        run.ref(stall) if stall_ok else None,
        run.rank(i, stall) > run.rank(i, b) if stall_ok else None,
        hurt,
        {k: stall_ok and bool(run.result.stable[k][:, run.pos(stall)].all())
         for k in run.concepts},
        not run.induction.r.takes_part(i, a, b, stall if stall_ok else None),
    )


def _exposures(
    run: DealContext, deal: Deal, phases: tuple[PhaseResult, ...], steps: tuple[Step, ...]
) -> list[Exposure]:
    c = run.c
    out = []
    for step in steps:
        if not step.irreversible:
            continue
        phase = phases[step.index]
        here = phase.state.code
        for concept in run.concepts:
            for t in phase.temptations:
                if t.deterred[concept] or t.to_next_phase:
                    continue
                for exposed, options in step.irreversible.items():
                    if t.move.dm == exposed:
                        continue
                    e = c.dm_index(exposed)
                    hurts = run.rank(e, t.move.target.code) < run.rank(e, here)
                    out.append(
                        Exposure(phase.name, concept, exposed, options, t.move.dm, t.move, hurts)
                    )
    return out


__all__ = [
    "DealAnalysis",
    "Exposure",
    "GuaranteeResult",
    "MoverCheck",
    "PhaseResult",
    "Setting",
    "Step",
    "Temptation",
    "deal_analysis",
]
