"""SIM check in numpy for one DM over a range of states: the one SIM definition
(:mod:`.simultaneous_core`: :func:`~.simultaneous_core.pair_sanctioned`), vectorised over the
(state, UI) pairs of a chunk, calling the core's rules on arrays.

The same steps as the core, each for all pairs at once: the bound (no state of the UI's
slice is ranked that low: unsanctionable), nobody able to respond (unsanctioned), then per
pair the cheaper of the two exact searches (the core's :func:`~.simultaneous_core.
scan_candidates`) — the *candidates* (the slice's states ranked at
most u_i(s), accepted when each other DM's options are as in s or one of its UIs) or the
*responses* (the product over the others of (stay + their UIs), in mixed radix). A state is
stable when every pair is sanctioned. Nothing here is compiled: it is the backend for models
too small to repay loading numba (:data:`detente.engine.simultaneous.COMPILED_FROM_CELLS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from detente.engine.simultaneous_core import outcome, sanctions, scan_candidates, unsanctionable
from detente.engine.simultaneous_grid import SimGrid, SimSlices

#: Elements per flat gather (candidates or responses of several pairs at once).
_FLAT = 1 << 16
#: Windows of each pair's candidates or responses, each tried for the pairs still open.
_WINDOWS = ((0, 8), (8, 64), (64, 1 << 62))
#: Cells of (state, column) arrays per DM in one chunk: bounds a chunk's memory.
CHUNK_CELLS = 1 << 20


def chunk_states(grid: SimGrid) -> int:
    """States per chunk so that the (states, width) arrays of the widest DM stay small."""
    return max(1, CHUNK_CELLS // int(grid.width.max()))


def scratch_bytes(n_states: int, width_sum: int, width_max: int) -> int:
    """Peak scratch of one thread: a chunk's (states, width) arrays of every DM (UI masks,
    the columns sorted UIs first, the allowed columns, the comparisons: about 32 bytes a cell)
    and the flat gathers (about 16 int64 arrays an element), which hold at most :data:`_FLAT`
    elements, or one pair's candidates or responses (each at most the states)."""
    states = min(n_states, max(1, CHUNK_CELLS // max(width_max, 1)))
    flat = max(min(_FLAT, states * width_sum * n_states), n_states)
    return 32 * states * width_sum + 128 * flat


def sim_states_numpy(grid: SimGrid, utils: Sequence[np.ndarray], i: int, states: np.ndarray,
                     slices: SimSlices, search: int) -> np.ndarray:
    """Bool per position of ``states`` (each with a UI of DM i): SIM-stable for i.
    ``search``: 0 the cheaper search per pair, 1 the responses, 2 the candidates."""
    uis = [_improvements(grid, utils, j, states) for j in range(len(grid.layouts))]
    rows, cols = np.nonzero(uis[i])
    s = states[rows]
    start, stop = slices.span(grid.free[s] * grid.layouts[i].width + cols)
    unstable = np.zeros(states.size, dtype=bool)
    low = start < stop
    low[low] = ~unsanctionable(slices.u[start[low]], utils[i][s[low]])
    unstable[rows[~low]] = True  # bound: nothing in the slice is that low for i
    others = [j for j in range(len(uis)) if j != i]
    counts = np.stack([uis[j].sum(axis=1) for j in others])  # (others, states)
    unstable[(counts == 0).all(axis=0)] = True  # nobody can respond: i's move stands
    todo = np.flatnonzero(~unstable[rows])
    end = slices.end(grid.free[s[todo]] * grid.layouts[i].width + cols[todo],
                     slices.rank[s[todo]])
    combos = np.prod(counts[:, rows[todo]].astype(np.float64) + 1, axis=0)
    by_cand = np.asarray(scan_candidates(search, end - start[todo], combos), dtype=bool)
    hit = np.zeros(todo.size, dtype=bool)
    if by_cand.any():
        pick = todo[by_cand]
        hit[by_cand] = _by_candidates(grid, states, i, others, uis, rows[pick], start[pick],
                                      end[by_cand], slices)
    if (~by_cand).any():
        pick = todo[~by_cand]
        hit[~by_cand] = _by_responses(grid, utils, states, i, others, uis, counts, rows[pick],
                                      cols[pick])
    unstable[rows[todo[~hit]]] = True
    return ~unstable


def _improvements(grid: SimGrid, utils: Sequence[np.ndarray], j: int,
                  states: np.ndarray) -> np.ndarray:
    """(states, width_j) bool: the columns of DM j's UIs from each state (its row of the
    layout grid: a legal move to a feasible state that j prefers)."""
    lay = grid.layouts[j]
    x = lay.local[states][:, None]
    y = np.arange(lay.width, dtype=np.int64)[None, :]
    target = grid.cells[j][(lay.group[states] * lay.width)[:, None] + y]
    u = utils[j]
    better = (target >= 0) & (u[np.maximum(target, 0)] > u[states][:, None])
    return np.asarray(lay.legal(x, y) & better)


def _by_candidates(grid: SimGrid, states: np.ndarray, i: int, others: list[int],
                   uis: list[np.ndarray], rows: np.ndarray, start: np.ndarray, end: np.ndarray,
                   slices: SimSlices) -> np.ndarray:
    """Per pair: is one of the slice's states ``slices.states[start:end]`` (ranked by i at
    most u_i(s), lowest first) an outcome of the others' responses — each other DM's column
    that of s or of one of its UIs from s?"""
    allowed = {}
    for j in others:
        a = uis[j].copy()
        a[np.arange(states.size), grid.layouts[j].local[states]] = True  # staying
        allowed[j] = a

    def check(pair: np.ndarray, offset: np.ndarray) -> np.ndarray:
        x = slices.states[start[pair] + offset]
        r = rows[pair]
        ok = np.ones(x.size, dtype=bool)
        for j in others:
            ok &= allowed[j][r, grid.layouts[j].local[x]]
        return ok

    return _any_in_windows(end - start, check)


def _by_responses(grid: SimGrid, utils: Sequence[np.ndarray], states: np.ndarray, i: int,
                  others: list[int], uis: list[np.ndarray], counts: np.ndarray,
                  rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Per pair (i moving to column ``cols``): does some joint response of the others —
    each staying or taking one of its UIs from s — give a feasible outcome ranked by i at
    most u_i(s)? Single movers first, then every joint response in mixed radix."""
    first = {j: np.argsort(~uis[j], axis=1, kind="stable") for j in others}  # UIs first
    radix = counts[:, rows] + 1  # (others, pairs)
    s = states[rows]
    base = outcome(grid.codes[s], grid.masks[i], grid.unpack[i, cols])
    target = utils[i][s]

    def sanctioned(pair: np.ndarray, joint: np.ndarray) -> np.ndarray:
        x = _positions(grid, joint)
        return np.asarray(sanctions(x, utils[i][np.maximum(x, 0)], target[pair]))

    def single(k: int, j: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        def check(pair: np.ndarray, offset: np.ndarray) -> np.ndarray:
            col = first[j][rows[pair], offset]
            return sanctioned(pair, outcome(base[pair], grid.masks[j], grid.unpack[j, col]))
        return check

    def joint_response(pair: np.ndarray, offset: np.ndarray) -> np.ndarray:
        joint = base[pair]
        digits = offset.copy()
        for k, j in enumerate(others):
            digit = digits % radix[k, pair]
            digits //= radix[k, pair]
            col = first[j][rows[pair], np.maximum(digit - 1, 0)]
            joint = np.where(digit > 0, outcome(joint, grid.masks[j], grid.unpack[j, col]), joint)
        return sanctioned(pair, joint)

    hit = np.zeros(rows.size, dtype=bool)
    for k, j in enumerate(others):  # one DM moves, the rest stay
        open_ = np.flatnonzero(~hit)
        hit[open_] = _any_in_windows(radix[k, open_] - 1, single(k, j), open_)
    open_ = np.flatnonzero(~hit & ((radix > 1).sum(axis=0) > 1))  # several can move
    hit[open_] = _any_in_windows(np.prod(radix[:, open_], axis=0), joint_response, open_)
    return hit


def _any_in_windows(lengths: np.ndarray, check: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    items: np.ndarray | None = None) -> np.ndarray:
    """Per item, whether ``check(item, offset)`` holds for some offset below its length.
    Offsets are tried in windows (the first 8, up to 64, the rest), each only for the items
    not yet settled, as the compiled loop stops at the first hit. ``items``: the indices
    ``check`` is given (default: 0, 1, ...)."""
    ids = np.arange(lengths.size) if items is None else items
    hit = np.zeros(lengths.size, dtype=bool)
    for lo, hi in _WINDOWS:
        todo = np.flatnonzero(~hit & (lengths > lo))
        if todo.size == 0:
            break
        width = np.minimum(lengths[todo], hi) - lo
        for part in _batches(width, _FLAT):
            sel = todo[part]
            pair, offset = _expand(width[part])
            good = check(ids[sel][pair], lo + offset)
            hit[sel] |= np.bincount(pair, weights=good, minlength=sel.size) > 0
    return hit


def _positions(grid: SimGrid, codes: np.ndarray) -> np.ndarray:
    """Position of each state code among the feasible states, -1 when infeasible."""
    if grid.table.size:
        return np.asarray(grid.table[codes], dtype=np.int64)
    k = np.minimum(np.searchsorted(grid.codes, codes), grid.codes.size - 1)
    return np.where(grid.codes[k] == codes, k, -1)


def _expand(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items of the given lengths, every (item, offset within it), flattened."""
    total = int(lengths.sum())
    item = np.repeat(np.arange(lengths.size), lengths)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return item, offset


def _batches(lengths: np.ndarray, cap: int) -> Iterator[slice]:
    """Consecutive runs of items whose lengths add up to at most ``cap`` (an item longer
    than ``cap`` is a run of its own)."""
    ends = np.cumsum(lengths)
    lo = 0
    while lo < lengths.size:
        done = int(ends[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(ends, done + cap, side="right")))
        yield slice(lo, hi)
        lo = hi


__all__ = ["CHUNK_CELLS", "chunk_states", "scratch_bytes", "sim_states_numpy"]
