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
  When none suffices, the minimal priority changes come from the mediation analysis, when it
  is installed (``detente.analyses.mediation``); otherwise the result says it is unavailable.

>>> import detente
>>> result = deal_analysis(detente.load("examples/ceasefire_2024.yaml"), concepts=["sim"])
>>> result.breaks_at("sim"), result.guarantees["sim"].settings[0].on
('cease-fire', ('us_press_israel',))
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any

import numpy as np

from detente.analyses.explain import Explanation, explain
from detente.analyses.moves import Move, OptionChange, StateRef, option_changes, state_of
from detente.analyses.stability import StabilityResult, analyze
from detente.engine import Engine
from detente.engine.registry import concept_label, get_concept, parse_concepts
from detente.model.conflict import Conflict
from detente.model.deal import Deal, step_problem
from detente.model.errors import AnalysisError, DetenteError

#: Working guarantee settings listed per concept.
MAX_SETTINGS = 10


# ----- plain data ---------------------------------------------------------------------------
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

    def to_dict(self) -> dict[str, Any]:
        return {
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
        """Movers who prefer to stall (the others move, they do not) to making the step."""
        return tuple(m.dm for m in self.movers if m.prefers_stalling)

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
class Setting:
    """Values of the guarantor options, applied to every phase."""

    values: dict[str, str]
    phases: tuple[StateRef, ...]
    stalls: tuple[str, ...] = ()  # "DM before phase" for movers who would rather stall

    @property
    def on(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.values.items() if v == "Y")

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": list(self.on),
            "values": dict(self.values),
            "phases": [p.state for p in self.phases],
            "stalls": list(self.stalls),
        }


@dataclass(frozen=True)
class GuaranteeResult:
    """Under one concept: does the deal hold as written, which settings make it hold, and, when
    none does, the mediation analysis's answer (when available)."""

    concept: str
    holds_as_written: bool
    breaks_at: str | None  # first phase that does not hold, as written
    settings: tuple[Setting, ...]  # working settings, fewest guarantees first
    tried: int  # settings tried (feasible, with legal steps)
    mediation: dict[str, Any] | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "holds_as_written": self.holds_as_written,
            "breaks_at": self.breaks_at,
            "settings": [s.to_dict() for s in self.settings],
            "tried": self.tried,
            "mediation": self.mediation,
            "note": self.note,
        }


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

    def holds(self, concept: str) -> bool:
        return all(p.holds[concept] for p in self.phases)

    def breaks_at(self, concept: str) -> str | None:
        return next((p.name for p in self.phases if not p.holds[concept]), None)

    @property
    def stalls_at(self) -> str | None:
        """The first phase whose step some mover would rather not make (it prefers to stall)."""
        return next((s.target for s in self.steps if s.stalling), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "deal": self.deal,
            "description": self.description,
            "options": list(self.options),
            "concepts": list(self.concepts),
            "status_quo": None if self.status_quo is None else self.status_quo.state,
            "guarantors": list(self.guarantors),
            "phases": [p.to_dict() for p in self.phases],
            "steps": [s.to_dict() for s in self.steps],
            "exposures": [e.to_dict() for e in self.exposures],
            "holds": {k: self.holds(k) for k in self.concepts},
            "breaks_at": {k: self.breaks_at(k) for k in self.concepts},
            "stalls_at": self.stalls_at,
            "guarantees": {k: g.to_dict() for k, g in self.guarantees.items()},
        }


# ----- the analysis -------------------------------------------------------------------------
class _Deal:
    """Shared state of one analysis: the model, its stability, cached explanations."""

    def __init__(self, model: Conflict, concepts: tuple[str, ...], engine: Engine) -> None:
        self.c = model
        self.concepts = concepts
        self.engine = engine
        self.result: StabilityResult = analyze(model, concepts, engine=engine)
        self.index = engine.move_index()
        self._explained: dict[int, Explanation] = {}
        self._holds: dict[tuple[int, int, str], bool] = {}

    def ref(self, code: int) -> StateRef:
        return state_of(self.c, code)

    def pos(self, code: int) -> int:
        return self.c.position(code)

    def explanation(self, code: int) -> Explanation:
        if code not in self._explained:
            self._explained[code] = explain(
                self.c, self.c.state_string(code), concepts=self.concepts, index=self.index
            )
        return self._explained[code]

    def stable(self, code: int) -> dict[str, dict[str, bool]]:
        p = self.pos(code)
        return {
            k: {dm: bool(self.result.stable[k][i, p]) for i, dm in enumerate(self.c.dm_names)}
            for k in self.concepts
        }

    def temptations(self, code: int, nxt: int | None) -> tuple[Temptation, ...]:
        e = self.explanation(code)
        out = []
        for d in e.dms:
            for j, move in enumerate(d.improvements):
                checks = {v.concept: v.checks[j] for v in d.verdicts}
                out.append(
                    Temptation(
                        move,
                        {k: ch.sanctioned for k, ch in checks.items()},
                        {k: ch.reason for k, ch in checks.items()},
                        nxt is not None and move.target.code == nxt,
                    )
                )
        return tuple(out)

    def holds(self, code: int, nxt: int | None, concept: str) -> bool:
        """Every undeterred temptation from ``code`` leads to ``nxt``.

        Looks only at the DMs that ``analyze`` finds unstable there, and only when one of
        their improvements leads elsewhere than ``nxt``. For GMR, SMR and SEQ it reads the
        engine's sanction test per improvement; for SIM and SEQ&SIM it asks ``explain``.
        """
        p = self.pos(code)
        stable = self.result.stable[concept][:, p]
        nxt_pos = None if nxt is None else self.pos(nxt)
        for i in np.flatnonzero(~stable).tolist():
            away = [t for t in self.index.improve(i, p).tolist() if t != nxt_pos]
            if not away:
                continue  # its only improvement is the deal's next step
            how = get_concept(concept)
            if how.sanction is None and not how.simultaneous:
                return False  # Nash: nothing is deterred
            if how.sanction is not None and not how.simultaneous:
                # The engine's own test, per improvement: the worst the others can force
                # from it (as analyze uses) is no better for i than the phase.
                worst = self.engine.worst_sanction(i, how.sanction)
                u = self.engine.utilities[i]
                if any(worst[t] > u[p] for t in away):
                    return False
                continue
            key = (code, i, concept)
            if key not in self._holds:
                e = explain(self.c, self.c.state_string(code), dms=[i], concepts=[concept],
                            index=self.index)
                checks = e.dms[0].verdicts[0].checks
                self._holds[key] = all(
                    ch.sanctioned or ch.improvement.target.code == nxt for ch in checks
                )
            if not self._holds[key]:
                return False
        return True

    def rank(self, i: int, code: int) -> int:
        return int(self.c.ranks[i][self.pos(code)])


def deal_analysis(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    mediate: bool = True,
    max_edits: int = 3,
    engine: Engine | None = None,
) -> DealAnalysis:
    """Analyse the model's phased deal under each concept (default all six).

    ``mediate``: when no guarantee setting makes the deal hold, ask the mediation analysis
    (``detente.analyses.mediation``, when installed) for minimal priority changes, with at most
    ``max_edits`` edits per phase. ``engine``: an :class:`Engine` of ``model`` to share.
    """
    deal = model.deal
    if deal is None:
        raise AnalysisError(
            f"model {model.name!r} has no deal; add a `deal:` section with its phases "
            "(see docs/model-format.md)"
        )
    keys = parse_concepts(concepts)  # the six standard concepts only (no L_h)
    run = _Deal(model, keys, engine if engine is not None else Engine(model))
    codes = [ph.state for ph in deal.phases]
    phases = tuple(_phase(run, deal, k) for k in range(len(codes)))
    steps = tuple(_steps(run, deal))
    exposures = tuple(_exposures(run, deal, phases, steps))
    guarantees = {k: _guarantees(run, deal, k, mediate, max_edits) for k in keys}
    sq = model.status_quo
    return DealAnalysis(
        model.name, deal.name, deal.description, model.option_names, keys, deal.guarantors,
        None if sq is None else run.ref(sq), phases, steps, exposures, guarantees,
    )


def _next(deal: Deal, k: int) -> int | None:
    return deal.phases[k + 1].state if k + 1 < len(deal.phases) else None


def _phase(run: _Deal, deal: Deal, k: int) -> PhaseResult:
    ph = deal.phases[k]
    nxt = _next(deal, k)
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


def _steps(run: _Deal, deal: Deal) -> list[Step]:
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


def _mover(run: _Deal, i: int, a: int, b: int, mask: int) -> MoverCheck:
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
    )


def _exposures(
    run: _Deal, deal: Deal, phases: tuple[PhaseResult, ...], steps: tuple[Step, ...]
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


# ----- guarantees ---------------------------------------------------------------------------
def _settings(c: Conflict, deal: Deal) -> list[tuple[dict[str, str], tuple[int, ...]]]:
    """Every setting of the guarantor options with feasible phases and legal steps, fewest
    options in force first (then in the order the guarantors are listed)."""
    g = deal.guarantors
    bits = [1 << c.bits[name] for name in g]
    allbits = sum(bits)
    out = []
    for size in range(len(g) + 1):
        for on in combinations(range(len(g)), size):
            values = {name: "Y" if k in on else "N" for k, name in enumerate(g)}
            set_bits = sum(bits[k] for k in on)
            states = tuple((ph.state & ~allbits) | set_bits for ph in deal.phases)
            if not all(c.is_feasible(s) for s in states):
                continue
            path = ([c.status_quo] if c.status_quo is not None else []) + list(states)
            if any(
                step_problem(c, a, b) is not None for a, b in pairwise(path)
            ):
                continue
            out.append((values, states))
    return out


def _guarantees(
    run: _Deal, deal: Deal, concept: str, mediate: bool, max_edits: int
) -> GuaranteeResult:
    c = run.c
    written = [ph.state for ph in deal.phases]
    broken = [
        k for k, s in enumerate(written)
        if not run.holds(s, _next(deal, k), concept)
    ]
    breaks_at = deal.phases[broken[0]].name if broken else None
    working: list[Setting] = []
    candidates = _settings(c, deal) if deal.guarantors else []
    for values, states in candidates:
        nexts = [*states[1:], None]
        if all(run.holds(s, n, concept) for s, n in zip(states, nexts, strict=True)):
            stalls = _stalls(run, deal, states)
            working.append(Setting(values, tuple(run.ref(s) for s in states), stalls))
            if len(working) >= MAX_SETTINGS:
                break
    note = ""
    if not deal.guarantors:
        note = "the deal names no guarantor options"
    mediation = None
    if broken and not working and mediate:
        mediation, note = _mediation(run, deal, concept, broken, max_edits)
    return GuaranteeResult(
        concept, not broken, breaks_at, tuple(working), len(candidates), mediation, note
    )


def _stalls(run: _Deal, deal: Deal, states: tuple[int, ...]) -> tuple[str, ...]:
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


def _mediation(
    run: _Deal, deal: Deal, concept: str, broken: list[int], max_edits: int
) -> tuple[dict[str, Any] | None, str]:
    """Minimal priority changes that make each broken phase a ``concept`` equilibrium, from the
    mediation analysis (owned by another module; optional until it is installed)."""
    try:
        module = importlib.import_module("detente.analyses.mediation")
    except ImportError:
        return None, (
            "no guarantee setting makes the deal hold; the mediation analysis "
            "(detente.analyses.mediation) is not installed, so no priority changes are proposed"
        )
    out: dict[str, Any] = {}
    for k in broken:
        phase = deal.phases[k]
        try:
            found = module.mediate(
                run.c, run.c.state_string(phase.state), concepts=[concept], max_edits=max_edits
            )
        except DetenteError as exc:
            out[phase.name] = {"error": str(exc)}
            continue
        out[phase.name] = found.to_dict() if hasattr(found, "to_dict") else found
    return out, (
        f"no guarantee setting makes the deal hold under {concept_label(concept)}; the "
        "mediation analysis proposes minimal priority changes making each broken phase an "
        "equilibrium (phase by phase, not jointly)"
    )


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
