"""Moves as people read them: states, option changes, unilateral and joint moves.

One type per idea, shared by every analysis and surface: :class:`StateRef` (a feasible state's
code, Y/N string and 1-based number), :class:`OptionChange` (one option changing value),
:class:`Move` (one DM's move) and :class:`JointMove` (a coalition's joint move as a sequence
of member moves; a unilateral improvement is a joint move of one DM with one step).
:func:`state_strings` gives the Y/N strings of many state codes at once (vectorised).

>>> import detente
>>> c = detente.load("examples/prisoners_dilemma.yaml")
>>> m = unilateral_move(c, 0, 0, 1)
>>> str(m.changes[0]), m.changes[0].signed, m.to_dict()["to"]
('a_defects N→Y', '+a_defects', {'number': 2, 'state': 'YN'})
>>> import numpy as np
>>> state_strings(np.array([0, 1, 6]), 3).tolist()
['NNN', 'YNN', 'NYY']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from detente.model.conflict import Conflict
from detente.model.states import NO, YES
from detente.model.states import text_bytes as state_bytes  # the model's, under its old name
from detente.model.states import texts as state_strings  # the model's, under its old name


@dataclass(frozen=True)
class StateRef:
    """A feasible state: its code, Y/N string and 1-based number."""

    code: int
    state: str
    number: int

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state}


def state_at(c: Conflict, pos: int) -> StateRef:
    """The state at position ``pos`` of ``c.feasible`` (number ``pos + 1``)."""
    code = int(c.feasible[pos])
    return StateRef(code, c.state_string(code), pos + 1)


def state_of(c: Conflict, code: int) -> StateRef:
    """The feasible state with code ``code``."""
    return StateRef(code, c.state_string(code), c.state_number(code))


@dataclass(frozen=True)
class OptionChange:
    """One option changing value, e.g. ``insist N→Y``; ``dm`` owns the option."""

    option: str
    dm: str
    before: str  # Y/N (:data:`~detente.model.states.YES`/``NO``) or a level name
    after: str

    def __str__(self) -> str:
        return f"{self.option} {self.before}→{self.after}"

    @property
    def signed(self) -> str:
        """``'+insist'`` when taken, ``'−insist'`` when dropped; an option with levels:
        ``'corridor=reduced'``."""
        if self.after not in (YES, NO):
            return f"{self.option}={self.after}"
        return ("+" if self.after == YES else "−") + self.option

    def to_dict(self, *, owner: bool = True) -> dict[str, Any]:
        """``{"option", "dm", "from", "to"}`` (without ``dm`` when ``owner`` is false)."""
        out: dict[str, Any] = {"option": self.option}
        if owner:
            out["dm"] = self.dm
        out["from"] = self.before
        out["to"] = self.after
        return out


def option_changes(c: Conflict, source: int, target: int) -> tuple[OptionChange, ...]:
    """The options that differ between two state *codes*, in option order (an option with
    levels once, from one level to another), each value as the state space writes it."""
    diff = source ^ target
    return tuple(
        OptionChange(col.name, c.options[col.bits[0]].dm, col.value(source), col.value(target))
        for col in c.space.columns if diff & col.mask
    )


def signed_text(changes: Iterable[OptionChange]) -> str:
    """``'+a −b'``: the changes as a short label."""
    return " ".join(ch.signed for ch in changes)


@dataclass(frozen=True)
class Move:
    """A unilateral move of one DM from one state to another."""

    dm: str
    source: StateRef
    target: StateRef
    changes: tuple[OptionChange, ...]

    @property
    def change_text(self) -> str:
        """``'delay Y→N, abandon N→Y'``."""
        return ", ".join(str(ch) for ch in self.changes)

    def to_dict(self, *, owner: bool = False) -> dict[str, Any]:
        """``{"dm", "from", "to", "changes"}``; ``owner``: each change names its owner."""
        return {
            "dm": self.dm,
            "from": self.source.to_dict(),
            "to": self.target.to_dict(),
            "changes": [ch.to_dict(owner=owner) for ch in self.changes],
        }


def unilateral_move(c: Conflict, j: int, source: int, target: int) -> Move:
    """DM ``j``'s move between two *positions*."""
    a, b = state_at(c, source), state_at(c, target)
    return Move(c.dm_names[j], a, b, option_changes(c, a.code, b.code))


@dataclass(frozen=True)
class JointMove:
    """A move of ``by`` (one DM, or a coalition's members) from ``source`` to ``target``, made
    of member moves ``steps`` in order (one step for a unilateral move)."""

    by: tuple[str, ...]
    source: StateRef
    target: StateRef
    changes: tuple[OptionChange, ...]
    steps: tuple[Move, ...]

    @property
    def joint(self) -> bool:
        return len(self.by) > 1

    def to_dict(self) -> dict[str, Any]:
        """``{"by", "from", "to", "changes", "steps"}`` (the JSON of coalitions and evolve)."""
        return {
            "by": list(self.by),
            "from": self.source.to_dict(),
            "to": self.target.to_dict(),
            "changes": [ch.to_dict() for ch in self.changes],
            "steps": [s.to_dict(owner=True) for s in self.steps],
        }


def joint_move(
    c: Conflict, by: Sequence[str], source: int, target: int,
    steps: Iterable[tuple[str, int, int]],
) -> JointMove:
    """A joint move between two state *codes*, with its steps as (mover, from code, to code)."""
    moves = tuple(
        Move(dm, state_of(c, a), state_of(c, b), option_changes(c, a, b)) for dm, a, b in steps
    )
    return JointMove(tuple(by), state_of(c, source), state_of(c, target),
                     option_changes(c, source, target), moves)


__all__ = ["JointMove", "Move", "OptionChange", "StateRef", "joint_move", "option_changes",
           "signed_text", "state_at", "state_bytes", "state_of", "state_strings",
           "unilateral_move"]
