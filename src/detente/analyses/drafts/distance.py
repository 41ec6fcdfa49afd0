"""Option changes between states: how many options differ (the Hamming distance over option
values). Options with levels, when the state space shows them as columns, count once per
column whatever the number of bits that change.

>>> import detente
>>> pd = detente.load("examples/prisoners_dilemma.yaml")
>>> option_changes(pd, np.array([0, 1, 2, 3]), 0).tolist()
[0, 1, 1, 2]
"""

from __future__ import annotations

import numpy as np

from detente.model.conflict import Conflict


def column_masks(model: Conflict) -> list[int]:
    """The bit mask of each option as shown (a levelled option's bits together)."""
    columns = getattr(model.space, "columns", None)
    if columns:
        return [int(col.mask) for col in columns]
    return [1 << k for k in range(model.n_options)]


def option_changes(model: Conflict, codes: np.ndarray, code: int) -> np.ndarray:
    """Per code, the number of options whose value differs from ``code``'s."""
    diff = np.asarray(codes, dtype=np.int64) ^ np.int64(code)
    out = np.zeros(diff.shape, dtype=np.int64)
    for mask in column_masks(model):
        out += (diff & mask) != 0
    return out


__all__ = ["column_masks", "option_changes"]
