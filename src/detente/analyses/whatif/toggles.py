"""What a what-if can change on a model: every uncertain element (each DM's readings, its
maybe-statements, its groups in unknown order, per reading), the deal's guarantors and the
declared commitment devices — the toggles the workbench shows.

>>> import detente
>>> e = elements(detente.load("tests/data/ceasefire_2024_coarse.yaml"))
>>> [(d.dm, d.readings) for d in e.dms][:1], e.guarantors[0]
([('Israel', ('main',))], 'us_guarantee')
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

from detente.model.conflict import Conflict
from detente.model.uncertainty import readings_of

#: Orders of a group offered as choices (the first ones, as the brief's flips).
MAX_ORDERS = 24


@dataclass(frozen=True)
class GroupChoice:
    """A group in unknown order of one reading: its statements as written, and its orders."""

    reading: str
    statements: tuple[str, ...]
    orders: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DMElements:
    """One DM's uncertain elements: its readings (``main`` first), per reading the statements
    that hold with a probability (reading, text, probability) and the groups."""

    dm: str
    readings: tuple[str, ...]
    probabilities: tuple[float, ...]
    statements: tuple[tuple[str, str, float], ...]
    groups: tuple[GroupChoice, ...]


@dataclass(frozen=True)
class Elements:
    """Everything a scenario may set on a model."""

    dms: tuple[DMElements, ...]
    guarantors: tuple[str, ...]
    commitments: tuple[tuple[str, str, str], ...]  # (option, make, in words)
    options: tuple[tuple[str, tuple[str, ...]], ...]  # (option, its values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dms": [
                {
                    "dm": d.dm,
                    "readings": list(d.readings),
                    "probabilities": list(d.probabilities),
                    "statements": [
                        {"reading": r, "statement": t, "probability": p} for r, t, p in d.statements
                    ],
                    "groups": [
                        {
                            "reading": g.reading,
                            "statements": list(g.statements),
                            "orders": [list(o) for o in g.orders],
                        }
                        for g in d.groups
                    ],
                }
                for d in self.dms
            ],
            "guarantors": list(self.guarantors),
            "commitments": [{"option": o, "make": m, "words": w} for o, m, w in self.commitments],
            "options": [{"option": o, "values": list(v)} for o, v in self.options],
        }


def elements(model: Conflict) -> Elements:
    """The toggles of ``model``: uncertain elements per DM (only DMs that declare some),
    guarantors, declared commitments, and every option with its values."""
    dms = []
    for dm in model.dms:
        if not dm.readings:
            continue
        readings = readings_of(dm.preference, dm.readings)
        names = ("main", *(r.name for r in readings[1:]))
        statements: list[tuple[str, str, float]] = []
        groups: list[GroupChoice] = []
        for name, r in zip(names, readings, strict=True):
            sts = r.statements
            statements += [(name, sts[pos].text, q) for pos, q in r.maybe]
            for start, size in r.groups:
                block = tuple(s.text for s in sts[start : start + size])
                orders = []
                for k, perm in enumerate(permutations(range(size))):
                    if k >= MAX_ORDERS:
                        break
                    orders.append(tuple(block[i] for i in perm))
                groups.append(GroupChoice(name, block, tuple(orders)))
        dms.append(
            DMElements(
                dm.name,
                names,
                tuple(r.probability for r in readings),
                tuple(statements),
                tuple(groups),
            )
        )
    guarantors = model.deal.guarantors if model.deal is not None else ()
    commitments = tuple((c.option, c.make, c.text()) for c in model.mediation.commitments)
    options = tuple((col.name, col.values) for col in model.space.columns)
    return Elements(tuple(dms), guarantors, commitments, options)


__all__ = ["MAX_ORDERS", "DMElements", "Elements", "GroupChoice", "elements"]
