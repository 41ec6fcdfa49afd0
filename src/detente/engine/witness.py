"""Searching for the sanctions that deter one DM's improvement from one state.

* :meth:`SanctionSearch.sequential`: the shortest sequence of moves by the other DMs from the
  improvement's target — no DM moving twice in a row, as in R_H; each step one the concept
  lets its mover make (SEQ: its own improvements) — ending at a state where the concept lets
  a sanction end (classic: one the focal DM does not prefer to the start; for SMR also with
  no escape from there). The concept's rules come as :class:`~detente.engine.relations.
  Relations` from :func:`witness_relations`, which takes them from the family's engine module
  (classic, strength, unknown preferences, probabilistic). Breadth-first over (state, last
  mover), so it explores at most the others' coalition-reachable set (times the number of
  DMs).
* :meth:`SanctionSearch.simultaneous`: a simultaneous response from the start (each other DM
  stays or takes one of its own UIs) whose joint outcome with the improvement is feasible and
  not preferred by the focal DM; fewer movers first. It is the one SIM search
  (:mod:`detente.engine.simultaneous_core`) returning the response it found; it enumerates the
  product of the others' choices, so its cost is not bounded by the reachable set.

:meth:`SanctionSearch.witness` combines them as a concept's data says (its sanction rule,
its simultaneous flag): the concepts' registered ``"witness"`` backend. States are positions
in ``conflict.feasible``; moves come from the engine's :class:`~detente.engine.single.MoveIndex`.
"""

from __future__ import annotations

import numpy as np

from detente.engine.probabilistic import probabilistic_relations
from detente.engine.registry import Concept, get_concept
from detente.engine.relations import Relations, classic_relations
from detente.engine.simultaneous_core import first_response, responders
from detente.engine.single import MoveIndex, PathStep
from detente.engine.strength import strength_relations
from detente.engine.unknown import unknown_relations
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

#: No code -> position table: the core's lookups bisect ``conflict.feasible``.
_NO_TABLE = np.zeros(0, dtype=np.int32)

#: A concept's witness: the sequential sanction's path and the simultaneous response (each
#: ``None`` where the concept does not ask for it).
Witness = tuple[list[PathStep] | None, list[tuple[int, int]] | None]


class SanctionSearch:
    """Sanction searches from one state for one model (moves cached across DMs/concepts)."""

    def __init__(self, model: Conflict, index: MoveIndex | None = None) -> None:
        self.c = model
        self.index = index or MoveIndex(model)
        self.ranks = self.index.payoff_ranks
        self.n = len(model.dms)
        self._classic: dict[tuple[bool, bool], Relations] = {}

    def sequential(
        self, i: int, s: int, s1: int, *, improving: bool = False, smr: bool = False,
        rules: Relations | None = None,
    ) -> list[PathStep] | None:
        """Shortest sanction path from ``s1`` as (mover, from, to) positions, or ``None``.

        ``rules``: the concept's relations (:func:`witness_relations`); without them the
        classic ones, the others moving by their UIs with ``improving``, the no-escape rule
        with ``smr``. BFS over (state, last mover); the start node has no last mover among
        the others.
        """
        if rules is None:
            rules = self.classic(improving=improving, smr=smr)
        ends = rules.ends(i, s)
        members = [j for j in range(self.n) if j != i]
        escape: dict[int, bool] = {}

        def goal(t: int) -> bool:
            if not ends[t]:
                return False
            if not rules.no_escape:
                return True
            if t not in escape:  # some move of i from t leaves the sanction's ends
                escape[t] = not bool(ends[self.index.reach(i, t)].all())
            return not escape[t]

        start = (s1, -1)
        parent: dict[tuple[int, int], tuple[int, int]] = {}
        # Last movers with which each state was reached. Once a state has two different ones,
        # every DM can move on from it, so further nodes for it add nothing: at most two nodes
        # per state are kept, which bounds the search by twice the reachable set.
        # The start allows every mover already.
        lasts: dict[int, list[int]] = {s1: [-1, -2]}
        frontier = [start]
        while frontier:
            nxt: list[tuple[int, int]] = []
            for node in frontier:
                pos, last = node
                for j in members:
                    if j == last:
                        continue
                    for t in rules.responds(j, pos).tolist():
                        got = lasts.setdefault(t, [])
                        if len(got) >= 2 or j in got:
                            continue
                        got.append(j)
                        child = (t, j)
                        parent[child] = node
                        if goal(t):
                            return _path(parent, child, start)
                        nxt.append(child)
            frontier = nxt
        return None

    def classic(self, *, improving: bool, smr: bool) -> Relations:
        """The classic relations on this search's index (cached per rule)."""
        key = (improving, smr)
        if key not in self._classic:
            self._classic[key] = classic_relations(self.index, improving=improving,
                                                   no_escape=smr)
        return self._classic[key]

    def witness(self, key: str, i: int, s: int, s1: int) -> Witness | None:
        """What deters i's UI s -> s1 under concept ``key``: (sanction path or ``None``,
        simultaneous response or ``None``), each part present when the concept needs it;
        ``None`` when the UI stands (always under Nash)."""
        how = get_concept(key)
        if not how.deterrable:
            return None
        path: list[PathStep] | None = None
        response: list[tuple[int, int]] | None = None
        rule = how.rule
        if rule is not None:
            path = self.sequential(i, s, s1, improving=rule.improving, smr=rule.no_escape)
            if path is None:
                return None
        if how.simultaneous:
            response = self.simultaneous(i, s, s1)
            if response is None:
                return None
        return path, response

    def simultaneous(self, i: int, s: int, s1: int) -> list[tuple[int, int]] | None:
        """A simultaneous response (mover, target position) from ``s`` that sanctions i's UI
        to ``s1``, fewest movers first: the one SIM search
        (:func:`~detente.engine.simultaneous_core.first_response`), run for this pair."""
        c = self.c
        feasible = c.feasible
        choices = {j: self.index.improve(j, s) for j in range(self.n) if j != i}
        width = max([1, *(imp.size for imp in choices.values())])
        count = np.zeros(self.n, dtype=np.int64)
        parts = np.tile(np.arange(width, dtype=np.int64), (self.n, 1))  # choice q: column q
        unpack = np.zeros((self.n, width), dtype=np.int64)  # its option bits
        for j, imp in choices.items():
            count[j] = imp.size
            unpack[j, : imp.size] = feasible[imp] & int(c.dm_masks[j])
        movers = np.zeros(self.n, dtype=np.int64)
        k, _ = responders(i, count, movers)
        pick = np.zeros(self.n, dtype=np.int64)
        digits = np.zeros(self.n, dtype=np.int64)
        ui = self.ranks[i]
        size = first_response(int(feasible[s1]), k, movers, count, parts, unpack,
                              c.dm_masks, _NO_TABLE, feasible, ui, ui[s], pick, digits)
        if size == 0:
            return None
        return [(int(movers[pick[m]]), int(choices[int(movers[pick[m]])][digits[m]]))
                for m in range(size)]


def witness_relations(conflict: Conflict, concept: Concept, index: MoveIndex | None = None
                      ) -> Relations:
    """The relations a witness search under ``concept`` reads, from its family's engine
    module, picked by the concept's data: probabilistic levels, an unknown-preference rule,
    a strength level (a weak concept: its strong sanctions), else the classic sanction rule.
    A limited-move concept has none (it anticipates; it does not sanction)."""
    index = MoveIndex(conflict) if index is None else index
    if concept.horizon is not None:
        raise AnalysisError(f"{concept.label} looks ahead rather than sanctions: it has no "
                            "sanction to search for")
    if concept.levels is not None:
        return probabilistic_relations(conflict, concept, index)
    if concept.unknown is not None:
        return unknown_relations(conflict, concept, index)
    if concept.strength is not None:
        return strength_relations(conflict, concept, index)
    return classic_relations(index, concept.rule)


def _path(
    parent: dict[tuple[int, int], tuple[int, int]],
    node: tuple[int, int],
    start: tuple[int, int],
) -> list[tuple[int, int, int]]:
    steps: list[tuple[int, int, int]] = []
    while node != start:
        prev = parent[node]
        steps.append((node[1], prev[0], node[0]))
        node = prev
    steps.reverse()
    return steps


__all__ = ["SanctionSearch", "Witness", "witness_relations"]
