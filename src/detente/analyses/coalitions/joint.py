"""Joint moves that need the coalition: those no single member could make alone.

A coalition's joint improvement from s to t *needs the coalition* when the options that differ
between s and t belong to at least two of its members; otherwise one member holds every
changed option and could move from s to t by itself (the net change keeps each option's
direction, as every step of the joint move did), so listing it as a joint move says nothing
new. Coalition sections list only the moves that need the coalition.

>>> import detente
>>> c = detente.load("examples/prisoners_dilemma.yaml")
>>> needs_coalition(c, [0, 1], 0, np.array([1, 2, 3])).tolist()  # NN -> YN, NY, YY
[False, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.analyses.coalitions.alone import needs_coalition
from detente.analyses.coalitions.result import CoalitionResult
from detente.analyses.moves import JointMove


def joint_improvements(
    result: CoalitionResult, coalition: Sequence[str], state: int
) -> list[JointMove]:
    """The coalition's improvements from a state (1-based number) that no member could make
    alone."""
    c = result.conflict
    members = [c.dm_index(n) for n in coalition]
    moves = result.improvement_moves(coalition, state)
    if not moves:
        return []
    keep = needs_coalition(
        c, members, state - 1, np.array([m.target.number - 1 for m in moves], dtype=np.int64)
    )
    return [m for m, k in zip(moves, keep.tolist(), strict=True) if k]


def joint_counts(result: CoalitionResult, h: int) -> np.ndarray:
    """Per state, the number of coalition ``h``'s improvements from it that no member could
    make alone (the engine's reach, filtered; no move sequences built)."""
    c = result.conflict
    members = [c.dm_index(n) for n in result.coalitions[h]]
    out = np.zeros(c.n_states, dtype=np.int64)
    for s in np.flatnonzero(result.n_improvements[h]).tolist():
        reached = result.moves.coalition_reach(members, s)
        targets = np.asarray(result.moves.improving_among(members, s, reached), dtype=np.int64)
        if targets.size:
            out[s] = int(needs_coalition(c, members, s, targets).sum())
    return out


__all__ = ["joint_counts", "joint_improvements", "needs_coalition"]
