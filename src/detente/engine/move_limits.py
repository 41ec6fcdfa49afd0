"""Restrictions of the move graph, applied where the per-DM layouts are built.

* *Hidden options* (a hypergame view, :mod:`detente.model.perceptions`): no DM changes them, so
  they leave the movers' own bits and join the row key — a move stays in its row, so it keeps
  them as they are.
* *Blind spots* (GMCR+'s misperceptions): DM j can neither move to nor from a state in its
  blind spots, so each such state gets a row of its own in j's layout (no other cell to move
  to, and no other state's row holds it); for single moves (:class:`BlindSpots`, which the
  per-state :class:`~detente.engine.single.MoveIndex` and a deal's steps use), a move of j
  whose start or end is such a state is dropped.

Every pass over layouts (the engine, batch evaluation, SIM) honours both unchanged.

>>> import numpy as np
>>> lay = DMLayout.build(np.array([0, 1, 2, 3]), dm_mask=1, fwd_mask=0, back_mask=0)
>>> isolate(lay, np.array([False, True, False, False])).group.tolist()
[0, 2, 1, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.engine.layout import DMLayout
from detente.model.conflict import Conflict
from detente.model.perceptions import blind_mask


def isolate(lay: DMLayout, states: np.ndarray) -> DMLayout:
    """``lay`` with each state where ``states`` is True in a row of its own."""
    picked = np.flatnonzero(states)
    if picked.size == 0:
        return lay
    group = lay.group.copy()
    group[picked] = lay.n_groups + np.arange(picked.size)
    n_groups = lay.n_groups + int(picked.size)
    return DMLayout(
        lay.dm_mask,
        n_groups,
        lay.width,
        group,
        lay.local,
        group * lay.width + lay.local,
        lay.fwd_local,
        lay.back_local,
    )


def conflict_layouts(conflict: Conflict, hidden: int = 0) -> list[DMLayout]:
    """Each DM's layout of ``conflict``, honouring its blind spots; options in the bit mask
    ``hidden`` are moved by nobody (a hypergame view)."""
    c = conflict
    out = []
    for i, m in enumerate(c.dm_masks):
        lay = DMLayout.build(c.feasible, int(m) & ~hidden, c.fwd_mask, c.back_mask)
        blind = blind_mask(c, i)
        out.append(lay if blind is None else isolate(lay, blind))
    return out


@dataclass(frozen=True)
class BlindSpots:
    """The blind-spot rule for single moves: per DM, a bool per feasible state (``None``: no
    blind spots); DM j may move from position ``a`` to ``b`` only when neither is blind.

    >>> from dataclasses import replace
    >>> import detente
    >>> c = detente.load("examples/prisoners_dilemma.yaml")
    >>> c = replace(c, dms=(replace(c.dms[0], blind_spots=("Y-",)), c.dms[1]))
    >>> spots = BlindSpots.of(c)
    >>> spots.keep(0, 0, np.array([1, 2])).tolist(), spots.allows(1, 0, 2)
    ([False, True], True)
    """

    masks: tuple[np.ndarray | None, ...]

    @staticmethod
    def of(conflict: Conflict) -> BlindSpots:
        return BlindSpots(tuple(blind_mask(conflict, j) for j in range(len(conflict.dms))))

    def keep(self, j: int, pos: int, targets: np.ndarray) -> np.ndarray:
        """Bool per position in ``targets``: DM ``j``'s move from ``pos`` to it survives."""
        blind = self.masks[j]
        if blind is None:
            return np.ones(np.shape(targets), dtype=bool)
        return np.asarray(~blind[targets] & ~blind[pos])

    def allows(self, j: int, a: int, b: int) -> bool:
        """Whether DM ``j`` may move between positions ``a`` and ``b`` (either way)."""
        blind = self.masks[j]
        return blind is None or not (blind[a] or blind[b])


__all__ = ["BlindSpots", "conflict_layouts", "isolate"]
