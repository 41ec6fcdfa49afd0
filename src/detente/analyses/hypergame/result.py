"""The result of hypergame analysis: views, hypergame equilibria, surprises, corrections."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.analyses.contract import ResultHeader, header, with_header
from detente.analyses.hypergame.views import Correction
from detente.analyses.stability.views import EquilibriumViews
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError


@dataclass(frozen=True)
class CorrectionResult:
    """One correction and the perceiver's stability (per concept, bool per state) in its
    corrected view; the other DMs' views are unchanged."""

    correction: Correction
    perceiver_stable: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class HypergameResult(EquilibriumViews):
    """``views[c]``: (perceivers, DMs, N) stability of every DM in every DM's view; ``stable``
    (the :class:`EquilibriumViews` views): DM i's row of its own view, the hypergame."""

    conflict: Conflict
    concepts: tuple[str, ...]
    views: Mapping[str, np.ndarray]
    corrections: tuple[CorrectionResult, ...]
    target: np.ndarray | None = None  # bool per state: matches the target
    computed: ResultHeader | None = field(default=None, compare=False)

    @property
    def stable(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """concept -> (DMs, N): stable for DM i in i's own view."""
        idx = np.arange(len(self.conflict.dms))
        return {c: v[idx, idx] for c, v in self.views.items()}

    def stability(self, concept: str) -> np.ndarray:
        if concept not in self.views:
            raise AnalysisError(
                f"concept {concept!r} was not analysed; analysed: {', '.join(self.concepts)}"
            )
        return self.stable[concept]

    # ---- derived --------------------------------------------------------------------------
    def view_equilibria(self, dm: str | int, concept: str) -> np.ndarray:
        """Bool per state: an equilibrium of ``dm``'s view (what ``dm`` expects)."""
        self.stability(concept)
        return np.asarray(self.views[concept][self._dm(dm)].all(axis=0))

    def surprises(self, concept: str) -> list[tuple[int, tuple[str, ...]]]:
        """(position, the DMs expecting it) of each state some DM's view holds stable that is
        not a hypergame equilibrium."""
        hyper = self.equilibrium_mask(concept)
        names = self.conflict.dm_names
        expected = np.stack([self.view_equilibria(i, concept) for i in range(len(names))])
        out = []
        for s in np.flatnonzero(expected.any(axis=0) & ~hyper):
            out.append((int(s), tuple(names[i] for i in np.flatnonzero(expected[:, s]))))
        return out

    def corrected_equilibria(self, k: int, concept: str) -> np.ndarray:
        """Bool per state: hypergame equilibria after correction ``k``."""
        fix = self.corrections[k]
        rows = self.stability(concept).copy()
        rows[self.conflict.dm_index(fix.correction.perceiver)] = fix.perceiver_stable[concept]
        return np.asarray(rows.all(axis=0))

    def target_reached(self, k: int | None = None) -> bool | None:
        """Whether, under every concept, some target state is a hypergame equilibrium (after
        correction ``k``; None: as perceived now). None when there is no target."""
        if self.target is None:
            return None
        for c in self.concepts:
            eq = self.equilibrium_mask(c) if k is None else self.corrected_equilibria(k, c)
            if not (eq & self.target).any():
                return False
        return True

    # ---- plain data -----------------------------------------------------------------------
    def _texts(self, mask: np.ndarray) -> list[str]:
        c = self.conflict
        return [c.state_string(int(x)) for x in c.feasible[mask]]

    def result_header(self) -> ResultHeader:
        return self.computed or header(self.conflict, self.concepts)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: header, views, equilibria, surprises, target, corrections."""
        c = self.conflict
        names = c.dm_names
        return with_header(
            self.result_header(),
            {
                "views": {
                    dm: {k: self._texts(self.view_equilibria(i, k)) for k in self.concepts}
                    for i, dm in enumerate(names)
                },
                "equilibria": {k: self._texts(self.equilibrium_mask(k)) for k in self.concepts},
                "surprises": {
                    k: [
                        {"state": c.state_string(int(c.feasible[s])), "expected_by": list(who)}
                        for s, who in self.surprises(k)
                    ]
                    for k in self.concepts
                },
                "target_reached": self.target_reached(),
                "corrections": [
                    {
                        "perceiver": fix.correction.perceiver,
                        "about": fix.correction.about,
                        "option": fix.correction.option,
                        "advice": fix.correction.words(c),
                        "equilibria": {
                            k: self._texts(self.corrected_equilibria(j, k)) for k in self.concepts
                        },
                        "target_reached": self.target_reached(j),
                    }
                    for j, fix in enumerate(self.corrections)
                ],
            },
        )


__all__ = ["CorrectionResult", "HypergameResult"]
