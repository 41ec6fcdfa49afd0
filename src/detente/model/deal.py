"""A phased deal: an ordered list of phase states, and the options that could guarantee it.

A deal is part of a model (``Conflict.deal``). Its phases are feasible states s_1 … s_m; the
first is reached from the status quo (when the model has one), and each step s_k → s_{k+1} is
made by the decision makers who own the options that change. A step must respect
irreversibility: a ``fwd`` option never goes Y→N, a ``back`` option never N→Y.

>>> deal = Deal("swap", (Phase("A gives", 0b01), Phase("B gives", 0b11)))
>>> deal.phases[1].state
3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from detente.model.errors import ModelError
from detente.model.states import StateSpace


class Conflict(Protocol):
    """What a deal is checked against (a :class:`detente.model.conflict.Conflict`); a protocol
    so that this module does not import the conflict module, which imports it."""

    @property
    def option_names(self) -> tuple[str, ...]: ...
    @property
    def n_options(self) -> int: ...
    @property
    def space(self) -> StateSpace: ...
    @property
    def status_quo(self) -> int | None: ...
    def is_feasible(self, code: int) -> bool: ...
    def state_string(self, code: int) -> str: ...

#: Guarantee settings are enumerated exhaustively: 2**12 = 4096 at most.
MAX_GUARANTORS = 12


@dataclass(frozen=True)
class Phase:
    """One phase of a deal: a name, the state it is, and why."""

    name: str
    state: int
    rationale: str = ""


@dataclass(frozen=True)
class Deal:
    """A phased deal over a model's states."""

    name: str
    phases: tuple[Phase, ...]
    description: str = ""
    guarantors: tuple[str, ...] = ()


class DealError(ModelError):
    """An invalid deal; ``where`` is the path of the offending field inside ``deal``."""

    def __init__(self, message: str, where: tuple[str | int, ...] = ()) -> None:
        field = "deal" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where)
        super().__init__(message, field=field)
        self.where = where


def step_problem(c: Conflict, before: int, after: int) -> str | None:
    """Why ``before → after`` breaks irreversibility, or ``None`` when it does not.

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> step_problem(pd, 0, 3) is None
    True
    """
    return c.space.step_problem(before, after)


def validate_deal(c: Conflict, deal: Deal) -> None:
    """Raise :class:`DealError` unless every phase is feasible and every step legal."""
    if not deal.phases:
        raise DealError("a deal needs at least one phase", ("phases",))
    seen: dict[str, int] = {}
    for k, phase in enumerate(deal.phases):
        if not phase.name.strip():
            raise DealError("empty phase name; expected a name", ("phases", k, "name"))
        if phase.name in seen:
            raise DealError(
                f"duplicate phase name {phase.name!r} (also phases[{seen[phase.name]}]); "
                "expected unique names",
                ("phases", k, "name"),
            )
        seen[phase.name] = k
    names = set(c.option_names)
    for k, g in enumerate(deal.guarantors):
        if g not in names:
            raise DealError(
                f"unknown option {g!r}; expected one of: {', '.join(c.option_names)}",
                ("guarantors", k),
            )
        if g in deal.guarantors[:k]:
            raise DealError(f"option {g!r} is listed twice", ("guarantors", k))
    if len(deal.guarantors) > MAX_GUARANTORS:
        raise DealError(
            f"{len(deal.guarantors)} guarantor options; at most {MAX_GUARANTORS} (every "
            f"setting of them is tried)",
            ("guarantors",),
        )
    previous = c.status_quo
    for k, phase in enumerate(deal.phases):
        where: tuple[str | int, ...] = ("phases", k)
        if not c.is_feasible(phase.state):
            raise DealError(f"phase {phase.name!r}: state {c.state_string(phase.state)} is "
                            "not feasible", where)
        if previous is not None:
            if previous == phase.state:
                was = "the status quo" if k == 0 else f"phase {deal.phases[k - 1].name!r}"
                raise DealError(
                    f"phase {phase.name!r} is the same state as {was}; expected at least one "
                    "option to change", where,
                )
            problem = step_problem(c, previous, phase.state)
            if problem:
                was = "the status quo" if k == 0 else f"phase {deal.phases[k - 1].name!r}"
                raise DealError(
                    f"the step from {was} to phase {phase.name!r} {problem}", where
                )
        previous = phase.state


__all__ = ["MAX_GUARANTORS", "Deal", "DealError", "Phase", "step_problem", "validate_deal"]
