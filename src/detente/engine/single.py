"""Per-state move enumeration: the moves decision makers have from one given state.

The vectorised engine answers "is every state stable?" in passes over all states; explaining
*one* state, following the status quo's evolution or listing a coalition's joint moves needs the
individual moves instead. :class:`MoveIndex` is the one enumerator for all of them: it sorts the
feasible states once per DM by the setting of the *other* DMs' options (the same group-by as
:class:`~detente.engine.layout.DMLayout`), so the states DM j reaches from s in one move are a
slice of that order, filtered for irreversible options. Memory is O(states x DMs) plus the
moves cached; nothing of size states x states is built.

Every state here is a *position* in ``conflict.feasible`` (state number - 1), not a code.

>>> import detente
>>> idx = MoveIndex(detente.load("examples/prisoners_dilemma.yaml"))
>>> idx.reach(0, 0).tolist(), idx.improve(0, 0).tolist()
([1], [1])
>>> sorted(idx.coalition_reach([0, 1], 0)), idx.coalition_improvements([0, 1], 3)
([0, 1, 2, 3], [0])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from detente.engine.move_limits import BlindSpots
from detente.model.conflict import Conflict

#: One step of a search path: (mover, from position, to position).
PathStep = tuple[int, int, int]
#: Breadth-first search result: reached position -> (previous position, mover); the start maps
#: to (-1, -1).
Parents = dict[int, tuple[int, int]]


@dataclass
class MoveIndex:
    """One-move reach R_j(s), unilateral improvements R_j⁺(s), coalition reach R_H(s) and
    R_H⁺(s), and reach by improvements, for single states (positions). ``ranks`` (DMs,
    states) overrides ``conflict.ranks``."""

    conflict: Conflict
    ranks: np.ndarray | None = field(default=None, repr=False)
    _order: list[np.ndarray] = field(default_factory=list, repr=False)
    _keys: list[np.ndarray] = field(default_factory=list, repr=False)
    _reach: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)
    _improve: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)
    _blind: BlindSpots = field(default=BlindSpots(()), repr=False)

    def __post_init__(self) -> None:
        if self.ranks is None:
            self.ranks = self.conflict.ranks
        feasible = self.conflict.feasible
        for mask in self.conflict.dm_masks.tolist():
            key = feasible & ~np.int64(mask)
            order = np.argsort(key, kind="stable")
            self._order.append(order)
            self._keys.append(key[order])
        self._blind = BlindSpots.of(self.conflict)

    @property
    def payoff_ranks(self) -> np.ndarray:
        assert self.ranks is not None
        return self.ranks

    # ---- one DM ------------------------------------------------------------------------------
    def reach(self, j: int, pos: int) -> np.ndarray:
        """Positions DM ``j`` reaches from ``pos`` in one legal move (ascending): R_j."""
        cached = self._reach.get((j, pos))
        if cached is not None:
            return cached
        c = self.conflict
        feasible = c.feasible
        code = int(feasible[pos])
        key = code & ~int(c.dm_masks[j])
        keys = self._keys[j]
        lo = int(np.searchsorted(keys, key, side="left"))
        hi = int(np.searchsorted(keys, key, side="right"))
        cand = np.sort(self._order[j][lo:hi])
        targets = feasible[cand]
        ok = c.space.legal_mask(code, targets)  # another state, irreversibility kept
        if self._blind.masks[j] is not None:  # no move to or from a state in j's blind spots
            ok &= self._blind.keep(j, pos, cand)
        out: np.ndarray = cand[ok]
        self._reach[(j, pos)] = out
        return out

    def improve(self, j: int, pos: int) -> np.ndarray:
        """Positions of DM ``j``'s unilateral improvements from ``pos`` (ascending): R_j⁺."""
        cached = self._improve.get((j, pos))
        if cached is not None:
            return cached
        r = self.reach(j, pos)
        ranks = self.payoff_ranks[j]
        out: np.ndarray = r[ranks[r] > ranks[pos]]
        self._improve[(j, pos)] = out
        return out

    def best_reply(self, j: int, pos: int) -> int | None:
        """The position of DM ``j``'s most preferred one-move reply from ``pos`` (lowest state
        number among ties), or ``None`` when ``j`` cannot move."""
        r = self.reach(j, pos)
        if r.size == 0:
            return None
        ranks = self.payoff_ranks[j]
        return int(r[int(np.argmax(ranks[r]))])

    # ---- coalitions --------------------------------------------------------------------------
    def coalition_search(
        self, members: Sequence[int], pos: int, *, improving: bool = False
    ) -> tuple[Parents, list[int]]:
        """The one search of R_H(pos) (R_H⁺(pos) with ``improving``: every move a UI of its
        mover): breadth-first over (state, last mover), no member moving twice in a row.

        Returns the parent links (every state reached, and the start as (-1, -1), from the
        (previous position, mover) that first reached it: a shortest legal sequence; two
        consecutive moves by one member compose to one move, so no shortest sequence has
        them) and R_H(pos) itself, ascending (the start only when a sequence returns to it).
        A state is kept with at most two last movers: from two, every member can move on.
        """
        parent: Parents = {pos: (-1, -1)}
        lasts: dict[int, list[int]] = {}
        frontier = [(pos, -1)]
        while frontier:
            nxt: list[tuple[int, int]] = []
            for x, last in frontier:
                for j in members:
                    if j == last:
                        continue
                    step = self.improve(j, x) if improving else self.reach(j, x)
                    for t in step.tolist():
                        got = lasts.setdefault(t, [])
                        if len(got) >= 2 or j in got:
                            continue
                        got.append(j)
                        nxt.append((t, j))
                        if t not in parent:
                            parent[t] = (x, j)
            frontier = nxt
        return parent, sorted(lasts)

    def coalition_reach(self, members: Sequence[int], pos: int) -> Parents:
        """R_H(pos) with the start, as parent links: reached position -> (previous position,
        mover), the start -> (-1, -1) (:meth:`coalition_search`)."""
        return self.coalition_search(members, pos)[0]

    def improvement_reach(self, pos: int) -> Parents:
        """Every state reachable from ``pos`` by unilateral improvements of any DMs (the
        status quo's evolution), with the start, as parent links: R_N⁺ by
        :meth:`coalition_search` (a DM improving twice in a row improves in one move)."""
        return self.coalition_search(range(len(self.conflict.dms)), pos, improving=True)[0]

    def improving_among(
        self, members: Sequence[int], pos: int, reached: Iterable[int]
    ) -> list[int]:
        """The positions of ``reached`` that every member strictly prefers to ``pos``."""
        cand = np.fromiter((t for t in reached if t != pos), dtype=np.int64)
        if cand.size == 0:
            return []
        sub = self.payoff_ranks[list(members)]
        ok = (sub[:, cand] > sub[:, [pos]]).all(axis=0)
        return sorted(int(t) for t in cand[ok])

    def coalition_improvements(self, members: Sequence[int], pos: int) -> list[int]:
        """R_H⁺⁺(pos): positions in R_H(pos) every member strictly prefers (ascending)."""
        return self.improving_among(members, pos, self.coalition_reach(members, pos))


def path_to(parents: Parents, pos: int) -> list[PathStep]:
    """The moves (mover, from, to) of a search path from its start to ``pos``."""
    out: list[PathStep] = []
    while parents[pos][0] != -1:
        prev, j = parents[pos]
        out.append((j, prev, pos))
        pos = prev
    return out[::-1]


__all__ = ["MoveIndex", "Parents", "PathStep", "path_to"]
