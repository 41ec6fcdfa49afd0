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

from dataclasses import dataclass
from typing import Any

from detente.analyses.stability import display_ranks
from detente.model.conflict import Conflict, Direction
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    StatementPreference,
)


@dataclass(frozen=True)
class OptionInfo:
    """One option: its name, owner, direction and description."""

    name: str
    decision_maker: str
    direction: Direction
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "decision_maker": self.decision_maker,
                "direction": self.direction, "description": self.description}


@dataclass(frozen=True)
class DMInfo:
    """One decision maker: its options and its preferences as given in the model
    (``preferences``: the plain data of :func:`preference_data`)."""

    name: str
    description: str
    options: tuple[str, ...]
    preferences: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "options": list(self.options), "preferences": self.preferences}


@dataclass(frozen=True)
class ConstraintInfo:
    """One infeasibility condition, in words, and why it holds."""

    condition: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.condition, "reason": self.reason}


@dataclass(frozen=True)
class StatusQuoInfo:
    number: int
    state: str
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state, "rationale": self.rationale}


@dataclass(frozen=True)
class StateRow:
    """One feasible state: 1-based number, code, Y/N string, each DM's rank (1 = best)."""

    number: int
    code: int
    state: str
    ranks: dict[str, int]
    status_quo: bool

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state, "ranks": self.ranks,
                "status_quo": self.status_quo}


@dataclass(frozen=True)
class ModelSummary:
    """The model and its first feasible states (see the module docstring)."""

    name: str
    description: str
    sources: tuple[str, ...]
    file: str | None
    options: tuple[OptionInfo, ...]
    decision_makers: tuple[DMInfo, ...]
    infeasible: tuple[ConstraintInfo, ...]
    status_quo: StatusQuoInfo | None
    coalitions: tuple[tuple[str, ...], ...]
    candidate_states: int
    feasible_states: int
    states: tuple[StateRow, ...]

    @property
    def states_hidden(self) -> int:
        return self.feasible_states - len(self.states)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the JSON of ``detente show --format json``."""
        return {
            "name": self.name,
            "description": self.description,
            "sources": list(self.sources),
            "file": self.file,
            "options": [o.to_dict() for o in self.options],
            "decision_makers": [d.to_dict() for d in self.decision_makers],
            "infeasible": [con.to_dict() for con in self.infeasible],
            "status_quo": None if self.status_quo is None else self.status_quo.to_dict(),
            "coalitions": [list(x) for x in self.coalitions],
            "candidate_states": self.candidate_states,
            "feasible_states": self.feasible_states,
            "states": [row.to_dict() for row in self.states],
            "states_hidden": self.states_hidden,
        }


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
        options=tuple(OptionInfo(o.name, o.dm, o.direction, o.description) for o in c.options),
        decision_makers=tuple(
            DMInfo(dm.name, dm.description, tuple(dm.options),
                   preference_data(c, dm.preference))
            for dm in c.dms
        ),
        infeasible=tuple(ConstraintInfo(con.describe(), con.reason) for con in c.constraints),
        status_quo=None if sq is None else StatusQuoInfo(
            c.state_number(sq), c.state_string(sq), c.status_quo_rationale
        ),
        coalitions=tuple(tuple(x) for x in c.coalitions),
        candidate_states=2**c.n_options,
        feasible_states=c.n_states,
        states=states,
    )


def model_data(c: Conflict, shown: int | None = None) -> dict[str, Any]:
    """``model_summary(c, shown).to_dict()``: the model as plain JSON-able data."""
    return model_summary(c, shown).to_dict()


__all__ = ["ConstraintInfo", "DMInfo", "ModelSummary", "OptionInfo", "StateRow",
           "StatusQuoInfo", "model_data", "model_summary", "preference_data"]
