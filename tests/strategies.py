"""Shared hypothesis strategies for the property tests.

- ``conflicts()``: random small models (DMs, options, infeasible patterns, irreversible options,
  payoffs with many ties);
- ``rank_profiles(c)``: preference profiles of a model, ``(count, n_dms, n_states)`` ranks;
- ``states(c, form)``: one feasible state of a model as a code, position, 1-based number or
  Y/N text;
- ``spaces()``: a bare :class:`StateSpace` (random options, feasible subset, directions);
- ``coalitions(c)``: a subset of a model's DMs (two or more), as DM names;
- ``deals()``: a random model carrying a legal phased deal and a status quo.

The run's profile ("ci" or "dev", env var HYPOTHESIS_PROFILE) is chosen in tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
from hypothesis import strategies as st

from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.deal import Deal, Phase
from detente.model.feasibility import InfeasiblePattern
from detente.model.preferences import PayoffPreference
from detente.model.states import Direction, StateSpace

StateForm = Literal["code", "position", "number", "text"]
DIRECTIONS: tuple[Direction, ...] = ("both", "fwd", "back")


@st.composite
def conflicts(
    draw: st.DrawFn, min_dms: int = 2, max_dms: int = 5, max_options: int = 7,
    irreversible: bool = True, infeasible: bool = True,
) -> Conflict:
    """A random conflict: each DM 1+ options, random patterns, payoffs with ties."""
    n_dms = draw(st.integers(min_dms, max_dms))
    n_options = draw(st.integers(n_dms, max(n_dms, max_options)))
    owners = list(range(n_dms)) + [
        draw(st.integers(0, n_dms - 1)) for _ in range(n_options - n_dms)
    ]
    owners = draw(st.permutations(owners))
    directions = ["both", "fwd", "back"] if irreversible else ["both"]
    options = tuple(
        Option(f"o{k}", f"D{owners[k]}", draw(st.sampled_from(directions)))
        for k in range(n_options)
    )
    constraints: list[InfeasiblePattern] = []
    if infeasible:
        for _ in range(draw(st.integers(0, 3))):
            picked = draw(st.lists(st.integers(0, n_options - 1), min_size=1, max_size=3,
                                   unique=True))
            constraints.append(
                InfeasiblePattern(tuple((f"o{k}", draw(st.booleans())) for k in picked))
            )
    feasible = _feasible(options, tuple(constraints))
    if not feasible:
        constraints, feasible = [], list(range(1 << n_options))
    levels = draw(st.integers(1, 6))  # few payoff levels -> many ties
    dms = tuple(
        DecisionMaker(
            f"D{i}",
            tuple(o.name for o in options if o.dm == f"D{i}"),
            PayoffPreference(
                tuple((code, float(draw(st.integers(0, levels)))) for code in feasible)
            ),
        )
        for i in range(n_dms)
    )
    return Conflict("random", options, dms, tuple(constraints))


def _feasible(options: tuple[Option, ...], constraints: tuple[InfeasiblePattern, ...]) -> list[int]:
    bits = {o.name: k for k, o in enumerate(options)}
    out = []
    for code in range(1 << len(options)):
        bad = False
        for con in constraints:
            if all(((code >> bits[n]) & 1) == int(v) for n, v in con.conditions):
                bad = True
        if not bad:
            out.append(code)
    return out


@st.composite
def rank_profiles(
    draw: st.DrawFn, c: Conflict, min_count: int = 1, max_count: int = 6,
    levels: int | None = None, include_model: bool = False,
) -> np.ndarray:
    """``(count, n_dms, n_states)`` int32 ranks over ``c``'s feasible states (ties likely).

    Ranks come from a drawn seed (cheap for big models; no shrinking inside the array);
    ``levels`` bounds each rank (default: half the states, at least 2); with
    ``include_model`` the first profile is the model's own ``c.ranks``.
    """
    count = draw(st.integers(min_count, max_count))
    top = levels if levels is not None else max(2, c.n_states // 2)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    extra = count - 1 if include_model else count
    out = rng.integers(0, top, size=(extra, len(c.dms), c.n_states))
    if include_model:
        out = np.concatenate([c.ranks[None].astype(np.int64), out])
    return out.astype(np.int32)


@st.composite
def states(draw: st.DrawFn, c: Conflict, form: StateForm = "code") -> int | str:
    """One feasible state of ``c``: its code, 0-based position, 1-based number or Y/N text."""
    position = draw(st.integers(0, c.n_states - 1))
    code = c.space.code_at(position)
    if form == "position":
        return position
    if form == "number":
        return position + 1
    if form == "text":
        return c.space.text(code)
    return int(code)


@st.composite
def spaces(draw: st.DrawFn, max_options: int = 6) -> StateSpace:
    """A space of 1..``max_options`` options, a random non-empty feasible set, random directions."""
    n = draw(st.integers(1, max_options))
    codes = sorted(draw(st.sets(st.integers(0, (1 << n) - 1), min_size=1)))
    dirs = tuple(draw(st.lists(st.sampled_from(DIRECTIONS), min_size=n, max_size=n)))
    return StateSpace(tuple(f"o{k}" for k in range(n)), dirs, np.array(codes, dtype=np.int64))


def coalitions(c: Conflict, min_size: int = 2, max_size: int | None = None
               ) -> st.SearchStrategy[list[str]]:
    """A coalition of ``c``: ``min_size``.. distinct DM names, in a random order."""
    n = len(c.dms)
    top = n if max_size is None else min(max_size, n)
    picked = st.lists(st.integers(0, n - 1), min_size=min(min_size, n), max_size=top,
                      unique=True)
    return picked.map(lambda idx: [c.dm_names[i] for i in idx])


@st.composite
def deals(draw: st.DrawFn, max_dms: int = 3, max_options: int = 5, max_phases: int = 3
          ) -> Conflict:
    """A random small conflict carrying a legal deal of 1..``max_phases`` phases and guarantors.

    The status quo is a feasible state and every step (status quo → phase 1 → ...) is a legal
    move under irreversibility; when no legal step leaves the start, the deal is one phase and
    the model has no status quo.
    """
    c = draw(conflicts(max_dms=max_dms, max_options=max_options))
    sq = int(draw(states(c)))
    path = [sq]
    for _ in range(draw(st.integers(1, max_phases))):
        nxt = [int(s) for s in c.feasible
               if s != path[-1] and c.space.step_problem(path[-1], int(s)) is None]
        if not nxt:
            break
        path.append(draw(st.sampled_from(nxt)))
    status_quo = sq if len(path) > 1 else None
    phases = tuple(Phase(f"p{k}", s) for k, s in enumerate(path[1:] or path))
    guarantors = tuple(draw(st.lists(st.sampled_from(c.option_names), max_size=2, unique=True)))
    return replace(c, status_quo=status_quo, deal=Deal("d", phases, guarantors=guarantors))
