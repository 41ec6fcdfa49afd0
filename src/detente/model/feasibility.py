"""Infeasibility constraints over option values.

Each constraint marks state codes infeasible; a state is feasible when no constraint marks it.

>>> c = MutuallyExclusive(("accept", "new_demands"))
>>> codes = np.arange(4)
>>> c.infeasible(codes, {"accept": 0, "new_demands": 1}).tolist()
[False, False, False, True]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InfeasiblePattern:
    """States matching every condition are infeasible; unlisted options are '-' (either)."""

    conditions: tuple[tuple[str, bool], ...]
    reason: str = ""

    def options(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.conditions)

    def infeasible(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        care = 0
        want = 0
        for name, taken in self.conditions:
            care |= 1 << bits[name]
            want |= int(taken) << bits[name]
        out: np.ndarray = (codes & care) == want
        return out

    def describe(self) -> str:
        return " and ".join(n if v else f"not {n}" for n, v in self.conditions)


@dataclass(frozen=True)
class MutuallyExclusive:
    """At most one of the options may be taken."""

    members: tuple[str, ...]
    reason: str = ""

    def options(self) -> tuple[str, ...]:
        return self.members

    def infeasible(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        count = np.zeros(codes.shape, dtype=np.int64)
        for name in self.members:
            count += (codes >> bits[name]) & 1
        return count > 1

    def describe(self) -> str:
        return "at most one of " + ", ".join(self.members)


@dataclass(frozen=True)
class AtLeastOne:
    """At least one of the options must be taken."""

    members: tuple[str, ...]
    reason: str = ""

    def options(self) -> tuple[str, ...]:
        return self.members

    def infeasible(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        mask = 0
        for name in self.members:
            mask |= 1 << bits[name]
        out: np.ndarray = (codes & mask) == 0
        return out

    def describe(self) -> str:
        return "at least one of " + ", ".join(self.members)


Constraint = InfeasiblePattern | MutuallyExclusive | AtLeastOne
