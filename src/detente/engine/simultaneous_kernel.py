"""Compiled SIM check (numba) for one DM over a range of states: the engine's driver of the
one SIM definition (:mod:`.simultaneous_core`), compiled into it.

Per state s it lists DM i's UIs from s by scanning i's row of the layout grid (``cells``:
state position per (row, column), -1 for infeasible) and, when every UI passes the bound, the
others' UIs the same way; the state is then decided by
:func:`~.simultaneous_core.state_sanctioned` (the bound, nobody able to respond, per UI the
cheaper of the two exact searches). The candidates of a UI are the states with i's options
as after it ranked by i at most u_i(s): a run of the DM's sorted slices
(:class:`~.simultaneous_grid.SimSlices`), found by one bisection. Memory stays at the grids, a
code -> position table and the sorted slices, whatever the number of options.
"""

from __future__ import annotations

import numpy as np

from detente.engine.compiled import jit_borrowed, legal_move
from detente.engine.simultaneous_core import bound_holds, responders, state_sanctioned


@jit_borrowed
def _ui_parts(s: int, j: int, util: np.ndarray, group: np.ndarray, local: np.ndarray,
              cells: np.ndarray, width: int, fwd: int, back: int, out: np.ndarray) -> int:
    """DM j's UIs from state s, as the column (j's options) of each, into ``out``; returns
    how many."""
    x = local[s]
    base = group[s] * width
    us = util[s]
    c = 0
    for y in range(width):
        if not legal_move(x, y, fwd, back):
            continue
        t = cells[base + y]
        if t >= 0 and util[t] > us:
            out[c] = y
            c += 1
    return c


def sim_states(i: int, states: np.ndarray, codes: np.ndarray, table: np.ndarray,
               utils: tuple[np.ndarray, ...], groups: tuple[np.ndarray, ...],
               locals_: tuple[np.ndarray, ...], cells: tuple[np.ndarray, ...],
               width: np.ndarray, fwd: np.ndarray, back: np.ndarray, masks: np.ndarray,
               unpack: np.ndarray, free: np.ndarray, slice_start: np.ndarray,
               slice_states: np.ndarray, slice_u: np.ndarray, out: np.ndarray,
               search: int) -> None:
    """SIM stability of DM i for each state position in ``states``, into ``out[states]``.

    Per DM j (tuples indexed by DM): ``utils`` u_j, ``groups``/``locals_``/``cells`` its
    layout, ``width``/``fwd``/``back`` its grid width and irreversible columns, ``masks`` its
    option bits and ``unpack[j, y]`` the option bits of its column y. ``free``: per state,
    the rank of its bits that no DM holds (0 everywhere in a plain conflict; the profile in a
    stacked one). ``slice_start``/``slice_states``/``slice_u``: the states grouped by (free
    rank, i's column), each group sorted by u_i (CSR over ``free * width_i + column``).
    ``search``: 0 the cheaper of the two searches per pair, 1 always the responses, 2 always
    the candidates (both exact; 1 and 2 are for tests). The loop (:func:`_sim_loop`) is
    compiled and runs without the GIL; its scratch is allocated here (:func:`sim_scratch`).
    """
    _sim_loop(i, states, codes, table, utils, groups, locals_, cells, width, fwd, back, masks,
              unpack, free, slice_start, slice_states, slice_u, out, search,
              *sim_scratch(i, width))


def sim_scratch(i: int, width: np.ndarray) -> tuple[np.ndarray, ...]:
    """:func:`_sim_loop`'s scratch for DM i (``width``: every DM's grid width): the others'
    UIs as columns and their counts, the candidates' marks (all False), the movers, a
    response (``pick``/``digits``), i's UIs with their bounds and candidate runs."""
    d = width.size
    wmax = max(1, int(width.max()))
    w = int(width[i])
    return (np.empty((d, wmax), dtype=np.int64), np.zeros(d, dtype=np.int64),
            np.zeros((d, wmax), dtype=np.bool_), np.empty(d, dtype=np.int64),
            np.empty(d, dtype=np.int64), np.empty(d, dtype=np.int64),
            np.empty(w, dtype=np.int64), np.empty(w, dtype=np.float64),
            np.empty(w, dtype=np.int64), np.empty(w, dtype=np.int64))


@jit_borrowed
def _sim_loop(i: int, states: np.ndarray, codes: np.ndarray, table: np.ndarray,
              utils: tuple[np.ndarray, ...], groups: tuple[np.ndarray, ...],
              locals_: tuple[np.ndarray, ...], cells: tuple[np.ndarray, ...],
              width: np.ndarray, fwd: np.ndarray, back: np.ndarray, masks: np.ndarray,
              unpack: np.ndarray, free: np.ndarray, slice_start: np.ndarray,
              slice_states: np.ndarray, slice_u: np.ndarray, out: np.ndarray, search: int,
              parts: np.ndarray, count: np.ndarray, allowed: np.ndarray, movers: np.ndarray,
              pick: np.ndarray, digits: np.ndarray, own: np.ndarray, lowest: np.ndarray,
              lo: np.ndarray, hi: np.ndarray) -> None:
    """:func:`sim_states`' loop over the states, on its scratch (``parts`` to ``hi``,
    :func:`sim_scratch`): per state, i's UIs and their bounds, the others' UIs when every
    bound holds, then :func:`~.simultaneous_core.state_sanctioned`. Compiled with borrowed
    arrays (:func:`~detente.engine.compiled.jit_borrowed`): no state pays numba's reference
    counting."""
    d = len(utils)
    ui = utils[i]
    for q0 in range(states.size):
        s = states[q0]
        target = ui[s]
        n_own = _ui_parts(s, i, ui, groups[i], locals_[i], cells[i], width[i], fwd[i], back[i],
                          own)
        for q in range(n_own):  # the slice of each UI (sorted by u_i)
            key = free[s] * width[i] + own[q]
            lo[q] = slice_start[key]
            hi[q] = slice_start[key + 1]
            lowest[q] = slice_u[lo[q]] if lo[q] < hi[q] else np.inf
            if lowest[q] > target:
                n_own = q + 1  # unsanctionable: the state is decided
                break
        k = 0
        combos = 1
        if bound_holds(lowest, n_own, target):  # the others' UIs from s
            for j in range(d):
                count[j] = 0
                if j != i:
                    count[j] = _ui_parts(s, j, utils[j], groups[j], locals_[j], cells[j],
                                         width[j], fwd[j], back[j], parts[j])
            k, combos = responders(i, count, movers)
        out[s] = state_sanctioned(i, s, own, n_own, lowest, lo, hi, slice_states, slice_u,
                                  target, k,
                                  combos, movers, count, parts, locals_, allowed, codes, table,
                                  masks, unpack, ui, search, pick, digits)


__all__ = ["sim_scratch", "sim_states"]
