"""The mediator's brief as plain data: one entry per proposal on the table, its JSON shape
(``detente brief --format json``) and its sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.analyses.brief.fixes import Fix
from detente.analyses.contract import ResultHeader, with_header
from detente.analyses.moves import OptionChange, StateRef


@dataclass(frozen=True)
class Breaker:
    """A DM that would break the proposal, by one move, under ``concepts`` (at ``phase`` of a
    deal); ``words``: where the move leads, in words."""

    dm: str
    source: StateRef
    target: StateRef
    changes: tuple[OptionChange, ...]
    concepts: tuple[str, ...]
    words: str
    phase: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "phase": self.phase,
            "from": self.source.to_dict(),
            "to": self.target.to_dict(),
            "words": self.words,
            "changes": [ch.to_dict(owner=False) for ch in self.changes],
            "concepts": list(self.concepts),
        }


@dataclass(frozen=True)
class Enforcement:
    """What makes the proposal hold under ``concepts``: a ``guarantee`` (third-party options
    in force), a ``commitment`` (declared devices made) or a ``tranche order``."""

    kind: str
    what: tuple[str, ...]
    concepts: tuple[str, ...]
    words: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "what": list(self.what),
            "concepts": list(self.concepts),
            "words": self.words,
        }


@dataclass(frozen=True)
class Flip:
    """One uncertain assumption that, changed alone, flips the verdict under ``concepts``."""

    dm: str
    element: str
    setting: str
    probability: float
    verdict: dict[str, str]  # concept -> the verdict under this assumption (the flipped ones)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "element": self.element,
            "setting": self.setting,
            "probability": self.probability,
            "verdict": dict(self.verdict),
        }


@dataclass(frozen=True)
class Proposal:
    """One proposal: what it is, whether it holds per concept and how sure, who breaks it,
    the fewest fixes, what enforces it, what flips it; ``summary``: the same in sentences."""

    name: str
    kind: str  # "deal" | "target" | "draft"
    state: StateRef  # the deal's last phase; a target's or draft's closest matching state
    matching: int  # matching feasible states (1 for a deal or a single state)
    words: str
    verdict: dict[str, str]  # concept -> "holds" | "breaks"
    completes: bool | None  # a deal: completes with foresight
    probability: dict[str, float] | None
    breakers: tuple[Breaker, ...]
    fixes: tuple[Fix, ...]
    enforcement: tuple[Enforcement, ...]
    flips: tuple[Flip, ...]
    summary: tuple[str, ...] = ()
    title: str = ""  # the name as people read it: a target's pattern in words

    def holds(self, concept: str) -> bool:
        return self.verdict[concept] == "holds"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "title": self.title or self.name,
            "state": self.state.to_dict(),
            "matching": self.matching,
            "words": self.words,
            "verdict": dict(self.verdict),
            "completes": self.completes,
            "probability": None if self.probability is None else dict(self.probability),
            "breakers": [b.to_dict() for b in self.breakers],
            "fixes": [f.to_dict() for f in self.fixes],
            "enforcement": [e.to_dict() for e in self.enforcement],
            "flips": [f.to_dict() for f in self.flips],
            "summary": list(self.summary),
        }


@dataclass(frozen=True)
class BriefResult:
    """The brief: every proposal the model puts on the table, and how sure it could be
    (``profiles``: preference profiles analysed; 0 without declared uncertainty)."""

    proposals: tuple[Proposal, ...]
    concepts: tuple[str, ...]
    profiles: int
    exact: bool
    notes: tuple[str, ...]
    computed: ResultHeader = field(compare=False)

    def result_header(self) -> ResultHeader:
        return self.computed

    def proposal(self, name: str) -> Proposal:
        for p in self.proposals:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``detente brief --format json``."""
        return with_header(
            self.result_header(),
            {
                "profiles": self.profiles,
                "exact": self.exact,
                "proposals": [p.to_dict() for p in self.proposals],
                "notes": list(self.notes),
            },
        )


__all__ = ["Breaker", "BriefResult", "Enforcement", "Flip", "Proposal"]
