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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from detente.engine.budget import check_memory
from detente.engine.coalition import coalition_min
from detente.engine.layout import DMLayout
from detente.engine.moves import reach_max
from detente.engine.simultaneous import sim_stable, worker_count
from detente.model.conflict import Conflict

#: Models at least this big compute DMs in parallel...
_PARALLEL_STATES = 50_000
#: ... and at most this big: each thread holds its own working arrays, and at 2**24 states two
#: at once would take the peak from about 6 to over 8 GiB.
_PARALLEL_MAX_STATES = 1 << 22

CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
CONCEPT_NAMES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ&SIM",
}


@dataclass
class Engine:
    """Stability engine over one conflict. Results are cached per (concept, DM).

    >>> import detente
    >>> engine = Engine(detente.load("examples/prisoners_dilemma.yaml"))
    >>> engine.stable("gmr").tolist()  # (DMs, states): NN, YN, NY, YY
    [[True, True, False, True], [True, False, True, True]]
    """

    conflict: Conflict
    _cache: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)

    @cached_property
    def layouts(self) -> list[DMLayout]:
        c = self.conflict
        check_memory(c)  # before the grids are built
        return [
            DMLayout.build(c.feasible, int(m), c.fwd_mask, c.back_mask) for m in c.dm_masks
        ]

    @cached_property
    def utilities(self) -> list[np.ndarray]:
        return [r.astype(np.float64) for r in self.conflict.ranks]

    @property
    def n_dms(self) -> int:
        return len(self.conflict.dms)

    def others(self, i: int) -> list[int]:
        return [j for j in range(self.n_dms) if j != i]

    # ---- building blocks ---------------------------------------------------------------
    def best_move(self, i: int) -> np.ndarray:
        """max u_i over R_i(s) (-inf where i cannot move)."""
        return self._cached("best_move", i, lambda: reach_max(self.layouts[i], self.utilities[i]))

    def worst_sanction(self, i: int, kind: str) -> np.ndarray:
        """Least u_i (or, for SMR, least best-reply u_i) the others can reach from each state."""

        def compute() -> np.ndarray:
            u = self.utilities[i]
            others = self.others(i)
            if kind == "gmr":
                return coalition_min(self.layouts, self.utilities, others, u)
            if kind == "seq":
                return coalition_min(self.layouts, self.utilities, others, u, improving=True)
            if kind == "smr":
                escape = np.maximum(u, self.best_move(i))
                return coalition_min(self.layouts, self.utilities, others, escape)
            raise ValueError(kind)

        return self._cached("sanction_" + kind, i, compute)

    def _cached(self, key: str, i: int, compute: Callable[[], np.ndarray]) -> np.ndarray:
        if (key, i) not in self._cache:
            self._cache[(key, i)] = compute()
        return self._cache[(key, i)]

    # ---- concepts ------------------------------------------------------------------------
    def stable_for(self, concept: str, i: int) -> np.ndarray:
        """Bool per feasible state: is it stable for DM i under ``concept``?"""
        return self._cached(concept, i, lambda: self._compute(concept, i))

    def _compute(self, concept: str, i: int) -> np.ndarray:
        u = self.utilities[i]
        if concept == "nash":
            return np.asarray(self.best_move(i) <= u)
        if concept in ("gmr", "smr", "seq"):
            worst = self.worst_sanction(i, concept)
            unsanctioned = np.minimum(u, worst)
            return np.asarray(reach_max(self.layouts[i], unsanctioned) <= u)
        if concept == "sim":
            return sim_stable(self, i)
        if concept == "seq_sim":
            return np.asarray(self.stable_for("seq", i) & self.stable_for("sim", i))
        raise ValueError(f"unknown concept {concept!r}; expected one of {', '.join(CONCEPTS)}")

    def stable(self, concept: str) -> np.ndarray:
        """(DMs, states) bool array of individual stability.

        On big models the DMs of the move-based concepts are computed in parallel threads
        (numpy releases the GIL in its loops); SIM parallelises inside each DM instead.
        """
        dms = range(self.n_dms)
        workers = min(worker_count(), self.n_dms)
        n = self.conflict.n_states
        if concept == "sim" or workers < 2 or not _PARALLEL_STATES <= n <= _PARALLEL_MAX_STATES:
            return np.stack([self.stable_for(concept, i) for i in dms])
        _ = self.layouts, self.utilities  # build shared state once, before the threads
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.stack(list(pool.map(lambda i: self.stable_for(concept, i), dms)))

    def equilibria(self, concept: str) -> np.ndarray:
        """Bool per feasible state: stable for every DM."""
        return np.asarray(self.stable(concept).all(axis=0))
