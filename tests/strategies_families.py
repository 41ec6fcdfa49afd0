"""Random conflicts for the concept families beyond the classic six: DMs that leave pairs of
states unordered (unknown preferences), rank with ``>>`` strength marks (strength of
preference) or declare alternative readings (probabilistic preferences)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from detente.model.conflict import Conflict
from detente.model.preferences import (
    PayoffPreference,
    RankingPreference,
    Statement,
    StatementPreference,
)
from detente.model.statements import parse_statement
from detente.model.uncertainty import Reading
from detente.model.unknown import UnknownPreference
from strategies import conflicts


@st.composite
def unknown_conflicts(draw: st.DrawFn, max_dms: int = 3, max_options: int = 4) -> Conflict:
    """A random conflict whose DMs leave pairs unordered: groups of states, and for some DMs
    statements (some marked unknown) instead of payoffs."""
    c = draw(conflicts(max_dms=max_dms, max_options=max_options))
    codes = [int(x) for x in c.feasible]
    names = list(c.option_names)
    dms = []
    for dm in c.dms:
        pref = dm.preference
        positions: tuple[int, ...] = ()
        if draw(st.booleans()):
            texts = draw(st.lists(st.sampled_from(
                [*names, *(f"not {n}" for n in names),
                 *(f"{a} and {b}" for a in names for b in names if a < b),
                 *(f"{a} or not {b}" for a in names for b in names if a != b)]),
                min_size=1, max_size=4, unique=True))
            pref = StatementPreference(tuple(Statement(t, parse_statement(t, set(names)))
                                             for t in texts))
            positions = tuple(sorted(draw(st.sets(st.integers(0, len(texts) - 1), max_size=2))))
        groups: tuple[tuple[int, ...], ...] = ()
        if len(codes) >= 2:
            groups = tuple(tuple(g) for g in draw(st.lists(
                st.lists(st.sampled_from(codes), min_size=2, max_size=4, unique=True),
                max_size=2)))
        u = UnknownPreference(groups, positions) if groups or positions else None
        dms.append(replace(dm, preference=pref, unknown=u))
    return Conflict(c.name, c.options, tuple(dms), c.constraints)


@st.composite
def strength_conflicts(draw: st.DrawFn, strict: bool = False, marks: str = "some") -> Conflict:
    """A random conflict whose DMs rank the states (ties from equal payoffs, or none with
    ``strict``) with ``>>`` marks: ``some`` (drawn), ``none`` or ``all`` tier boundaries."""
    c = draw(conflicts(max_dms=3, max_options=5))
    dms = []
    for i, dm in enumerate(c.dms):
        u = c.ranks[i]
        tiers: tuple[tuple[int, ...], ...]
        if strict:
            order = np.argsort(-u, kind="stable")
            tiers = tuple((int(c.feasible[k]),) for k in order)
        else:
            tiers = tuple(tuple(int(x) for x in c.feasible[u == v]) for v in np.unique(u)[::-1])
        gaps = range(1, len(tiers))
        breaks = (tuple(gaps) if marks == "all" else () if marks == "none" else
                  tuple(k for k in gaps if draw(st.booleans())))
        dms.append(replace(dm, preference=RankingPreference(tiers, breaks)))
    return replace(c, dms=tuple(dms))


@st.composite
def uncertain_conflicts(draw: st.DrawFn, max_dms: int = 3, max_options: int = 4) -> Conflict:
    """A random conflict whose DMs have 0-2 alternative payoff readings each."""
    c = draw(conflicts(max_dms=max_dms, max_options=max_options))
    dms = []
    for dm in c.dms:
        k = draw(st.integers(0, 2))
        if k == 0:
            dms.append(dm)
            continue
        probs = [draw(st.sampled_from([0.1, 0.25, 0.3, 0.5])) for _ in range(k)]
        if sum(probs) >= 1:
            probs = [p / (2 * sum(probs)) for p in probs]
        alts = tuple(
            Reading(f"alt{a}", p, PayoffPreference(tuple(
                (int(code), float(draw(st.integers(0, 3)))) for code in c.feasible)))
            for a, p in enumerate(probs))
        main = Reading("main", 1 - sum(probs), dm.preference)
        dms.append(replace(dm, readings=(main, *alts)))
    return replace(c, dms=tuple(dms))
