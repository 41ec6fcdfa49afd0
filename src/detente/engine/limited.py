"""Limited-move stability L_h for two decision makers (Kilgour, 1985; Fang et al., 1993).

G_h(i, s), the state DM i anticipates when it is i's turn at s with h moves left:
G_0(i, s) = s; for h >= 1, i looks at each t in R_i(s) and the state G_{h-1}(j, t) the opponent
j would then bring about; if the best of these for i is strictly better for i than s, i moves and
G_h(i, s) is that state, else G_h(i, s) = s. s is L_h stable for i when G_h(i, s) = s.

When several of i's moves tie for best, the anticipated state is the one with the lowest state
number (a documented, deterministic choice; the literature leaves it open).
"""

from __future__ import annotations

import hashlib

import numpy as np

from detente.engine.layout import DMLayout
from detente.engine.moves import reach_max
from detente.model.errors import AnalysisError

#: Steps of the anticipation iteration kept before giving up on finding its cycle.
_MAX_STEPS = 10_000


def anticipated(
    layouts: list[DMLayout], utilities: list[np.ndarray], horizon: int
) -> list[np.ndarray]:
    """[G_h(0, ·), G_h(1, ·)] as indices into the feasible states."""
    if len(layouts) != 2:
        raise AnalysisError(
            f"limited-move stability is defined for two decision makers; this model has "
            f"{len(layouts)}"
        )
    if horizon < 1:
        raise AnalysisError(f"the horizon must be at least 1, got {horizon}")
    n = utilities[0].size
    ident = np.arange(n)
    g = [ident, ident]  # G_0
    # G_h depends on G_{h-1} only, so the sequence repeats once a pair recurs: stop there and
    # read G_horizon off the cycle (the work is bounded by the model, not by the horizon).
    seen: dict[bytes, int] = {}
    history: list[list[np.ndarray]] = []
    for step in range(horizon):
        digest = hashlib.sha256(g[0].tobytes() + g[1].tobytes()).digest()
        if digest in seen:
            first = seen[digest]
            return history[first + (horizon - first) % (step - first)]
        seen[digest] = step
        history.append(g)
        if len(history) > _MAX_STEPS:
            raise AnalysisError(
                f"limited-move stability with horizon {horizon}: the anticipation did not "
                f"repeat within {_MAX_STEPS} steps; use a horizon of at most {_MAX_STEPS}"
            )
        new = []
        for i in (0, 1):
            j = 1 - i
            outcome = g[j]  # G_{h-1}(j, t) for every t
            # rank by i's payoff of the outcome, ties to the lowest state number
            key = utilities[i][outcome] * n + (n - 1 - outcome)
            best = reach_max(layouts[i], key)
            moves = np.isfinite(best)
            best_idx = np.where(moves, n - 1 - np.mod(np.where(moves, best, 0), n), 0)
            best_idx = best_idx.astype(np.int64)
            better = moves & (utilities[i][best_idx] > utilities[i])
            new.append(np.where(better, best_idx, ident))
        g = new
    return g


def limited_move_stable(
    layouts: list[DMLayout], utilities: list[np.ndarray], horizon: int
) -> np.ndarray:
    """(2, states) bool: L_h stability for each DM."""
    g = anticipated(layouts, utilities, horizon)
    n = utilities[0].size
    return np.stack([g[i] == np.arange(n) for i in (0, 1)])
