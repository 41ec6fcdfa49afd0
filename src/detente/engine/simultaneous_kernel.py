"""Compiled SIM check for one DM over a range of states (numba; see :mod:`.simultaneous`).

For a state s and a UI s1 of DM i, the others respond simultaneously from s: each stays or
takes one of its own UIs from s. The UI is sanctioned when some joint outcome is feasible and
ranked by i at most u_i(s). Two exact ways to look for one, and the check takes the cheaper:

* *responses*: enumerate the joint responses — the product over the others of (1 + their
  UIs) — single movers first, then in mixed radix;
* *candidates*: scan the feasible states x with i's options as in s1 and u_i(x) <= u_i(s)
  (the states of that slice sorted by u_i, so a binary search counts them), and accept x
  when each other DM's options in x are its options in s or those of one of its UIs.

Before either, a bound: when no state of the slice is ranked that low, the UI is
unsanctionable. Each DM's UIs from s are found by scanning its row of the layout grid
(``cells``: state position per (row, column), -1 for infeasible), so memory stays at the
grids, a code -> position table and the sorted slices, whatever the number of options.
"""

from __future__ import annotations

import numpy as np

from detente.engine.compiled import jit, legal_move


@jit
def _position(code: int, table: np.ndarray, codes: np.ndarray) -> int:
    """Position of a state code among the feasible states, -1 when infeasible: the dense
    ``table`` when it is given (non-empty), else a binary search of the sorted ``codes``."""
    if table.size > 0:
        return int(table[code])
    k = np.searchsorted(codes, code)
    if k < codes.size and codes[k] == code:
        return int(k)
    return -1


@jit
def scan_candidates(search: int, candidates: int, responses: int) -> bool:
    """The one rule both compiled SIM kernels use to pick between the two exact searches:
    scan the ``candidates`` (states that could be the outcome) rather than enumerate the
    ``responses`` (their joint product) when there are fewer of them. ``search``: 0 that rule,
    1 always the responses, 2 always the candidates (1 and 2 for tests)."""
    return search == 2 or (search == 0 and candidates < responses)


@jit
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


@jit
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
    the candidates (both exact; 1 and 2 are for tests).
    """
    d = len(utils)
    wmax = 1
    for j in range(d):
        if width[j] > wmax:
            wmax = width[j]
    parts = np.empty((d, wmax), dtype=np.int64)
    count = np.zeros(d, dtype=np.int64)
    allowed = np.zeros((d, wmax), dtype=np.bool_)
    movers = np.empty(d, dtype=np.int64)
    digits = np.empty(d, dtype=np.int64)
    own = np.empty(width[i], dtype=np.int64)
    ui = utils[i]
    for q0 in range(states.size):
        s = states[q0]
        target = ui[s]
        n_own = _ui_parts(s, i, ui, groups[i], locals_[i], cells[i], width[i], fwd[i], back[i],
                          own)
        ok = True
        ready = False
        k = 0
        combos = 1
        for q in range(n_own):
            a = own[q]
            key = free[s] * width[i] + a
            start = slice_start[key]
            stop = slice_start[key + 1]
            if start == stop or slice_u[start] > target:
                ok = False  # no state with i's options as in s1 is that low for i
                break
            if not ready:  # the others' UIs from s, found once per state
                ready = True
                for j in range(d):
                    count[j] = 0
                    if j == i:
                        continue
                    count[j] = _ui_parts(s, j, utils[j], groups[j], locals_[j], cells[j],
                                         width[j], fwd[j], back[j], parts[j])
                    if count[j] > 0:
                        movers[k] = j
                        k += 1
                for m in range(k):
                    combos *= count[movers[m]] + 1
                    if combos > 1 << 40:
                        combos = 1 << 40
            if k == 0:
                ok = False  # nobody can respond: i's move stands
                break
            # the slice's states ranked <= target by i: a run from ``start``, by bisection
            end = start + np.searchsorted(slice_u[start:stop], target, side="right")
            if scan_candidates(search, end - start, combos):
                hit = by_candidates(i, s, slice_states[start:end], ui, target, locals_, parts,
                                    count, allowed)
            else:
                hit = _by_responses(i, s, a, k, movers, count, parts, digits, codes, table,
                                    masks, unpack, ui, target)
            if not hit:
                ok = False
                break
        out[s] = ok


@jit
def by_candidates(i: int, s: int, states: np.ndarray, ui: np.ndarray, target: float,
                  locals_: tuple[np.ndarray, ...] | np.ndarray, parts: np.ndarray,
                  count: np.ndarray, allowed: np.ndarray) -> bool:
    """Is one of ``states`` (feasible states with i's column as in the UI) ranked by i at
    most ``target`` and a joint outcome of the others' responses from s: each other DM j's
    column that of s or one of ``parts[j, :count[j]]`` (the columns of its UIs)?

    ``locals_[j]`` is DM j's column of every state (a tuple or a (DMs, N) array); ``allowed``
    is (DMs, widest) scratch, all False, and left so. Shared by the engine's SIM check and the
    compiled per-profile pass.
    """
    d = len(locals_)
    for j in range(d):
        if j != i:
            allowed[j, locals_[j][s]] = True
            for m in range(count[j]):
                allowed[j, parts[j, m]] = True
    hit = False
    for x in states:
        if ui[x] > target:
            continue
        good = True
        for j in range(d):
            if j != i and not allowed[j, locals_[j][x]]:
                good = False
                break
        if good:
            hit = True
            break
    for j in range(d):  # leave the scratch clean
        if j != i:
            allowed[j, locals_[j][s]] = False
            for m in range(count[j]):
                allowed[j, parts[j, m]] = False
    return hit


@jit
def _by_responses(i: int, s: int, a: int, k: int, movers: np.ndarray, count: np.ndarray,
                  parts: np.ndarray, digits: np.ndarray, codes: np.ndarray, table: np.ndarray,
                  masks: np.ndarray, unpack: np.ndarray, ui: np.ndarray, target: float) -> bool:
    """Does some simultaneous response of the ``movers`` from s, with i's column at ``a``,
    give a feasible outcome ranked by i at most ``target``? Single movers first."""
    base = (codes[s] & ~masks[i]) | unpack[i, a]
    for m in range(k):  # one DM moves, the rest stay
        j = movers[m]
        mask = masks[j]
        for q in range(count[j]):
            x = _position((base & ~mask) | unpack[j, parts[j, q]], table, codes)
            if x >= 0 and ui[x] <= target:
                return True
    if k < 2:
        return False
    for m in range(k):
        digits[m] = 0
    while True:
        pos = 0
        while pos < k:
            digits[pos] += 1
            if digits[pos] <= count[movers[pos]]:
                break
            digits[pos] = 0
            pos += 1
        if pos == k:
            return False
        joint = base
        for m in range(k):
            if digits[m] > 0:
                j = movers[m]
                joint = (joint & ~masks[j]) | unpack[j, parts[j, digits[m] - 1]]
        x = _position(joint, table, codes)
        if x >= 0 and ui[x] <= target:
            return True


__all__ = ["by_candidates", "scan_candidates", "sim_states"]
