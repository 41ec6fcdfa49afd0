"""The reference every package is compared with (default the status quo), and the gains
over it: each DM's rank improvement as a share of its rank range.

>>> import detente
>>> pd = detente.load("examples/prisoners_dilemma.yaml")
>>> pd.space.text(reference_code(pd, "NN"))
'NN'
"""

from __future__ import annotations

import numpy as np

from detente.analyses import arguments
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError, ModelError


def reference_code(model: Conflict, against: int | str | None) -> int:
    """The reference state's code: ``against`` (any single-state reference the state space
    parses), else the status quo; refused by parameter when neither names a feasible
    state."""
    if against is None:
        if model.status_quo is None:
            raise ArgumentError(
                f"{model.name!r} has no status quo; give the reference state (against)",
                parameter="against",
            )
        return int(model.status_quo)
    ref = arguments.state_ref(against, "against")
    try:
        return int(model.space.parse(ref))
    except ModelError as exc:
        raise ArgumentError(f"against: {exc.message}", parameter="against") from None


def rank_ranges(ranks: np.ndarray) -> np.ndarray:
    """Per DM, its rank range (largest minus smallest rank; 0 when it is indifferent)."""
    return np.asarray(ranks.max(axis=1) - ranks.min(axis=1))


def gains(ranks: np.ndarray, positions: np.ndarray, reference: int) -> np.ndarray:
    """(DMs, len(positions)) float: each DM's rank gain over the reference position as a
    share of its rank range (0 for a DM indifferent among all states)."""
    span = rank_ranges(ranks).astype(np.float64)
    diff = (ranks[:, positions] - ranks[:, [reference]]).astype(np.float64)
    out: np.ndarray = np.zeros_like(diff)
    np.divide(diff, span[:, None], out=out, where=span[:, None] > 0)
    return out


__all__ = ["gains", "rank_ranges", "reference_code"]
