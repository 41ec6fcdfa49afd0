"""Explanations: why a state is (not) stable for each DM, with improvements and sanctions
(data in ``result``, the sanction search in ``search``, sentences in ``wording``)."""

from __future__ import annotations

from detente.analyses.explain.analysis import explain, resolve_concepts, resolve_dms, resolve_state
from detente.analyses.explain.result import (
    Change,
    ConceptVerdict,
    DMExplanation,
    ExplainError,
    Explanation,
    ImprovementCheck,
    Sanction,
)

__all__ = ["Change", "ConceptVerdict", "DMExplanation", "ExplainError", "Explanation",
           "ImprovementCheck", "Sanction", "explain", "resolve_concepts", "resolve_dms",
           "resolve_state"]
