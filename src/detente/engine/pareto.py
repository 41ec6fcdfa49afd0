"""Pareto filtering as a skyline over rank vectors, never all pairs.

A point u *dominates* t when u >= t in every column and u > t in one. The skyline (the
Pareto set) is the points no other point dominates; equal points do not dominate one another,
so a tie of undominated points is kept whole.

:func:`skyline` works on the distinct rows only (:func:`numpy.unique`), then

* one column: the rows with the largest value;
* two columns: one sweep (sort by the first column descending, keep a row when its second
  column beats every row with a larger first column): O(N log N);
* more: sort-filter-skyline. Rows are sorted by their sum, descending (a dominator has a
  strictly larger sum, so only earlier rows can dominate a row), and compared block by block
  with the skyline found so far, in chunks that keep every temporary under
  :data:`CHUNK_CELLS` cells. Time O(N · |skyline| · d) at worst, and far less in practice: the
  first skyline rows (the largest sums) remove most of a block before the rest are tried.

>>> skyline(np.array([[1, 2], [2, 1], [1, 1], [2, 1]])).tolist()
[True, True, False, True]
"""

from __future__ import annotations

import numpy as np

#: Most cells (rows x skyline rows x columns) of one comparison temporary: 8 Mi booleans.
CHUNK_CELLS = 1 << 23
#: Rows of a block compared at once in the sort-filter pass.
BLOCK_ROWS = 2048
#: Bytes per input row and column of :func:`skyline` (the unique/sort copies and keys) plus
#: bytes per row (order, inverse, masks), for memory checks before any is spent.
ROW_COLUMN_BYTES = 40
ROW_BYTES = 64


def skyline_bytes(rows: int, columns: int) -> int:
    """Estimated peak bytes of :func:`skyline` over ``rows`` x ``columns`` ranks."""
    return rows * (columns * ROW_COLUMN_BYTES + ROW_BYTES) + CHUNK_CELLS * 2


def skyline(points: np.ndarray) -> np.ndarray:
    """Bool per row of ``points`` (N, d): whether no other row dominates it."""
    pts = np.asarray(points)
    if pts.ndim != 2:
        raise ValueError("skyline expects a (rows, columns) array")
    n, d = pts.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    if d == 0:
        return np.ones(n, dtype=bool)
    distinct, inverse = np.unique(pts, axis=0, return_inverse=True)
    keep = _distinct_skyline(distinct.astype(np.int64, copy=False))
    return np.asarray(keep[inverse.reshape(-1)])


def _distinct_skyline(v: np.ndarray) -> np.ndarray:
    """The skyline of distinct rows (no two equal)."""
    d = v.shape[1]
    if d == 1:
        return np.asarray(v[:, 0] == v[:, 0].max())
    if d == 2:
        return _sweep_2d(v)
    return _sort_filter(v)


def _sweep_2d(v: np.ndarray) -> np.ndarray:
    """Two columns: sort by (x, y) descending; a row survives when it is the first of its x
    and its y beats the largest y among rows of larger x."""
    order = np.lexsort((-v[:, 1], -v[:, 0]))
    x, y = v[order, 0], v[order, 1]
    first = np.ones(x.size, dtype=bool)
    first[1:] = x[1:] != x[:-1]
    best_before = np.full(x.size, np.iinfo(np.int64).min, dtype=np.int64)
    best_before[1:] = np.maximum.accumulate(y)[:-1]  # rows before: x larger (or equal, not first)
    keep_sorted = first & (y > best_before)
    keep = np.zeros(x.size, dtype=bool)
    keep[order] = keep_sorted
    return keep


def _sort_filter(v: np.ndarray) -> np.ndarray:
    """Sort-filter skyline for three or more columns, in bounded blocks, after a prefilter
    by a few strong rows (:func:`_pruners`) that removes most dominated rows at once."""
    n, d = v.shape
    sums = v.sum(axis=1)
    alive_all = ~_dominated_by(v, sums, v[_pruners(v)], None)
    idx = np.flatnonzero(alive_all)
    sub, sub_sums = v[idx], sums[idx]
    order = np.lexsort((*(-sub[:, k] for k in range(d - 1, -1, -1)), -sub_sums))
    sv, ss = sub[order], sub_sums[order]
    sky = np.empty((0, d), dtype=np.int64)
    sky_sums = np.empty(0, dtype=np.int64)
    keep_sorted = np.zeros(sv.shape[0], dtype=bool)
    step = max(1, CHUNK_CELLS // (BLOCK_ROWS * d))
    for lo in range(0, sv.shape[0], BLOCK_ROWS):
        block, bsums = sv[lo : lo + BLOCK_ROWS], ss[lo : lo + BLOCK_ROWS]
        alive = np.arange(block.shape[0])
        for s_lo in range(0, sky.shape[0], step):
            if alive.size == 0:
                break
            hit = _dominated_by(
                block[alive], bsums[alive], sky[s_lo : s_lo + step], sky_sums[s_lo : s_lo + step]
            )
            alive = alive[~hit]
        if alive.size:
            alive = alive[~_dominated_by(block[alive], bsums[alive], block[alive], bsums[alive])]
        if alive.size:
            keep_sorted[lo + alive] = True
            sky = np.concatenate([sky, block[alive]])
            sky_sums = np.concatenate([sky_sums, bsums[alive]])
    keep = np.zeros(n, dtype=bool)
    keep[idx[order[keep_sorted]]] = True
    return keep


#: Rows used to prefilter: the most balanced and the largest-sum rows (each this many).
PRUNERS = 32


def _pruners(v: np.ndarray) -> np.ndarray:
    """Positions of rows likely to dominate many others: the largest smallest share of
    each column's range, and the largest sums of shares."""
    lo, hi = v.min(axis=0), v.max(axis=0)
    share = (v - lo) / np.maximum(hi - lo, 1)
    k = min(PRUNERS, v.shape[0])
    balanced = np.argpartition(-share.min(axis=1), k - 1)[:k]
    total = np.argpartition(-share.sum(axis=1), k - 1)[:k]
    return np.unique(np.concatenate([balanced, total]))


def _dominated_by(
    rows: np.ndarray, row_sums: np.ndarray, others: np.ndarray, other_sums: np.ndarray | None
) -> np.ndarray:
    """Bool per row: some row of ``others`` is >= it everywhere with a larger sum (on
    distinct integer rows, exactly domination), chunked to :data:`CHUNK_CELLS` cells."""
    out = np.zeros(rows.shape[0], dtype=bool)
    m = others.shape[0]
    if m == 0:
        return out
    osums = others.sum(axis=1) if other_sums is None else other_sums
    step = max(1, CHUNK_CELLS // m)
    for lo in range(0, rows.shape[0], step):
        r = rows[lo : lo + step]
        hit = osums[None, :] > row_sums[lo : lo + step, None]
        for k in range(rows.shape[1]):
            hit &= others[None, :, k] >= r[:, None, k]
        out[lo : lo + step] = hit.any(axis=1)
    return out


def dominates(u: np.ndarray, t: np.ndarray) -> bool:
    """Whether rank vector ``u`` Pareto-dominates ``t``.

    >>> dominates(np.array([2, 1]), np.array([1, 1])), dominates(np.array([1, 1]), np.array([1, 1]))
    (True, False)
    """
    return bool((u >= t).all() and (u > t).any())


__all__ = ["CHUNK_CELLS", "dominates", "skyline", "skyline_bytes"]
