"""What the SIM check reads, for either backend (:mod:`detente.engine.simultaneous`): the
grids of a state space (:class:`SimGrid`, built once) and one DM's states sorted into slices
by its options and its ranking (:class:`SimSlices`, built per DM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.engine.layout import DMLayout, unpack_bits

#: Largest code table (2**bits int32 positions); beyond, codes are looked up by bisection.
TABLE_BITS = 26


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
        if n_bits <= TABLE_BITS:
            table = np.full(1 << n_bits, -1, dtype=np.int32)
            table[codes] = np.arange(n, dtype=np.int32)
        cells = [lay.cells() for lay in layouts]
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


@dataclass(frozen=True)
class SimSlices:
    """DM i's states grouped by (free-bit rank, i's column) — the states with i's options set
    as in a UI — each group sorted by u_i: CSR over ``key = free * width_i + column``."""

    start: np.ndarray  # (groups + 1,) where each key's run begins in ``states``
    states: np.ndarray  # state positions, by (key, u_i)
    u: np.ndarray  # u_i of ``states``
    rank: np.ndarray  # (N,) dense rank of each state's u_i
    sorted_key: np.ndarray  # key * (ranks) + rank of ``states``, ascending

    @staticmethod
    def build(grid: SimGrid, u: np.ndarray, i: int) -> SimSlices:
        lay = grid.layouts[i]
        key = grid.free * lay.width + lay.local
        order = np.lexsort((u, key))
        start = np.searchsorted(key[order], np.arange(grid.n_free * lay.width + 1))
        _, rank = np.unique(u, return_inverse=True)
        rank = rank.astype(np.int64).ravel()
        n_ranks = int(rank.max()) + 1 if rank.size else 1
        return SimSlices(start, order.astype(np.int64), u[order], rank,
                         key[order] * n_ranks + rank[order])

    def span(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, stop) of each key's run."""
        return self.start[key], self.start[key + 1]

    def end(self, key: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Per key, where its run's states ranked at most ``rank`` end (one bisection)."""
        n_ranks = int(self.rank.max()) + 1 if self.rank.size else 1
        return np.asarray(np.searchsorted(self.sorted_key, key * n_ranks + rank, side="right"))


__all__ = ["TABLE_BITS", "SimGrid", "SimSlices"]
