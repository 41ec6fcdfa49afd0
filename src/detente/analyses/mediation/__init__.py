"""Mediation design (inverse GMCR): what would make a target deal hold, and for whom (the
analysis in ``analysis``; requirements, edits, levers, local checks and the search in their own
modules; the result in ``result``)."""

from __future__ import annotations

from detente.analyses.mediation.analysis import (
    DEFAULT_CONCEPTS,
    check_work,
    mediate,
    resolve_targets,
)
from detente.analyses.mediation.result import MediationResult, Solution, SolutionEdit
from detente.analyses.mediation.search import SearchTooLarge

__all__ = ["DEFAULT_CONCEPTS", "MediationResult", "SearchTooLarge", "Solution", "SolutionEdit",
           "check_work", "mediate", "resolve_targets"]
