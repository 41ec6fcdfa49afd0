"""The result of the drafts analysis: per draft and matching state, vetoes, whether it holds
and for whom not, and the nearest improvements per concept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from detente.analyses.contract import ResultHeader, header, with_header
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict


@dataclass(frozen=True)
class DraftState:
    """One state of a draft: ``vetoes`` (None without a reference), per concept ``holds``,
    ``breaks_for`` (DMs not stable there), ``nearest`` ((state, option changes), at most
    :data:`~detente.analyses.drafts.analysis.MAX_NEAREST`) and ``nearest_count`` (all at
    that distance)."""

    state: str
    number: int
    vetoes: tuple[str, ...] | None
    holds: dict[str, bool]
    breaks_for: dict[str, tuple[str, ...]]
    nearest: dict[str, tuple[tuple[str, int], ...]]
    nearest_count: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "number": self.number,
            "vetoes": list(self.vetoes) if self.vetoes is not None else None,
            "holds": dict(self.holds),
            "breaks_for": {c: list(v) for c, v in self.breaks_for.items()},
            "nearest": {
                c: {
                    "changes": v[0][1] if v else None,
                    "count": self.nearest_count[c],
                    "states": [s for s, _ in v],
                }
                for c, v in self.nearest.items()
            },
        }


@dataclass(frozen=True)
class DraftResult:
    """One draft: as written, its rationale, how many feasible states it matches and the
    analysed ones, best first."""

    name: str
    written: str
    rationale: str
    matching: int
    states: tuple[DraftState, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "draft": self.written,
            "rationale": self.rationale,
            "matching": self.matching,
            "states": [s.to_dict() for s in self.states],
        }


@dataclass(frozen=True)
class DraftsResult:
    """Every draft of the model, in order (see :mod:`detente.analyses.drafts.analysis`)."""

    conflict: Conflict
    concepts: tuple[str, ...]
    reference: int | None
    drafts: tuple[DraftResult, ...]
    against: int | str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``detente drafts --format json`` (docs/packages.md)."""
        c = self.conflict
        ref = (
            None
            if self.reference is None
            else {
                "state": c.space.text(self.reference),
                "number": int(c.space.number(self.reference)),
                "status_quo": c.status_quo == self.reference,
            }
        )
        return with_header(
            self.result_header(),
            {
                "reference": ref,
                "concepts": {k: {"label": concept_label(k)} for k in self.concepts},
                "drafts": [d.to_dict() for d in self.drafts],
            },
        )

    def result_header(self) -> ResultHeader:
        return header(self.conflict, self.concepts, {"against": self.against})

    def frame(self) -> pd.DataFrame:
        """One row per draft, state and concept: vetoes, holds, breaks for, nearest."""
        rows = [
            {
                "draft": d.name,
                "state": s.state,
                "concept": concept_label(k),
                "vetoes": ", ".join(s.vetoes) if s.vetoes is not None else None,
                "holds": s.holds[k],
                "breaks_for": ", ".join(s.breaks_for[k]),
                "changes": s.nearest[k][0][1] if s.nearest[k] else None,
                "nearest": ", ".join(t for t, _ in s.nearest[k]),
            }
            for d in self.drafts
            for s in d.states
            for k in self.concepts
        ]
        return pd.DataFrame(rows)


__all__ = ["DraftResult", "DraftState", "DraftsResult"]
