"""The three ways a decision maker's preferences can be given, and their payoff ranks.

All three reduce to one thing: an integer rank per feasible state, higher = more preferred,
equal = indifferent.

>>> from detente.model.statements import parse_statement
>>> pref = StatementPreference((Statement("a", parse_statement("a")),))
>>> pref.scores(np.array([0, 1, 2, 3]), {"a": 0, "b": 1}).tolist()
[0, 1, 0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from detente.model.statements import Expr


@dataclass(frozen=True)
class Statement:
    """One prioritised option statement with its rationale."""

    text: str
    expr: Expr
    rationale: str = ""
    #: Strength of preference (model/strength.py): states that differ first on this statement
    #: are strongly, not mildly, preferred; strong statements come first in a list.
    strong: bool = False


@dataclass(frozen=True)
class StatementPreference:
    """Prioritised option statements, most important first (lexicographic scoring).

    A state's score is the sum of 2**(m-k) over the statements k (1-based of m) it satisfies, so
    a more important statement outweighs all less important ones together.
    """

    statements: tuple[Statement, ...]

    def scores(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        m = len(self.statements)
        if m > 62:
            raise ValueError("at most 62 prioritised statements per decision maker")
        score = np.zeros(codes.shape, dtype=np.int64)
        for k, st in enumerate(self.statements):
            score += st.expr.evaluate(codes, bits).astype(np.int64) << np.int64(m - 1 - k)
        return score


@dataclass(frozen=True)
class RankingPreference:
    """An explicit ranking: tiers of state codes, most preferred tier first; a tier is a tie."""

    tiers: tuple[tuple[int, ...], ...]
    #: Strength of preference (model/strength.py): the tier indices k where a ``>>`` mark
    #: stands before tier k (every tier above it strongly preferred to every tier from k on).
    strong_breaks: tuple[int, ...] = ()

    def scores(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        del bits
        lookup = {code: len(self.tiers) - i for i, tier in enumerate(self.tiers) for code in tier}
        return np.array([lookup[int(c)] for c in codes], dtype=np.int64)


@dataclass(frozen=True)
class PayoffPreference:
    """Numeric payoffs per state code (higher is better)."""

    payoffs: tuple[tuple[int, float], ...]

    def scores(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        del bits
        lookup = dict(self.payoffs)
        return np.array([lookup[int(c)] for c in codes], dtype=np.float64)


Preference = StatementPreference | RankingPreference | PayoffPreference


def dense_ranks(scores: np.ndarray) -> np.ndarray:
    """Dense ranks 0..k-1 (0 = least preferred), equal scores share a rank.

    >>> dense_ranks(np.array([5.0, 1.0, 5.0, 3.0])).tolist()
    [2, 0, 2, 1]
    """
    _, inverse = np.unique(scores, return_inverse=True)
    return inverse.astype(np.int32).reshape(scores.shape)
