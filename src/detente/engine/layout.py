"""Per-decision-maker group layout of the feasible states.

For DM j, every feasible state is a cell of a (groups, 2**k_j) grid: the row is the setting of
the *other* DMs' options (a group-by on the other bits), the column is j's own options packed
into k_j bits. One unilateral move by j stays in its row, so every move-based pass is a row
operation on this grid; no states x states matrix is ever built.

>>> import numpy as np
>>> lay = DMLayout.build(np.array([0, 1, 2, 3]), dm_mask=1, fwd_mask=0, back_mask=0)
>>> lay.n_groups, lay.width
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INF = np.inf


def bit_positions(mask: int) -> list[int]:
    """Bit indices set in ``mask``, lowest first."""
    return [b for b in range(mask.bit_length()) if mask >> b & 1]


def pack_bits(codes: np.ndarray, mask: int) -> np.ndarray:
    """Compress the bits of ``codes`` selected by ``mask`` into low bits (like PEXT)."""
    out = np.zeros(codes.shape, dtype=np.int64)
    for k, b in enumerate(bit_positions(mask)):
        out |= ((codes >> b) & 1) << k
    return out


def unpack_bits(local: np.ndarray, mask: int) -> np.ndarray:
    """Inverse of :func:`pack_bits` (like PDEP)."""
    out = np.zeros(np.shape(local), dtype=np.int64)
    for k, b in enumerate(bit_positions(mask)):
        out |= ((np.asarray(local, dtype=np.int64) >> k) & 1) << b
    return out


@dataclass(frozen=True)
class DMLayout:
    """Where each feasible state sits in DM j's (group, local) grid, and j's legal moves."""

    dm_mask: int
    n_groups: int
    width: int  # 2**k_j
    group: np.ndarray  # (N,) row of each feasible state
    local: np.ndarray  # (N,) column of each feasible state
    flat: np.ndarray  # (N,) group * width + local
    fwd_local: int  # j's fwd-only options, in local bits
    back_local: int

    @staticmethod
    def build(feasible: np.ndarray, dm_mask: int, fwd_mask: int, back_mask: int) -> DMLayout:
        others = feasible & ~np.int64(dm_mask)
        _, group = np.unique(others, return_inverse=True)
        group = group.astype(np.int64).ravel()
        local = pack_bits(feasible, dm_mask)
        width = 1 << len(bit_positions(dm_mask))
        n_groups = int(group.max()) + 1 if group.size else 0
        fwd_local = int(pack_bits(np.array([fwd_mask & dm_mask]), dm_mask)[0])
        back_local = int(pack_bits(np.array([back_mask & dm_mask]), dm_mask)[0])
        return DMLayout(dm_mask, n_groups, width, group, local, group * width + local,
                        fwd_local, back_local)

    @property
    def reversible(self) -> bool:
        return self.fwd_local == 0 and self.back_local == 0

    def move_matrix(self) -> np.ndarray:
        """(width, width) bool: M[x, y] when j may move its options from x to y (x != y)."""
        x = np.arange(self.width, dtype=np.int64)[:, None]
        y = np.arange(self.width, dtype=np.int64)[None, :]
        ok = x != y
        ok &= (x & ~y & self.fwd_local) == 0  # fwd options never go Y -> N
        ok &= (~x & y & self.back_local) == 0  # back options never go N -> Y
        return np.asarray(ok)

    def grid(self, values: np.ndarray, fill: float) -> np.ndarray:
        """Values placed on the (groups, width) grid; cells of infeasible states get ``fill``."""
        g = np.full(self.n_groups * self.width, fill, dtype=np.float64)
        g[self.flat] = values
        return g.reshape(self.n_groups, self.width)
