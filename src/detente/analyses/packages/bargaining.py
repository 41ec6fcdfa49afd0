"""Choosing one package from a frontier: ordinal maximin, Nash bargaining and
Kalai–Smorodinsky (the exact rules, ties included, are in docs/packages.md).

Every chooser takes the frontier's columns (positions, gains or utility gains as
(DMs, packages) arrays) and returns the column index it picks, or ``None``.

>>> g = np.array([[0.5, 1.0, 0.2], [0.5, 0.0, 0.6]])
>>> maximin(g, np.array([3, 1, 2]))
0
>>> nash_bargaining(g, np.array([3, 1, 2])), kalai_smorodinsky(g, np.array([3, 1, 2]))
(0, 0)
"""

from __future__ import annotations

import numpy as np

from detente.model.conflict import Conflict
from detente.model.preferences import PayoffPreference

#: Two products (as sums of logarithms) closer than this, relative, are a tie.
TIE = 1e-12


def cardinal_utilities(model: Conflict) -> tuple[np.ndarray | None, dict[str, str]]:
    """(DMs, states) utilities and where each DM's came from (``weights`` or ``payoffs``);
    ``None`` when some DM has neither (the dict then names only those that have one)."""
    rows: list[np.ndarray] = []
    source: dict[str, str] = {}
    for dm in model.dms:
        if dm.weights is not None:
            rows.append(dm.weights.utility(model.feasible, model.bits))
            source[dm.name] = "weights"
        elif isinstance(dm.preference, PayoffPreference):
            rows.append(dm.preference.scores(model.feasible, model.bits).astype(np.float64))
            source[dm.name] = "payoffs"
    if len(rows) < len(model.dms):
        return None, source
    return np.stack(rows), source


def maximin(gains: np.ndarray, positions: np.ndarray) -> int | None:
    """The column with the largest smallest gain; ties by the next smallest gain and so on
    (leximin), then the lowest state position."""
    if gains.shape[1] == 0:
        return None
    ordered = np.sort(gains, axis=0)  # per column, gains ascending
    keys = (positions, *(-ordered[k] for k in range(ordered.shape[0] - 1, -1, -1)))
    return int(np.lexsort(keys)[0])


def nash_bargaining(gains: np.ndarray, positions: np.ndarray) -> int | None:
    """The column maximising the product of utility gains among those where every gain is
    positive (``None`` when there is none); ties (within :data:`TIE`, relative) by the lowest
    state position."""
    ok = np.flatnonzero((gains > 0).all(axis=0)) if gains.shape[0] else np.zeros(0, int)
    if ok.size == 0:
        return None
    logs = np.log(gains[:, ok]).sum(axis=0)
    best = logs.max()
    tied = ok[logs >= best - TIE * max(1.0, abs(float(best)))]
    return int(tied[np.argmin(positions[tied])])


def kalai_smorodinsky(gains: np.ndarray, positions: np.ndarray) -> int | None:
    """The column whose smallest normalised gain is largest: each DM's utility gain divided
    by its best gain on the frontier, over the DMs whose best gain is positive (``None``
    when no DM gains anywhere); ties by the larger sum of normalised gains, then the lowest
    state position."""
    if gains.shape[1] == 0:
        return None
    best = gains.max(axis=1)
    live = best > 0
    if not live.any():
        return None
    norm = gains[live] / best[live, None]
    low, total = norm.min(axis=0), norm.sum(axis=0)
    top = low.max()
    tied = np.flatnonzero(low >= top - TIE)
    top_sum = total[tied].max()
    tied = tied[total[tied] >= top_sum - TIE * max(1.0, abs(float(top_sum)))]
    return int(tied[np.argmin(positions[tied])])


__all__ = ["TIE", "cardinal_utilities", "kalai_smorodinsky", "maximin", "nash_bargaining"]
