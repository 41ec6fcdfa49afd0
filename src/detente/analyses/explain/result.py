"""The plain data of an explanation: verdicts, the improvements checked, their sanctions.

States, option changes and moves are the shared types of :mod:`detente.analyses.moves`
(``Change`` is :class:`~detente.analyses.moves.OptionChange`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.analyses.contract import ResultHeader, with_header
from detente.analyses.moves import Move, OptionChange, StateRef
from detente.engine.registry import concept_label, get_concept
from detente.model.errors import AnalysisError

#: The option-change type (kept under its former name).
Change = OptionChange


class ExplainError(AnalysisError):
    """Bad input to :func:`explain`: an unknown state, decision maker or concept."""


@dataclass(frozen=True)
class Sanction:
    """The others' response to an improvement and where it ends.

    ``moves``: for a sequential sanction, the moves in order (each from the previous state);
    for a simultaneous response, one move per responding DM, all from the original state.
    ``reply`` (SMR only): the focal DM's best one-move reply from ``outcome`` — no better for
    it than the original state (probabilistic: its likeliest escape) — or ``None`` when it
    cannot move from there. ``probability`` (probabilistic concepts): P_i(outcome ≻ start);
    ``uncertain`` (unknown preferences): the focal DM cannot compare outcome and start.
    """

    moves: tuple[Move, ...]
    outcome: StateRef
    reply: StateRef | None = None
    probability: float | None = None
    uncertain: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "moves": [m.to_dict() for m in self.moves],
            "outcome": self.outcome.to_dict(),
            "reply": None if self.reply is None else self.reply.to_dict(),
        }
        if self.probability is not None:
            out["probability"] = self.probability
        if self.uncertain is not None:
            out["uncertain"] = self.uncertain
        return out


@dataclass(frozen=True)
class ImprovementCheck:
    """One move a concept asks to deter (a unilateral improvement; an α-UI; a move to a
    state the DM prefers or cannot compare): is it deterred, and how."""

    improvement: Move
    sanctioned: bool
    sanction: Sanction | None  # sequential sanction (GMR, SMR, SEQ, SEQ&SIM, their families)
    simultaneous: Sanction | None  # simultaneous response (SIM, SEQ&SIM)
    reason: str
    #: P_i(target ≻ start), for a probabilistic concept.
    probability: float | None = None
    #: Whether the DM cannot compare target and start, for an unknown-preference concept.
    uncertain: bool | None = None
    #: For a weak concept: the sanction the DM strongly dislikes, if any (``sanction`` is
    #: the classic one); the move is deterred strongly when there is one.
    strong: Sanction | None = None

    def to_dict(self, concept: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "to": self.improvement.target.to_dict(),
            "changes": [ch.to_dict(owner=False) for ch in self.improvement.changes],
            "sanctioned": self.sanctioned,
        }
        how = get_concept(concept)
        if how.levels is not None:
            out["probability"] = self.probability
        if how.unknown is not None:
            out["uncertain"] = self.uncertain
        if how.sanction is not None:
            out["sanction"] = None if self.sanction is None else self.sanction.to_dict()
        if how.strength == "weak":
            out["strong_sanction"] = None if self.strong is None else self.strong.to_dict()
        if how.simultaneous:
            out["simultaneous"] = (
                None if self.simultaneous is None else self.simultaneous.to_dict()
            )
        out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class ConceptVerdict:
    """Whether the state is stable for one DM under one concept, and why."""

    concept: str
    stable: bool
    summary: str  # one sentence, without the verdict, e.g. "UR's only improvement is deterred."
    checks: tuple[ImprovementCheck, ...]

    @property
    def label(self) -> str:
        return concept_label(self.concept)

    @property
    def deterrable(self) -> bool:
        """Whether the concept deters improvements at all (not Nash): only then do the
        checks' reasons say more than the list of improvements."""
        return get_concept(self.concept).deterrable

    @property
    def own_moves(self) -> bool:
        """Whether the concept's moves differ from the classic UIs (probabilistic: α-UIs;
        unknown preferences: known or uncertain gains): its checks list them, reasons and
        all, even where nothing deters them."""
        how = get_concept(self.concept)
        return how.levels is not None or how.unknown is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "stable": self.stable,
            "summary": self.summary,
            "improvements": [ch.to_dict(self.concept) for ch in self.checks],
        }


@dataclass(frozen=True)
class DMExplanation:
    """One DM's view of the state: its rank, its improvements, a verdict per concept."""

    dm: str
    rank: int  # 1 = most preferred; tied states share a rank
    rank_levels: int  # how many distinct ranks the DM uses
    improvements: tuple[Move, ...]
    verdicts: tuple[ConceptVerdict, ...]

    def verdict(self, concept: str) -> ConceptVerdict:
        for v in self.verdicts:
            if v.concept == concept:
                return v
        raise ExplainError(
            f"concept {concept!r} was not explained; explained: "
            + ", ".join(v.concept for v in self.verdicts)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "rank": self.rank,
            "rank_levels": self.rank_levels,
            "improvements": [m.to_dict() for m in self.improvements],
            "concepts": {v.concept: v.to_dict() for v in self.verdicts},
        }


@dataclass(frozen=True)
class Explanation:
    """Why ``state`` is or is not stable, per DM and concept."""

    model: str
    options: tuple[str, ...]
    state: StateRef
    n_states: int
    concepts: tuple[str, ...]
    dms: tuple[DMExplanation, ...]
    #: What was analysed and how (the header of :meth:`to_dict`).
    computed: ResultHeader | None = field(default=None, compare=False)

    def result_header(self) -> ResultHeader:
        """The result header (model, options, DMs, concepts, parameters)."""
        return self.computed or ResultHeader(
            self.model, self.options, tuple(d.dm for d in self.dms), self.concepts,
            {"state": self.state.number, "dms": [d.dm for d in self.dms]})

    def dm(self, name: str) -> DMExplanation:
        for d in self.dms:
            if d.dm == name:
                return d
        raise ExplainError(
            f"decision maker {name!r} was not explained; explained: "
            + ", ".join(d.dm for d in self.dms)
        )

    def stable(self, dm: str, concept: str) -> bool:
        """Whether the state is stable for ``dm`` under ``concept``."""
        return self.dm(dm).verdict(concept).stable

    def to_dict(self) -> dict[str, Any]:
        return with_header(self.result_header(), {
            "state": self.state.to_dict(),
            "n_states": self.n_states,
            "stable": {
                d.dm: {v.concept: v.stable for v in d.verdicts} for d in self.dms
            },
            "dms": [d.to_dict() for d in self.dms],
        })


__all__ = ["Change", "ConceptVerdict", "DMExplanation", "ExplainError", "Explanation",
           "ImprovementCheck", "Move", "Sanction", "StateRef"]
