"""The report's negotiation sections: packages (a table and the frontier chart) and drafts,
read from the case file's results (no analysis here). States read in words
(:mod:`detente.analyses.state_view`): each state dict gains a ``view`` (``words``, ``number``,
``text``, ``state``), each draft a ``pattern`` view; the Y/N strings stay secondary."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from detente.analyses.drafts import DraftsResult
from detente.analyses.packages import PackagesResult
from detente.analyses.state_view import pattern_view, string_view
from detente.engine.registry import concept_label
from detente.surfaces.report.charts import frontier_png

#: Packages drawn in the chart: the first concept's equilibria and the first packages in the
#: result's order, at most this many of each.
MAX_POINTS = 2_000


def packages_section(r: PackagesResult) -> dict[str, Any]:
    """Counts, the fair packages per concept, the listed packages and the chart (first
    concept: its frontier and equilibria against the other acceptable packages)."""
    data = r.to_dict()
    c0 = r.conflict
    for p in data["packages"]:
        p["view"] = string_view(c0, p["state"])
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
            row[key] = None if pick is None else string_view(c0, pick["state"])
        choices.append(row)
    ref = data["reference"]
    return {
        "reference": {**ref, "view": string_view(c0, ref["state"])},
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
    c = r.conflict
    for d in data["drafts"]:
        d["pattern"] = pattern_view(c, d["draft"])
        for s in d["states"]:
            s["view"] = string_view(c, s["state"])
            for near in s["nearest"].values():
                near["views"] = [string_view(c, t) for t in near["states"]]
    ref = data["reference"]
    return {
        "reference": None if ref is None else {**ref, "view": string_view(c, ref["state"])},
        "drafts": data["drafts"],
        "concepts": [{"key": c, "label": concept_label(c)} for c in r.concepts],
    }


__all__ = ["drafts_section", "packages_section"]
