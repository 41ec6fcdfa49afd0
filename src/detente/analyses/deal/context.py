"""Shared state of one phased-deal analysis: the model, its stability (from ``analyze``), the
engine's move index, cached explanations, and the "does this phase hold" test.

Everything here depends on a phase's *state* (and the next phase's state), never on its place
in the deal, so it is computed once per distinct state and memoised: a long deal that returns
to a few states costs what those states cost (the mediation fallback is memoised the same way,
in :attr:`DealContext.mediated`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.analyses.deal.foresight import DealRanks, Induction
from detente.analyses.deal.result import Temptation
from detente.analyses.explain.analysis import explain
from detente.analyses.explain.result import Explanation
from detente.analyses.moves import StateRef, state_of
from detente.analyses.stability.analysis import analyze
from detente.analyses.stability.result import StabilityResult
from detente.engine import Engine
from detente.engine.budget import check_memory
from detente.engine.registry import get_concept
from detente.model.conflict import Conflict
from detente.model.deal import Deal

if TYPE_CHECKING:
    from detente.analyses.mediation.result import MediationResult
    from detente.model.errors import DetenteError


class DealContext:
    """Shared state of one analysis: the model, its stability, cached explanations."""

    def __init__(self, model: Conflict, concepts: tuple[str, ...], engine: Engine) -> None:
        self.c = model
        self.concepts = concepts
        self.engine = engine
        check_memory(model, concepts)  # analyze's refusals, before any work
        for key in concepts:
            engine.check(key)
        self._result: StabilityResult | None = None
        self.index = engine.move_index()
        self._explained: dict[int, Explanation] = {}
        #: (state, DM, concept) -> (sanctioned, target code) of each improvement, from explain
        self._checks: dict[tuple[int, int, str], tuple[tuple[bool, int], ...]] = {}
        self._holds: dict[tuple[int, int | None, str], bool] = {}
        self._undeterred: dict[tuple[int, str], tuple[tuple[int, int], ...]] = {}
        #: (state, concept) -> the mediation analysis's answer for that phase state (or the
        #: error it refused with), shared by every phase in that state
        self.mediated: dict[tuple[int, str], MediationResult | DetenteError] = {}
        #: backward induction along deal paths, step verdicts memoised
        self.induction = Induction(DealRanks(model))

    @property
    def result(self) -> StabilityResult:
        """The model's stability under the concepts (``analyze``, on first use: the "holds"
        test reads the engine per DM instead, so a commitment set's context never needs
        it)."""
        if self._result is None:
            self._result = analyze(self.c, self.concepts, engine=self.engine)
        return self._result

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
        """Every undeterred temptation from ``code`` leads to ``nxt`` (memoised per state,
        next state and concept; :meth:`undeterred` per state and concept)."""
        key = (code, nxt, concept)
        if key not in self._holds:
            self._holds[key] = self._holds_now(code, nxt, concept)
        return self._holds[key]

    def _holds_now(self, code: int, nxt: int | None, concept: str) -> bool:
        return all(target == nxt for _, target in self.undeterred(code, concept))

    def undeterred(self, code: int, concept: str) -> tuple[tuple[int, int], ...]:
        """(DM index, target code) of every improvement from ``code`` that ``concept`` does
        not deter (memoised per state and concept).

        Looks only at the DMs with an improvement there that the engine finds unstable (the
        stability ``analyze`` reports, per DM: a DM with no improvement has nothing to
        deter). For GMR, SMR and SEQ it reads the engine's sanction test per improvement;
        for SIM and SEQ&SIM it asks ``explain`` (once per state and DM for all simultaneous
        concepts)."""
        key = (code, concept)
        got = self._undeterred.get(key)
        if got is None:
            got = self._undeterred[key] = self._undeterred_now(code, concept)
        return got

    def _undeterred_now(self, code: int, concept: str) -> tuple[tuple[int, int], ...]:
        p = self.pos(code)
        how = get_concept(concept)
        feasible = self.c.feasible
        out: list[tuple[int, int]] = []
        for i in range(len(self.c.dms)):
            moves = self.index.improve(i, p).tolist()
            if not moves or self._stable_at(concept, i, p):
                continue
            if how.simultaneous:
                out += [(i, t) for ok, t in self._sim_checks(code, i, concept) if not ok]
            elif how.sanction is None:  # Nash: nothing is deterred
                out += [(i, int(feasible[t])) for t in moves]
            else:
                # The engine's own test, per improvement: the worst the others can force
                # from it (as analyze uses) is no better for i than the phase.
                worst = self.engine.worst_sanction(i, how.sanction)
                u = self.engine.utilities[i]
                out += [(i, int(feasible[t])) for t in moves if worst[t] > u[p]]
        return tuple(out)

    def _stable_at(self, concept: str, i: int, p: int) -> bool:
        if self._result is not None:
            return bool(self._result.stable[concept][i, p])
        return bool(self.engine.stable_for(concept, i)[p])

    def _sim_checks(self, code: int, i: int, concept: str) -> tuple[tuple[bool, int], ...]:
        """(deterred, target code) of each improvement of DM ``i`` from ``code`` under a
        simultaneous concept, from ``explain`` (once per state and DM, for every simultaneous
        concept analysed; the next phase is applied by the caller)."""
        key = (code, i, concept)
        if key not in self._checks:
            wanted = [k for k in self.concepts if get_concept(k).simultaneous]
            e = explain(self.c, self.c.state_string(code), dms=[i], concepts=wanted,
                        index=self.index)
            for v in e.dms[0].verdicts:
                self._checks[(code, i, v.concept)] = tuple(
                    (ch.sanctioned, ch.improvement.target.code) for ch in v.checks
                )
        return self._checks[key]

    def rank(self, i: int, code: int) -> int:
        return int(self.c.ranks[i][self.pos(code)])


def next_phase(deal: Deal, k: int) -> int | None:
    """The state of the phase after phase ``k`` (``None`` after the last)."""
    return deal.phases[k + 1].state if k + 1 < len(deal.phases) else None


__all__ = ["DealContext", "next_phase"]
