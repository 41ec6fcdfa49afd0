"""Simultaneous sanctioning (SIM).

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s* —
every other DM j either stays or takes one of its own unilateral improvements from s — produce
together with i's move a feasible joint outcome that i does not prefer to s.

The joint responses form a product of per-DM choice sets, so an exact check must, in the worst
case, search it. The check is compiled (:mod:`detente.engine.simultaneous_kernel`) and, per
(state, UI) pair, takes the cheaper of two exact searches: enumerating the responses (single
movers first), or scanning the states with i's options as in s1 that i ranks at most u_i(s)
(sorted once per DM) for one the responses can produce; a bound settles pairs that no state
could sanction. States where i has no UI are stable without any of this, and a state is
settled unstable by its first unsanctioned pair. Slices of the states run in parallel
threads. docs/engine.md gives measurements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente.engine.layout import DMLayout, unpack_bits
from detente.engine.workers import thread_map, worker_count

#: Largest code table (2**bits int32 positions); beyond, codes are looked up by bisection.
_TABLE_BITS = 26
#: States per thread task.
_STATES_PER_TASK = 1 << 14

Search = Literal["auto", "responses", "candidates"]
_SEARCH = {"auto": 0, "responses": 1, "candidates": 2}


@dataclass(frozen=True)
class SimGrid:
    """What the SIM check reads besides the ranks, built once per state space: each DM's
    layout grid of state positions, a code -> position table, each DM's columns as option
    bits, and the rank of every state's bits that no DM holds."""

    codes: np.ndarray  # (N,) sorted state codes
    table: np.ndarray  # (2**bits,) int32 positions (-1 infeasible), or empty
    layouts: tuple[DMLayout, ...]
    cells: tuple[np.ndarray, ...]  # per DM (groups * width,) int32 positions, -1 infeasible
    width: np.ndarray
    fwd: np.ndarray
    back: np.ndarray
    masks: np.ndarray
    unpack: np.ndarray  # (DMs, max width) option bits of each column
    free: np.ndarray  # (N,) rank of the bits no DM holds
    n_free: int

    @staticmethod
    def build(feasible: np.ndarray, n_bits: int, layouts: Sequence[DMLayout]) -> SimGrid:
        n = feasible.size
        codes = np.ascontiguousarray(feasible, dtype=np.int64)
        table = np.zeros(0, dtype=np.int32)
        if n_bits <= _TABLE_BITS:
            table = np.full(1 << n_bits, -1, dtype=np.int32)
            table[codes] = np.arange(n, dtype=np.int32)
        cells = []
        for lay in layouts:
            grid = np.full(lay.n_groups * lay.width, -1, dtype=np.int32)
            grid[lay.flat] = np.arange(n, dtype=np.int32)
            cells.append(grid)
        wmax = max(lay.width for lay in layouts)
        unpack = np.zeros((len(layouts), wmax), dtype=np.int64)
        held = 0
        for j, lay in enumerate(layouts):
            unpack[j, : lay.width] = unpack_bits(np.arange(lay.width), lay.dm_mask)
            held |= lay.dm_mask
        _, free = np.unique(codes & ~np.int64(held), return_inverse=True)
        free = free.astype(np.int64).ravel()
        return SimGrid(
            codes, table, tuple(layouts), tuple(cells),
            np.array([lay.width for lay in layouts], dtype=np.int64),
            np.array([lay.fwd_local for lay in layouts], dtype=np.int64),
            np.array([lay.back_local for lay in layouts], dtype=np.int64),
            np.array([lay.dm_mask for lay in layouts], dtype=np.int64),
            unpack, free, int(free.max()) + 1 if n else 0,
        )


def sim_stable(
    grid: SimGrid,
    utilities: Sequence[np.ndarray],
    i: int,
    nash: np.ndarray,
    search: Search = "auto",
) -> np.ndarray:
    """Bool per feasible state: SIM-stable for DM i (``nash``: its Nash stability).

    ``search`` forces one of the two exact searches per (state, UI) pair (``"responses"`` or
    ``"candidates"``; for tests); ``"auto"`` takes the cheaper.

    >>> import detente
    >>> from detente.engine import Engine
    >>> engine = Engine(detente.load("examples/prisoners_dilemma.yaml"))
    >>> grid = SimGrid.build(engine.conflict.feasible, 2, engine.layouts)
    >>> sim_stable(grid, engine.utilities, 0, engine.stable_for("nash", 0)).tolist()
    [True, True, False, True]
    """
    from detente.engine.simultaneous_kernel import sim_states

    stable = nash.copy()
    lays = grid.layouts
    if len(lays) < 2:
        return stable  # nobody can respond: SIM = Nash
    u = np.ascontiguousarray(utilities[i], dtype=np.float64)
    lay = lays[i]
    key = grid.free * lay.width + lay.local
    order = np.lexsort((u, key))
    slice_start = np.searchsorted(key[order], np.arange(grid.n_free * lay.width + 1))
    slice_states = order.astype(np.int64)
    slice_u = u[order]
    utils = tuple(np.ascontiguousarray(x, dtype=np.float64) for x in utilities)
    groups = tuple(np.ascontiguousarray(x.group, dtype=np.int64) for x in lays)
    locals_ = tuple(np.ascontiguousarray(x.local, dtype=np.int64) for x in lays)
    candidates = np.flatnonzero(~stable)
    tasks = [candidates[lo : lo + _STATES_PER_TASK]
             for lo in range(0, candidates.size, _STATES_PER_TASK)]

    def settle(states: np.ndarray) -> None:
        sim_states(i, states, grid.codes, grid.table, utils, groups, locals_, grid.cells,
                   grid.width, grid.fwd, grid.back, grid.masks, grid.unpack, grid.free,
                   slice_start, slice_states, slice_u, stable, _SEARCH[search])

    for _ in thread_map(settle, tasks):
        pass
    return stable


def sim_bytes(grid_cells: int, width_max: int, n_options: int, n_states: int,
              n_dms: int) -> int:
    """Estimated peak of the SIM pass beyond the engine's per-state arrays: the code table
    (int32, when 2**options is at most 2**26), the grids of positions (int32 per cell), one
    DM's sorted slices and their sort (about 40 bytes a state), the free-bit ranks and the
    per-DM float copies of the ranks if they are not float64 already (8 bytes a state per DM),
    and per thread a (DMs, widest) scratch."""
    table = 4 << n_options if n_options <= _TABLE_BITS else 0
    per_state = 40 + 8 + 8 * n_dms
    return table + 4 * grid_cells + per_state * n_states + (
        worker_count() * 24 * n_dms * width_max)


__all__ = ["SimGrid", "sim_bytes", "sim_stable"]
