"""The model's optional ``mediation:`` section: mediators, candidate statements, commitments.

A *candidate* is a statement a mediator could plausibly get a decision maker to adopt (a
concession), with a rationale; mediation design may insert it into that DM's prioritised
statements. *Mediators* are the DMs whose options are the mediators' own levers. A
*commitment* (a commitment device) makes a reversible option one-way: ``make: fwd`` lets it go
N→Y only (a guarantee that cannot be withdrawn), ``make: back`` Y→N only (an offensive that
cannot be resumed); it changes the move graph, never the preferences.

>>> MediationSection().candidates_for("Israel")
()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from detente.model.errors import ModelError
from detente.model.preferences import Statement

#: The directions a commitment may make an option take.
MAKES: tuple[str, ...] = ("fwd", "back")


@dataclass(frozen=True)
class Candidate:
    """A statement a mediator could obtain from decision maker ``dm``."""

    dm: str
    statement: Statement


@dataclass(frozen=True)
class Commitment:
    """A declared commitment device: ``option`` may afterwards only go ``make`` (fwd: N→Y,
    back: Y→N)."""

    option: str
    make: Literal["fwd", "back"]
    rationale: str = ""
    #: Whether the option has levels (model/levels.py): the commitment makes every one of its
    #: internal bits one-way, so its levels only rise (fwd) or fall (back).
    levelled: bool = field(default=False, compare=False)

    def text(self) -> str:
        """In words, e.g. ``us_guarantee made fwd (N→Y only)``, ``corridor made fwd (levels
        only rise)``."""
        if self.levelled:
            way = "rise" if self.make == "fwd" else "fall"
            return f"{self.option} made {self.make} (levels only {way})"
        arrow = "N→Y" if self.make == "fwd" else "Y→N"
        return f"{self.option} made {self.make} ({arrow} only)"

    def to_dict(self) -> dict[str, str]:
        return {"option": self.option, "make": self.make}


def check_commitments(
    commitments: tuple[Commitment, ...], directions: Mapping[str, str]
) -> tuple[int, str, str] | None:
    """The first bad commitment, as (index, field, problem), or ``None``: the option must exist and
    be reversible (direction ``both``), ``make`` must be fwd or back, and no commitment may be
    declared twice. ``directions``: option name → its direction in the model."""
    seen: set[tuple[str, str]] = set()
    for k, cm in enumerate(commitments):
        if cm.option not in directions:
            return (
                k,
                "option",
                (f"unknown option {cm.option!r}; expected one of: {', '.join(directions)}"),
            )
        if cm.make not in MAKES:
            return k, "make", f"make must be fwd or back, got {cm.make!r}"
        have = directions[cm.option]
        if have == cm.make:
            return (
                k,
                "make",
                (
                    f"option {cm.option!r} is already irreversible in that "
                    f"direction (direction {have}): the commitment would change "
                    "nothing"
                ),
            )
        if have != "both":
            return (
                k,
                "option",
                (
                    f"option {cm.option!r} is already irreversible (direction "
                    f"{have}); a commitment makes a reversible option one-way"
                ),
            )
        if (cm.option, cm.make) in seen:
            return k, "make", f"commitment {cm.option!r} make {cm.make} is declared twice"
        seen.add((cm.option, cm.make))
    return None


def validate_commitments(
    commitments: tuple[Commitment, ...], directions: Mapping[str, str]
) -> None:
    """Raise :class:`ModelError` for the first bad commitment (see :func:`check_commitments`)."""
    bad = check_commitments(commitments, directions)
    if bad is not None:
        raise ModelError(f"mediation: commitments[{bad[0] + 1}].{bad[1]}: {bad[2]}")


@dataclass(frozen=True)
class MediationSection:
    """Mediators (DM names) and candidate statements, in file order."""

    mediators: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    target: str | None = None  # the deal the report asks about: a state or Y/N/- pattern
    concepts: tuple[str, ...] = ()  # concepts the report asks about (empty: the default)
    commitments: tuple[Commitment, ...] = ()  # declared commitment devices, in file order

    def candidates_for(self, dm: str) -> tuple[Statement, ...]:
        return tuple(c.statement for c in self.candidates if c.dm == dm)

    @property
    def empty(self) -> bool:
        return not (
            self.mediators or self.candidates or self.target or self.concepts or self.commitments
        )


__all__ = [
    "MAKES",
    "Candidate",
    "Commitment",
    "MediationSection",
    "check_commitments",
    "validate_commitments",
]
