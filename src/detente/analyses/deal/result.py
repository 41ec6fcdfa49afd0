"""The results of the phased-deal analysis (:mod:`detente.analyses.deal`), as plain data.

Each result has ``to_dict()``; :meth:`DealAnalysis.to_dict` is the JSON of ``detente deal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.analyses.contract import ResultHeader, with_header
from detente.analyses.explain.result import Explanation
from detente.analyses.mediation.result import MediationResult
from detente.analyses.moves import Move, OptionChange, StateRef
from detente.engine.registry import concept_label
from detente.model.mediation import Commitment
from detente.model.states import YES


@dataclass(frozen=True)
class Temptation:
    """A DM's unilateral improvement from a phase, and whether each concept deters it."""

    move: Move
    deterred: dict[str, bool]
    reasons: dict[str, str]
    to_next_phase: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.move.dm,
            "to": self.move.target.to_dict(),
            "changes": [ch.to_dict() for ch in self.move.changes],
            "to_next_phase": self.to_next_phase,
            "deterred": dict(self.deterred),
            "reasons": dict(self.reasons),
        }


@dataclass(frozen=True)
class PhaseResult:
    """One phase: per concept and DM its stability, its temptations, whether it holds."""

    index: int
    name: str
    rationale: str
    state: StateRef
    stable: dict[str, dict[str, bool]]
    holds: dict[str, bool]
    temptations: tuple[Temptation, ...]
    explanation: Explanation

    def equilibrium(self, concept: str) -> bool:
        return all(self.stable[concept].values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state.state,
            "number": self.state.number,
            "rationale": self.rationale,
            "stable": {k: dict(v) for k, v in self.stable.items()},
            "equilibrium": {k: self.equilibrium(k) for k in self.stable},
            "holds": dict(self.holds),
            "temptations": [t.to_dict() for t in self.temptations],
        }


@dataclass(frozen=True)
class MoverCheck:
    """One mover in a step: its changes, whether they improve its position, what stalling
    leads to."""

    dm: str
    changes: tuple[OptionChange, ...]
    own_move: StateRef | None  # its own changes alone from the previous state (None: infeasible)
    improves: bool | None  # own_move preferred by it to the previous state
    gains_from_step: bool  # the whole step leaves it better off
    stall: StateRef | None  # the others move, it does not (None: infeasible)
    prefers_stalling: bool | None  # it prefers the stall state to the next phase
    hurt_by_stalling: tuple[str, ...]  # other DMs that like the stall state less than the phase
    stall_equilibrium: dict[str, bool]  # per concept: the stall state is an equilibrium there
    blocked: bool = False  # its part of the step starts or ends in its blind spots

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dm": self.dm,
            "changes": [ch.to_dict() for ch in self.changes],
            "own_move": None if self.own_move is None else self.own_move.to_dict(),
            "improves": self.improves,
            "gains_from_step": self.gains_from_step,
            "stall": None if self.stall is None else self.stall.to_dict(),
            "prefers_stalling": self.prefers_stalling,
            "hurt_by_stalling": list(self.hurt_by_stalling),
            "stall_equilibrium": dict(self.stall_equilibrium),
        }
        if self.blocked:  # only with blind spots: the key is absent otherwise
            out["blind_spot"] = True
        return out


@dataclass(frozen=True)
class Step:
    """A step into phase ``index`` (from the status quo when ``index`` is 0)."""

    index: int
    source: str  # "status quo" or the previous phase's name
    target: str
    movers: tuple[MoverCheck, ...]
    irreversible: dict[str, tuple[str, ...]]  # mover -> options it set irreversibly

    @property
    def stalling(self) -> tuple[str, ...]:
        """Movers who prefer to stall (the others move, they do not) to making the step, or
        cannot make their part of it (a blind spot)."""
        return tuple(m.dm for m in self.movers if m.prefers_stalling or m.blocked)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "movers": [m.to_dict() for m in self.movers],
            "irreversible": {k: list(v) for k, v in self.irreversible.items()},
            "stalling": list(self.stalling),
        }


@dataclass(frozen=True)
class Exposure:
    """After the step into ``phase``, ``exposed`` (who set ``options`` irreversibly) faces an
    undeterred improvement of ``by`` away from the deal path."""

    phase: str
    concept: str
    exposed: str
    options: tuple[str, ...]
    by: str
    move: Move
    hurts: bool  # the exposed DM likes the improvement's target less than the phase

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "concept": self.concept,
            "exposed": self.exposed,
            "options": list(self.options),
            "by": self.by,
            "to": self.move.target.to_dict(),
            "changes": [ch.to_dict() for ch in self.move.changes],
            "hurts": self.hurts,
        }


@dataclass(frozen=True)
class ForesightMover:
    """One mover of a step, looking ahead (``proceeds``) and myopically (``myopic``)."""

    dm: str
    proceeds: bool  # not stall ≻ O_k (ties favour the deal; no feasible stall proceeds)
    myopic: bool  # not stall ≻ s_k: today's comparison
    stall: StateRef | None  # stall_i(k): the others' changes without its own (None: infeasible)
    blocked: bool = False  # its part of the step starts or ends in its blind spots

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dm": self.dm,
            "proceeds": self.proceeds,
            "stall": None if self.stall is None else self.stall.to_dict(),
            "myopic": self.myopic,
        }
        if self.blocked:  # only with blind spots: the key is absent otherwise
            out["blind_spot"] = True
        return out


@dataclass(frozen=True)
class ForesightStep:
    """Step ``step`` (1-based) from ``source`` to ``target``, judged against ``ahead`` (O_k,
    where the deal leads from the step's end)."""

    step: int
    source: str
    target: str
    ahead: StateRef
    movers: tuple[ForesightMover, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "from": self.source,
            "to": self.target,
            "ahead": self.ahead.to_dict(),
            "movers": [m.to_dict() for m in self.movers],
        }


@dataclass(frozen=True)
class Foresight:
    """Backward induction along the deal (docs/deals.md, "Deals with foresight"), beside the
    myopic verdict."""

    outcome: tuple[StateRef, ...]  # O_0 … O_m
    steps: tuple[ForesightStep, ...]
    completes: bool  # O_0 = s_m
    unravels_at: int | None  # first step where some mover does not proceed
    myopic_completes: bool
    myopic_stalls_at: int | None  # first step where some mover prefers stall to s_k

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": [o.to_dict() for o in self.outcome],
            "steps": [s.to_dict() for s in self.steps],
            "completes": self.completes,
            "unravels_at": self.unravels_at,
            "myopic": {"completes": self.myopic_completes, "stalls_at": self.myopic_stalls_at},
        }


@dataclass(frozen=True)
class Setting:
    """Values of the guarantor options, applied to every phase."""

    values: dict[str, str]
    phases: tuple[StateRef, ...]
    stalls: tuple[str, ...] = ()  # "DM before phase" for movers who would rather stall
    completes: bool | None = None  # the deal completes with foresight under this setting
    #: The guarantees in force as written (model.deal.GuaranteeSetting.on); default: the
    #: yes/no options set Y.
    in_force: tuple[str, ...] | None = None

    @property
    def on(self) -> tuple[str, ...]:
        if self.in_force is not None:
            return self.in_force
        return tuple(k for k, v in self.values.items() if v == YES)

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": list(self.on),
            "values": dict(self.values),
            "phases": [p.state for p in self.phases],
            "stalls": list(self.stalls),
            "completes": self.completes,
        }


@dataclass(frozen=True)
class PhaseMediation:
    """The mediation analysis's answer for one broken phase (or why it gave none)."""

    phase: str
    result: MediationResult | None
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.error} if self.result is None else self.result.to_dict()


@dataclass(frozen=True)
class GuaranteeResult:
    """Under one concept: does the deal hold as written, which settings make it hold, and, when
    none does, the mediation analysis's answer (when available)."""

    concept: str
    holds_as_written: bool
    breaks_at: str | None  # first phase that does not hold, as written
    settings: tuple[Setting, ...]  # working settings, fewest guarantees first
    tried: int  # settings tried (feasible, with legal steps)
    mediation: tuple[PhaseMediation, ...] | None = None  # per broken phase
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "holds_as_written": self.holds_as_written,
            "breaks_at": self.breaks_at,
            "settings": [s.to_dict() for s in self.settings],
            "tried": self.tried,
            "mediation": None if self.mediation is None else {
                m.phase: m.to_dict() for m in self.mediation
            },
            "note": self.note,
        }


@dataclass(frozen=True)
class CommitmentRepair:
    """A set of declared commitments tried as a repair: per concept, whether every phase holds
    with those options one-way; ``completes``: with foresight (commitments do not change it)."""

    commitments: tuple[Commitment, ...]
    holds: dict[str, bool]
    completes: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"commitments": [x.to_dict() for x in self.commitments],
                "holds": dict(self.holds), "completes": self.completes}


@dataclass(frozen=True)
class DealCommitments:
    """The declared commitments as deal repairs (analyses/deal/commitments.py)."""

    declared: int
    tried: int  # sets analysed
    skipped: int  # sets the deal's own steps break
    sets: tuple[CommitmentRepair, ...]
    refused: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"declared": self.declared, "tried": self.tried, "skipped": self.skipped,
                "refused": self.refused or None, "sets": [s.to_dict() for s in self.sets]}

    def working(self, concept: str) -> list[CommitmentRepair]:
        return [s for s in self.sets if s.holds[concept]]

    def lines(self, breaks_at: dict[str, str | None]) -> list[str]:
        """The repairs in sentences, per concept under which the deal breaks as written
        (``breaks_at``: concept → first phase that does not hold, or None); no line when the
        model declares no commitment.

        >>> DealCommitments(1, 0, 0, ()).lines({"nash": None})
        ['No commitment needed: the deal holds as written under Nash.']
        """
        if not self.declared:
            return []
        if self.refused:
            return [f"Commitment devices not tried: {self.refused}."]
        broken = {k: at for k, at in breaks_at.items() if at is not None}
        if not broken:
            labels = ", ".join(concept_label(k) for k in breaks_at)
            return [f"No commitment needed: the deal holds as written under {labels}."]
        n = self.declared
        declared = "the declared commitment" if n == 1 else f"the {n} declared commitments"
        out = []
        for k, at in broken.items():
            head = f"{concept_label(k)} (breaks at {at!r} as written): "
            working = self.working(k)
            if working:
                out.append(head + "every phase holds with " + "; or with ".join(
                    ", ".join(x.text() for x in r.commitments) + _looking_ahead(r.completes)
                    for r in working) + ".")
                continue
            skipped = (f", {self.skipped} skipped because the deal's own steps undo a "
                       "committed option" if self.skipped else "")
            out.append(head + f"no set of {declared} makes every phase hold ({self.tried} "
                       f"set{'s' if self.tried != 1 else ''} tried{skipped}).")
        return out


def _looking_ahead(completes: bool | None) -> str:
    return {True: " (completes with foresight)", False: " (unravels with foresight)",
            None: ""}[completes]


@dataclass(frozen=True)
class DealAnalysis:
    """The whole phase-by-phase analysis of a model's deal."""

    model: str
    deal: str
    description: str
    options: tuple[str, ...]
    concepts: tuple[str, ...]
    guarantors: tuple[str, ...]
    status_quo: StateRef | None
    phases: tuple[PhaseResult, ...]
    steps: tuple[Step, ...]
    exposures: tuple[Exposure, ...]
    guarantees: dict[str, GuaranteeResult] = field(default_factory=dict)
    #: Backward induction along the deal (None only for results built without it).
    foresight: Foresight | None = None
    #: What was analysed and how (the header of :meth:`to_dict`).
    computed: ResultHeader | None = field(default=None, compare=False)
    #: The declared commitment devices tried as repairs (None: not analysed).
    commitments: DealCommitments | None = None

    def result_header(self) -> ResultHeader:
        """The result header (model, options, DMs, concepts, parameters)."""
        return self.computed or ResultHeader(self.model, self.options, (), self.concepts)

    def holds(self, concept: str) -> bool:
        return all(p.holds[concept] for p in self.phases)

    def breaks_at(self, concept: str) -> str | None:
        return next((p.name for p in self.phases if not p.holds[concept]), None)

    @property
    def stalls_at(self) -> str | None:
        """The first phase whose step some mover would rather not make (it prefers to stall)."""
        return next((s.target for s in self.steps if s.stalling), None)

    def commitment_lines(self) -> list[str]:
        """The declared commitment devices as repairs, in sentences (none when the model
        declares none or they were not analysed)."""
        if self.commitments is None:
            return []
        return self.commitments.lines({k: self.breaks_at(k) for k in self.concepts})

    def to_dict(self) -> dict[str, Any]:
        return with_header(self.result_header(), {
            "deal": self.deal,
            "description": self.description,
            "status_quo": None if self.status_quo is None else self.status_quo.state,
            "guarantors": list(self.guarantors),
            "phases": [p.to_dict() for p in self.phases],
            "steps": [s.to_dict() for s in self.steps],
            "exposures": [e.to_dict() for e in self.exposures],
            "holds": {k: self.holds(k) for k in self.concepts},
            "breaks_at": {k: self.breaks_at(k) for k in self.concepts},
            "stalls_at": self.stalls_at,
            "guarantees": {k: g.to_dict() for k, g in self.guarantees.items()},
            "foresight": None if self.foresight is None else self.foresight.to_dict(),
            "commitments": None if self.commitments is None else self.commitments.to_dict(),
        })


@dataclass(frozen=True)
class Design:
    """One order of the tranches, as ranked by :func:`detente.deal_design`."""

    order: tuple[str, ...]  # tranche names
    phases: tuple[StateRef, ...]
    completes: bool  # with foresight
    unravels_at: int | None
    holds: dict[str, bool]  # per concept, as built (no guarantee setting)
    exposures: int  # over the chosen concepts
    guarantees: dict[str, tuple[str, ...] | None]  # fewest guarantees that make it hold

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "phases": [p.state for p in self.phases],
            "completes": self.completes,
            "unravels_at": self.unravels_at,
            "holds": dict(self.holds),
            "exposures": self.exposures,
            "guarantees": {k: None if v is None else list(v) for k, v in self.guarantees.items()},
        }


@dataclass(frozen=True)
class DesignResult:
    """Tranche design: the orders ``after`` allows, ranked (``designs``: the first ``limit``)."""

    deal: str
    tranches: tuple[str, ...]  # as written
    concepts: tuple[str, ...]
    tried: int  # orders that ``after`` allows
    skipped: int  # of those, through an infeasible state or against irreversibility
    ranked: int  # tried - skipped
    designs: tuple[Design, ...]
    computed: ResultHeader = field(compare=False)

    def result_header(self) -> ResultHeader:
        """The result header (model, options, DMs, concepts, parameters)."""
        return self.computed

    def to_dict(self) -> dict[str, Any]:
        return with_header(self.result_header(), {
            "deal": self.deal,
            "tranches": list(self.tranches),
            "tried": self.tried,
            "skipped": self.skipped,
            "ranked": self.ranked,
            "designs": [d.to_dict() for d in self.designs],
        })


__all__ = ["CommitmentRepair", "DealAnalysis", "DealCommitments", "Design", "DesignResult",
           "Exposure", "Foresight", "ForesightMover", "ForesightStep",
           "GuaranteeResult", "MoverCheck", "PhaseMediation", "PhaseResult", "Setting", "Step",
           "Temptation"]
