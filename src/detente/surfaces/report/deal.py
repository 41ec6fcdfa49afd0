"""The report's phased-deal section: arranges :func:`detente.deal_analysis` for the templates.

Only arranges results (no analysis here): a timeline of the phases (who moves into each, what
becomes irreversible, whether it holds under each concept), where the deal breaks, who is
exposed, which guarantee or commitment device repairs it, and, for a deal given as tranches,
the ranked orders of the tranche design.
"""

from __future__ import annotations

from typing import Any

from detente.analyses.deal import DealAnalysis, DesignResult, Foresight, PhaseResult
from detente.engine.registry import concept_label

#: Exposures listed in the report (the rest are counted).
MAX_EXPOSURES = 12
#: Minimal priority changes listed per broken phase.
MAX_SOLUTIONS = 3


def deal_section(r: DealAnalysis) -> dict[str, Any]:
    """Plain data for the ``deal`` templates."""
    into = {s.index: s for s in r.steps}
    rows = []
    for p in r.phases:
        step = into.get(p.index)
        rows.append(
            {
                "number": p.index + 1,
                "name": p.name,
                "state": p.state.state,
                "state_number": p.state.number,
                "rationale": p.rationale,
                "movers": ""
                if step is None
                else "; ".join(
                    f"{m.dm}: {', '.join(str(ch) for ch in m.changes)}" for m in step.movers
                ),
                "irreversible": ""
                if step is None
                else ", ".join(o for opts in step.irreversible.values() for o in opts),
                "stalling": []
                if step is None
                else [
                    {
                        "dm": m.dm,
                        "state": m.stall.number if m.stall else None,
                        "held": [concept_label(k) for k, eq in m.stall_equilibrium.items() if eq],
                    }
                    for m in step.movers
                    if m.prefers_stalling
                ],
                "cells": [
                    {
                        "holds": p.holds[k],
                        "unstable": [d for d, ok in p.stable[k].items() if not ok],
                    }
                    for k in r.concepts
                ],
            }
        )
    verdicts = []
    for k in r.concepts:
        g = r.guarantees[k]
        broken = next((p for p in r.phases if not p.holds[k]), None)
        repair = None
        if g.settings:
            first = g.settings[0]
            repair = "no guarantee needed" if not first.on else " + ".join(first.on)
        changes = [
            {
                "phase": m.phase,
                "min_edits": None if m.result is None else m.result.min_edits,
                "error": m.error,
                "solutions": []
                if m.result is None
                else [
                    "; ".join(e.text() for e in sol.edits)
                    for sol in m.result.solutions[:MAX_SOLUTIONS]
                ],
                "more": 0 if m.result is None else max(0, len(m.result.solutions) - MAX_SOLUTIONS),
            }
            for m in g.mediation or ()
        ]
        verdicts.append(
            {
                "label": concept_label(k),
                "holds": broken is None,
                "phase": None if broken is None else broken.name,
                "why": None if broken is None else _why(broken, k),
                "repair": repair,
                "note": g.note,
                "changes": changes,
            }
        )
    exposures = [
        {
            "label": concept_label(e.concept),
            "phase": e.phase,
            "exposed": e.exposed,
            "options": ", ".join(e.options),
            "by": e.by,
            "change": e.move.change_text,
            "to": e.move.target.number,
            "hurts": e.hurts,
        }
        for e in r.exposures
        if e.hurts
    ]
    return {
        "name": r.deal,
        "description": r.description,
        "concepts": [concept_label(k) for k in r.concepts],
        "rows": rows,
        "verdicts": verdicts,
        "exposures": exposures[:MAX_EXPOSURES],
        "exposures_hidden": max(0, len(exposures) - MAX_EXPOSURES),
        "stalls_at": r.stalls_at,
        "guarantors": list(r.guarantors),
        "foresight": [] if r.foresight is None else foresight_lines(r.foresight),
        "commitments": r.commitment_lines(),
    }


def design_section(r: DesignResult) -> dict[str, Any]:
    """Plain data for the tranche-design table: the ranked orders (order, completes with
    foresight, holds per concept with the fewest guarantees that make it hold, exposures)."""
    rows = []
    for rank, d in enumerate(r.designs, 1):
        cells = []
        for k in r.concepts:
            g = d.guarantees[k]
            cells.append(
                {
                    "holds": d.holds[k],
                    "with": None
                    if d.holds[k]
                    else (
                        "no guarantee helps" if g is None else "with " + (" + ".join(g) or "none")
                    ),
                }
            )
        rows.append(
            {
                "rank": rank,
                "order": " → ".join(d.order),
                "phases": [p.number for p in d.phases],
                "completes": d.completes,
                "unravels_at": d.unravels_at,
                "cells": cells,
                "exposures": d.exposures,
            }
        )
    return {
        "deal": r.deal,
        "tranches": list(r.tranches),
        "concepts": [concept_label(k) for k in r.concepts],
        "tried": r.tried,
        "skipped": r.skipped,
        "ranked": r.ranked,
        "rows": rows,
    }


def foresight_lines(f: Foresight) -> list[str]:
    """Backward induction in words: who takes its step because of what follows, who holds
    back, and the verdict beside the myopic one."""
    out = []
    for s in f.steps:
        for m in s.movers:
            if m.blocked:
                out.append(
                    f"{m.dm} cannot take its step into {s.target!r}: it starts or ends in its "
                    "blind spots."
                )
                continue
            if m.stall is None or (m.proceeds and m.myopic):
                continue
            if m.proceeds:
                out.append(
                    f"{m.dm} takes its step into {s.target!r} because of what follows: it would "
                    f"rather stall (state {m.stall.number}) than stop there, but not than where "
                    f"the deal then leads (state {s.ahead.number})."
                )
            else:
                out.append(
                    f"{m.dm} holds back its step into {s.target!r}: it prefers stalling (state "
                    f"{m.stall.number}) to where the deal leads from there (state "
                    f"{s.ahead.number})."
                )
    if f.completes:
        verdict = "Looking ahead, the deal completes"
    else:
        at = f.steps[(f.unravels_at or 1) - 1]
        verdict = (
            f"Looking ahead, the deal unravels at step {at.step} ({at.source} → "
            f"{at.target}) and ends in state {f.outcome[0].number}"
        )
    if f.myopic_completes:
        myopic = "comparing only the next phase, every party takes its step"
    else:
        at = f.steps[(f.myopic_stalls_at or 1) - 1]
        myopic = f"comparing only the next phase, it stalls at step {at.step} ({at.target})"
    out.append(f"{verdict}; {myopic}.")
    return out


def _why(p: PhaseResult, concept: str) -> str:
    """The reason of the first undeterred temptation away from the deal path."""
    for t in p.temptations:
        if not t.deterred[concept] and not t.to_next_phase:
            return t.reasons[concept]
    return ""  # pragma: no cover - a phase that does not hold has such a temptation


__all__ = ["deal_section", "design_section", "foresight_lines"]
