"""First-level hypergames: each party's view, hypergame equilibria, surprises, corrections."""

from __future__ import annotations

from detente.analyses.hypergame.analysis import hypergame
from detente.analyses.hypergame.result import CorrectionResult, HypergameResult
from detente.analyses.hypergame.views import (
    Correction,
    View,
    perceived_views,
    single_corrections,
    view_conflict,
    view_for_state,
)

__all__ = [
    "Correction",
    "CorrectionResult",
    "HypergameResult",
    "View",
    "hypergame",
    "perceived_views",
    "single_corrections",
    "view_conflict",
    "view_for_state",
]
