"""Declared weights: points per option, per decision maker (as Inspire and Adjusted Winner
score a package), the cardinal utility that Nash bargaining and Kalai–Smorodinsky need.

A DM's utility of a state is the sum of the points of the options taken (Y) in it; options it
gives no points count 0. Points may be negative (an option it would rather not see taken).
Weights do not change a DM's preferences (its ranks): every other analysis ignores them.

An option with levels takes points per level (levels not listed count 0). Its levels are held
by internal options ``x>=L`` (model/levels.py), so the points are kept per internal option as
the step from the level below: the utility of a level is then the sum of the steps up to it,
and :meth:`Weights.as_written` gives the points per level back.

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
from detente.model.levels import LevelledOption


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

    def as_written(
        self, levels: tuple[LevelledOption, ...] = ()
    ) -> dict[str, float | dict[str, float]]:
        """Points as a model file writes them: per option, and per level for an option with
        levels (the inverse of :func:`level_steps`).

        >>> lv = LevelledOption("x", "A", ("stay", "reduced", "withdraw"))
        >>> Weights(level_steps(lv, {"reduced": 2.0, "withdraw": 5.0})).as_written((lv,))
        {'x': {'reduced': 2.0, 'withdraw': 5.0}}
        """
        given = dict(self.points)
        out: dict[str, float | dict[str, float]] = {}
        owner = {b: lv for lv in levels for b in lv.bit_names}
        for name, value in self.points:
            lv = owner.get(name)
            if lv is None:
                out[name] = value
            elif lv.name not in out:
                total, per = 0.0, {}
                for level, bit in zip(lv.levels[1:], lv.bit_names, strict=True):
                    total += given.get(bit, 0.0)
                    if total:
                        per[level] = total
                out[lv.name] = per
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


def level_steps(lv: LevelledOption, points: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    """Points per level of ``lv`` as points per internal option: the step from the level
    below (the lowest level is the zero; a constant does not change any gain).

    >>> lv = LevelledOption("x", "A", ("stay", "reduced", "withdraw"))
    >>> level_steps(lv, {"reduced": 2.0, "withdraw": 5.0})
    (('x>=reduced', 2.0), ('x>=withdraw', 3.0))
    """
    base = points.get(lv.levels[0], 0.0)
    out = []
    previous = 0.0
    for level, bit in zip(lv.levels[1:], lv.bit_names, strict=True):
        here = points.get(level, 0.0) - base
        out.append((bit, here - previous))
        previous = here
    return tuple(out)


__all__ = ["Weights", "level_steps"]
