"""The model as people read it: parties, options, preferences, constraints and state table."""

from __future__ import annotations

from detente.analyses.summary.analysis import model_data, model_summary, preference_data
from detente.analyses.summary.result import (
    ConstraintInfo,
    DMInfo,
    ModelSummary,
    OptionInfo,
    StateRow,
    StatusQuoInfo,
)

__all__ = ["ConstraintInfo", "DMInfo", "ModelSummary", "OptionInfo", "StateRow", "StatusQuoInfo",
           "model_data", "model_summary", "preference_data"]
