"""Guarantees of a phased deal: settings of its guarantor options under which every phase
holds, fewest in force first (Walter 2002), and the mediation analysis's answer when none does.
"""

from __future__ import annotations

from itertools import pairwise

from detente.analyses.deal.context import DealContext, next_phase
from detente.analyses.deal.foresight import deal_path
from detente.analyses.deal.result import GuaranteeResult, PhaseMediation, Setting
from detente.analyses.mediation.analysis import mediate
from detente.analyses.mediation.result import MediationResult
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict
from detente.model.deal import Deal, GuaranteeSetting, guarantee_settings, step_problem
from detente.model.errors import DetenteError

#: Working guarantee settings listed per concept.
MAX_SETTINGS = 10


def _settings(c: Conflict, deal: Deal) -> list[tuple[GuaranteeSetting, tuple[int, ...]]]:
    """Every setting of the guarantor options with feasible phases and legal steps, fewest
    options in force first (then in the order the guarantors are listed)."""
    out = []
    for st in guarantee_settings(c.space, deal.guarantors):
        states = tuple((ph.state & ~st.clear) | st.value for ph in deal.phases)
        if not all(c.is_feasible(s) for s in states):
            continue
        path = ([c.status_quo] if c.status_quo is not None else []) + list(states)
        if any(
            step_problem(c, a, b) is not None for a, b in pairwise(path)
        ):
            continue
        out.append((st, states))
    return out


def guarantees_under(
    run: DealContext, deal: Deal, concept: str, with_mediation: bool, max_edits: int
) -> GuaranteeResult:
    c = run.c
    written = [ph.state for ph in deal.phases]
    broken = [
        k for k, s in enumerate(written)
        if not run.holds(s, next_phase(deal, k), concept)
    ]
    breaks_at = deal.phases[broken[0]].name if broken else None
    working: list[Setting] = []
    candidates = _settings(c, deal) if deal.guarantors else []
    for st, states in candidates:
        nexts = [*states[1:], None]
        if all(run.holds(s, n, concept) for s, n in zip(states, nexts, strict=True)):
            stalls = _stalls(run, deal, states)
            completes = run.induction.completes(deal_path(c, states))
            working.append(
                Setting(st.values, tuple(run.ref(s) for s in states), stalls, completes,
                        st.on)
            )
            if len(working) >= MAX_SETTINGS:
                break
    note = "" if deal.guarantors else "the deal names no guarantor options"
    mediation: tuple[PhaseMediation, ...] | None = None
    if broken and not working and with_mediation:
        mediation = _mediation(run, deal, concept, broken, max_edits)
        note = (
            f"no guarantee setting makes the deal hold under {concept_label(concept)}; the "
            "mediation analysis gives the minimal priority changes that make each broken phase "
            "an equilibrium (phase by phase, not jointly)"
        )
    return GuaranteeResult(
        concept, not broken, breaks_at, tuple(working), len(candidates), mediation, note
    )


def _stalls(run: DealContext, deal: Deal, states: tuple[int, ...]) -> tuple[str, ...]:
    """``'DM before phase'`` for every mover who prefers to stall along these phase states."""
    c = run.c
    path = ([c.status_quo] if c.status_quo is not None else []) + list(states)
    pairs = list(pairwise(path))
    names = [ph.name for ph in deal.phases][len(deal.phases) - len(pairs):]
    out = []
    for name, (a, b) in zip(names, pairs, strict=True):
        for i, dm in enumerate(c.dm_names):
            mask = int(c.dm_masks[i])
            stall = (b & ~mask) | (a & mask)
            if (a ^ b) & mask and c.is_feasible(stall) and run.rank(i, stall) > run.rank(i, b):
                out.append(f"{dm} before {name}")
    return tuple(out)


def _fewest_edits(run: DealContext, state: int, concept: str, max_edits: int) -> MediationResult:
    """``mediate`` with 1, 2, … edits until one finds a change: the edit space grows fast with
    the budget, and most broken phases need one or two edits."""
    target = run.c.state_string(state)
    budget = 1 if max_edits >= 1 else 0
    while True:
        found = mediate(run.c, target, concepts=[concept], max_edits=budget, engine=run.engine)
        if found.min_edits is not None or budget >= max_edits:
            return found
        budget += 1


def _mediation(
    run: DealContext, deal: Deal, concept: str, broken: list[int], max_edits: int
) -> tuple[PhaseMediation, ...]:
    """Minimal priority changes that make each broken phase a ``concept`` equilibrium, from
    the mediation analysis; a phase it refuses (e.g. a search too large) keeps the reason.
    The answer depends only on the phase's state: asked once per distinct state
    (:attr:`DealContext.mediated`), however often the deal returns to it."""
    out = []
    for k in broken:
        phase = deal.phases[k]
        key = (phase.state, concept)
        if key not in run.mediated:
            try:
                run.mediated[key] = _fewest_edits(run, phase.state, concept, max_edits)
            except DetenteError as exc:
                run.mediated[key] = exc
        found = run.mediated[key]
        if isinstance(found, DetenteError):
            out.append(PhaseMediation(phase.name, None, str(found)))
        else:
            out.append(PhaseMediation(phase.name, found))
    return tuple(out)


__all__ = ["MAX_SETTINGS", "guarantees_under"]
