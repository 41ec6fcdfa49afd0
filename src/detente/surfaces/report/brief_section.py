"""The report's first section, "The brief": one block per proposal on the table, from the case
file's :class:`~detente.analyses.brief.BriefResult` (no analysis here)."""

from __future__ import annotations

from typing import Any

from detente.analyses.brief import BriefResult
from detente.engine.registry import concept_label

KIND = {"deal": "Deal", "target": "Mediation target", "draft": "Draft"}


def brief_section(b: BriefResult) -> dict[str, Any]:
    """Per proposal: its title, state in words (number second), verdict per concept with its
    probability, and the brief's sentences after the first two."""
    out = []
    for p in b.proposals:
        rows = [
            {
                "label": concept_label(c),
                "holds": p.holds(c),
                "probability": None if p.probability is None else p.probability[c],
            }
            for c in b.concepts
        ]
        out.append(
            {
                "name": p.title or p.name,
                "kind": KIND[p.kind],
                "words": p.words,
                "number": p.state.number,
                "state": p.state.state,
                "matching": p.matching,
                "completes": p.completes,
                "rows": rows,
                "verdict": p.summary[1],
                "lines": list(p.summary[2:]),
            }
        )
    return {"proposals": out, "profiles": b.profiles, "exact": b.exact}


__all__ = ["brief_section"]
