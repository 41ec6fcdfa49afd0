"""What a witness search reads for one concept: the relations of its definition as arrays.

A sequential sanction of DM i's move s -> s1 is a legal sequence of the others' moves from s1
(no DM twice in a row) ending in a state s2 where a sanction may end; with the no-escape rule
(SMR) every move of i from s2 must also end there. A concept family says three things, each
defined once in its engine module and given here as functions returning arrays:

* ``moves(i, s)``: the focal DM's moves from s that must be deterred (positions);
* ``ends(i, s)``: (N,) bool, the states where a sanction of a move from s may end;
* ``responds(j, x)``: the moves responder j may make from x (positions).

:func:`classic_relations` gives the classic concepts' (UIs; states i likes no better than s;
any moves, or the others' UIs for SEQ); :mod:`detente.engine.unknown`,
:mod:`detente.engine.probabilistic` and :mod:`detente.engine.strength` give their families',
and :func:`detente.engine.witness.witness_relations` picks one from a concept's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from detente.engine.registry import SanctionRule
from detente.engine.single import MoveIndex

#: A relation of one DM and one state: an array over states (positions or a bool mask).
Relation = Callable[[int, int], np.ndarray]


@dataclass(frozen=True)
class Relations:
    """One concept's relations for the witness search (see the module docstring).

    ``no_escape``: the sanction must leave the focal DM no move out of ``ends`` (SMR).
    ``odds(i, s)``: (N,) P_i(q ≻ s), for the probabilistic family (else ``None``);
    ``uncertain(i, s)``: (N,) bool q U_i s, for unknown preferences (else ``None``): what
    explanations word, not what the search reads. ``reply(i, x, s)``: the focal DM's move from
    x an explanation shows as its best reply (``None``: it cannot move)."""

    moves: Relation
    ends: Relation
    responds: Relation
    no_escape: bool
    reply: Callable[[int, int, int], int | None]
    odds: Relation | None = None
    uncertain: Relation | None = None


def classic_relations(index: MoveIndex, rule: SanctionRule | None = None, *,
                      improving: bool = False, no_escape: bool = False) -> Relations:
    """The classic concepts' relations on ``index``'s ranks: i's UIs, the states i likes no
    better than s, the others' moves (their UIs when the sanction ``rule`` is improving; the
    no-escape rule when it says so). Without a rule: ``improving`` and ``no_escape``."""
    ranks = index.payoff_ranks
    if rule is not None:
        improving, no_escape = rule.improving, rule.no_escape

    def ends(i: int, s: int) -> np.ndarray:
        return np.asarray(ranks[i] <= ranks[i][s])

    return Relations(
        moves=index.improve, ends=ends,
        responds=index.improve if improving else index.reach,
        no_escape=no_escape,
        reply=lambda i, x, s: index.best_reply(i, x),
    )


__all__ = ["Relation", "Relations", "classic_relations"]
