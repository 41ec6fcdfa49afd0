"""Each decision maker's view of a conflict (first-level hypergame), the single corrections of
its misperceptions, and a view as a conflict of its own (for ``explain``).

DM i's *view*: i's true preferences, for every other DM the preferences i attributes to it
(an ``about`` perception) or else its true ones, and no move that changes an option i is
unaware of (PRODUCT.md, "Misperception"). A view is a preference profile (ranks) plus a bit
mask of hidden options; views with the same mask share one move graph.

>>> import detente
>>> [v.perceiver for v in perceived_views(detente.load("examples/prisoners_dilemma.yaml"))]
[0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.feasibility import InfeasiblePattern
from detente.model.perceptions import hidden_mask, option_owner, perceived_ranks, written_bits
from detente.model.preferences import PayoffPreference, Preference, StatementPreference


@dataclass(frozen=True)
class View:
    """DM ``perceiver``'s view: the ranks (DMs, N) it sees and the options it cannot see
    move (bit mask)."""

    perceiver: int
    ranks: np.ndarray
    hidden: int


@dataclass(frozen=True)
class Correction:
    """One misperception corrected: ``perceiver`` learns ``about``'s true preferences, or
    learns that ``option`` exists (exactly one of the two is given)."""

    perceiver: str
    about: str | None = None
    option: str | None = None

    def words(self, c: Conflict) -> str:
        """What the mediator would tell whom, in words."""
        if self.about is not None:
            return f"tell {self.perceiver} what {self.about} really wants"
        assert self.option is not None
        owner = option_owner(c, self.option)
        return f"tell {self.perceiver} that {owner} can {self.option}"


def perceived_views(c: Conflict) -> list[View]:
    """Every DM's view, in model order."""
    return [_view(c, i) for i in range(len(c.dms))]


def _view(c: Conflict, i: int, skip_about: str | None = None, reveal: str | None = None) -> View:
    name = c.dm_names[i]
    ranks = c.ranks.copy()
    for p in c.perceptions:
        if p.perceiver == name and p.about is not None and p.about != skip_about:
            ranks[c.dm_index(p.about)] = perceived_ranks(c, p)
    hidden = hidden_mask(c, name)
    if reveal is not None:
        for b in written_bits(c)[reveal]:
            hidden &= ~(1 << b)
    return View(i, ranks, hidden)


def single_corrections(c: Conflict) -> list[tuple[Correction, View]]:
    """Each single correction, in file order (an ``unaware_of`` entry gives one per option),
    with the perceiver's view after it."""
    out: list[tuple[Correction, View]] = []
    for p in c.perceptions:
        i = c.dm_index(p.perceiver)
        if p.about is not None:
            out.append((Correction(p.perceiver, about=p.about), _view(c, i, skip_about=p.about)))
        for option in p.unaware_of:
            out.append((Correction(p.perceiver, option=option), _view(c, i, reveal=option)))
    return out


def view_conflict(c: Conflict, dm: str, state: int | None = None) -> Conflict:
    """DM ``dm``'s view as a conflict of its own: the others' preferences as ``dm`` perceives
    them. When ``dm`` is unaware of some options, nobody moves them in its view, so the view
    around ``state`` (a code) is the conflict with those options fixed at their values in
    ``state`` (the other settings made infeasible); ``state`` is then required.

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> view_conflict(pd, "A").name
    "Prisoner's Dilemma (A's view)"
    """
    if dm not in c.dm_names:
        raise AnalysisError(
            f"unknown decision maker {dm!r}; expected one of: {', '.join(c.dm_names)}"
        )
    prefs: dict[str, Preference] = {
        p.about: p.preference
        for p in c.perceptions
        if p.perceiver == dm and p.about is not None and p.preference is not None
    }
    dms = tuple(replace(d, preference=prefs.get(d.name, d.preference), readings=()) for d in c.dms)
    name = f"{c.name} ({dm}'s view)"
    hidden = [o for p in c.perceptions if p.perceiver == dm for o in p.unaware_of]
    if not hidden:
        return replace(c, name=name, dms=dms, perceptions=())
    if state is None:
        raise AnalysisError(
            f"{dm} is unaware of {', '.join(hidden)}: its view is taken around "
            "one state, where those options keep their values; give the state"
        )
    bits = written_bits(c)
    fixed = tuple(
        InfeasiblePattern(((c.option_names[b], not bool(state >> b & 1)),),
                          f"{dm} is unaware of {o}")
        for o in hidden for b in bits[o]
    )
    scores = {d.name: d.preference.scores(c.feasible, c.bits) for d in dms}
    keep = np.ones(c.n_states, dtype=bool)
    for o in hidden:
        for b in bits[o]:
            keep &= (c.feasible >> b & 1) == (state >> b & 1)
    codes = c.feasible[keep].tolist()

    def restricted(d_name: str, pref: Preference) -> Preference:
        if isinstance(pref, StatementPreference):
            return pref
        values = scores[d_name][keep].tolist()
        return PayoffPreference(tuple(zip(codes, (float(v) for v in values), strict=True)))

    dms = tuple(replace(d, preference=restricted(d.name, d.preference)) for d in dms)
    sq = c.status_quo if c.status_quo is not None and c.status_quo in codes else None
    return Conflict(
        name=name,
        options=c.options,
        dms=dms,
        constraints=(*c.constraints, *fixed),
        status_quo=sq,
        description=c.description,
        sources=c.sources,
        source_file=c.source_file,
        levels=c.levels,
    )


def view_for_state(c: Conflict, dm: str, state: str | int) -> tuple[Conflict, str]:
    """DM ``dm``'s view as a conflict (:func:`view_conflict`) around ``state`` (a number or
    Y/N text of ``c``), and the state as Y/N text (numbers differ in a view with unaware
    options, whose other settings are infeasible there)."""
    code = c.parse_state(state)
    return view_conflict(c, dm, code), c.state_string(code)


__all__ = [
    "Correction",
    "View",
    "perceived_views",
    "single_corrections",
    "view_conflict",
    "view_for_state",
]
