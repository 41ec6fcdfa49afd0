"""What-if: the brief of the model edited by a scenario (``analysis``; the scenario's shape
in ``scenario``; what a scenario can change in ``toggles``)."""

from __future__ import annotations

from detente.analyses.whatif.analysis import MAIN, apply_scenario, permutation_index, whatif
from detente.analyses.whatif.scenario import MAX_ENTRIES, Scenario, parse_scenario
from detente.analyses.whatif.toggles import DMElements, Elements, GroupChoice, elements

__all__ = [
    "MAIN",
    "MAX_ENTRIES",
    "DMElements",
    "Elements",
    "GroupChoice",
    "Scenario",
    "apply_scenario",
    "elements",
    "parse_scenario",
    "permutation_index",
    "whatif",
]
