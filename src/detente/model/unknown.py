"""Unknown preferences (Li, Hipel, Kilgour & Fang 2004): pairs of states a DM left unordered.

A DM's preference becomes a triplet: q is preferred to s, equally preferred, or the comparison
is *unknown* (``q U s``). The model says which pairs are unknown in two ways:

* ``groups``: sets of states (codes) every two of which the DM cannot compare (``unknown:`` in
  the preferences, for a ranking, statements or payoffs alike);
* ``statements``: positions in the DM's statement list whose bearing on the DM is unknown
  (``unknown: true`` on a statement). Two states compare by the most important statement on
  which they differ (lexicographic order); when that statement is one of these, the DM may
  want it to hold or not, so the pair is unknown. (detente's rule: it is the pair's verdict
  being the same under every sign of the unknown statements.)

Every other pair keeps the comparison of the DM's preferences as written (its payoff ranks),
and every other analysis uses those as written, ignoring the unknown pairs.

>>> from detente.model.preferences import Statement, StatementPreference
>>> from detente.model.statements import parse_statement
>>> pref = StatementPreference(tuple(Statement(t, parse_statement(t)) for t in ("a", "b")))
>>> u = UnknownPreference(statements=(0,))
>>> u.mask(np.array([0, 1, 2, 3]), {"a": 0, "b": 1}, pref).astype(int).tolist()
[[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from detente.model.errors import ModelError
from detente.model.preferences import Preference, StatementPreference
from detente.model.states import StateSpace


@dataclass(frozen=True)
class UnknownPreference:
    """The pairs of states a DM cannot compare: ``groups`` of state codes (every two of a group)
    and ``statements`` (positions in its statement list whose bearing is unknown)."""

    groups: tuple[tuple[int, ...], ...] = ()
    statements: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups and not self.statements

    def mask(self, feasible: np.ndarray, bits: Mapping[str, int], preference: Preference
             ) -> np.ndarray:
        """(N, N) bool over the feasible states (positions): ``[s, q]`` when the DM cannot
        compare q with s (symmetric, never on the diagonal)."""
        n = feasible.size
        out = np.zeros((n, n), dtype=bool)
        for group in self.groups:
            pos = np.searchsorted(feasible, np.array(sorted(set(group)), dtype=np.int64))
            out[np.ix_(pos, pos)] = True
        if self.statements and isinstance(preference, StatementPreference):
            unknown = set(self.statements)
            decided = np.zeros((n, n), dtype=bool)
            for k, st in enumerate(preference.statements):
                truth = np.asarray(st.expr.evaluate(feasible, bits), dtype=bool)
                first = (truth[:, None] != truth[None, :]) & ~decided
                if k in unknown:
                    out |= first
                decided |= first
        np.fill_diagonal(out, False)
        return out


class _DM(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def preference(self) -> Preference: ...
    @property
    def unknown(self) -> UnknownPreference | None: ...


class _Model(Protocol):
    """What unknown pairs are checked against (a :class:`detente.model.conflict.Conflict`); a
    protocol so that this module does not import the conflict module, which imports it."""

    @property
    def dms(self) -> tuple[_DM, ...]: ...
    @property
    def space(self) -> StateSpace: ...
    def is_feasible(self, code: int) -> bool: ...


def validate_unknown(c: _Model) -> None:
    """Each DM's unknown pairs fit its model: groups of two or more feasible states, statement
    positions within its statement list (models built in Python; files are checked with the
    field's location when read)."""
    for dm in c.dms:
        u = dm.unknown
        if u is None:
            continue
        if not isinstance(u, UnknownPreference):
            raise ModelError(f"decision maker {dm.name!r}: unknown must be an UnknownPreference")
        for k, group in enumerate(u.groups):
            bad = [code for code in group if not c.is_feasible(code)]
            if bad:
                raise ModelError(f"decision maker {dm.name!r}: unknown group {k + 1} holds "
                                 f"state {c.space.text(bad[0])}, which is not feasible")
            if len(set(group)) < 2:
                raise ModelError(f"decision maker {dm.name!r}: unknown group {k + 1} has "
                                 f"{len(set(group))} distinct state(s); expected two or more "
                                 "states the decision maker cannot compare")
        if u.statements:
            pref = dm.preference
            m = len(pref.statements) if isinstance(pref, StatementPreference) else 0
            bad_pos = [p for p in u.statements if not 0 <= p < m]
            if bad_pos:
                raise ModelError(
                    f"decision maker {dm.name!r}: unknown statement position {bad_pos[0]} is "
                    f"not one of its {m} prioritised statements (0 to {m - 1})" if m else
                    f"decision maker {dm.name!r}: unknown statements need preferences given "
                    "as statements")


__all__ = ["UnknownPreference", "validate_unknown"]
