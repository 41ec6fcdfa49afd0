"""The result of robustness analysis: probabilities under uncertain preferences, as plain data and
DataFrames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from detente.analyses.contract import ResultHeader, header, with_header
from detente.analyses.robustness.profiles import Element
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict

#: Leading states shown per concept in the sensitivity table and the report chart.
LEADING = 5
#: Summed probabilities within this of α count as reaching it (floating-point sums).
_TOLERANCE = 1e-9


# ---- the result ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RobustnessResult:
    """Probabilities under uncertain preferences, with DataFrame views (see
    :mod:`detente.analyses.robustness.analysis`)."""

    conflict: Conflict
    concepts: tuple[str, ...]
    profiles: int  # size of the profile space
    samples: int  # profiles analysed
    distinct: int  # different profiles among them (each evaluated once)
    exact: bool
    seed: int | None
    equilibrium: dict[str, np.ndarray]  # concept -> (N,) probability
    stable: dict[str, np.ndarray]  # concept -> (DMs, N)
    elements: tuple[Element, ...]
    setting_mass: np.ndarray  # (settings,) probability of each setting
    by_setting: dict[str, np.ndarray]  # concept -> (settings, N) joint probability
    reaches: np.ndarray | None  # (N,) or None without a status quo
    #: ``at_least`` α: the JSON also lists, per concept and DM, the states with P(stable) ≥ α.
    at_least: float | None = None
    #: Probabilistic concept (``gmr@0.8/0.3``) -> (DMs, N) stability, judged on the pairwise
    #: preference probabilities of the analysed profiles (exact or estimated with them).
    probabilistic: dict[str, np.ndarray] = field(default_factory=dict)

    # ---- plain data ----------------------------------------------------------------------
    def _states(self) -> list[str]:
        c = self.conflict
        return [str(x) for x in c.space.texts(c.feasible).tolist()]  # vectorised

    def equilibrium_probability(self, concept: str) -> dict[str, float]:
        """State string -> P(equilibrium), for every state with p > 0, most likely first."""
        p = self.equilibrium[concept]
        order = sorted(np.flatnonzero(p > 0).tolist(), key=lambda k: (-p[k], k))
        names = self._states()
        return {names[k]: float(p[k]) for k in order}

    def leading(self, concept: str, k: int = LEADING) -> list[int]:
        """Positions of the k most probable equilibria under a concept (p > 0)."""
        p = self.equilibrium[concept]
        order = sorted(np.flatnonzero(p > 0).tolist(), key=lambda s: (-p[s], s))
        return order[:k]

    def status_quo(self) -> dict[str, Any] | None:
        """The status quo's fate: P(equilibrium) per concept; P(evolution reaches each state)."""
        c = self.conflict
        if c.status_quo is None or self.reaches is None:
            return None
        sq = int(c.index_of(c.status_quo)[0])
        names = self._states()
        reach = self.reaches
        order = sorted(np.flatnonzero(reach > 0).tolist(), key=lambda k: (-reach[k], k))
        return {
            "state": names[sq],
            "equilibrium_probability": {k: float(v[sq]) for k, v in self.equilibrium.items()},
            "reaches": {names[k]: float(reach[k]) for k in order},
        }

    def sensitivity(
        self, concept: str | None = None, states: Sequence[str | int] | None = None
    ) -> list[dict[str, Any]]:
        """Per uncertain element: for each setting, its probability and the conditional
        probability of each leading state (or of each of ``states``: Y/N strings or numbers)
        being an equilibrium — ``None`` when no analysed profile has the setting (probability
        0: never drawn, or impossible), since a probability conditional on it is undefined;
        ``swing`` = the largest change across the settings that occur, over those states.
        Sorted by swing, largest first."""
        concept = concept or self.concepts[0]
        names = self._states()
        c = self.conflict
        lead = (self.leading(concept) if states is None
                else [int(c.index_of(c.parse_state(x))[0]) for x in states])
        out: list[dict[str, Any]] = []
        offset = 0
        for e in self.elements:
            rows = []
            conds: list[np.ndarray] = []
            for k, label in enumerate(e.settings):
                mass = float(self.setting_mass[offset + k])
                given: dict[str, float | None]
                if mass > 0:
                    cond = self.by_setting[concept][offset + k, lead] / mass
                    conds.append(cond)
                    given = {names[s]: float(v) for s, v in zip(lead, cond, strict=True)}
                else:  # no analysed profile has this setting: the conditional is undefined
                    given = dict.fromkeys((names[s] for s in lead), None)
                rows.append({"setting": label, "probability": mass,
                             "equilibrium_probability": given})
            offset += len(e.settings)
            swing = 0.0
            if len(conds) > 1 and lead:
                arr = np.stack(conds)
                swing = float((arr.max(axis=0) - arr.min(axis=0)).max())
            out.append({"dm": e.dm, "element": e.label, "swing": swing, "settings": rows})
        out.sort(key=lambda d: -d["swing"])
        return out

    def stable_at_least(self, alpha: float) -> dict[str, dict[str, list[str]]]:
        """Concept -> DM -> the states stable for that DM with probability at least ``alpha``
        (Y/N strings, most likely first): "stable with probability at least α"."""
        names = self._states()
        out: dict[str, dict[str, list[str]]] = {}
        for k in self.concepts:
            st = self.stable[k]
            out[k] = {}
            for i, dm in enumerate(self.conflict.dm_names):
                p = st[i]
                hit = np.flatnonzero(p >= alpha - _TOLERANCE).tolist()
                out[k][dm] = [names[s] for s in sorted(hit, key=lambda s: (-p[s], s))]
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``detente robustness --format json``."""
        c = self.conflict
        names = self._states()
        concepts: dict[str, Any] = {}
        for k in self.concepts:
            st = self.stable[k]
            concepts[k] = {
                "label": concept_label(k),
                "equilibrium_probability": self.equilibrium_probability(k),
                "stable_probability": {
                    dm: {names[s]: float(st[i, s]) for s in np.flatnonzero(st[i] > 0).tolist()}
                    for i, dm in enumerate(c.dm_names)
                },
            }
        return with_header(self.result_header(), {
            "profiles": self.profiles,
            "samples": self.samples,
            "distinct": self.distinct,
            "exact": self.exact,
            "seed": self.seed,
            "concepts": concepts,
            "status_quo": self.status_quo(),
            "sensitivity": {k: self.sensitivity(k) for k in self.concepts},
            **({} if self.at_least is None else {"at_least": {
                "alpha": self.at_least, "stable": self.stable_at_least(self.at_least)}}),
            **({} if not self.probabilistic else {"probabilistic": self.probabilistic_dict()}),
        })

    def probabilistic_dict(self) -> dict[str, Any]:
        """Per probabilistic concept: label, equilibria and the states stable for each DM (Y/N
        strings), and whether the pairwise probabilities were exact or estimated."""
        names = self._states()
        out: dict[str, Any] = {}
        for k, st in self.probabilistic.items():
            out[k] = {
                "label": concept_label(k),
                "probabilities": "exact" if self.exact else "estimated",
                "equilibria": [names[s] for s in np.flatnonzero(st.all(axis=0)).tolist()],
                "stable_for": {dm: [names[s] for s in np.flatnonzero(st[i]).tolist()]
                               for i, dm in enumerate(self.conflict.dm_names)},
            }
        return out

    def result_header(self) -> ResultHeader:
        """What was analysed and how: samples drawn, seed used, exact or not."""
        return header(self.conflict, self.concepts,
                      {"samples": self.samples, "seed": self.seed, "exact": self.exact})

    # ---- DataFrames ----------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """Rows = states, a column of P(equilibrium) per concept."""
        return pd.DataFrame(
            {concept_label(k): self.equilibrium[k] for k in self.concepts},
            index=pd.Index(self._states(), name="state"),
        )

    def stability_frame(self, concept: str) -> pd.DataFrame:
        """Rows = states, a column per DM: P(stable for that DM) under a concept."""
        st = self.stable[concept]
        return pd.DataFrame(
            {dm: st[i] for i, dm in enumerate(self.conflict.dm_names)},
            index=pd.Index(self._states(), name="state"),
        )

    def sensitivity_frame(self, concept: str | None = None) -> pd.DataFrame:
        """One row per (element, setting, leading state): conditional P(equilibrium)."""
        rows = [
            {"dm": e["dm"], "element": e["element"], "swing": e["swing"],
             "setting": s["setting"], "setting_probability": s["probability"],
             "state": state, "probability": p}
            for e in self.sensitivity(concept)
            for s in e["settings"]
            for state, p in s["equilibrium_probability"].items()
        ]
        return pd.DataFrame(rows)


__all__ = ["LEADING", "RobustnessResult"]
