"""Options with ordered levels, compiled to binary options (a thermometer code).

A levelled option ``x`` with levels L1 < L2 < … < Lk is held by k−1 internal binary options
``x>=L2`` … ``x>=Lk`` of the same decision maker (:attr:`LevelledOption.bit_names`). The
ordering conditions (:meth:`LevelledOption.ordering`: ``x>=L(j+1)`` never without ``x>=Lj``)
keep the code monotone, so exactly one level holds in every feasible state: the level is the
number of bits taken. ``fwd``/``back`` apply to every bit, so levels only rise/fall. A move that
changes the level is one move of the owner flipping several of its own bits: the engine sees
ordinary binary options and needs no change. A binary option is an option with levels N, Y.

>>> x = LevelledOption("philadelphi", "Israel", ("stay", "reduced", "withdraw"))
>>> x.bit_names
('philadelphi>=reduced', 'philadelphi>=withdraw')
>>> x.bits_of("reduced"), x.pin("stay")
((True, False), (('philadelphi>=reduced', False),))
>>> x.pin("reduced")
(('philadelphi>=reduced', True), ('philadelphi>=withdraw', False))
>>> [p.describe() for p in x.ordering()]
['philadelphi>=withdraw and not philadelphi>=reduced']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from detente.model.errors import ModelError
from detente.model.feasibility import InfeasiblePattern

#: A level name: letters, digits and _ (``0``, ``18_hostages`` and ``reduced`` are all fine).
LEVEL_RE = re.compile(r"[A-Za-z0-9_]+")
#: The levels of a binary option.
BINARY_LEVELS = ("N", "Y")
Direction = Literal["both", "fwd", "back"]


def bit_name(option: str, level: str) -> str:
    """The internal binary option that holds "``option`` is at ``level`` or later"."""
    return f"{option}>={level}"


@dataclass(frozen=True)
class LevelledOption:
    """An option with ordered levels, owned by one DM (``levels`` lowest first)."""

    name: str
    dm: str
    levels: tuple[str, ...]
    direction: Direction = "both"
    description: str = ""
    #: Short labels of its levels, e.g. ``(("none", "no aid"), ("full", "full aid"))``
    #: (model/labels.py).
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def bit_names(self) -> tuple[str, ...]:
        """The internal binary options, one per level after the first."""
        return tuple(bit_name(self.name, lv) for lv in self.levels[1:])

    def expected(self) -> str:
        return ", ".join(self.levels)

    def index(self, level: object) -> int:
        """The 0-based position of ``level``; a clear error for an unknown one."""
        if isinstance(level, str) and level in self.levels:
            return self.levels.index(level)
        if isinstance(level, str):  # a case slip is forgiven when it names one level
            folded = [k for k, lv in enumerate(self.levels) if lv.lower() == level.lower()]
            if len(folded) == 1:
                return folded[0]
        raise ModelError(
            f"option {self.name!r} has no level {level!r}; expected one of {self.expected()}"
        )

    def bits_of(self, level: str) -> tuple[bool, ...]:
        """The value of each internal bit when the option is at ``level``."""
        j = self.index(level)
        return tuple(k < j for k in range(len(self.levels) - 1))

    def pin(self, level: str) -> tuple[tuple[str, bool], ...]:
        """The fewest bit conditions that, with the ordering, say "the level is ``level``"."""
        j = self.index(level)
        names = self.bit_names
        out: list[tuple[str, bool]] = []
        if j > 0:
            out.append((names[j - 1], True))
        if j < len(names):
            out.append((names[j], False))
        return tuple(out)

    def level_of_pin(self, conditions: Mapping[str, bool]) -> str | None:
        """The level that bit conditions (as :meth:`pin` gives them) name, or ``None``."""
        for lv in self.levels:
            if dict(self.pin(lv)) == dict(conditions):
                return lv
        return None

    def ordering(self) -> tuple[InfeasiblePattern, ...]:
        """The conditions that keep the code monotone (exactly one level in every state)."""
        b = self.bit_names
        why = f"the levels of {self.name} are ordered ({self.expected()})"
        return tuple(
            InfeasiblePattern(((b[j + 1], True), (b[j], False)), why) for j in range(len(b) - 1)
        )


def check_levelled(lv: LevelledOption) -> None:
    """The levels are two or more distinct level names."""
    if not isinstance(lv.levels, tuple) or len(lv.levels) < 2:
        raise ModelError(
            f"option {lv.name!r}: levels must list two or more levels, lowest "
            f"first; got {list(lv.levels) if isinstance(lv.levels, tuple) else lv.levels!r}"
        )
    for level in lv.levels:
        if not isinstance(level, str) or not LEVEL_RE.fullmatch(level):
            raise ModelError(
                f"option {lv.name!r}: level {level!r} is not a valid level name; expected "
                "letters, digits and _"
            )
    seen = [lv for lv in lv.levels]
    dup = sorted({x for x in seen if seen.count(x) > 1})
    if dup:
        raise ModelError(
            f"option {lv.name!r}: level {dup[0]!r} is listed twice; expected distinct levels"
        )
    if lv.direction not in ("both", "fwd", "back"):
        raise ModelError(f"option {lv.name!r}: direction must be both, fwd or back")


def ordering(levels: tuple[LevelledOption, ...]) -> tuple[InfeasiblePattern, ...]:
    """The ordering conditions of every levelled option."""
    return tuple(p for lv in levels for p in lv.ordering())


__all__ = ["BINARY_LEVELS", "LEVEL_RE", "LevelledOption", "bit_name", "check_levelled", "ordering"]
