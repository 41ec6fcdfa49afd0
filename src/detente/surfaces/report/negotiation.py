"""The report's negotiation sections: packages (a table and the frontier chart) and drafts,
read from the case file's results (no analysis here)."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from detente.analyses.drafts import DraftsResult
from detente.analyses.packages import PackagesResult
from detente.engine.registry import concept_label
from detente.surfaces.report.charts import frontier_png

#: Packages drawn in the chart: the first concept's equilibria and the first packages in the
#: result's order, at most this many of each.
MAX_POINTS = 2_000


def packages_section(r: PackagesResult) -> dict[str, Any]:
    """Counts, the fair packages per concept, the listed packages and the chart (first
    concept: its frontier and equilibria against the other acceptable packages)."""
    data = r.to_dict()
    first = r.concepts[0]
    kind = np.where(r.frontier[first], "frontier", np.where(r.stable[first], "stable", "other"))
    chart = None
    if r.acceptable and r.gains.shape[0]:
        held = np.flatnonzero(r.stable[first])[:MAX_POINTS]
        shown = np.union1d(held, r.order[:MAX_POINTS])
        g = r.gains[:, shown]
        png = frontier_png(
            g.min(axis=0).tolist(),
            g.mean(axis=0).tolist(),
            kind[shown].tolist(),
            [r.state(int(k)) for k in shown],
            f"Acceptable packages ({concept_label(first)})",
        )
        chart = base64.b64encode(png).decode("ascii")
    choices = []
    for c in r.concepts:
        row = {
            "label": concept_label(c),
            "stable": data["concepts"][c]["stable"],
            "frontier": data["concepts"][c]["frontier"],
        }
        for key in ("maximin", "nash_bargaining", "kalai_smorodinsky"):
            pick = data[key][c] if data[key] is not None else None
            row[key] = None if pick is None else pick["state"]
        choices.append(row)
    return {
        "reference": data["reference"],
        "acceptable": data["acceptable"],
        "pareto": data["pareto"],
        "cardinal": data["utilities"] is not None,
        "labels": [concept_label(c) for c in r.concepts],
        "concepts": list(r.concepts),
        "choices": choices,
        "packages": data["packages"],
        "dms": list(r.conflict.dm_names),
        "uncertain": r.probability is not None,
        "chart": chart,
    }


def drafts_section(r: DraftsResult) -> dict[str, Any]:
    """Draft by draft, the analysed states with vetoes, verdicts and nearest improvements."""
    data = r.to_dict()
    return {
        "reference": data["reference"],
        "drafts": data["drafts"],
        "concepts": [{"key": c, "label": concept_label(c)} for c in r.concepts],
    }


__all__ = ["drafts_section", "packages_section"]
