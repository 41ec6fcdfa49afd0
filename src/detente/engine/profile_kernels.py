"""Compiled per-profile passes for batch evaluation: SEQ, SIM and evolution reach.

Batch evaluation (:mod:`detente.engine.batch`) runs the same conflict under thousands of
preference profiles. SEQ and SIM depend on every DM's ranks, so they cannot be shared between
profiles; here they are computed profile by profile in loops compiled with numba, which walk
each profile's unilateral improvements directly instead of building grids:

* the legal unilateral moves of every DM (independent of ranks) are listed once, as CSR arrays
  (:func:`move_lists`);
* per profile, each DM's unilateral improvements (UIs) are the moves to states it ranks higher;
* SEQ: the least u_i the others can reach from each state by legal sequences of their UIs (no
  DM twice in a row) is the fixed point of ``A_j(t) = min over t' in UI_j(t) of
  min(u_i(t'), min_{k != i, j} A_k(t'))`` — the recurrence of :mod:`detente.engine.coalition`;
  a UI s1 of i from s is sanctioned when that least value at s1 is <= u_i(s);
* SIM: each state decided by the one SIM definition
  (:func:`~detente.engine.simultaneous_core.state_sanctioned`, compiled), the same function
  the engine's compiled check calls;
* evolution: the states reachable from a start by UIs of any DMs (:func:`improving_reach`,
  the one batch definition of reach by improvements, which the stacked engine's
  :func:`detente.engine.batch.improvement_reach` calls too).

The functions release the GIL (:mod:`detente.engine.compiled`), so :mod:`detente.engine.batch`
runs slices of the profiles in threads. :func:`profile_pass` allocates the scratch; the loops
it calls borrow their arrays (:func:`~detente.engine.compiled.jit_borrowed`: no reference
counting per profile, DM or state).
"""

from __future__ import annotations

import numpy as np

from detente.engine.compiled import jit, jit_borrowed, jit_inline, legal_move
from detente.engine.simultaneous_core import bound_holds, responders, state_sanctioned

#: Above any rank.
_INF = np.int64(1) << np.int64(62)


@jit
def _fill_moves(cells: tuple[np.ndarray, ...], group: np.ndarray, local: np.ndarray,
                width: np.ndarray, fwd: np.ndarray, back: np.ndarray, ptr: np.ndarray,
                tgt: np.ndarray) -> None:
    d, n = group.shape
    e = 0
    for j in range(d):
        w = width[j]
        grid = cells[j]
        for t in range(n):
            ptr[j * n + t] = e
            x = local[j, t]
            base = group[j, t] * w
            for y in range(w):
                if legal_move(x, y, fwd[j], back[j]):
                    s = grid[base + y]
                    if s >= 0:
                        tgt[e] = s
                        e += 1
    ptr[d * n] = e


def move_lists(cells: tuple[np.ndarray, ...], group: np.ndarray, local: np.ndarray,
               width: np.ndarray, fwd: np.ndarray, back: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Every DM's legal moves as CSR: the moves of DM j from state t are
    ``tgt[ptr[j*N + t]:ptr[j*N + t + 1]]`` (state positions).

    ``cells[j]`` is DM j's (groups × width) grid of state positions (-1 for an infeasible
    cell, :class:`~detente.engine.simultaneous.SimGrid`); ``group``/``local`` are (DMs, N).
    """
    d, n = group.shape
    bound = sum(n * (int(w) - 1) for w in width)  # every other column of the row
    ptr = np.empty(d * n + 1, dtype=np.int64)
    tgt = np.empty(max(bound, 1), dtype=np.int32)
    _fill_moves(cells, group, local, width, fwd, back, ptr, tgt)
    return ptr, tgt[: ptr[-1]].copy()


@jit_borrowed
def _improvements(r: np.ndarray, ptr: np.ndarray, tgt: np.ndarray, uptr: np.ndarray,
                  utgt: np.ndarray) -> None:
    """One profile's UIs (ranks ``r``, (DMs, N)) filtered from the move lists into
    ``uptr``/``utgt`` (same layout)."""
    d, n = r.shape
    e = 0
    for j in range(d):
        for t in range(n):
            uptr[j * n + t] = e
            rt = r[j, t]
            for m in range(ptr[j * n + t], ptr[j * n + t + 1]):
                s = tgt[m]
                if r[j, s] > rt:
                    utgt[e] = s
                    e += 1
    uptr[d * n] = e


@jit_borrowed
def _seq_for(r: np.ndarray, i: int, uptr: np.ndarray, utgt: np.ndarray, a: np.ndarray,
             worst: np.ndarray, arg: np.ndarray, second: np.ndarray, out: np.ndarray) -> None:
    """SEQ stability of DM i under ranks ``r`` into ``out`` (N,).

    ``a[j, t]``: the least u_i reachable from t by a legal sequence of the others' UIs whose
    first mover is j. For each t the smallest of the ``a[k, t]`` (k != i) is kept in
    ``worst[t]`` with its ``arg[t]``, and the second smallest in ``second[t]``, so that the
    least over k != i, j is one lookup. ``a``, ``worst``, ``arg``, ``second`` are scratch."""
    d, n = r.shape
    f = r[i]
    for t in range(n):
        for j in range(d):
            a[j, t] = _INF
        worst[t] = _INF
        second[t] = _INF
        arg[t] = -1
    changed = True
    while changed:
        changed = False
        for j in range(d):
            if j == i:
                continue
            for t in range(n):
                cur = a[j, t]
                for m in range(uptr[j * n + t], uptr[j * n + t + 1]):
                    s = utgt[m]
                    b = second[s] if arg[s] == j else worst[s]  # least over k != i, j
                    if f[s] < b:
                        b = f[s]
                    if b < cur:
                        cur = b
                if cur < a[j, t]:
                    a[j, t] = cur
                    changed = True
                    if arg[t] == j:
                        worst[t] = cur
                    elif cur < worst[t]:
                        second[t] = worst[t]
                        worst[t] = cur
                        arg[t] = j
                    elif cur < second[t]:
                        second[t] = cur
    for t in range(n):
        ok = True
        for m in range(uptr[i * n + t], uptr[i * n + t + 1]):
            if worst[utgt[m]] > f[t]:
                ok = False
                break
        out[t] = ok


@jit_borrowed
def _sim_for(r: np.ndarray, i: int, uptr: np.ndarray, utgt: np.ndarray, codes: np.ndarray,
             index: np.ndarray, masks: np.ndarray, unpack: np.ndarray, local: np.ndarray,
             width_i: int, col_start: np.ndarray, col_order: np.ndarray, search: int,
             slice_min: np.ndarray, own: np.ndarray, lowest: np.ndarray, lo: np.ndarray,
             hi: np.ndarray, pick: np.ndarray, digits: np.ndarray, movers: np.ndarray,
             parts: np.ndarray, count: np.ndarray, allowed: np.ndarray, no_u: np.ndarray,
             out: np.ndarray) -> None:
    """SIM stability of DM i under ranks ``r`` into ``out`` (N,): each state decided by the
    one SIM definition (:func:`~.simultaneous_core.state_sanctioned`), the candidates of a UI
    being the states with i's column as after it (``col_order[col_start[a]:col_start[a +
    1]]``, not sorted by u_i here), the least u_i among them its bound. ``search``: 0 the
    cheaper search, 1 always responses, 2 always states (1 and 2 for tests). The arrays from
    ``slice_min`` to ``allowed`` are scratch; ``no_u`` is empty (the runs are not sorted by
    u_i: none is cut at the target)."""
    n = r.shape[1]
    f = r[i]
    local_i = local[i]
    for a in range(width_i):
        slice_min[a] = _INF
    for t in range(n):
        if f[t] < slice_min[local_i[t]]:
            slice_min[local_i[t]] = f[t]
    for s in range(n):
        target = f[s]
        n_own = 0
        for m in range(uptr[i * n + s], uptr[i * n + s + 1]):
            a = local_i[utgt[m]]
            own[n_own] = a
            lowest[n_own] = slice_min[a]
            lo[n_own] = col_start[a]
            hi[n_own] = col_start[a + 1]
            n_own += 1
        k = 0
        combos = 1
        if n_own > 0 and bound_holds(lowest, n_own, target):
            _ui_columns(i, s, local, uptr, utgt, parts, count)
            k, combos = responders(i, count, movers)
        out[s] = state_sanctioned(i, s, own, n_own, lowest, lo, hi, col_order, no_u, target, k,
                                  combos, movers, count, parts, local, allowed, codes, index,
                                  masks, unpack, f, search, pick, digits)


@jit_inline
def _ui_columns(i: int, s: int, local: np.ndarray, uptr: np.ndarray, utgt: np.ndarray,
                parts: np.ndarray, count: np.ndarray) -> None:
    """The others' UIs from s as columns of their layouts: ``parts[j, :count[j]]``."""
    d, n = local.shape
    for j in range(d):
        count[j] = 0
        if j != i:
            for q in range(uptr[j * n + s], uptr[j * n + s + 1]):
                parts[j, count[j]] = local[j, utgt[q]]
                count[j] += 1


@jit_borrowed
def improving_reach(u: np.ndarray, cells: tuple[np.ndarray, ...], group: np.ndarray,
                    local: np.ndarray, width: np.ndarray, fwd: np.ndarray, back: np.ndarray,
                    reached: np.ndarray, stack: np.ndarray) -> None:
    """Reach by improvements, the one batch definition: every state reachable from those
    marked in ``reached`` by unilateral improvements of any DMs (DM j's legal moves to a state
    with a higher ``u[j]``), marked in ``reached`` in place; ``stack`` is (N,) scratch.

    ``u``: (DMs, N) ranks or utilities; DM j's moves from t are read from its layout grid
    ``cells[j]`` (state positions, -1 infeasible) at row ``group[j, t]``, from column
    ``local[j, t]`` to every legal column (:func:`~detente.engine.compiled.legal_move` with
    ``fwd[j]``/``back[j]``). Only reached states are expanded; no move lists are needed."""
    d, n = u.shape
    top = 0
    for t in range(n):
        if reached[t]:
            stack[top] = t
            top += 1
    while top > 0:
        top -= 1
        t = stack[top]
        for j in range(d):
            w = width[j]
            grid = cells[j]
            x = local[j, t]
            base = group[j, t] * w
            ut = u[j, t]
            for y in range(w):
                if legal_move(x, y, fwd[j], back[j]):
                    s = grid[base + y]
                    if s >= 0 and not reached[s] and u[j, s] > ut:
                        reached[s] = True
                        stack[top] = s
                        top += 1


@jit
def profile_pass(ranks: np.ndarray, ptr: np.ndarray, tgt: np.ndarray, codes: np.ndarray,
                 index: np.ndarray, masks: np.ndarray, unpack: np.ndarray,
                 cells: tuple[np.ndarray, ...], group: np.ndarray, local: np.ndarray,
                 width: np.ndarray, fwd: np.ndarray, back: np.ndarray,
                 col_start: np.ndarray, col_order: np.ndarray, want_seq: bool, want_sim: bool,
                 sim_search: int, start: int, out_seq: np.ndarray, out_sim: np.ndarray,
                 out_reach: np.ndarray) -> None:
    """For each profile p of ``ranks`` (P, DMs, N): SEQ and SIM stability per DM into
    ``out_seq``/``out_sim`` (P, DMs, N) when wanted, and, when ``start >= 0``, the states
    reachable from state ``start`` by UIs into ``out_reach`` (P, N) (:func:`improving_reach`).

    ``ptr``/``tgt``: :func:`move_lists`; ``codes``: state codes; ``index``: position of every
    code (-1 infeasible); ``masks``: each DM's option bits, ``unpack[j, y]`` those of its
    column y; ``cells``/``group``/``local``: each DM's layout grid and the (DMs, N) row and
    column of each state in it, ``width``/``fwd``/``back`` the layouts' widths and
    irreversible columns; ``col_order[i]`` the states
    ordered by DM i's column, ``col_start[i, a]`` where column a starts; ``sim_search``: see
    :func:`_sim_for`.
    """
    p_count, d, n = ranks.shape
    uptr = np.empty(d * n + 1, dtype=np.int64)
    utgt = np.empty(max(tgt.size, 1), dtype=np.int32)
    a = np.empty((d, n), dtype=np.int64)
    worst = np.empty(n, dtype=np.int64)
    arg = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    slice_min = np.empty(max(width.max(), 1), dtype=np.int64)
    own = np.empty(max(width.max(), 1), dtype=np.int64)
    lowest = np.empty(max(width.max(), 1), dtype=np.int64)
    lo = np.empty(max(width.max(), 1), dtype=np.int64)
    hi = np.empty(max(width.max(), 1), dtype=np.int64)
    digits = np.empty(d, dtype=np.int64)
    pick = np.empty(d, dtype=np.int64)
    movers = np.empty(d, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    wmax = max(width.max(), 1)
    parts = np.empty((d, wmax), dtype=np.int64)
    count = np.zeros(d, dtype=np.int64)
    allowed = np.zeros((d, wmax), dtype=np.bool_)
    no_u = np.empty(0, dtype=ranks.dtype)  # the slices are not sorted: none cut at the target
    for p in range(p_count):
        r = ranks[p]
        if want_seq or want_sim:
            _improvements(r, ptr, tgt, uptr, utgt)
        for i in range(d):
            if want_seq:
                _seq_for(r, i, uptr, utgt, a, worst, arg, second, out_seq[p, i])
            if want_sim:
                _sim_for(r, i, uptr, utgt, codes, index, masks, unpack, local, width[i],
                         col_start[i], col_order[i], sim_search, slice_min, own, lowest, lo,
                         hi, pick, digits, movers, parts, count, allowed, no_u, out_sim[p, i])
        if start >= 0:
            reach = out_reach[p]
            reach[:] = False
            reach[start] = True
            improving_reach(r, cells, group, local, width, fwd, back, reach, stack)


__all__ = ["improving_reach", "move_lists", "profile_pass"]
