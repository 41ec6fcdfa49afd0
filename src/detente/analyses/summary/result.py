"""The model as people read it, typed: options, decision makers, constraints, status quo and
the first feasible states (see :mod:`detente.analyses.summary.analysis`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detente.model.conflict import Direction


@dataclass(frozen=True)
class OptionInfo:
    """One option: its name, owner, direction and description (and its levels, lowest first,
    when it has levels)."""

    name: str
    decision_maker: str
    direction: Direction
    description: str
    levels: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "decision_maker": self.decision_maker,
                               "direction": self.direction, "description": self.description}
        if self.levels:
            out["levels"] = list(self.levels)
        return out


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


__all__ = ["ConstraintInfo", "DMInfo", "ModelSummary", "OptionInfo", "StateRow", "StatusQuoInfo"]
