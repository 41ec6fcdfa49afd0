"""The mediator's brief: one verdict per proposal on the table, in words (``analysis``; the
result in ``result``; fixes grouped in ``fixes``; profiles and flips in ``profiles``)."""

from __future__ import annotations

from detente.analyses.brief.analysis import SAMPLES, SOLUTIONS, brief
from detente.analyses.brief.fixes import Fix, FixEdit, group_edits
from detente.analyses.brief.result import Breaker, BriefResult, Enforcement, Flip, Proposal

__all__ = [
    "SAMPLES",
    "SOLUTIONS",
    "Breaker",
    "BriefResult",
    "Enforcement",
    "Fix",
    "FixEdit",
    "Flip",
    "Proposal",
    "brief",
    "group_edits",
]
