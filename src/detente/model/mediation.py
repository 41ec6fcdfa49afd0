"""The model's optional ``mediation:`` section: mediators and candidate statements.

A *candidate* is a statement a mediator could plausibly get a decision maker to adopt (a
concession), with a rationale; mediation design may insert it into that DM's prioritised
statements. *Mediators* are the DMs whose options are the mediators' own levers.

>>> MediationSection().candidates_for("Israel")
()
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.model.preferences import Statement


@dataclass(frozen=True)
class Candidate:
    """A statement a mediator could obtain from decision maker ``dm``."""

    dm: str
    statement: Statement


@dataclass(frozen=True)
class MediationSection:
    """Mediators (DM names) and candidate statements, in file order."""

    mediators: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    target: str | None = None  # the deal the report asks about: a state or Y/N/- pattern
    concepts: tuple[str, ...] = ()  # concepts the report asks about (empty: the default)

    def candidates_for(self, dm: str) -> tuple[Statement, ...]:
        return tuple(c.statement for c in self.candidates if c.dm == dm)

    @property
    def empty(self) -> bool:
        return not (self.mediators or self.candidates or self.target or self.concepts)


__all__ = ["Candidate", "MediationSection"]
