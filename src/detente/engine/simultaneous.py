"""Simultaneous sanctioning (SIM).

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s* —
every other DM j either stays or takes one of its own unilateral improvements from s — produce
together with i's move a feasible joint outcome that i does not prefer to s.

The joint responses form a product of per-DM choice sets, so an exact check must, in the worst
case, enumerate it. The work is cut down in three vectorised rounds over (state, UI) pairs:

1. *bound*: no sanction can exist when every feasible state with i's options set as in the UI
   is better for i than s (one minimum per setting of i's options);
2. *single movers*: responses in which only one other DM moves, for all pairs at once;
3. *full product*: for pairs still open, the whole product of responses, enumerated in mixed
   radix, one pair per state per round; a state is settled unstable by its first unsanctioned
   pair, and stable when all its pairs are sanctioned.

States where i has no UI are stable without any of this. SIM is the one concept whose cost is
not linear in the number of states; docs/engine.md gives measurements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from detente.engine.layout import DMLayout, unpack_bits

if TYPE_CHECKING:
    from detente.engine.concepts import Engine

_DENSE_TABLE_BITS = 26
_STATE_CHUNK = 8192
_MAX_COMBOS = 1 << 22


def choice_masks(lay: DMLayout, u: np.ndarray, states: np.ndarray, *, stay: bool) -> np.ndarray:
    """(len(states), width) bool: DM's UIs from each state (and staying put, if ``stay``)."""
    return _Choices(lay, u)(states, stay=stay)


class _Choices:
    """A DM's UIs from any states; the grid and move matrix are built once."""

    def __init__(self, lay: DMLayout, u: np.ndarray) -> None:
        self.lay = lay
        self.u = u
        self.move = lay.move_matrix()
        self.ugrid = lay.grid(u, -np.inf)

    def __call__(self, states: np.ndarray, *, stay: bool) -> np.ndarray:
        x = self.lay.local[states]
        mask = self.move[x] & (self.ugrid[self.lay.group[states]] > self.u[states][:, None])
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
            table = np.full(1 << n_options, np.inf, dtype=np.float64)
            table[feasible] = u
            self.table = table

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return np.asarray(self.table[codes])
        pos = np.minimum(np.searchsorted(self.feasible, codes), self.feasible.size - 1)
        return np.asarray(np.where(self.feasible[pos] == codes, self.u[pos], np.inf))


def sim_stable(engine: Engine, i: int) -> np.ndarray:
    """Bool per feasible state: SIM-stable for DM i."""
    c = engine.conflict
    stable = engine.stable_for("nash", i).copy()
    others = engine.others(i)
    if not others:
        return stable  # nobody can respond: SIM = Nash
    lookup = _Lookup(c.feasible, engine.utilities[i], c.n_options)
    lays = engine.layouts
    choices = {j: _Choices(lays[j], engine.utilities[j]) for j in [i, *others]}
    own = {j: unpack_bits(np.arange(lays[j].width), lays[j].dm_mask) for j in [i, *others]}
    # the best sanction conceivable with i's options at a: min u_i over that slice
    grid = choices[i].ugrid
    slice_min = np.where(np.isneginf(grid), np.inf, grid).min(axis=0)
    candidates = np.flatnonzero(~stable)
    for lo in range(0, candidates.size, _STATE_CHUNK):
        states = candidates[lo : lo + _STATE_CHUNK]
        stable[states] = _chunk(engine, i, others, states, lookup, choices, own, slice_min)
    return stable


def _chunk(
    engine: Engine,
    i: int,
    others: list[int],
    states: np.ndarray,
    lookup: _Lookup,
    choices: dict[int, _Choices],
    own: dict[int, np.ndarray],
    slice_min: np.ndarray,
) -> np.ndarray:
    lays = engine.layouts
    u = engine.utilities[i]
    us = u[states]
    codes = engine.conflict.feasible[states]
    ui = choices[i](states, stay=False)
    resp = {j: choices[j](states, stay=True) for j in others}

    # pairs (row, a): i's UI a from the state in this row
    rows, a = np.nonzero(ui)
    open_ = np.ones(rows.size, dtype=bool)
    unstable = np.zeros(states.size, dtype=bool)

    # 1. bound: no feasible state with i's options at a is as bad for i as s
    hopeless = slice_min[a] > us[rows]
    unstable[rows[hopeless]] = True
    open_ &= ~unstable[rows]

    # 2. one other DM moves, the rest stay
    for j in others:
        idx = np.flatnonzero(open_)
        if idx.size == 0:
            break
        r = rows[idx]
        keep = codes[r] & ~np.int64(lays[i].dm_mask | lays[j].dm_mask)
        moves = resp[j][r].copy()
        moves[np.arange(r.size), lays[j].local[states[r]]] = False  # staying is s1 itself
        joint = (keep | own[i][a[idx]])[:, None] | own[j][None, :]
        hit = (moves & (lookup(joint) <= us[r][:, None])).any(axis=1)
        open_[idx[hit]] = False

    # 3. full product, one open pair per unsettled state per round
    while True:
        idx = np.flatnonzero(open_ & ~unstable[rows])
        if idx.size == 0:
            break
        _, first = np.unique(rows[idx], return_index=True)
        pick = idx[first]
        sanctioned = _product_sanctioned(rows[pick], a[pick], others, own, resp, i, us, lookup)
        unstable[rows[pick[~sanctioned]]] = True
        open_[pick] = False
    return ~unstable


def _product_sanctioned(
    rows: np.ndarray,
    a: np.ndarray,
    others: list[int],
    own: dict[int, np.ndarray],
    resp: dict[int, np.ndarray],
    i: int,
    us: np.ndarray,
    lookup: _Lookup,
) -> np.ndarray:
    """For each pair (row, a): does some joint response of all the others sanction it?"""
    counts = np.stack([resp[j][rows].sum(axis=1) for j in others])  # (m, P)
    sizes = counts.prod(axis=0)
    out = np.zeros(rows.size, dtype=bool)
    # columns of each row's choices, chosen ones first
    order = {j: np.argsort(~resp[j][rows], axis=1, kind="stable") for j in others}
    start = 0
    while start < rows.size:
        stop = start + 1
        total = int(sizes[start])
        while stop < rows.size and total + int(sizes[stop]) <= _MAX_COMBOS:
            total += int(sizes[stop])
            stop += 1
        sel = np.arange(start, stop)
        pair = np.repeat(sel, sizes[sel])
        offsets = np.concatenate([[0], np.cumsum(sizes[sel])[:-1]])
        within = np.arange(pair.size) - np.repeat(offsets, sizes[sel])
        joint = own[i][a[pair]]
        stride = np.ones(pair.size, dtype=np.int64)
        for k, j in enumerate(others):
            radix = counts[k][pair]
            digit = (within // stride) % radix
            stride = stride * radix
            joint = joint | own[j][order[j][pair, digit]]
        hit = lookup(joint) <= us[rows[pair]]
        out[sel] = np.bincount(pair - start, weights=hit, minlength=sel.size) > 0
        start = stop
    return out
