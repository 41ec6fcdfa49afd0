"""Stability analysis: which states are stable for whom under each solution concept."""

from __future__ import annotations

from detente.analyses.stability.analysis import Progress, analyze
from detente.analyses.stability.result import StabilityResult, display_ranks
from detente.analyses.stability.views import EquilibriumViews

__all__ = ["EquilibriumViews", "Progress", "StabilityResult", "analyze", "display_ranks"]
