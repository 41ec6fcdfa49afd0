"""Simultaneous sanctioning (SIM).

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s* —
every other DM j either stays or takes one of its own unilateral improvements from s — produce
together with i's move a feasible joint outcome that i does not prefer to s.

The joint responses form a product of per-DM choice sets, so an exact check must, in the worst
case, enumerate it. The work is cut down in three vectorised rounds over (state, UI) pairs:

1. *bound*: no sanction can exist when every feasible state with i's options set as in the UI
   is better for i than s (one minimum per setting of i's options);
2. *single movers*: responses in which one other DM moves and the rest stay, for all pairs;
3. *several movers*: for one open pair per unsettled state at a time, the responses in which
   exactly the DMs of a set T move (each to one of its UIs) and the rest stay, smaller sets
   first, enumerated in mixed radix. A pair that no response sanctions makes its state
   unstable, which settles the state (its other pairs need no more work); a state whose pairs
   are all sanctioned is stable.

States where i has no UI are stable without any of this. SIM is the one concept whose cost is
not linear in the number of states; docs/engine.md gives measurements.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

from detente.engine.layout import DMLayout, unpack_bits
from detente.engine.workers import worker_count

_DENSE_TABLE_BITS = 26
_STATE_CHUNK = 8192
_CHUNK_CELLS = 1 << 21
_MAX_COMBOS = 1 << 22
_WINDOWS = ((0, 8), (8, 64), (64, 1 << 62))


class _Choices:
    """A DM's UIs from any states; the grid is built once. Rows of the move matrix are
    computed for the states asked about (never the (width, width) matrix: 4 GiB at 16
    options)."""

    def __init__(self, lay: DMLayout, u: np.ndarray) -> None:
        self.lay = lay
        self.u = u
        self.ugrid = lay.grid(u, -np.inf)
        self.columns = np.arange(lay.width, dtype=np.int64)[None, :]

    def __call__(self, states: np.ndarray, *, stay: bool) -> np.ndarray:
        x = self.lay.local[states][:, None]
        y = self.columns
        move = (x != y) & ((x & ~y & self.lay.fwd_local) == 0)
        move &= (~x & y & self.lay.back_local) == 0
        mask = move & (self.ugrid[self.lay.group[states]] > self.u[states][:, None])
        x = x[:, 0]
        if stay:
            mask[np.arange(states.size), x] = True
        return np.asarray(mask)


class _Lookup:
    """u_i of any code, +inf for infeasible codes (dense table when 2**n is small)."""

    def __init__(self, feasible: np.ndarray, u: np.ndarray, n_options: int) -> None:
        self.feasible = feasible
        self.u = u
        self.table: np.ndarray | None = None
        if n_options <= _DENSE_TABLE_BITS:
            # float32 holds the integer ranks exactly (< 2**24 states) in half the memory
            dtype = np.float32 if u.size < 1 << 24 else np.float64
            table = np.full(1 << n_options, np.inf, dtype=dtype)
            table[feasible] = u
            self.table = table

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return np.asarray(self.table[codes])
        pos = np.minimum(np.searchsorted(self.feasible, codes), self.feasible.size - 1)
        return np.asarray(np.where(self.feasible[pos] == codes, self.u[pos], np.inf))


def sim_stable(
    feasible: np.ndarray,
    n_options: int,
    layouts: Sequence[DMLayout],
    utilities: Sequence[np.ndarray],
    i: int,
    nash: np.ndarray,
) -> np.ndarray:
    """Bool per feasible state: SIM-stable for DM i (``nash``: its Nash stability)."""
    stable = nash.copy()
    others = [j for j in range(len(layouts)) if j != i]
    if not others:
        return stable  # nobody can respond: SIM = Nash
    lookup = _Lookup(feasible, utilities[i], n_options)
    lays = list(layouts)
    choices = {j: _Choices(lays[j], utilities[j]) for j in [i, *others]}
    own = {j: unpack_bits(np.arange(lays[j].width), lays[j].dm_mask) for j in [i, *others]}
    # the best sanction conceivable with i's options at a: min u_i over that slice
    grid = choices[i].ugrid
    slice_min = np.where(np.isneginf(grid), np.inf, grid).min(axis=0)
    candidates = np.flatnonzero(~stable)
    size = state_chunk(max(lay.width for lay in lays))
    chunks = [candidates[lo : lo + size] for lo in range(0, candidates.size, size)]

    def settle(states: np.ndarray) -> np.ndarray:
        return _chunk(feasible, lays, utilities[i], i, others, states, lookup, choices, own,
                      slice_min)

    # Chunks are independent and numpy releases the GIL in its loops: use the cores.
    workers = min(worker_count(), len(chunks))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(settle, chunks))
    else:
        results = [settle(states) for states in chunks]
    for states, result in zip(chunks, results, strict=True):
        stable[states] = result
    return stable


def state_chunk(width: int) -> int:
    """States settled together: at most _STATE_CHUNK, and at most _CHUNK_CELLS cells of
    (state, choice) arrays for the widest DM, so a chunk's memory does not grow with the
    number of options a DM holds."""
    return max(1, min(_STATE_CHUNK, _CHUNK_CELLS // max(width, 1)))


def sim_bytes(width_max: int, n_options: int, n_states: int) -> int:
    """Estimated peak of the SIM pass beyond the engine's per-state arrays: the lookup table
    of u_i by code, and per worker thread its chunk's (pair, choice) arrays (about 48 bytes a
    cell: codes, values, masks and sort orders)."""
    table = (1 << n_options) * (4 if n_states < 1 << 24 else 8) if (
        n_options <= _DENSE_TABLE_BITS) else 0
    chunk = state_chunk(width_max)
    cells = max(chunk * width_max, _MAX_COMBOS)
    return table + worker_count() * 48 * cells


def _chunk(
    feasible: np.ndarray,
    lays: list[DMLayout],
    u: np.ndarray,
    i: int,
    others: list[int],
    states: np.ndarray,
    lookup: _Lookup,
    choices: dict[int, _Choices],
    own: dict[int, np.ndarray],
    slice_min: np.ndarray,
) -> np.ndarray:
    us = u[states]
    codes = feasible[states]
    ui = choices[i](states, stay=False)
    moves = {j: choices[j](states, stay=False) for j in others}

    # pairs (row, a): i's UI a from the state in this row; `pending` until sanctioned
    rows, a = np.nonzero(ui)
    pending = np.ones(rows.size, dtype=bool)
    unstable = np.zeros(states.size, dtype=bool)

    # 1. bound: no feasible state with i's options at a is as bad for i as s
    unstable[rows[slice_min[a] > us[rows]]] = True

    # 2. one other DM moves, the rest stay: a dense pass over that DM's options
    for j in others:
        open_ = np.flatnonzero(pending & ~unstable[rows])
        if open_.size == 0:
            break
        step = max(1, _MAX_COMBOS // lays[j].width)  # bounded (pair, choice) arrays
        for lo in range(0, open_.size, step):
            idx = open_[lo : lo + step]
            r = rows[idx]
            keep = codes[r] & ~np.int64(lays[i].dm_mask | lays[j].dm_mask)
            joint = (keep | own[i][a[idx]])[:, None] | own[j][None, :]
            hit = (moves[j][r] & (lookup(joint) <= us[r][:, None])).any(axis=1)
            pending[idx[hit]] = False

    # 3. several DMs move: one open pair per unsettled state at a time, fewest movers first
    while True:
        idx = np.flatnonzero(pending & ~unstable[rows])
        if idx.size == 0:
            break
        _, first = np.unique(rows[idx], return_index=True)
        pick = idx[first]
        for k in range(2, len(others) + 1):
            for movers in combinations(others, k):
                left = pick[pending[pick]]
                if left.size == 0:
                    break
                hit = _sanctioned_by(movers, rows[left], a[left], codes, us, i, own, moves,
                                     lays, lookup)
                pending[left[hit]] = False
        # a pair that no response sanctions makes its state unstable
        unstable[rows[pick[pending[pick]]]] = True
        pending[pick] = False
    return ~unstable


def _sanctioned_by(
    movers: tuple[int, ...],
    rows: np.ndarray,
    a: np.ndarray,
    codes: np.ndarray,
    us: np.ndarray,
    i: int,
    own: dict[int, np.ndarray],
    moves: dict[int, np.ndarray],
    lays: list[DMLayout],
    lookup: _Lookup,
) -> np.ndarray:
    """For each pair (row, a): do the ``movers``, each taking one of its UIs from the state
    (the other DMs staying), sanction i's move to a? Enumerated in mixed radix."""
    moving_mask = lays[i].dm_mask
    for j in movers:
        moving_mask |= lays[j].dm_mask
    counts = np.stack([moves[j][rows].sum(axis=1) for j in movers])  # (k, P)
    sizes = counts.prod(axis=0)
    # each row's columns: the mover's UIs first, those worst for i on their own first (so
    # that sanctions tend to come early), flattened for 1-d gathers
    order = {}
    for j in movers:
        alone = (codes[rows] & ~np.int64(lays[i].dm_mask | lays[j].dm_mask)) | own[i][a]
        alone_u = np.minimum(lookup(alone[:, None] | own[j][None, :]), np.finfo(float).max)
        key = np.where(moves[j][rows], alone_u, np.inf)  # UIs (even infeasible alone) first
        order[j] = np.argsort(key, axis=1, kind="stable").ravel()
    base = (codes[rows] & ~np.int64(moving_mask)) | own[i][a]
    out = np.zeros(rows.size, dtype=bool)
    # Windows of the enumeration: most sanctioned pairs are settled by their first responses,
    # so later windows only see the pairs still open.
    for lo, hi in _WINDOWS:
        todo = np.flatnonzero(~out & (sizes > lo))
        if todo.size == 0:
            break
        width = np.minimum(sizes[todo], hi) - lo
        ends = np.cumsum(width)
        start = 0
        while start < todo.size:
            done = int(ends[start - 1]) if start else 0
            stop = max(start + 1, int(np.searchsorted(ends, done + _MAX_COMBOS, side="right")))
            sel = todo[start:stop]
            pair = np.repeat(sel, width[start:stop])
            within = lo + np.arange(pair.size, dtype=np.int64) - np.repeat(
                ends[start:stop] - width[start:stop] - done, width[start:stop])
            joint = base[pair]
            for k, j in enumerate(movers):
                radix = counts[k][pair]
                digit = within % radix
                within //= radix
                joint |= own[j][order[j][pair * lays[j].width + digit]]
            hit = lookup(joint) <= us[rows[pair]]
            out[sel] |= np.bincount(pair, weights=hit, minlength=rows.size)[sel] > 0
            start = stop
    return out


__all__ = ["sim_stable", "worker_count"]
