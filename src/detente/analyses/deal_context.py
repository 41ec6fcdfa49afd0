"""Shared state of one phased-deal analysis: the model, its stability (from ``analyze``), the
engine's move index, cached explanations, and the "does this phase hold" test."""

from __future__ import annotations

import numpy as np

from detente.analyses.deal_data import Temptation
from detente.analyses.explain import Explanation, explain
from detente.analyses.moves import StateRef, state_of
from detente.analyses.stability import StabilityResult, analyze
from detente.engine import Engine
from detente.engine.registry import get_concept
from detente.model.conflict import Conflict
from detente.model.deal import Deal


class DealContext:
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


def next_phase(deal: Deal, k: int) -> int | None:
    """The state of the phase after phase ``k`` (``None`` after the last)."""
    return deal.phases[k + 1].state if k + 1 < len(deal.phases) else None


__all__ = ["DealContext", "next_phase"]
