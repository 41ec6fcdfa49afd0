"""Per-state move enumeration: the moves one decision maker has from one given state.

The vectorised engine answers "is every state stable?" in passes over all states; explaining
*one* state needs the individual moves instead. :class:`MoveIndex` sorts the feasible states
once per DM by the setting of the *other* DMs' options (the same group-by as
:class:`~detente.engine.layout.DMLayout`), so the states DM j reaches from s in one move are a
slice of that order, filtered for irreversible options. Memory is O(states x DMs); nothing of
size states x states is built.

States are *positions* in ``conflict.feasible`` (state number - 1), not codes.

>>> import detente
>>> idx = MoveIndex(detente.load("examples/prisoners_dilemma.yaml"))
>>> idx.reach(0, 0).tolist(), idx.improve(0, 0).tolist()
([1], [1])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from detente.model.conflict import Conflict


@dataclass
class MoveIndex:
    """One-move reach R_j(s) and unilateral improvements R_j⁺(s) for single states."""

    conflict: Conflict
    _order: list[np.ndarray] = field(default_factory=list, repr=False)
    _keys: list[np.ndarray] = field(default_factory=list, repr=False)
    _reach: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)
    _improve: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        feasible = self.conflict.feasible
        for mask in self.conflict.dm_masks.tolist():
            key = feasible & ~np.int64(mask)
            order = np.argsort(key, kind="stable")
            self._order.append(order)
            self._keys.append(key[order])

    def reach(self, j: int, pos: int) -> np.ndarray:
        """Positions DM ``j`` reaches from the state at ``pos`` in one legal move (ascending)."""
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
        ok = cand != pos
        ok &= (code & ~targets & c.fwd_mask) == 0  # fwd options never go Y -> N
        ok &= (~code & targets & c.back_mask) == 0  # back options never go N -> Y
        out: np.ndarray = cand[ok]
        self._reach[(j, pos)] = out
        return out

    def improve(self, j: int, pos: int) -> np.ndarray:
        """Positions of DM ``j``'s unilateral improvements from ``pos`` (ascending)."""
        cached = self._improve.get((j, pos))
        if cached is not None:
            return cached
        r = self.reach(j, pos)
        ranks = self.conflict.ranks[j]
        out: np.ndarray = r[ranks[r] > ranks[pos]]
        self._improve[(j, pos)] = out
        return out

    def best_reply(self, j: int, pos: int) -> int | None:
        """The position of DM ``j``'s most preferred one-move reply from ``pos`` (lowest state
        number among ties), or ``None`` when ``j`` cannot move."""
        r = self.reach(j, pos)
        if r.size == 0:
            return None
        ranks = self.conflict.ranks[j]
        return int(r[int(np.argmax(ranks[r]))])


__all__ = ["MoveIndex"]
