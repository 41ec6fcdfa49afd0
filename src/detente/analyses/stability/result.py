"""The result of stability analysis: individual stability (DMs x states) per concept, with its
views and DataFrame."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analyses.contract import ResultHeader, header, with_header
from detente.analyses.stability.views import EquilibriumViews
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

if TYPE_CHECKING:  # pandas is imported where a frame is built: analyze starts fast
    import pandas as pd


@dataclass(frozen=True)
class StabilityResult(EquilibriumViews):
    """Individual stability (DMs x states) per concept, with the views of
    :class:`~detente.analyses.stability.views.EquilibriumViews` (codes, numbers, Y/N strings)."""

    conflict: Conflict
    stable: dict[str, np.ndarray]  # concept -> (DMs, states) bool
    #: How it was computed (the header of :meth:`to_dict`); None: built from the above.
    computed: ResultHeader | None = field(default=None, compare=False)

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(self.stable)

    def stability(self, concept: str) -> np.ndarray:
        if concept not in self.stable:
            raise AnalysisError(
                f"concept {concept!r} was not analysed; analysed: {', '.join(self.stable)}"
            )
        return self.stable[concept]

    def stable_for(self, concept: str, dm: str | int) -> list[int]:
        """Codes of the states stable for ``dm`` (= :meth:`stable_codes`)."""
        return self.stable_codes(concept, dm)

    # ---- views ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data: options, DMs, and per concept the equilibria and per-DM stable states."""
        c = self.conflict
        concepts: dict[str, Any] = {}
        for concept, mask in self.stable.items():
            concepts[concept] = {
                "equilibria": self.equilibria_strings(concept),
                "stable_for": {
                    dm: [c.state_string(int(x)) for x in c.feasible[mask[i]]]
                    for i, dm in enumerate(c.dm_names)
                },
            }
        return {**self.header(), "concepts": concepts}

    def result_header(self) -> ResultHeader:
        """What was analysed and how (:class:`~detente.analyses.contract.ResultHeader`)."""
        return self.computed or header(self.conflict, self.concepts)

    def header(self) -> dict[str, Any]:
        """The keys of :meth:`to_dict` but ``concepts``' data: the result header (its
        ``concepts`` replaced in place by the per-concept data), then the DMs, number of
        states and status quo (shared with the streamed JSON of
        :func:`detente.surfaces.outputs.state_table.iter_json`)."""
        c = self.conflict
        return with_header(self.result_header(), {
            "dms": list(c.dm_names),
            "n_states": c.n_states,
            "status_quo": None if c.status_quo is None else c.state_string(c.status_quo),
        })

    def frame(self) -> pd.DataFrame:
        """One row per feasible state: Y/N per option, each DM's rank (1 = best), and a
        column per concept that is True at equilibria."""
        import pandas as pd

        c = self.conflict
        data: dict[str, Any] = {"state": c.feasible.astype(np.int64)}
        for col in c.space.columns:  # Y/N, or a levelled option's level
            data[col.name] = c.space.column_values(col, c.feasible)
        for i, dm in enumerate(c.dm_names):
            data[f"rank {dm}"] = display_ranks(c.ranks[i])
        for concept in self.stable:
            data[concept_label(concept)] = self.equilibrium_mask(concept)
        df = pd.DataFrame(data, index=pd.RangeIndex(1, c.n_states + 1, name="number"))
        return df

    def _repr_html_(self) -> str:
        df = self.frame()
        return f"<h4>{self.conflict.name}: stability</h4>" + df.to_html()


def display_ranks(ranks: np.ndarray) -> np.ndarray:
    """1 = most preferred; tied states share a rank (dense). Works on one DM's ranks or on a
    (DMs, states) array, row by row.

    >>> display_ranks(np.array([0, 2, 1, 2])).tolist()
    [3, 1, 2, 1]
    """
    if ranks.size == 0:
        return ranks.astype(np.int64)
    top = ranks.max(axis=-1, keepdims=True)
    return np.asarray(top - ranks + 1, dtype=np.int64)


__all__ = ["StabilityResult", "display_ranks"]
