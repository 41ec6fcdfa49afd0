"""The model as people read it: parties, options, preferences, constraints and state table.

One typed summary that ``detente show --format json`` prints (:meth:`ModelSummary.to_dict`
is exactly that JSON shape) and the report renders.

>>> import detente
>>> s = model_summary(detente.load("examples/prisoners_dilemma.yaml"), shown=2)
>>> [(row.number, row.state, row.ranks) for row in s.states]
[(1, 'NN', {'A': 2, 'B': 2}), (2, 'YN', {'A': 1, 'B': 4})]
>>> s.states_hidden
2
"""

from __future__ import annotations

from typing import Any

from detente.analyses.stability.result import display_ranks
from detente.analyses.summary.result import (
    ConstraintInfo,
    DMInfo,
    ModelSummary,
    OptionInfo,
    StateRow,
    StatusQuoInfo,
)
from detente.model.conflict import Conflict
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    StatementPreference,
)


def preference_data(c: Conflict, pref: Preference) -> dict[str, Any]:
    """A decision maker's preferences as given in the model, as plain data."""
    if isinstance(pref, StatementPreference):
        return {
            "kind": "statements",
            "statements": [{"statement": s.text, "rationale": s.rationale}
                           for s in pref.statements],
        }
    if isinstance(pref, RankingPreference):
        return {
            "kind": "ranking",
            "ranking": [[c.state_string(code) for code in tier] for tier in pref.tiers],
        }
    if isinstance(pref, PayoffPreference):
        return {
            "kind": "payoffs",
            "payoffs": [{"state": c.state_string(code), "value": value}
                        for code, value in pref.payoffs],
        }
    raise TypeError(f"unknown preference type {type(pref).__name__}")  # pragma: no cover


def model_summary(c: Conflict, shown: int | None = None) -> ModelSummary:
    """The summary of ``c`` with its first ``shown`` feasible states (default all)."""
    shown = c.n_states if shown is None else shown
    ranks = display_ranks(c.ranks)
    sq = c.status_quo
    states = tuple(
        StateRow(
            number=k + 1,
            code=int(code),
            state=c.state_string(int(code)),
            ranks={dm.name: int(ranks[i, k]) for i, dm in enumerate(c.dms)},
            status_quo=sq is not None and int(code) == sq,
        )
        for k, code in enumerate(c.feasible[:shown])
    )
    return ModelSummary(
        name=c.name,
        description=c.description,
        sources=tuple(c.sources),
        file=c.source_file,
        options=tuple(
            OptionInfo(col.name, o.dm, o.direction, o.description, col.levels or ())
            for col in c.space.columns for o in (c.options[col.bits[0]],)
        ),
        decision_makers=tuple(
            DMInfo(dm.name, dm.description,
                   tuple(col.name for col in c.space.columns
                         if c.options[col.bits[0]].dm == dm.name),
                   preference_data(c, dm.preference))
            for dm in c.dms
        ),
        infeasible=tuple(ConstraintInfo(c.space.describe(con), con.reason)
                         for con in c.constraints),
        status_quo=None if sq is None else StatusQuoInfo(
            c.state_number(sq), c.state_string(sq), c.status_quo_rationale
        ),
        coalitions=tuple(tuple(x) for x in c.coalitions),
        candidate_states=c.space.candidate_states,
        feasible_states=c.n_states,
        states=states,
    )


def model_data(c: Conflict, shown: int | None = None) -> dict[str, Any]:
    """``model_summary(c, shown).to_dict()``: the model as plain JSON-able data."""
    return model_summary(c, shown).to_dict()


__all__ = ["model_data", "model_summary", "preference_data"]
