"""Dense reach over sparse moves: the boolean product of an (M, N) matrix with a move graph,
and what a group reaches by legal sequences of its members' moves (no member twice in a row),
for every pair of states at once.

The concepts that compare every pair of states (unknown preferences,
:mod:`detente.engine.unknown`; probabilistic stability, :mod:`detente.engine.probabilistic`)
share these: a matrix is bit-packed by columns, so a product with E moves costs O(N · E / 64),
gathered in bounded chunks, and the group's reach is a fixed point of such products.

>>> import numpy as np
>>> step = np.array([[0], [1]])  # one move, state 0 -> state 1
>>> through(np.eye(2, dtype=bool), step).tolist()
[[False, True], [False, False]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Bytes of the gathered rows :func:`through` holds at once.
CHUNK_BYTES = 1 << 25


def edges_of(m: np.ndarray) -> np.ndarray:
    """The moves of a dense (N, N) bool matrix as a (2, E) int64 edge list u -> v."""
    return np.stack(np.nonzero(m)).astype(np.int64)


def through(a: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Boolean product with a sparse graph: ``out[x, v]`` when ``a[x, u]`` for some edge
    u → v of ``edges`` (2, E). Work O(N · E / 64): the columns of ``a`` as bit-packed words,
    gathered in bounded chunks."""
    rows = a.shape[0]
    if edges.shape[1] == 0:
        return np.zeros(a.shape, dtype=bool)
    order = np.argsort(edges[1], kind="stable")
    src, dst = edges[0][order], edges[1][order]
    words = _pack(a.T)  # row u: column u of a, 64 rows of a per word
    out_words = np.zeros((a.shape[1], words.shape[1]), dtype=np.uint64)
    step = max(1, CHUNK_BYTES // max(1, words.shape[1] * 8))
    lo = 0
    while lo < src.size:
        hi = min(src.size, lo + step)
        while hi < src.size and dst[hi] == dst[hi - 1]:  # a chunk ends between two targets
            hi += 1
        d = dst[lo:hi]
        starts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        out_words[d[starts]] = np.bitwise_or.reduceat(words[src[lo:hi]], starts, axis=0)
        lo = hi
    return _unpack(out_words, rows).T


def _pack(m: np.ndarray) -> np.ndarray:
    """(R, C) bool as (R, ceil(C / 64)) uint64 words, bit k of word w = column 64w + k."""
    pad = (-m.shape[1]) % 64
    if pad:
        m = np.concatenate([m, np.zeros((m.shape[0], pad), dtype=bool)], axis=1)
    packed = np.packbits(m, axis=1, bitorder="little")
    return np.ascontiguousarray(packed).view(np.uint64)


def _unpack(words: np.ndarray, columns: int) -> np.ndarray:
    """Inverse of :func:`_pack`: (R, W) uint64 → (R, columns) bool."""
    bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
    return bits[:, :columns].astype(bool)


def group_reach(steps: Sequence[np.ndarray], n: int) -> np.ndarray:
    """(N, N) bool: ``[s, t]`` when t is reached from s by a non-empty legal sequence of the
    members' moves (``steps[j]``: member j's edges (2, E)), no member twice in a row.

    A fixed point over the last mover: Z_j = (I ∪ ⋃_{k≠j} Z_k) · step_j, from Z_j = step_j.
    """
    eye = np.eye(n, dtype=bool)
    z = [through(eye, step) for step in steps]
    if len(steps) > 1:
        changed = True
        while changed:
            changed = False
            for j, step in enumerate(steps):
                start = eye.copy()
                for k, other in enumerate(z):
                    if k != j:
                        start |= other
                new = through(start, step) | z[j]
                if (new != z[j]).any():
                    z[j], changed = new, True
    out = np.zeros((n, n), dtype=bool)
    for other in z:
        out |= other
    return out


__all__ = ["CHUNK_BYTES", "edges_of", "group_reach", "through"]
