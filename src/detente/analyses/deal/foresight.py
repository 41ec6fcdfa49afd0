"""Deals with foresight: backward induction along a deal's path of states.

Phases s_0 (the status quo) … s_m; step k leads from s_{k-1} to s_k and its movers are the DMs
owning a changed option. For mover i of step k, stall_i(k) is s_{k-1} with the changes of the
other movers applied and i's not (``None`` if infeasible: i cannot hold back alone).
O_m = s_m; for k = m … 1, mover i *proceeds* unless stall_i(k) ≻_i O_k (ties favour the deal,
a null stall proceeds); if every mover proceeds O_{k-1} = O_k, otherwise O_{k-1} is s_{k-1}
with the changes of the movers who proceed (s_{k-1} if that is infeasible). The deal
*completes* when O_0 = s_m and *unravels at* the first step where some mover does not proceed.
*Myopic* is the same comparison against s_k instead of O_k. Blind spots (GMCR+
misperceptions): mover i's part of step k is its move from stall_i(k) (s_{k-1} when that is
null) to s_k; when the move rule drops it (:class:`~detente.engine.move_limits.BlindSpots`: it
starts or ends in i's blind spots) i cannot take its step and does not proceed, either way.

Everything here works on state codes; a step's verdict depends only on (s_{k-1}, s_k, O_k),
so :class:`Induction` memoises it and many paths sharing steps (tranche design) pay once.

>>> import detente
>>> c = detente.load("tests/data/collateral_deal.yaml")
>>> ind = Induction(DealRanks(c))
>>> [c.state_string(o) for o in ind.run([0b000, 0b001, 0b101, 0b111]).outcome]
['YYY', 'YYY', 'YYY', 'YYY']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from detente.analyses.deal.result import Foresight, ForesightMover, ForesightStep
from detente.analyses.moves import state_of
from detente.engine.move_limits import BlindSpots
from detente.model.conflict import Conflict
from detente.model.deal import Deal


class DealRanks:
    """What backward induction reads from a model: DMs' option masks, ranks (higher is better),
    feasibility and the blind-spot rule, with ranks memoised per (DM, state)."""

    def __init__(self, c: Conflict) -> None:
        self.c = c
        self.masks = tuple(int(m) for m in c.dm_masks)
        self.sight = BlindSpots.of(c)
        self._ranks: dict[tuple[int, int], int] = {}
        self._feasible: dict[int, bool] = {}

    def rank(self, i: int, code: int) -> int:
        key = (i, code)
        r = self._ranks.get(key)
        if r is None:
            r = self._ranks[key] = int(self.c.ranks[i][self.c.position(code)])
        return r

    def feasible(self, code: int) -> bool:
        ok = self._feasible.get(code)
        if ok is None:
            ok = self._feasible[code] = bool(self.c.is_feasible(code))
        return ok

    def takes_part(self, i: int, before: int, after: int, stall: int | None) -> bool:
        """Whether mover ``i`` can make its part of the step ``before → after``: its move from
        ``stall`` (``before`` when ``None``) to ``after`` under the blind-spot rule."""
        if self.sight.masks[i] is None:
            return True
        start = before if stall is None else stall
        return self.sight.allows(i, self.c.position(start), self.c.position(after))


@dataclass(frozen=True)
class MoverVerdict:
    """One mover of one step: whether it proceeds looking ahead and myopically."""

    dm: int
    stall: int | None  # stall_i(k), None when infeasible
    proceeds: bool  # looking ahead: not stall ≻_i O_k
    myopic: bool  # today's comparison: not stall ≻_i s_k
    blocked: bool = False  # its part of the step starts or ends in its blind spots


@dataclass(frozen=True)
class StepVerdict:
    """Step k from ``before`` (s_{k-1}) to ``after`` (s_k), judged against ``ahead`` (O_k)."""

    before: int
    after: int
    ahead: int
    movers: tuple[MoverVerdict, ...]
    outcome: int  # O_{k-1}

    @property
    def everyone_proceeds(self) -> bool:
        return all(m.proceeds for m in self.movers)


@dataclass(frozen=True)
class ForesightPath:
    """Backward induction along one path s_0 … s_m."""

    outcome: tuple[int, ...]  # O_0 … O_m
    steps: tuple[StepVerdict, ...]  # steps 1 … m

    @property
    def completes(self) -> bool:
        return self.outcome[0] == self.outcome[-1]

    @property
    def unravels_at(self) -> int | None:
        """The first step k (1-based) where some mover does not proceed."""
        return next((k for k, s in enumerate(self.steps, 1) if not s.everyone_proceeds), None)

    @property
    def myopic_completes(self) -> bool:
        return all(m.myopic for s in self.steps for m in s.movers)

    @property
    def myopic_stalls_at(self) -> int | None:
        """The first step k where some mover would rather stall, compared with s_k."""
        return next(
            (k for k, s in enumerate(self.steps, 1) if not all(m.myopic for m in s.movers)), None
        )


class Induction:
    """Backward induction with step verdicts memoised per (s_{k-1}, s_k, O_k)."""

    def __init__(self, ranks: DealRanks) -> None:
        self.r = ranks
        self._steps: dict[tuple[int, int, int], StepVerdict] = {}

    def step(self, a: int, b: int, ahead: int) -> StepVerdict:
        """The verdict of the step ``a → b`` when what follows leads to ``ahead``."""
        key = (a, b, ahead)
        v = self._steps.get(key)
        if v is None:
            v = self._steps[key] = self._step(a, b, ahead)
        return v

    def _step(self, a: int, b: int, ahead: int) -> StepVerdict:
        r = self.r
        movers = []
        kept = 0  # the changes of the movers who proceed
        for i, mask in enumerate(r.masks):
            if not (a ^ b) & mask:
                continue
            stall = (b & ~mask) | (a & mask)
            if r.feasible(stall):
                can = r.takes_part(i, a, b, stall)
                mine = r.rank(i, stall)
                proceeds = can and not mine > r.rank(i, ahead)
                myopic = can and not mine > r.rank(i, b)
                movers.append(MoverVerdict(i, stall, proceeds, myopic, not can))
            else:
                proceeds = can = r.takes_part(i, a, b, None)
                movers.append(MoverVerdict(i, None, can, can, not can))
            if proceeds:
                kept |= (a ^ b) & mask
        if all(m.proceeds for m in movers):
            outcome = ahead
        else:
            partial = a ^ kept
            outcome = partial if r.feasible(partial) else a
        return StepVerdict(a, b, ahead, tuple(movers), outcome)

    def run(self, path: Sequence[int]) -> ForesightPath:
        """Backward induction along ``path`` = s_0 … s_m."""
        m = len(path) - 1
        outcome = [0] * (m + 1)
        outcome[m] = path[m]
        steps: list[StepVerdict] = []
        for k in range(m, 0, -1):
            v = self.step(path[k - 1], path[k], outcome[k])
            outcome[k - 1] = v.outcome
            steps.append(v)
        return ForesightPath(tuple(outcome), tuple(reversed(steps)))

    def completes(self, path: Sequence[int]) -> bool:
        """Whether the deal along ``path`` completes (O_0 = s_m), without building a
        :class:`ForesightPath`."""
        ahead = path[-1]
        for k in range(len(path) - 1, 0, -1):
            ahead = self.step(path[k - 1], path[k], ahead).outcome
        return ahead == path[-1]


def deal_path(c: Conflict, states: Sequence[int]) -> list[int]:
    """s_0 … s_m: the status quo (when the model has one) and the phase states."""
    return ([c.status_quo] if c.status_quo is not None else []) + list(states)


def foresight(
    c: Conflict, deal: Deal, induction: Induction, states: Sequence[int] | None = None
) -> Foresight:
    """The foresight result of ``deal`` (or of its phases in ``states``, same names)."""
    codes = [ph.state for ph in deal.phases] if states is None else list(states)
    names = [ph.name for ph in deal.phases]
    if c.status_quo is not None:
        names = ["status quo", *names]
    run = induction.run(deal_path(c, codes))
    steps = tuple(
        ForesightStep(
            k,
            names[k - 1],
            names[k],
            state_of(c, v.ahead),
            tuple(
                ForesightMover(
                    c.dm_names[m.dm],
                    m.proceeds,
                    m.myopic,
                    None if m.stall is None else state_of(c, m.stall),
                    m.blocked,
                )
                for m in v.movers
            ),
        )
        for k, v in enumerate(run.steps, 1)
    )
    return Foresight(
        tuple(state_of(c, o) for o in run.outcome),
        steps,
        run.completes,
        run.unravels_at,
        run.myopic_completes,
        run.myopic_stalls_at,
    )


__all__ = [
    "DealRanks",
    "ForesightPath",
    "Induction",
    "MoverVerdict",
    "StepVerdict",
    "deal_path",
    "foresight",
]
