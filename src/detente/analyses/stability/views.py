"""Equilibrium views shared by the result types that hold per-DM stability per concept.

A result holds ``stable[concept]``, a (DMs, states) bool array: *stable* always means stable
for one decision maker; an *equilibrium* is a state stable for every decision maker. The views
name what they return: ``*_codes`` (state codes, bit k = option k), ``*_numbers`` (1-based state
numbers, as people and the CLI count), ``*_states`` (Y/N strings) and ``*_mask`` (bool per
feasible state, by position).

>>> import detente
>>> r = detente.analyze(detente.load("examples/prisoners_dilemma.yaml"), ["nash"])
>>> r.equilibrium_numbers("nash"), r.equilibrium_states("nash"), r.equilibrium_codes("nash")
([4], ['YY'], [3])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from detente.model.conflict import Conflict

if TYPE_CHECKING:  # pandas is imported where a frame is built: analyze starts fast
    import pandas as pd


class EquilibriumViews:
    """Mixin: views of ``self.stable`` (see the module docstring). Subclasses provide
    ``conflict``, ``stable`` and :meth:`stability` (which validates the concept key)."""

    conflict: Conflict
    stable: Mapping[str, np.ndarray]

    def stability(self, concept: str) -> np.ndarray:
        """(DMs, states) bool: stable for each DM under ``concept``."""
        raise NotImplementedError  # pragma: no cover

    def _dm(self, dm: str | int) -> int:
        return dm if isinstance(dm, int) else self.conflict.dm_index(dm)

    # ---- equilibria ------------------------------------------------------------------------
    def equilibrium_mask(self, concept: str) -> np.ndarray:
        """Bool per feasible state (by position): stable for every DM."""
        return np.asarray(self.stability(concept).all(axis=0))

    def equilibrium_codes(self, concept: str) -> list[int]:
        """State codes of the equilibria."""
        return [int(x) for x in self.conflict.feasible[self.equilibrium_mask(concept)]]

    def equilibrium_numbers(self, concept: str) -> list[int]:
        """1-based state numbers of the equilibria."""
        return [int(k) + 1 for k in np.flatnonzero(self.equilibrium_mask(concept))]

    def equilibrium_states(self, concept: str) -> list[str]:
        """Y/N strings of the equilibria."""
        return [self.conflict.state_string(x) for x in self.equilibrium_codes(concept)]

    # the original names, kept for the public API
    def equilibria(self, concept: str) -> list[int]:
        """State codes of the equilibria (= :meth:`equilibrium_codes`)."""
        return self.equilibrium_codes(concept)

    def equilibria_numbers(self, concept: str) -> list[int]:
        """= :meth:`equilibrium_numbers`."""
        return self.equilibrium_numbers(concept)

    def equilibria_strings(self, concept: str) -> list[str]:
        """= :meth:`equilibrium_states`."""
        return self.equilibrium_states(concept)

    # ---- one DM ----------------------------------------------------------------------------
    def stable_mask(self, concept: str, dm: str | int) -> np.ndarray:
        """Bool per feasible state: stable for ``dm`` (a name or index)."""
        return np.asarray(self.stability(concept)[self._dm(dm)])

    def stable_codes(self, concept: str, dm: str | int) -> list[int]:
        """State codes stable for ``dm``."""
        return [int(x) for x in self.conflict.feasible[self.stable_mask(concept, dm)]]

    def stable_numbers(self, concept: str, dm: str | int) -> list[int]:
        """1-based state numbers stable for ``dm``."""
        return [int(k) + 1 for k in np.flatnonzero(self.stable_mask(concept, dm))]

    def stable_states(self, concept: str, dm: str | int) -> list[str]:
        """Y/N strings of the states stable for ``dm``."""
        return [self.conflict.state_string(x) for x in self.stable_codes(concept, dm)]

    def stability_frame(self, concept: str) -> pd.DataFrame:
        """Rows = states (Y/N), columns = DMs, True where the state is stable for that DM."""
        import pandas as pd

        c = self.conflict
        mask = self.stability(concept)
        return pd.DataFrame(
            {dm: mask[i] for i, dm in enumerate(c.dm_names)},
            index=pd.Index([c.state_string(int(x)) for x in c.feasible], name="state"),
        )


__all__ = ["EquilibriumViews"]
