"""Stability of every feasible state for every DM under the GMCR solution concepts.

Each concept is a few passes over the feasible states (see ``moves`` and ``coalition``);
memory is O(states x DMs). Definitions follow Fang, Hipel & Kilgour (1993), as stated in
PRODUCT.md; u_i is DM i's payoff rank.

A UI s1 of DM i from s is *sanctioned* when some state the others can reach from s1 is not
preferred by i to s. So s is stable when max over R_i(s) of min(u_i(s1), worst_i(s1)) <= u_i(s),
where worst_i(s1) is the least u_i the others can force from s1 (GMR), force by improvements
(SEQ), or force leaving i no escape (SMR: the others minimise i's best one-move reply).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np

from detente.engine.budget import check_memory
from detente.engine.layout import DMLayout
from detente.engine.limited import limited_move_stable
from detente.engine.move_limits import conflict_layouts
from detente.engine.moves import reach_max
from detente.engine.registry import CONCEPT_NAMES, CONCEPTS, Concept, SanctionKind, get_concept
from detente.engine.sanctions import worst_sanction
from detente.engine.simultaneous import SimGrid, sim_stable
from detente.engine.single import MoveIndex
from detente.engine.strength import strength_floor, strong_stable, strong_version
from detente.engine.workers import thread_map
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

_T = TypeVar("_T")

#: Models at least this big compute DMs in parallel...
_PARALLEL_STATES = 50_000
#: ... and at most this big: each thread holds its own working arrays, and at 2**24 states two
#: at once would take the peak from about 6 to over 8 GiB.
_PARALLEL_MAX_STATES = 1 << 22


@dataclass
class Engine:
    """Stability engine over one conflict. Results are cached per (concept, DM).

    ``ranks`` (DMs, states), when given, replaces ``conflict.ranks`` (same convention: higher
    = more preferred); the layouts depend only on the options and the feasible states, so
    :meth:`with_ranks` and :meth:`with_preferences` give an engine for another preference
    profile that shares them (an analysis over many profiles costs ranks, not rebuilding).

    >>> import detente
    >>> engine = Engine(detente.load("examples/prisoners_dilemma.yaml"))
    >>> engine.stable("gmr").tolist()  # (DMs, states): NN, YN, NY, YY
    [[True, True, False, True], [True, False, True, True]]
    >>> engine.with_ranks(engine.conflict.ranks[::-1]).layouts is engine.layouts
    True
    """

    conflict: Conflict
    ranks: np.ndarray | None = field(default=None, repr=False)
    _layouts: list[DMLayout] | None = field(default=None, repr=False)
    _utilities: list[np.ndarray] | None = field(default=None, repr=False)
    _moves: MoveIndex | None = field(default=None, repr=False)
    _sim_grid: SimGrid | None = field(default=None, repr=False)
    _cache: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.ranks is None:
            return
        ranks = np.asarray(self.ranks)
        want = (len(self.conflict.dms), self.conflict.n_states)
        if ranks.shape != want:
            raise AnalysisError(
                f"ranks must have shape (decision makers, feasible states) = {want}, got "
                f"{ranks.shape}"
            )
        self.ranks = ranks

    # ---- re-ranking ------------------------------------------------------------------------
    def with_ranks(self, ranks: np.ndarray) -> Engine:
        """An engine for the same conflict under other payoff ranks (DMs, states), sharing
        this engine's layouts."""
        return Engine(self.conflict, np.asarray(ranks), self.layouts, _sim_grid=self._sim_grid)

    def with_preferences(self, conflict: Conflict) -> Engine:
        """An engine for ``conflict``, a re-ranked copy of this engine's conflict (from
        :meth:`Conflict.with_preferences`), sharing this engine's layouts."""
        if not self.conflict.same_states(conflict):
            raise AnalysisError(
                "with_preferences needs the same options, decision makers and feasible states; "
                "build a new Engine for another model"
            )
        return Engine(conflict, None, self.layouts, _sim_grid=self._sim_grid)

    # ---- shared state ------------------------------------------------------------------------
    @property
    def layouts(self) -> list[DMLayout]:
        """Per-DM group layouts of the feasible states (built once, shared on re-ranking)."""
        if self._layouts is None:
            c = self.conflict
            check_memory(c)  # before the grids are built
            self._layouts = conflict_layouts(c)  # blind spots honoured there
        return self._layouts

    @property
    def payoff_ranks(self) -> np.ndarray:
        """(DMs, states) ranks in use: ``ranks`` if given, else the conflict's."""
        return self.conflict.ranks if self.ranks is None else self.ranks

    @property
    def utilities(self) -> list[np.ndarray]:
        """Per DM, its ranks as floats (the engine's u_i)."""
        if self._utilities is None:
            self._utilities = [r.astype(np.float64) for r in self.payoff_ranks]
        return self._utilities

    @property
    def n_dms(self) -> int:
        return len(self.conflict.dms)

    def others(self, i: int) -> list[int]:
        return [j for j in range(self.n_dms) if j != i]

    # ---- building blocks ---------------------------------------------------------------
    def best_move(self, i: int) -> np.ndarray:
        """max u_i over R_i(s) (-inf where i cannot move)."""
        return self._cached("best_move", i, lambda: reach_max(self.layouts[i], self.utilities[i]))

    def worst_sanction(self, i: int, kind: SanctionKind) -> np.ndarray:
        """Least u_i (or, for SMR, least best-reply u_i) the others can reach from each state
        (:func:`~detente.engine.sanctions.worst_sanction` with i as the mover)."""
        return self.sanction(i, kind, self.others(i), [i])

    def sanction(
        self, i: int, kind: SanctionKind, responders: Sequence[int], movers: Sequence[int]
    ) -> np.ndarray:
        """:func:`~detente.engine.sanctions.worst_sanction` on this engine's layouts and
        ranks, cached per (i, kind, responders, movers)."""
        tag = f"sanction_{kind}_{tuple(responders)}_{tuple(movers)}"
        return self._cached(tag, i, lambda: worst_sanction(
            self.layouts, self.utilities, i, kind, responders, movers))

    @property
    def sim_grid(self) -> SimGrid:
        """The grids SIM reads (:class:`~detente.engine.simultaneous.SimGrid`), built once."""
        if self._sim_grid is None:
            f = self.conflict
            self._sim_grid = SimGrid.build(f.feasible, f.n_options, self.layouts)
        return self._sim_grid

    def move_index(self) -> MoveIndex:
        """The per-state move enumerator over this engine's conflict and ranks (one per
        engine, its caches shared by every analysis that uses this engine)."""
        if self._moves is None:
            self._moves = MoveIndex(self.conflict, self.ranks)
        return self._moves

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """What ``compute`` builds from this engine's conflict and ranks, built once per
        ``key`` for the engine's lifetime (opaque to the engine: e.g. mediation's local
        checks at a target, which a deal's growing edit budgets ask for again)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def _cached(self, key: str, i: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
        if (key, i) not in self._cache:
            self._cache[(key, i)] = compute()
        return self._cache[(key, i)]

    # ---- concepts ------------------------------------------------------------------------
    def stable_for(self, key: str, i: int) -> np.ndarray:
        """Bool per feasible state: is it stable for DM i under concept ``key``?"""
        c = get_concept(key)
        if c.is_limited:
            return np.asarray(self._limited(c)[i])
        if c.is_probabilistic:
            return np.asarray(self._probabilistic(c)[i])
        if c.unknown is not None:
            return np.asarray(self._unknown(c)[i])
        return self._cached(c.key, i, lambda: self._compute(c, i))

    def _compute(self, c: Concept, i: int) -> np.ndarray:
        if c.strength is not None:
            return self._strength(c, i)
        u = self.utilities[i]
        if c.sanction is not None and c.simultaneous:
            return np.asarray(self.stable_for(c.sanction, i) & self.stable_for("sim", i))
        if c.sanction is not None:
            worst = self.worst_sanction(i, c.sanction)
            unsanctioned = np.minimum(u, worst)
            return np.asarray(reach_max(self.layouts[i], unsanctioned) <= u)
        if c.simultaneous:
            return sim_stable(self.sim_grid, self.utilities, i, self.stable_for("nash", i))
        return np.asarray(self.best_move(i) <= u)  # Nash

    def _strength(self, c: Concept, i: int) -> np.ndarray:
        """Strong or weak stability for DM i (strength of preference, engine/strength.py)."""
        assert c.sanction is not None and c.refines is not None
        if c.strength == "weak":
            return np.asarray(self.stable_for(c.refines, i)
                              & ~self.stable_for(strong_version(c), i))
        floor = self._cached("strength_floor", i, lambda: strength_floor(
            self.conflict, self.utilities[i], i))
        return strong_stable(self.layouts, self.utilities, floor, i, c.sanction, self.others(i))

    def _limited(self, c: Concept) -> np.ndarray:
        """(DMs, states) L_h stability; every DM comes out of one anticipation pass."""
        assert c.horizon is not None
        if (c.key, 0) not in self._cache:
            both = limited_move_stable(self.layouts, self.utilities, c.horizon)
            for i, row in enumerate(both):
                self._cache[(c.key, i)] = row
        return np.stack([self._cache[(c.key, i)] for i in range(self.n_dms)])

    def _probabilistic(self, c: Concept) -> np.ndarray:
        """(DMs, states) probabilistic stability, from the model's declared uncertainty (not
        from :attr:`ranks`): :mod:`detente.engine.probabilistic`."""
        if (c.key, 0) not in self._cache:
            from detente.engine.probabilistic import probabilistic_stable

            for i, row in enumerate(probabilistic_stable(self.conflict, c.key)):
                self._cache[(c.key, i)] = row
        return np.stack([self._cache[(c.key, i)] for i in range(self.n_dms)])

    def _unknown(self, c: Concept) -> np.ndarray:
        """(DMs, states) stability with unknown preferences (:mod:`detente.engine.unknown`),
        on this engine's ranks; the move edges are listed once per engine."""
        if (c.key, 0) not in self._cache:
            from detente.engine.unknown import check_size, move_edges, unknown_stable

            check_size(self.conflict, c.label)
            moves = self.memo("unknown_moves",
                              lambda: move_edges(self.conflict, self.move_index()))
            for i, row in enumerate(unknown_stable(self.conflict, c, self.payoff_ranks, moves)):
                self._cache[(c.key, i)] = row
        return np.stack([self._cache[(c.key, i)] for i in range(self.n_dms)])

    def check(self, key: str) -> None:
        """Refuse concept ``key`` on this model, before any work, when its family's size
        estimate is over its limit: limited move for more than two DMs (game-tree positions),
        probabilistic (dense pairs) and unknown-preference (dense relations) concepts. The
        classic concepts' memory is :func:`~detente.engine.budget.check_memory`'s."""
        c = get_concept(key)
        n, n_dms = self.conflict.n_states, self.n_dms
        if c.is_limited and n_dms > 2:
            from detente.engine.limited import check_size as check_limited

            assert c.horizon is not None
            check_limited(n_dms, n, c.horizon)
        elif c.is_probabilistic:
            from detente.engine.probabilistic import check_size as check_pairs

            check_pairs(self.conflict, c)
        elif c.unknown is not None:
            from detente.engine.unknown import check_size as check_relations

            check_relations(self.conflict, c.label)

    def stable(self, key: str) -> np.ndarray:
        """(DMs, states) bool array of individual stability under concept ``key``.

        On big models the DMs of the move-based concepts are computed in parallel threads
        (numpy releases the GIL in its loops); SIM parallelises inside each DM instead.
        """
        c = get_concept(key)
        if c.is_limited:
            return self._limited(c)
        if c.is_probabilistic:
            return self._probabilistic(c)
        if c.unknown is not None:
            return self._unknown(c)
        dms = range(self.n_dms)
        n = self.conflict.n_states
        sim_only = c.simultaneous and c.sanction is None  # SIM threads inside each DM
        if sim_only or not _PARALLEL_STATES <= n <= _PARALLEL_MAX_STATES:
            return np.stack([self.stable_for(c.key, i) for i in dms])
        _ = self.layouts, self.utilities  # build shared state once, before the threads
        return np.stack(list(thread_map(lambda i: self.stable_for(c.key, i), dms)))

    def equilibrium_mask(self, key: str) -> np.ndarray:
        """Bool per feasible state (by position): stable for every DM, an equilibrium."""
        return np.asarray(self.stable(key).all(axis=0))

    def equilibria(self, key: str) -> np.ndarray:
        """= :meth:`equilibrium_mask` (a mask, not codes; kept for callers)."""
        return self.equilibrium_mask(key)


__all__ = ["CONCEPTS", "CONCEPT_NAMES", "Engine"]
