"""Simultaneous sanctioning (SIM).

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s* —
every other DM j either stays or takes one of its own unilateral improvements from s — produce
together with i's move a feasible joint outcome that i does not prefer to s.

The joint responses form a product of per-DM choice sets, so an exact check must, in the worst
case, search it. Per (state, UI) pair the check takes the cheaper of two exact searches:
enumerating the responses (fewest movers first), or scanning the states with i's options as in
s1 that i ranks at most u_i(s) (sorted once per DM) for one the responses can produce; a bound
settles pairs that no state could sanction. States where i has no UI are stable without any
of this, and a state is settled unstable by its first unsanctioned pair. Slices of the states
run in parallel threads.

The definition is :mod:`detente.engine.simultaneous_core`. The search has two backends,
chosen by size (:func:`sim_backend`): a compiled loop
(:mod:`detente.engine.simultaneous_kernel`, numba) for big models, and the same steps
vectorised in numpy (:mod:`detente.engine.simultaneous_numpy`) for models too small to repay
loading numba. Both are checked against the reference in the tests. docs/engine.md gives
measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from detente.engine.simultaneous_grid import TABLE_BITS, SimGrid, SimSlices
from detente.engine.workers import thread_map, worker_count

#: States per thread task.
_STATES_PER_TASK = 1 << 14

#: From this many cells (feasible states × the sum of the DMs' grid widths: the cells both
#: backends scan for the DMs' UIs) SIM runs the compiled kernel, below it the numpy search,
#: which spares the process numba (about 0.3 s to import it and load the cached kernels, a
#: few seconds to compile them on a machine's first run, ~70 MiB). Measured with
#: ``benchmarks/bench_startup.py --crossover`` (SIM of every DM in a fresh process, each
#: backend forced): numpy cheaper up to 1.1 million cells, the two about even up to 1.6
#: million, compiled beyond (docs/engine.md, "Two backends"); the bound sits a little below,
#: as a long-running process (the web service) pays for numba once.
COMPILED_FROM_CELLS = 1 << 20

Search = Literal["auto", "responses", "candidates"]
Backend = Literal["auto", "numpy", "compiled"]
_SEARCH = {"auto": 0, "responses": 1, "candidates": 2}


def sim_stable(
    grid: SimGrid,
    utilities: Sequence[np.ndarray],
    i: int,
    nash: np.ndarray,
    search: Search = "auto",
    backend: Backend = "auto",
) -> np.ndarray:
    """Bool per feasible state: SIM-stable for DM i (``nash``: its Nash stability).

    ``search`` forces one of the two exact searches per (state, UI) pair (``"responses"`` or
    ``"candidates"``; for tests); ``"auto"`` takes the cheaper. ``backend`` forces the numpy
    or the compiled search (for tests); ``"auto"`` picks by size (:func:`sim_backend`).

    >>> import detente
    >>> from detente.engine import Engine
    >>> engine = Engine(detente.load("examples/prisoners_dilemma.yaml"))
    >>> grid = SimGrid.build(engine.conflict.feasible, 2, engine.layouts)
    >>> sim_stable(grid, engine.utilities, 0, engine.stable_for("nash", 0)).tolist()
    [True, True, False, True]
    """
    stable = nash.copy()
    if len(grid.layouts) < 2:
        return stable  # nobody can respond: SIM = Nash
    if backend == "auto":
        backend = sim_backend(grid.codes.size, int(grid.width.sum()))
    utils = tuple(np.ascontiguousarray(x, dtype=np.float64) for x in utilities)
    slices = SimSlices.build(grid, utils[i], i)
    candidates = np.flatnonzero(~stable)
    step = _STATES_PER_TASK
    settle: Callable[[np.ndarray], None]
    if backend == "numpy":
        from detente.engine.simultaneous_numpy import chunk_states, sim_states_numpy

        step = min(step, chunk_states(grid))

        def settle(states: np.ndarray) -> None:
            stable[states] = sim_states_numpy(grid, utils, i, states, slices, _SEARCH[search])
    else:
        settle = _compiled_settle(grid, utils, i, slices, stable, _SEARCH[search])
    tasks = [candidates[lo : lo + step] for lo in range(0, candidates.size, step)]
    for _ in thread_map(settle, tasks):
        pass
    return stable


def sim_backend(n_states: int, width_sum: int) -> Literal["numpy", "compiled"]:
    """The SIM search for a model of ``n_states`` feasible states whose DMs' grid widths
    (2**options held) add up to ``width_sum``: numpy below :data:`COMPILED_FROM_CELLS`
    cells, compiled from there.

    >>> sim_backend(1280, 32), sim_backend(917_504, 128)
    ('numpy', 'compiled')
    """
    return "numpy" if n_states * width_sum < COMPILED_FROM_CELLS else "compiled"


def _compiled_settle(grid: SimGrid, utils: tuple[np.ndarray, ...], i: int, slices: SimSlices,
                     out: np.ndarray, search: int) -> Callable[[np.ndarray], None]:
    """The compiled kernel over some states, writing into ``out`` (imports numba)."""
    from detente.engine.simultaneous_kernel import sim_states

    lays = grid.layouts
    groups = tuple(np.ascontiguousarray(x.group, dtype=np.int64) for x in lays)
    locals_ = tuple(np.ascontiguousarray(x.local, dtype=np.int64) for x in lays)

    def settle(states: np.ndarray) -> None:
        sim_states(i, states, grid.codes, grid.table, utils, groups, locals_, grid.cells,
                   grid.width, grid.fwd, grid.back, grid.masks, grid.unpack, grid.free,
                   slices.start, slices.states, slices.u, out, search)

    return settle


def sim_bytes(grid_cells: int, width_max: int, n_options: int, n_states: int,
              n_dms: int, width_sum: int) -> int:
    """Estimated peak of the SIM pass beyond the engine's per-state arrays: the code table
    (int32, when 2**options is at most 2**26), the grids of positions (int32 per cell), one
    DM's sorted slices, their sort and ranks (about 56 bytes a state), the free-bit ranks and
    the per-DM float copies of the ranks if they are not float64 already (8 bytes a state per
    DM), and per thread the backend's scratch: a (DMs, widest) array for the compiled loop,
    the (states, width) arrays of a chunk and the flat gathers for the numpy search."""
    table = 4 << n_options if n_options <= TABLE_BITS else 0
    per_state = 56 + 8 + 8 * n_dms
    if sim_backend(n_states, width_sum) == "compiled":
        scratch = 24 * n_dms * width_max
    else:
        from detente.engine.simultaneous_numpy import scratch_bytes

        scratch = scratch_bytes(n_states, width_sum, width_max)
    return table + 4 * grid_cells + per_state * n_states + worker_count() * scratch


__all__ = ["COMPILED_FROM_CELLS", "SimGrid", "SimSlices", "sim_backend", "sim_bytes",
           "sim_stable"]
