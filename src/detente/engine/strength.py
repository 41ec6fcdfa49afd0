"""Strong and weak stability under strength of preference (Hamouda, Kilgour & Hipel 2004).

A UI s -> s1 of DM i is *strongly sanctioned* when the others can answer it (as the classic
concept lets them: any moves for GMR and SMR, their own improvements for SEQ) with a state s2
that i strongly disprefers to s (SMR: and from which every move of i again ends in a state i
strongly disprefers to s). A state is strongly stable when every UI is strongly sanctioned,
weakly stable when it is stable under the classic concept but not strongly.

The strength tiers coarsen the payoff ranks (:mod:`detente.model.strength`), so "s strongly
preferred to s2" is a threshold on u_i(s): u_i(s) >= floor_i(s2), where floor_i(s2) is the least
u_i of a state in a higher tier than s2 (``+inf`` in the top tier). The classic sanction search
(:func:`~detente.engine.sanctions.worst_sanction`) run on floor_i in place of u_i, the others
moving by their own ranks, is then the strong sanction; the rest is the classic formula. Same
passes, same cost as the classic concept. ``Engine`` calls it; its ``states`` backend
registers in :mod:`detente.engine.strength_backend`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.engine.layout import INF, DMLayout
from detente.engine.moves import reach_max
from detente.engine.registry import SANCTIONS, STRENGTH, Concept, SanctionKind
from detente.engine.relations import Relations
from detente.engine.sanctions import worst_sanction
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.preferences import dense_ranks
from detente.model.strength import strength_scores


def strong_floor(u: np.ndarray, tiers: np.ndarray) -> np.ndarray:
    """Per state s2: the least u of a state in a higher strength tier than s2 (``+inf`` in the
    top tier), so that u(s) >= floor(s2) iff s is strongly preferred to s2. Refuses tiers that
    do not coarsen ``u`` (a state of a higher tier ranked no higher).

    >>> strong_floor(np.array([0., 1., 2., 3.]), np.array([0, 0, 1, 1])).tolist()
    [2.0, 2.0, inf, inf]
    """
    dense = dense_ranks(tiers)
    k = int(dense.max()) + 1 if dense.size else 0
    low = np.full(k, INF)
    high = np.full(k, -INF)
    np.minimum.at(low, dense, u)
    np.maximum.at(high, dense, u)
    if (high[:-1] >= low[1:]).any():
        raise AnalysisError(
            "the strength tiers do not coarsen the payoff ranks (a strongly preferred state "
            "ranked no higher); strength concepts need the model's own preferences")
    above = np.append(np.minimum.accumulate(low[::-1])[::-1][1:], INF)
    return np.asarray(above[dense], dtype=np.float64)


def strength_floor(conflict: Conflict, u: np.ndarray, i: int) -> np.ndarray:
    """:func:`strong_floor` of DM i: its payoffs ``u``, the model's strength tiers."""
    tiers = strength_scores(conflict.dms[i].preference, conflict.feasible, conflict.bits)
    return strong_floor(u, tiers)


def strongly_worse(u: np.ndarray, floor: np.ndarray, s: int) -> np.ndarray:
    """(N,) bool: the states the DM strongly disprefers to s (u(s) >= floor(q)), the only
    ends a strong sanction takes."""
    return np.asarray(floor <= u[s])


def strength_relations(conflict: Conflict, concept: Concept, index: MoveIndex | None = None
                       ) -> Relations:
    """The witness search's relations of a strong concept (and of a weak one, whose strong
    sanctions they are): the classic UIs and responders, sanctions ending only in states the
    focal DM strongly disprefers to the start (:func:`strongly_worse`; SMR: every move of
    its own from there too)."""
    if concept.sanction is None or concept.strength is None:
        raise AnalysisError(f"{concept.label} is not a concept of strength of preference")
    index = MoveIndex(conflict) if index is None else index
    ranks = index.payoff_ranks
    floors: dict[int, np.ndarray] = {}
    rule = SANCTIONS[concept.sanction]

    def ends(i: int, s: int) -> np.ndarray:
        u = np.asarray(ranks[i], dtype=np.float64)
        if i not in floors:
            floors[i] = strength_floor(conflict, u, i)
        return strongly_worse(u, floors[i], s)

    return Relations(
        moves=index.improve, ends=ends,
        responds=index.improve if rule.improving else index.reach,
        no_escape=rule.no_escape, reply=lambda i, x, s: index.best_reply(i, x),
    )


def strong_stable(
    layouts: Sequence[DMLayout], utilities: Sequence[np.ndarray], floor: np.ndarray, i: int,
    kind: SanctionKind, others: Sequence[int],
) -> np.ndarray:
    """Bool per feasible state: strongly stable for DM i under the sanction ``kind``; ``floor``
    is i's :func:`strength_floor`."""
    u = utilities[i]
    judged = list(utilities)
    judged[i] = floor  # the others still move by their own ranks (SEQ)
    worst = worst_sanction(layouts, judged, i, kind, others, [i])
    return np.asarray(reach_max(layouts[i], np.minimum(u, worst)) <= u)


def strong_version(concept: Concept) -> str:
    """The key of the strong concept a weak one is measured against (weak_gmr → strong_gmr)."""
    return next(c.key for c in STRENGTH if c.refines == concept.refines and c.strength == "strong")


__all__ = ["strength_floor", "strength_relations", "strong_floor", "strong_stable",
           "strong_version", "strongly_worse"]
