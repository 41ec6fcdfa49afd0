"""Strength of preference (Hamouda, Kilgour & Hipel 2004): strong and mild preference.

A DM prefers one state to another either *strongly* or *mildly*. detente holds this as a
*strength tier* per state, a coarsening of the payoff ranks: s is strongly preferred to t when
s's tier is above t's, mildly when both share a tier and s ranks above t. So strong preference
is transitive, and strong followed by any preference (or tie) is strong.

* A ranking marks its strong boundaries with ``">>"`` between entries: every state above the
  mark is strongly preferred to every state below it (``RankingPreference.strong_breaks``).
* Statements marked ``strong: true`` come first in the list; two states compare strongly when
  the first statement they differ on is strong (the tier is the lexicographic score of the
  strong statements alone).
* Payoffs (and preferences with no mark) give one tier: every preference is mild.

>>> from detente.model.statements import parse_statement
>>> pref = StatementPreference((Statement("a", parse_statement("a"), strong=True),
...                             Statement("b", parse_statement("b"))))
>>> strength_scores(pref, np.array([0, 1, 2, 3]), {"a": 0, "b": 1}).tolist()
[0, 1, 0, 1]
>>> strength_scores(RankingPreference(((3,), (1, 2), (0,)), (1,)), np.array([0, 1, 2, 3]),
...                 {}).tolist()
[0, 0, 0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from detente.model.errors import ModelError
from detente.model.preferences import (
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
    dense_ranks,
)

if TYPE_CHECKING:
    from detente.model.conflict import Conflict

#: The mark between ranking entries that makes a strong boundary (the papers' ``>>``).
STRONG_MARK = ">>"


def has_strength(pref: Preference) -> bool:
    """Whether ``pref`` states any strong preference."""
    if isinstance(pref, RankingPreference):
        return bool(pref.strong_breaks)
    if isinstance(pref, StatementPreference):
        return any(st.strong for st in pref.statements)
    return False


def strong_prefix(statements: tuple[Statement, ...]) -> int:
    """How many statements lead the list as strong ones; :class:`ModelError` naming the first
    strong statement that follows a mild one (it would make a mild preference outrank a
    strong one)."""
    k = 0
    while k < len(statements) and statements[k].strong:
        k += 1
    late = next((st for st in statements[k:] if st.strong), None)
    if late is not None:
        raise ModelError(
            f"strong statement {late.text!r} follows the mild statement "
            f"{statements[k].text!r}; expected the statements marked strong first"
        )
    return k


def strength_scores(pref: Preference, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
    """Per state code: its strength tier score (higher = strongly preferred to lower)."""
    if isinstance(pref, RankingPreference):
        rank = pref.scores(codes, bits)  # len(tiers) - tier index
        cuts = len(pref.tiers) - np.asarray(pref.strong_breaks, dtype=np.int64)
        return np.searchsorted(np.sort(cuts), rank, side="left").astype(np.int64)
    if isinstance(pref, StatementPreference):
        k = strong_prefix(pref.statements)
        return StatementPreference(pref.statements[:k]).scores(codes, bits)
    return np.zeros(codes.shape, dtype=np.int64)


def strength_tiers(conflict: Conflict) -> np.ndarray:
    """(DMs, states) dense strength tiers of the feasible states (0 = lowest), a coarsening of
    ``conflict.ranks``: tier(s) > tier(t) iff s is strongly preferred to t."""
    out = np.empty((len(conflict.dms), conflict.n_states), dtype=np.int32)
    for i, dm in enumerate(conflict.dms):
        out[i] = dense_ranks(strength_scores(dm.preference, conflict.feasible, conflict.bits))
    return out


__all__ = ["STRONG_MARK", "has_strength", "strength_scores", "strength_tiers", "strong_prefix"]
