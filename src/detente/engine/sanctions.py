"""The one sanction function: the worst a group of responders can do to a focal DM.

For a focal DM i, a group ``movers`` that made a move (i alone, or a coalition H containing i)
and the ``responders`` (the others: N∖{i}, or N∖H), :func:`worst_sanction` gives, for every
feasible state s1, the least u_i the responders can bring about from s1:

* ``"gmr"``: by any legal sequence of their moves (R_responders);
* ``"seq"``: by moves that each improve the responder's own position (R⁺_responders);
* ``"smr"``: as GMR, judged by i's best escape from where they stop — max(u_i(s2), the best
  u_i the movers can reach from s2 by moving again); so a sanction counts only when the movers
  cannot escape it.

``+inf`` where the responders cannot move (or there are none). Both the individual concepts
(``Engine.worst_sanction``) and the coalition concepts (:mod:`detente.analyses.coalitions`)
call it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.engine.coalition import coalition_min
from detente.engine.layout import INF, DMLayout
from detente.engine.moves import reach_max
from detente.engine.registry import SANCTIONS, SanctionKind


def worst_sanction(
    layouts: Sequence[DMLayout],
    utilities: Sequence[np.ndarray],
    i: int,
    kind: SanctionKind,
    responders: Sequence[int],
    movers: Sequence[int],
) -> np.ndarray:
    """Per feasible state: the least u_i (SMR: least escape value) ``responders`` can force."""
    u = utilities[i]
    if not responders:
        return np.full(u.shape, INF)
    rule = SANCTIONS[kind]
    if rule.no_escape:  # what the mover can still reach by moving again counts, not u_i
        u = np.maximum(u, best_escape(layouts, utilities, i, movers))
    return coalition_min(layouts, utilities, responders, u, improving=rule.improving)


def best_escape(
    layouts: Sequence[DMLayout], utilities: Sequence[np.ndarray], i: int, movers: Sequence[int]
) -> np.ndarray:
    """max u_i over what ``movers`` reach by moving again (R_i for i alone, R_H for a
    coalition); ``-inf`` where they cannot move."""
    u = utilities[i]
    if list(movers) == [i]:
        return reach_max(layouts[i], u)
    return np.asarray(-coalition_min(layouts, utilities, movers, -u))


__all__ = ["best_escape", "worst_sanction"]
