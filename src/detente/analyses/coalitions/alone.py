"""Whether a joint change needs the coalition: the options it changes belong to two or more
members (otherwise one member holds every changed option and could make it alone).

Kept apart from :mod:`detente.analyses.coalitions.joint` so that the JSON output (which the
result imports) can mark each improvement without an import cycle.

>>> import detente
>>> c = detente.load("examples/prisoners_dilemma.yaml")
>>> needs_coalition(c, [0, 1], 0, np.array([1, 2, 3])).tolist()  # NN -> YN, NY, YY
[False, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.model.conflict import Conflict


def needs_coalition(
    model: Conflict, members: Sequence[int], source: int, targets: np.ndarray
) -> np.ndarray:
    """Bool per target position: its change from ``source`` (a position) touches the options
    of two or more ``members`` (DM indices)."""
    feasible = model.feasible
    diff = feasible[np.asarray(targets, dtype=np.int64)] ^ feasible[source]
    owners = np.zeros(diff.shape, dtype=np.int64)
    for i in members:
        owners += (diff & int(model.dm_masks[i])) != 0
    return np.asarray(owners >= 2)


__all__ = ["needs_coalition"]
