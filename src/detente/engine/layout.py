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
from functools import cached_property

import numpy as np

from detente.model.states import legal_mask

INF = np.inf
#: Irreversible DMs with at most this many settings of their irreversible options are split
#: into reversible pieces (see :attr:`DMLayout.pieces`); beyond, the dense move-matrix pass.
MAX_PIECES = 64


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

    def legal(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bool, broadcast over columns ``x`` and ``y``: j may move its options from x to y
        (another setting; fwd options never go Y -> N, back options never N -> Y). The
        compiled loops' copy is :func:`detente.engine.compiled.legal_move`."""
        return np.asarray(legal_mask(x, y, self.fwd_local, self.back_local))

    def move_matrix(self) -> np.ndarray:
        """(width, width) bool: M[x, y] when j may move its options from x to y (x != y)."""
        cols = np.arange(self.width, dtype=np.int64)
        return self.legal(cols[:, None], cols[None, :])

    @cached_property
    def pieces(self) -> list[Piece] | None:
        """An irreversible DM as reversible pieces, or None (reversible, or too many pieces).

        A state whose irreversible options are set as ``a`` may move to exactly the columns
        ``C_a`` of its row whose fwd options include a's and whose back options are among a's.
        ``C_a`` is the same in every row, so the states in those columns form a *reversible*
        layout of width |C_a|, on which the row passes answer for the states of pattern a.
        Total width over the pieces is (3/2)^m · w for m irreversible options.
        """
        irrev = self.fwd_local | self.back_local
        if irrev == 0 or 1 << bin(irrev).count("1") > MAX_PIECES:
            return None
        cols = np.arange(self.width, dtype=np.int64)
        out: list[Piece] = []
        for a in range(self.width):
            if a & ~irrev:
                continue
            ok = ((cols & self.fwd_local & a) == (a & self.fwd_local)) & (
                (cols & self.back_local & ~a) == 0)
            column = np.full(self.width, -1, dtype=np.int64)
            column[ok] = np.arange(int(ok.sum()))
            members = np.flatnonzero(ok[self.local])
            own = np.flatnonzero((self.local[members] & irrev) == a)
            local = column[self.local[members]]
            sub = DMLayout(self.dm_mask, self.n_groups, int(ok.sum()), self.group[members],
                           local, self.group[members] * int(ok.sum()) + local, 0, 0)
            out.append(Piece(sub, members, own, members[own]))
        return out

    def cells(self) -> np.ndarray:
        """The (groups × width,) grid of state positions, flat (int32, -1 for an infeasible
        cell): what the compiled loops read a DM's moves from."""
        g = np.full(self.n_groups * self.width, -1, dtype=np.int32)
        g[self.flat] = np.arange(self.flat.size, dtype=np.int32)
        return g

    def grid(self, values: np.ndarray, fill: float) -> np.ndarray:
        """Values placed on the (groups, width) grid; cells of infeasible states get ``fill``."""
        g = np.full(self.n_groups * self.width, fill, dtype=np.float64)
        g[self.flat] = values
        return g.reshape(self.n_groups, self.width)


@dataclass(frozen=True)
class Piece:
    """One reversible piece of an irreversible DM's layout (see :attr:`DMLayout.pieces`)."""

    layout: DMLayout  # reversible layout over the states in the piece's columns
    members: np.ndarray  # positions (in the full state arrays) of those states
    own: np.ndarray  # indices into ``members`` of the states the piece answers for
    answers: np.ndarray  # their positions in the full state arrays (= members[own])
