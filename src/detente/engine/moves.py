"""Row passes over a DM's layout: best and worst values over its one-move reach.

``reach_min(lay, v)[s]`` = min of v over R_j(s) (one legal move of DM j from s to a feasible
state), ``+inf`` when R_j(s) is empty. ``Improver(lay, u)(v)`` restricts to R_j⁺(s), the moves
to states j strictly prefers by ``u``. Reversible DMs use O(N log w) row sorts; DMs with
irreversible options use a chunked (rows, w, w) pass through their move matrix.
"""

from __future__ import annotations

import numpy as np

from detente.engine.layout import INF, DMLayout

_CHUNK_CELLS = 1 << 22


def reach_min(lay: DMLayout, v: np.ndarray) -> np.ndarray:
    """min over R_j(s) of v, for every feasible s."""
    pieces = lay.pieces
    if pieces is not None:  # irreversible: one reversible pass per piece
        out = np.empty(v.shape[0])
        for piece in pieces:
            out[piece.answers] = reach_min(piece.layout, v[piece.members])[piece.own]
        return out
    grid = lay.grid(v, INF)
    if lay.reversible:
        # Everything in the row but s itself: the row minimum unless s is the argmin.
        arg = np.argmin(grid, axis=1)
        rows = np.arange(lay.n_groups)
        m1 = grid[rows, arg]
        grid[rows, arg] = INF
        m2 = grid.min(axis=1)
        return np.asarray(np.where(lay.local == arg[lay.group], m2[lay.group], m1[lay.group]))
    return np.asarray(_dense(lay, grid, None)[lay.group, lay.local])


def reach_max(lay: DMLayout, v: np.ndarray) -> np.ndarray:
    """max over R_j(s) of v (``-inf`` when j cannot move)."""
    return -reach_min(lay, -v)


class Improver:
    """min over R_j⁺(s) of v, where R_j⁺(s) = moves to states with u > u(s), for one DM and
    utility u, with the per-row sort done once: ``Improver(lay, u)(v)``.

    Reversible DMs: each row is sorted by u once; a call is then a gather, a suffix minimum
    and a gather (the answer for s is the suffix minimum just past s's tie block).
    """

    def __init__(self, lay: DMLayout, u: np.ndarray) -> None:
        self.lay = lay
        pieces = lay.pieces
        self.pieces = [(Improver(p.layout, u[p.members]), p) for p in pieces or ()]
        if self.pieces:
            return
        self.ugrid = lay.grid(u, -INF)
        if not lay.reversible:
            return
        w = lay.width
        rows = lay.n_groups
        order = np.argsort(self.ugrid, axis=1, kind="stable")
        su = np.take_along_axis(self.ugrid, order, axis=1)
        # first sorted position holding a strictly greater u: one past the end of the tie block
        last = np.ones_like(su, dtype=bool)
        last[:, :-1] = su[:, :-1] != su[:, 1:]
        idx = np.ascontiguousarray(np.where(last, np.arange(w)[None, :], w).T)
        for k in range(w - 2, -1, -1):
            np.minimum(idx[k], idx[k + 1], out=idx[k])
        nxt = idx.T + 1
        # column-major (w, rows) so that the suffix minimum runs over contiguous rows
        self.sorted_flat = (np.arange(rows)[:, None] * w + order).T.ravel()
        position = np.empty_like(order)
        np.put_along_axis(position, order, np.broadcast_to(np.arange(w), order.shape), axis=1)
        pos_of_state = position[lay.group, lay.local]
        self.answer = nxt[lay.group, pos_of_state] * rows + lay.group

    def __call__(self, v: np.ndarray) -> np.ndarray:
        lay = self.lay
        if self.pieces:
            out = np.empty(v.shape[0])
            for improver, piece in self.pieces:
                out[piece.answers] = improver(v[piece.members])[piece.own]
            return out
        vg = lay.grid(v, INF)
        if not lay.reversible:
            return np.asarray(_dense(lay, vg, self.ugrid)[lay.group, lay.local])
        w = lay.width
        sv = vg.ravel()[self.sorted_flat].reshape(w, lay.n_groups)
        suffix = np.empty((w + 1, lay.n_groups))
        suffix[w] = INF
        suffix[w - 1] = sv[w - 1]
        for k in range(w - 2, -1, -1):  # suffix minimum, one contiguous row of columns a step
            np.minimum(sv[k], suffix[k + 1], out=suffix[k])
        return np.asarray(suffix.ravel()[self.answer])


def _dense(lay: DMLayout, vg: np.ndarray, ug: np.ndarray | None) -> np.ndarray:
    """Row pass through the move matrix, ``rows x w x w`` cells at a time."""
    move = lay.move_matrix()
    w = lay.width
    out = np.empty_like(vg)
    step = max(1, _CHUNK_CELLS // (w * w))
    for lo in range(0, lay.n_groups, step):
        hi = min(lay.n_groups, lo + step)
        ok = np.broadcast_to(move, (hi - lo, w, w))
        if ug is not None:
            ok = ok & (ug[lo:hi, None, :] > ug[lo:hi, :, None])
        out[lo:hi] = np.where(ok, vg[lo:hi, None, :], INF).min(axis=2)
    return out
