"""detente: the Graph Model for Conflict Resolution, exact and at scale.

>>> import detente
>>> model = detente.load("examples/prisoners_dilemma.yaml")
>>> detente.analyze(model).equilibria_strings("nash")
['YY']
"""

from detente.analyses.casefile import CaseFile, build_case_file
from detente.analyses.coalitions import CoalitionResult, coalition_analysis
from detente.analyses.explain import Explanation, explain
from detente.analyses.stability import StabilityResult, analyze
from detente.analyses.status_quo import EvolutionResult, evolve
from detente.formats import load_model as load
from detente.formats import save_model as save
from detente.model import (
    Conflict,
    DecisionMaker,
    DetenteError,
    ModelError,
    ModelTooLargeError,
    Option,
)

__all__ = [
    "CaseFile",
    "CoalitionResult",
    "Conflict",
    "DecisionMaker",
    "DetenteError",
    "EvolutionResult",
    "Explanation",
    "ModelError",
    "ModelTooLargeError",
    "Option",
    "StabilityResult",
    "analyze",
    "build_case_file",
    "coalition_analysis",
    "evolve",
    "explain",
    "load",
    "save",
]
__version__ = "0.1.0"
