"""Declared weights: points per option, per decision maker (as Inspire and Adjusted Winner
score a package), the cardinal utility that Nash bargaining and Kalai–Smorodinsky need.

A DM's utility of a state is the sum of the points of the options taken (Y) in it; options it
gives no points count 0. Points may be negative (an option it would rather not see taken).
Weights do not change a DM's preferences (its ranks): every other analysis ignores them.

>>> w = Weights((("a", 2.0), ("b", -1.0)))
>>> w.utility(np.array([0, 1, 2, 3]), {"a": 0, "b": 1}).tolist()
[0.0, 2.0, -1.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from detente.model.errors import ModelError


@dataclass(frozen=True)
class Weights:
    """Points per option (option name → points when the option is taken), in file order."""

    points: tuple[tuple[str, float], ...]

    def utility(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        """Utility (float64) of each state code: the points of the options taken."""
        arr = np.asarray(codes, dtype=np.int64)
        out = np.zeros(arr.shape, dtype=np.float64)
        for name, value in self.points:
            out += ((arr >> bits[name]) & 1) * value
        return out

    def check(self, options: tuple[str, ...]) -> None:
        """Refuse unknown or repeated options and non-finite points (a :class:`ModelError`
        naming the option)."""
        seen: set[str] = set()
        for name, value in self.points:
            if name not in options:
                raise ModelError(
                    f"unknown option {name!r} in weights; expected one of: {', '.join(options)}"
                )
            if name in seen:
                raise ModelError(f"option {name!r} is weighted twice; expected each once")
            seen.add(name)
            if not math.isfinite(value):
                raise ModelError(f"the points of {name!r} must be a finite number, got {value}")


__all__ = ["Weights"]
