"""Drafts of a single negotiating text: vetoes, whether each holds and for whom not, and the
nearest improvements (``analysis``; option changes in ``distance``; the result in
``result``)."""

from __future__ import annotations

from detente.analyses.drafts.analysis import MAX_NEAREST, MAX_STATES, drafts
from detente.analyses.drafts.distance import option_changes
from detente.analyses.drafts.result import DraftResult, DraftsResult, DraftState

__all__ = [
    "MAX_NEAREST",
    "MAX_STATES",
    "DraftResult",
    "DraftState",
    "DraftsResult",
    "drafts",
    "option_changes",
]
