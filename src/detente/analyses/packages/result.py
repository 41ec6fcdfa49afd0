"""The result of the packages analysis: acceptable states with their Pareto, stability and
frontier flags, gains, probabilities, and the fair packages per concept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from detente.analyses.contract import ResultHeader, header, with_header
from detente.analyses.packages.bargaining import kalai_smorodinsky, maximin, nash_bargaining
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict


@dataclass(frozen=True)
class PackagesResult:
    """Acceptable packages over a reference (see :mod:`detente.analyses.packages.analysis`).

    Arrays are aligned with ``positions`` (the acceptable states' positions among the
    feasible states, increasing); ``gains`` and ``utility_gains`` are (DMs, packages).
    """

    conflict: Conflict
    concepts: tuple[str, ...]
    reference: int  # state code
    limit: int
    positions: np.ndarray
    pareto: np.ndarray
    stable: dict[str, np.ndarray]
    frontier: dict[str, np.ndarray]
    gains: np.ndarray
    utility_gains: np.ndarray | None  # None: some DM has neither weights nor payoffs
    utility_sources: Mapping[str, str]
    probability: dict[str, np.ndarray] | None  # None: certain preferences
    robustness: Mapping[str, Any] | None = None
    against: int | str | None = field(default=None, compare=False)

    # ---- choices -----------------------------------------------------------------------
    @cached_property
    def order(self) -> np.ndarray:
        """Package indices: frontier (under any concept) first, then Pareto, then by the
        smallest gain (largest first), the sum of gains, and the state position."""
        n = self.positions.size
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        any_front = np.zeros(n, dtype=bool)
        for f in self.frontier.values():
            any_front |= f
        low = self.gains.min(axis=0) if self.gains.shape[0] else np.zeros(n)
        total = self.gains.sum(axis=0)
        return np.lexsort((self.positions, -total, -low, ~self.pareto, ~any_front))

    def _pick(self, chooser: Any, values: np.ndarray | None, key: str) -> int | None:
        if values is None:
            return None
        cols = np.flatnonzero(self.frontier[key])
        k = chooser(values[:, cols], self.positions[cols])
        return None if k is None else int(cols[k])

    def maximin(self, key: str) -> int | None:
        """Index of the frontier package with the largest smallest gain under ``key``."""
        return self._pick(maximin, self.gains, key)

    def nash_bargaining(self, key: str) -> int | None:
        """Index of the Nash bargaining package under ``key`` (needs cardinal utilities)."""
        return self._pick(nash_bargaining, self.utility_gains, key)

    def kalai_smorodinsky(self, key: str) -> int | None:
        """Index of the Kalai–Smorodinsky package under ``key`` (needs cardinal utilities)."""
        return self._pick(kalai_smorodinsky, self.utility_gains, key)

    def code(self, k: int) -> int:
        """The state code of package ``k``."""
        return int(self.conflict.feasible[self.positions[k]])

    def state(self, k: int) -> str:
        """The state text of package ``k`` (the state space's)."""
        return self.conflict.space.text(self.code(k))

    def maximin_state(self, key: str) -> str | None:
        k = self.maximin(key)
        return None if k is None else self.state(k)

    # ---- counts ------------------------------------------------------------------------
    @property
    def acceptable(self) -> int:
        return int(self.positions.size)

    def listed(self) -> np.ndarray:
        """The package indices listed: the first ``limit`` in :attr:`order` (0 = all)."""
        return self.order if self.limit == 0 else self.order[: self.limit]

    # ---- plain data --------------------------------------------------------------------
    def _entry(self, k: int) -> dict[str, Any]:
        dms = self.conflict.dm_names
        out: dict[str, Any] = {
            "state": self.state(k),
            "number": int(self.positions[k]) + 1,
            "pareto": bool(self.pareto[k]),
            "stable": {c: bool(self.stable[c][k]) for c in self.concepts},
            "frontier": {c: bool(self.frontier[c][k]) for c in self.concepts},
            "gains": {dm: float(self.gains[i, k]) for i, dm in enumerate(dms)},
        }
        if self.probability is not None:
            out["probability"] = {c: float(self.probability[c][k]) for c in self.concepts}
        return out

    def _choice(self, k: int | None, utility: bool) -> dict[str, Any] | None:
        if k is None:
            return None
        dms = self.conflict.dm_names
        out = {
            "state": self.state(k),
            "number": int(self.positions[k]) + 1,
            "gains": {dm: float(self.gains[i, k]) for i, dm in enumerate(dms)},
            "smallest_gain": float(self.gains[:, k].min()) if dms else 0.0,
        }
        if utility and self.utility_gains is not None:
            ug = self.utility_gains[:, k]
            out["utility_gains"] = {dm: float(ug[i]) for i, dm in enumerate(dms)}
            out["product"] = float(np.prod(ug))
        return out

    def reference_dict(self) -> dict[str, Any]:
        c = self.conflict
        return {
            "state": c.space.text(self.reference),
            "number": int(c.space.number(self.reference)),
            "status_quo": c.status_quo == self.reference,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``detente packages --format json`` (docs/packages.md)."""
        cardinal = self.utility_gains is not None
        return with_header(
            self.result_header(),
            {
                "reference": self.reference_dict(),
                "concepts": {
                    c: {
                        "label": concept_label(c),
                        "stable": int(self.stable[c].sum()),
                        "frontier": int(self.frontier[c].sum()),
                    }
                    for c in self.concepts
                },
                "acceptable": self.acceptable,
                "pareto": int(self.pareto.sum()),
                "listed": int(self.listed().size),
                "utilities": dict(self.utility_sources) if cardinal else None,
                "robustness": dict(self.robustness) if self.robustness is not None else None,
                "packages": [self._entry(int(k)) for k in self.listed()],
                "maximin": {c: self._choice(self.maximin(c), False) for c in self.concepts},
                "nash_bargaining": {
                    c: self._choice(self.nash_bargaining(c), True) for c in self.concepts
                }
                if cardinal
                else None,
                "kalai_smorodinsky": {
                    c: self._choice(self.kalai_smorodinsky(c), True) for c in self.concepts
                }
                if cardinal
                else None,
            },
        )

    def result_header(self) -> ResultHeader:
        """What was analysed: the reference as given (None: the status quo) and the limit."""
        params: dict[str, Any] = {"against": self.against, "limit": self.limit}
        if self.robustness is not None:
            params.update(self.robustness)
        return header(self.conflict, self.concepts, params)

    # ---- DataFrames --------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """The listed packages: rows = states; Pareto, then stable/frontier per concept,
        then gains per DM (and probabilities, with uncertainty)."""
        rows = self.listed()
        cols: dict[str, Any] = {"pareto": self.pareto[rows]}
        for c in self.concepts:
            cols[f"stable {concept_label(c)}"] = self.stable[c][rows]
            cols[f"frontier {concept_label(c)}"] = self.frontier[c][rows]
        for i, dm in enumerate(self.conflict.dm_names):
            cols[f"gain {dm}"] = self.gains[i, rows]
        if self.probability is not None:
            for c in self.concepts:
                cols[f"P {concept_label(c)}"] = self.probability[c][rows]
        return pd.DataFrame(cols, index=pd.Index([self.state(int(k)) for k in rows], name="state"))


__all__ = ["PackagesResult"]
