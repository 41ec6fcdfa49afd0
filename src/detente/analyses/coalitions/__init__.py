"""Coalition analysis (Inohara & Hipel 2008): joint moves every member of a coalition prefers
(the search in ``analysis``, the result in ``result``, its compact pageable JSON in ``output``)."""

from __future__ import annotations

from detente.analyses.coalitions.analysis import MoveGraph, coalition_analysis, every_coalition
from detente.analyses.coalitions.result import (
    Coalition,
    CoalitionResult,
    Step,
    dm_position,
    move_data,
    parse_coalitions,
)

__all__ = ["Coalition", "CoalitionResult", "MoveGraph", "Step", "coalition_analysis",
           "dm_position", "every_coalition", "move_data", "parse_coalitions"]
