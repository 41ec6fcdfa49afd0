"""Simultaneous sanctioning (SIM).

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s* —
every other DM j either stays or takes one of its own unilateral improvements from s — produce
together with i's move a feasible joint outcome that i does not prefer to s.

The joint responses form a product of per-DM choice sets, so the check is an enumeration: per
state, |UI_i(s)| x prod_j (1 + |UI_j(s)|) joint outcomes, vectorised per state. States where
i has no UI are stable without enumeration. This is the one concept whose cost is not linear in
the number of states (see docs/engine.md for measurements).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from detente.engine.layout import DMLayout, unpack_bits

if TYPE_CHECKING:
    from detente.engine.concepts import Engine

_MAX_BLOCK = 1 << 20
_DENSE_TABLE_BITS = 26


def choice_masks(lay: DMLayout, u: np.ndarray, states: np.ndarray, *, stay: bool) -> np.ndarray:
    """(len(states), width) bool: DM's UIs from each state (and staying put, if ``stay``)."""
    move = lay.move_matrix()
    ug = lay.grid(u, -np.inf)
    g = lay.group[states]
    x = lay.local[states]
    mask = move[x] & (ug[g] > u[states][:, None])
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
            table = np.full(1 << n_options, np.inf, dtype=np.float32)
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
    u = engine.utilities[i]
    lookup = _Lookup(c.feasible, u, c.n_options)
    stable = engine.stable_for("nash", i).copy()
    candidates = np.flatnonzero(~stable)
    layouts = engine.layouts
    others = engine.others(i)
    codes_of = {j: unpack_bits(np.arange(layouts[j].width), layouts[j].dm_mask)
                for j in [i, *others]}
    step = 4096
    for lo in range(0, candidates.size, step):
        states = candidates[lo : lo + step]
        ui = choice_masks(layouts[i], u, states, stay=False)
        resp = [
            choice_masks(layouts[j], engine.utilities[j], states, stay=True) for j in others
        ]
        for row, s in enumerate(states.tolist()):
            a_codes = codes_of[i][ui[row]]
            joint = np.zeros(1, dtype=np.int64)
            for k, j in enumerate(others):
                part = codes_of[j][resp[k][row]]
                joint = (joint[:, None] | part[None, :]).ravel()
            stable[s] = _all_sanctioned(a_codes, joint, lookup, float(u[s]))
    return stable


def _all_sanctioned(
    a_codes: np.ndarray, responses: np.ndarray, lookup: _Lookup, us: float
) -> bool:
    block = max(1, _MAX_BLOCK // max(1, responses.size))
    for lo in range(0, a_codes.size, block):
        joint = a_codes[lo : lo + block, None] | responses[None, :]
        if not (lookup(joint) <= us).any(axis=1).all():
            return False
    return True
