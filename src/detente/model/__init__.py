"""The conflict model (option form) and its validation."""

from detente.model.conflict import Conflict, DecisionMaker, Direction, Option
from detente.model.errors import (
    AnalysisError,
    ArgumentError,
    DetenteError,
    ModelError,
    ModelTooLargeError,
)
from detente.model.feasibility import AtLeastOne, Constraint, InfeasiblePattern, MutuallyExclusive
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
)
from detente.model.statements import parse_statement

__all__ = [
    "AnalysisError", "ArgumentError", "AtLeastOne", "Conflict", "Constraint", "DecisionMaker",
    "DetenteError",
    "Direction", "InfeasiblePattern", "ModelError", "ModelTooLargeError", "MutuallyExclusive",
    "Option", "PayoffPreference", "Preference", "RankingPreference", "Statement",
    "StatementPreference", "parse_statement",
]
