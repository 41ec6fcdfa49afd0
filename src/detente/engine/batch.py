"""Batch evaluation: stability of every state for every DM under many preference profiles.

A preference profile changes only the payoff ranks; reachability (which states a DM reaches in
one move) does not change. So what depends on moves alone is built once, and the work is split
by what each concept depends on:

* Nash, GMR and SMR stability for DM i depend on DM i's own ranks only (the others' sanctions
  are *any* moves), so they are computed once per distinct ranking of DM i, not per profile
  (:func:`own_rank_stable`). Those rankings are evaluated as *one* stacked state space: copy p
  of state s gets the code ``p << n_options | s`` and DM j's row ``p * groups_j + row_j(s)``.
  No move ever leaves its row, so no move crosses copies, and every row pass of the engine
  works on all copies at once, unchanged — the copy axis is extra rows (:func:`stacked_engine`).
* SEQ and SIM depend on every DM's ranks; they are computed once per distinct profile, by the
  compiled per-profile pass of :mod:`detente.engine.profile_kernels` (every DM's legal moves
  listed once, :class:`ProfileGraph`; slices of the profiles in parallel threads), or, for
  models beyond it, on the stacked engine (``method``).
* :func:`evolution_batch` gives the states reachable from a start by unilateral improvements
  (status-quo evolution) per profile, in the compiled pass or on the stacked engine
  (:func:`improvement_reach`): both by the one compiled search,
  :func:`~detente.engine.profile_kernels.improving_reach`.

Chunks of the stacked engine are sized so that the working arrays stay under ``max_bytes``.

>>> import detente, numpy as np
>>> pd = detente.load("examples/prisoners_dilemma.yaml")
>>> flipped = pd.ranks[:, ::-1]  # a second profile: every DM's order reversed
>>> out = stable_batch(pd, np.stack([pd.ranks, flipped]), ["nash"])
>>> out["nash"].all(axis=1).tolist()  # equilibria per profile: NN, YN, NY, YY
[[False, False, False, True], [True, False, False, False]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast

import numpy as np

from detente.engine.concepts import Engine
from detente.engine.layout import DMLayout
from detente.engine.move_limits import conflict_layouts
from detente.engine.registry import CONCEPTS, Concept, get_concept
from detente.engine.simultaneous import SimGrid
from detente.engine.workers import thread_map, worker_count
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.errors import AnalysisError

#: Default bound on the working memory of one chunk of profiles.
DEFAULT_MAX_BYTES = 256 << 20
#: Models with more options use the stacked engine for SEQ and SIM (the compiled pass keeps a
#: table of every code's position).
MAX_COMPILED_OPTIONS = 24

Method = Literal["auto", "compiled", "stacked"]


def own_ranks_only(concept: Concept) -> bool:
    """Whether stability for DM i depends on DM i's ranks only: Nash, and sanctions made of
    *any* moves of the others (GMR, SMR); SEQ and SIM use the others' improvements.

    >>> [own_ranks_only(get_concept(k)) for k in CONCEPTS]
    [True, True, True, False, False, False]
    """
    return concept.own_ranks_only
#: Largest SIM lookup table (codes of the stacked space) allowed per chunk: 2**24 float32.
_SIM_TABLE_BITS = 24

Progress = Callable[[int], None]


@dataclass(frozen=True)
class _StackedSpace:
    """What the engine reads from a conflict, for P stacked copies of its state space."""

    feasible: np.ndarray
    n_options: int
    dms: tuple[DecisionMaker, ...]

    @property
    def n_states(self) -> int:
        return int(self.feasible.size)


def base_layouts(conflict: Conflict) -> list[DMLayout]:
    """The per-DM layouts of a conflict (what :class:`Engine` builds), independent of ranks."""
    return conflict_layouts(conflict)  # blind spots honoured there


def stack_layout(lay: DMLayout, copies: int) -> DMLayout:
    """``copies`` disjoint copies of a layout: copy p's rows follow copy p-1's."""
    offset = np.repeat(np.arange(copies, dtype=np.int64) * lay.n_groups, lay.group.size)
    group = np.tile(lay.group, copies) + offset
    local = np.tile(lay.local, copies)
    return replace(lay, n_groups=lay.n_groups * copies, group=group, local=local,
                   flat=group * lay.width + local)


def stacked_engine(
    conflict: Conflict, layouts: Sequence[DMLayout], ranks: np.ndarray
) -> Engine:
    """An :class:`Engine` over ``len(ranks)`` stacked copies of the state space, copy p ranked
    by ``ranks[p]`` (shape (P, DMs, N)); its results have P × N states, profile-major."""
    p, n_dms, _ = ranks.shape
    shift = conflict.n_options
    codes = (np.arange(p, dtype=np.int64)[:, None] << shift | conflict.feasible[None, :]).ravel()
    bits = shift + max(1, (p - 1).bit_length())
    space = _StackedSpace(codes, bits, conflict.dms)
    stacked = [stack_layout(lay, p) for lay in layouts]
    engine = Engine(cast(Conflict, space), None, stacked)
    # the ranks per DM, flattened profile-major (the engine's u_i)
    engine._utilities = [
        np.ascontiguousarray(ranks[:, j, :], dtype=np.float64).ravel() for j in range(n_dms)
    ]
    return engine


def distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 2-d integer array: ``(first, inverse)`` with ``rows[first]``
    distinct (in order of first appearance) and ``rows == rows[first][inverse]``.

    Rows are hashed (a wrapping dot product with fixed random weights) and the hash groups
    are then checked exactly; only on a collision does it fall back to ``np.unique`` over
    whole rows, which sorts them (slow: 0.1 s for 1,000 rows of 1,280 ranks).

    >>> first, inverse = distinct_rows(np.array([[1, 2], [3, 4], [1, 2]]))
    >>> first.tolist(), inverse.tolist()
    ([0, 1], [0, 1, 0])
    """
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(_row_hash(rows), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if not (rows == rows[first][inverse]).all():  # a hash collision: exact fallback
        _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    order = np.argsort(first, kind="stable")  # first appearance first
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return first[order].astype(np.int64), rank[inverse].astype(np.int64)


def _row_hash(rows: np.ndarray) -> np.ndarray:
    """An int64 hash per row (a dot product with fixed random weights, wrapping)."""
    weights = np.random.default_rng(12345).integers(1, 1 << 62, size=rows.shape[1])
    with np.errstate(over="ignore"):
        return np.asarray(rows.astype(np.int64) @ weights)


def graph_bytes(conflict: Conflict, layouts: Sequence[DMLayout]) -> int:
    """Upper bound on the memory of a :class:`ProfileGraph` and the compiled pass's scratch:
    the move lists (int32, at most N · (width_j − 1) per DM, and their trimmed copy), one copy
    of them per thread for the improvements, the layout grids and the table of every code's
    position (int32), per thread (DMs, N) int64 scratch, and per DM and state its row, column,
    the states by column (and their sort), and the free-bit ranks."""
    n = conflict.n_states
    moves = n * sum(lay.width - 1 for lay in layouts)
    cells = sum(lay.n_groups * lay.width for lay in layouts)
    threads = worker_count()
    return 4 * moves * (2 + threads) + 4 * cells + 4 * (1 << conflict.n_options) + (
        threads * 8 * n * (len(layouts) + 4)) + 36 * n * len(layouts) + 16 * n


@dataclass(frozen=True)
class ProfileGraph:
    """What the compiled per-profile pass reads, built once per conflict (independent of
    ranks): the SIM grids (state codes, code -> position table, layout grids, option masks),
    every DM's legal moves as CSR lists, and the states ordered by each DM's column."""

    grid: SimGrid
    ptr: np.ndarray
    tgt: np.ndarray
    group: np.ndarray  # (DMs, N)
    local: np.ndarray  # (DMs, N)
    col_start: np.ndarray  # (DMs, widest + 1): where each column starts in col_order
    col_order: np.ndarray  # (DMs, N): the states ordered by each DM's column

    @staticmethod
    def build(conflict: Conflict, layouts: Sequence[DMLayout], max_bytes: int
              ) -> ProfileGraph | None:
        """The graph, or None when the model is beyond the compiled pass (more than
        :data:`MAX_COMPILED_OPTIONS` options, or :func:`graph_bytes` above ``max_bytes``)."""
        if conflict.n_options > MAX_COMPILED_OPTIONS or not layouts:
            return None
        if graph_bytes(conflict, layouts) > max_bytes:
            return None
        from detente.engine.profile_kernels import move_lists

        grid = SimGrid.build(conflict.feasible, conflict.n_options, layouts)
        group, local = _rows_columns(layouts)
        ptr, tgt = move_lists(grid.cells, group, local, grid.width, grid.fwd, grid.back)
        col_order = np.argsort(local, axis=1, kind="stable").astype(np.int32)
        col_start = np.stack([np.searchsorted(local[j, col_order[j]],
                                              np.arange(int(grid.width.max()) + 1))
                              for j in range(len(layouts))]).astype(np.int64)
        return ProfileGraph(grid, ptr, tgt, group, local, col_start, col_order)

    def run(self, ranks: np.ndarray, seq: bool, sim: bool, start: int,
            progress: Callable[[int], None] | None = None, sim_search: int = 0,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(seq, sim, reach) of :func:`~detente.engine.profile_kernels.profile_pass` for
        every profile of ``ranks`` (P, DMs, N), slices of the profiles in parallel threads
        (``sim_search`` 1 or 2 forces one of SIM's two searches, for tests)."""
        from detente.engine.profile_kernels import profile_pass

        p, d, n = ranks.shape
        ranks = np.ascontiguousarray(ranks, dtype=np.int32)
        out_seq = np.zeros((p, d, n) if seq else (0, d, n), dtype=bool)
        out_sim = np.zeros((p, d, n) if sim else (0, d, n), dtype=bool)
        out_reach = np.zeros((p, n) if start >= 0 else (0, n), dtype=bool)
        # slices small enough to report progress, at least one per thread
        step = max(1, min(-(-p // max(1, min(worker_count(), p))), 64))
        slices = [(lo, min(p, lo + step)) for lo in range(0, p, step)]

        def one(bounds: tuple[int, int]) -> int:
            lo, hi = bounds
            g = self.grid
            profile_pass(ranks[lo:hi], self.ptr, self.tgt, g.codes, g.table, g.masks, g.unpack,
                         g.cells, self.group, self.local, g.width, g.fwd, g.back,
                         self.col_start, self.col_order, seq, sim, sim_search, start,
                         out_seq[lo:hi] if seq else out_seq, out_sim[lo:hi] if sim else out_sim,
                         out_reach[lo:hi] if start >= 0 else out_reach)
            return hi - lo

        for k in thread_map(one, slices):
            if progress is not None:
                progress(k)
        return out_seq, out_sim, out_reach

    def stable(self, ranks: np.ndarray, seq: bool, sim: bool,
               progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
        """``{"seq": (P, DMs, N), "sim": ...}`` (those asked for) for ``ranks``."""
        out_seq, out_sim, _ = self.run(ranks, seq, sim, -1, progress)
        res = {}
        if seq:
            res["seq"] = out_seq
        if sim:
            res["sim"] = out_sim
        return res


def bytes_per_profile(conflict: Conflict, layouts: Sequence[DMLayout]) -> int:
    """Estimated working memory of one profile in a chunk (bytes).

    Per DM: its stacked layout (three int64 arrays), float64 utilities, cached best moves and
    sanctions, the coalition fixed point's arrays and the row grids of a pass. An estimate from
    the arrays the engine holds, not a measured bound; the benchmark's peak memory is in
    docs/robustness.md.
    """
    n = conflict.n_states
    n_dms = len(layouts)
    grid = max(lay.n_groups * lay.width for lay in layouts)
    return 8 * (n * (12 * n_dms + 16) + 4 * grid)


def chunk_size(conflict: Conflict, layouts: Sequence[DMLayout], max_bytes: int,
               *, sim: bool = False) -> int:
    """Profiles per chunk so that one chunk's working memory stays under ``max_bytes``."""
    per = bytes_per_profile(conflict, layouts)
    size = max(1, max_bytes // per)
    if sim:  # SIM's dense lookup table has 2**(options + profile bits) entries
        size = min(size, max(1, 1 << max(0, _SIM_TABLE_BITS - conflict.n_options)))
    return int(size)


def stable_batch(
    conflict: Conflict,
    ranks: np.ndarray,
    concepts: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layouts: Sequence[DMLayout] | None = None,
    progress: Progress | None = None,
    method: Method = "auto",
    graph: ProfileGraph | None = None,
) -> dict[str, np.ndarray]:
    """Individual stability under every profile: concept -> bool (P, DMs, N).

    ``ranks`` is an int array (P, DMs, N) of payoff ranks over ``conflict.feasible`` (higher =
    more preferred, as :attr:`Conflict.ranks`); result ``[c][p, i, s]`` says whether state s is
    stable for DM i under concept c when the DMs rank the states as in profile p. Layouts are
    built once (or passed in); profiles are processed in chunks of at most ``max_bytes`` of
    working memory. ``progress(k)`` is called with the number of evaluations done so far.

    ``method``: SEQ and SIM (which need every DM's ranks, so run once per distinct profile)
    use the compiled per-profile pass of :mod:`detente.engine.profile_kernels` when the model
    allows it (``"auto"``: at most :data:`MAX_COMPILED_OPTIONS` options and move lists within
    ``max_bytes``), else the stacked engine; ``"compiled"`` and ``"stacked"`` force one.
    ``graph``: the pass's :class:`ProfileGraph`, when the caller holds one (else built here).

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> out = stable_batch(pd, pd.ranks[None], ["gmr", "seq_sim"])
    >>> bool((out["gmr"][0] == detente.engine.Engine(pd).stable("gmr")).all())
    True
    """
    wanted = _check(conflict, ranks, concepts)
    lays = list(layouts) if layouts is not None else base_layouts(conflict)
    p, n_dms, n = ranks.shape
    out: dict[str, np.ndarray] = {}
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done)

    own = [c for c in wanted if own_ranks_only(get_concept(c))]
    distinct = [distinct_rows(ranks[:, i, :]) for i in range(n_dms)] if own else []
    for concept in own:
        res = np.empty((p, n_dms, n), dtype=bool)
        for i, (first, inverse) in enumerate(distinct):
            res[:, i, :] = own_rank_stable(conflict, lays, ranks[first, i, :], i, concept,
                                           max_bytes)[inverse]
            tick(first.size)
        out[concept] = res
    # the others' ranks matter: once per distinct profile; a combined concept (SEQ&SIM) is
    # the conjunction of its parts
    parts: list[str] = []
    for c in wanted:
        con = get_concept(c)
        if own_ranks_only(con):
            continue
        needed = ([con.sanction] if con.sanction else []) + (["sim"] if con.simultaneous else [])
        for k in needed if len(needed) > 1 else [c]:
            if k not in parts:
                parts.append(k)
    joint = [c for c in parts if not own_ranks_only(get_concept(c))]
    if joint:
        first, inverse = distinct_rows(ranks.reshape(p, -1))
        profiles = ranks[first]
        graph = _graph(conflict, lays, max_bytes, method, graph)
        kinds = [get_concept(c) for c in joint]
        improving = any(k.rule is not None and k.rule.improving for k in kinds)
        simultaneous = any(k.simultaneous for k in kinds)
        if graph is not None and all(k.parts == (k.key,) for k in kinds):
            # every part the pass computes: the improving sanction and/or SIM
            compiled = graph.stable(profiles, improving, simultaneous, tick)
            for concept in joint:
                out[concept] = compiled[concept][inverse]
            joint = []
        for concept in joint:
            size = chunk_size(conflict, lays, max_bytes, sim=get_concept(concept).simultaneous)
            res_u = np.empty((profiles.shape[0], n_dms, n), dtype=bool)
            for lo in range(0, profiles.shape[0], size):
                part = profiles[lo : lo + size]
                engine = stacked_engine(conflict, lays, part)
                res_u[lo : lo + size] = (
                    engine.stable(concept).reshape(n_dms, part.shape[0], n).transpose(1, 0, 2)
                )
                tick(part.shape[0])
            out[concept] = res_u[inverse]
    for c in wanted:
        con = get_concept(c)
        if c not in out and con.sanction and con.simultaneous:
            out[c] = out[con.sanction] & out["sim"]
    return {c: out[c] for c in wanted}


def evolution_batch(
    conflict: Conflict,
    ranks: np.ndarray,
    start: int,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layouts: Sequence[DMLayout] | None = None,
    method: Method = "auto",
    graph: ProfileGraph | None = None,
) -> np.ndarray:
    """(P, N) bool: the states reachable from feasible state position ``start`` by sequences
    of unilateral improvements of any DMs (the evolution graph of status-quo analysis), under
    every profile of ``ranks`` (P, DMs, N).

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> evolution_batch(pd, np.stack([pd.ranks, pd.ranks[:, ::-1]]), 3).astype(int).tolist()
    [[0, 0, 0, 1], [1, 1, 1, 1]]
    """
    _check(conflict, ranks, [])
    lays = list(layouts) if layouts is not None else base_layouts(conflict)
    if not 0 <= start < conflict.n_states:
        raise AnalysisError(f"start must be a feasible state position, got {start}")
    graph = _graph(conflict, lays, max_bytes, method, graph)
    if graph is not None:
        return graph.run(ranks, False, False, start)[2]
    p, n = ranks.shape[0], conflict.n_states
    out = np.empty((p, n), dtype=bool)
    size = chunk_size(conflict, lays, max_bytes)
    for lo in range(0, p, size):
        part = ranks[lo : lo + size]
        begin = np.zeros((part.shape[0], n), dtype=bool)
        begin[:, start] = True
        engine = stacked_engine(conflict, lays, part)
        out[lo : lo + size] = improvement_reach(engine, begin.ravel()).reshape(-1, n)
    return out


def improvement_reach(engine: Engine, start: np.ndarray) -> np.ndarray:
    """States reachable from ``start`` (bool per state) by sequences of unilateral improvements
    of any DMs (the evolution graph of status-quo analysis), for every state of ``engine``:
    :func:`~detente.engine.profile_kernels.improving_reach` over the engine's layouts and
    utilities.

    On a :func:`stacked_engine` with one start per profile this is every profile's evolution
    at once: no move leaves its row, and rows never cross profiles.

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> improvement_reach(Engine(pd), np.array([True, False, False, False])).tolist()
    [True, True, True, True]
    """
    from detente.engine.profile_kernels import improving_reach

    lays = engine.layouts
    group, local = _rows_columns(lays)
    u = np.stack([np.asarray(x, dtype=np.float64) for x in engine.utilities])
    reached = np.array(start, dtype=np.bool_)
    improving_reach(u, tuple(lay.cells() for lay in lays), group, local,
                    np.array([lay.width for lay in lays], dtype=np.int64),
                    np.array([lay.fwd_local for lay in lays], dtype=np.int64),
                    np.array([lay.back_local for lay in lays], dtype=np.int64),
                    reached, np.empty(reached.size, dtype=np.int64))
    return reached


def _rows_columns(layouts: Sequence[DMLayout]) -> tuple[np.ndarray, np.ndarray]:
    """(DMs, N) row and column of every state in each DM's layout (int64)."""
    return (np.stack([lay.group for lay in layouts]).astype(np.int64, copy=False),
            np.stack([lay.local for lay in layouts]).astype(np.int64, copy=False))


def own_rank_stable(
    conflict: Conflict, layouts: Sequence[DMLayout], rows: np.ndarray, i: int, concept: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """(K, N) stability of DM i for each of K rankings ``rows`` (K, N) of DM i, under a
    concept that depends on DM i's ranks only (:func:`own_ranks_only`)."""
    if not own_ranks_only(get_concept(concept)):
        raise AnalysisError(f"{concept} depends on every DM's ranks, not DM {i}'s alone")
    k, n = rows.shape
    n_dms = len(layouts)
    out = np.empty((k, n), dtype=bool)
    size = chunk_size(conflict, layouts, max_bytes)
    for lo in range(0, k, size):
        part = rows[lo : lo + size]
        ranks = np.zeros((part.shape[0], n_dms, n), dtype=part.dtype)
        ranks[:, i, :] = part  # the others' ranks play no part in these concepts
        engine = stacked_engine(conflict, layouts, ranks)
        out[lo : lo + size] = engine.stable_for(concept, i).reshape(part.shape[0], n)
    return out


def _graph(conflict: Conflict, layouts: Sequence[DMLayout], max_bytes: int, method: Method,
           graph: ProfileGraph | None = None) -> ProfileGraph | None:
    """The compiled pass's graph (``graph`` when the caller built it already), or None for the
    stacked engine (see ``method``)."""
    if method == "stacked":
        return None
    if graph is None:
        graph = ProfileGraph.build(conflict, layouts, max_bytes)
    if graph is None and method == "compiled":
        raise AnalysisError(
            f"the compiled batch pass does not cover this model (more than "
            f"{MAX_COMPILED_OPTIONS} options, or more than {max_bytes:,} bytes of move lists); use "
            "method='stacked'")
    return graph


def _check(conflict: Conflict, ranks: np.ndarray, concepts: Iterable[str]) -> list[str]:
    wanted: list[str] = []
    for name in concepts:
        concept = get_concept(name)
        if concept.is_limited:
            raise AnalysisError(
                f"batch evaluation covers the standard concepts ({', '.join(CONCEPTS)}), not "
                f"limited move {concept.key}"
            )
        if concept.key not in wanted:
            wanted.append(concept.key)
    shape = (len(conflict.dms), conflict.n_states)
    if ranks.ndim != 3 or ranks.shape[1:] != shape:
        raise AnalysisError(
            f"ranks must have shape (profiles, {shape[0]}, {shape[1]}) (profiles × decision "
            f"makers × feasible states), got {ranks.shape}"
        )
    if not np.issubdtype(ranks.dtype, np.integer):
        raise AnalysisError(f"ranks must be integers, got {ranks.dtype}")
    return wanted


__all__ = [
    "DEFAULT_MAX_BYTES",
    "base_layouts",
    "chunk_size",
    "distinct_rows",
    "evolution_batch",
    "graph_bytes",
    "improvement_reach",
    "own_rank_stable",
    "own_ranks_only",
    "stable_batch",
    "stack_layout",
    "stacked_engine",
]
