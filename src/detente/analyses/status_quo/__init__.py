"""Status-quo analysis: how the conflict can evolve from a start state by improvements (and,
in ``transitions``, the graph of moves the report draws)."""

from __future__ import annotations

from detente.analyses.status_quo.analysis import DEFAULT_CONCEPTS, evolve
from detente.analyses.status_quo.result import Edge, EvolutionResult

__all__ = ["DEFAULT_CONCEPTS", "Edge", "EvolutionResult", "evolve"]
