"""The mediators' own levers: settings of the mediators' options that make a target stable.

The mediators are the DMs named in the model's ``mediation: mediators:``. For each target
state, every setting of their options (keeping every other option as in the target) that
gives a feasible state is checked with the forward engine and the model's preferences as they
are: is that state an equilibrium under each concept, and is it stable for every party that
is not a mediator?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.engine import Engine
from detente.model.conflict import Conflict


@dataclass(frozen=True)
class Lever:
    """One setting of the mediators' options at a target."""

    state: str
    number: int
    settings: dict[str, str]  # mediator option -> "Y"/"N"
    equilibrium: dict[str, bool]  # concept -> stable for every DM
    parties: dict[str, bool]  # concept -> stable for every DM that is not a mediator

    @property
    def works(self) -> bool:
        return all(self.equilibrium.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "number": self.number, "settings": self.settings,
            "equilibrium": self.equilibrium, "parties_stable": self.parties,
            "works": self.works,
        }


def mediator_levers(
    c: Conflict, targets: list[int], concepts: tuple[str, ...], engine: Engine | None = None
) -> list[Lever]:
    """Levers at the targets (positions), distinct states in state-number order."""
    mediators = [c.dm_index(name) for name in c.mediation.mediators]
    if not mediators:
        return []
    engine = engine or Engine(c)
    mask = 0
    for i in mediators:
        mask |= int(c.dm_masks[i])
    bits = [k for k in range(c.n_options) if mask >> k & 1]
    parties = [i for i in range(len(c.dms)) if i not in mediators]
    stable = {x: engine.stable(x) for x in concepts}
    seen: set[int] = set()
    out: list[Lever] = []
    for s in targets:
        base = int(c.feasible[s]) & ~mask
        for setting in range(1 << len(bits)):
            code = base
            for q, b in enumerate(bits):
                if setting >> q & 1:
                    code |= 1 << b
            if code in seen or not c.is_feasible(code):
                continue
            seen.add(code)
            pos = int(c.index_of(code)[0])
            out.append(Lever(
                c.state_string(code), pos + 1,
                c.space.values(code, bits),
                {x: bool(stable[x][:, pos].all()) for x in concepts},
                {x: bool(np.asarray(stable[x][parties, pos]).all()) for x in concepts},
            ))
    out.sort(key=lambda lv: lv.number)
    return out


__all__ = ["Lever", "mediator_levers"]
