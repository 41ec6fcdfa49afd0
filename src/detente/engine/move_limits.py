"""Restrictions of the move graph, applied where the per-DM layouts are built.

* *Hidden options* (a hypergame view, :mod:`detente.model.perceptions`): no DM changes them, so
  they leave the movers' own bits and join the row key — a move stays in its row, so it keeps
  them as they are.
* *Blind spots* (GMCR+'s misperceptions): DM j can neither move to nor from a state in its
  blind spots, so each such state gets a row of its own in j's layout (no other cell to move
  to, and no other state's row holds it).

Every pass over layouts (the engine, batch evaluation, SIM) honours both unchanged.

>>> import numpy as np
>>> lay = DMLayout.build(np.array([0, 1, 2, 3]), dm_mask=1, fwd_mask=0, back_mask=0)
>>> isolate(lay, np.array([False, True, False, False])).group.tolist()
[0, 2, 1, 1]
"""

from __future__ import annotations

import numpy as np

from detente.engine.layout import DMLayout
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.perceptions import blind_mask

#: The analyses that build moves of their own and refuse blind spots (docs/hypergames.md).
REFUSING = ("deal", "deal design", "mediation", "brief", "what-if")


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


def refuse_blind_spots(conflict: Conflict, analysis: str) -> None:
    """Raise an :class:`AnalysisError` naming the blind spots when ``conflict`` has any:
    ``analysis`` builds moves of its own that do not honour them yet, and an answer for the
    game without them would be silently wrong."""
    spots = [(i, d.name, d.blind_spots) for i, d in enumerate(conflict.dms) if d.blind_spots]
    if not spots:
        return
    named = "; ".join(f"{name}: {', '.join(p)}" for _, name, p in spots)
    fields = ", ".join(f"decision_makers[{i}].blind_spots" for i, _, _ in spots)
    raise AnalysisError(
        f"the {analysis} analysis does not honour blind spots (GMCR+ misperceptions) and "
        f"refuses this model rather than answer for another game: blind spots {named} "
        f"({fields}); analyze, explain, evolve, coalitions, robustness, hypergame, packages "
        "and drafts honour them"
    )


__all__ = ["REFUSING", "conflict_layouts", "isolate", "refuse_blind_spots"]
