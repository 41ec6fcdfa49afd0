"""Hypothesis strategies: random small conflicts with infeasibility, irreversibility and ties."""

from __future__ import annotations

from hypothesis import strategies as st

from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.feasibility import InfeasiblePattern
from detente.model.preferences import PayoffPreference


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
