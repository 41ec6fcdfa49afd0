"""Coalition reach by fixed point: the best and worst a group H can bring about.

R_H(s) is every state reachable from s by a legal sequence of unilateral moves of members of H
in which no member moves twice in a row (a member may move again later). With

    A_j(t) = min over t' in R_j(t) of B_j(t'),   B_j(t') = min(f(t'), min_{k in H, k != j} A_k(t'))

A_j(t) is the least f over states reachable from t by sequences whose first mover is j; iterating
from A = +inf converges (values only fall, over a finite set) to min over R_H(t) of f. With
``improving`` each move must be a unilateral improvement for its mover (R_H⁺).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.engine.layout import INF, DMLayout
from detente.engine.moves import Improver, reach_min


def coalition_min(
    layouts: Sequence[DMLayout],
    utilities: Sequence[np.ndarray],
    members: Sequence[int],
    f: np.ndarray,
    *,
    improving: bool = False,
) -> np.ndarray:
    """min of ``f`` over R_H(s) (or R_H⁺(s)) for every feasible s; +inf where H cannot move."""
    n = f.shape[0]
    best = {j: np.full(n, INF) for j in members}
    improvers = {j: Improver(layouts[j], utilities[j]) for j in members} if improving else {}
    changed = True
    while changed:
        changed = False
        for j in members:
            b = f.copy()
            for k in members:
                if k != j:
                    np.minimum(b, best[k], out=b)
            new = improvers[j](b) if improving else reach_min(layouts[j], b)
            if (new < best[j]).any():
                changed = True
                best[j] = np.minimum(best[j], new)
    out = np.full(n, INF)
    for j in members:
        np.minimum(out, best[j], out=out)
    return out
