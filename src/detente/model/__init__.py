"""The conflict model (option form) and its validation (names imported on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente._lazy import exports

if TYPE_CHECKING:
    from detente.model.conflict import Conflict, DecisionMaker, Direction, Option
    from detente.model.errors import (
        AnalysisError,
        ArgumentError,
        DetenteError,
        ModelError,
        ModelTooLargeError,
    )
    from detente.model.feasibility import (
        AtLeastOne,
        Constraint,
        InfeasiblePattern,
        MutuallyExclusive,
    )
    from detente.model.preferences import (
        PayoffPreference,
        Preference,
        RankingPreference,
        Statement,
        StatementPreference,
    )
    from detente.model.statements import parse_statement

_MODULES = {
    "detente.model.conflict": ("Conflict", "DecisionMaker", "Direction", "Option"),
    "detente.model.errors": ("AnalysisError", "ArgumentError", "DetenteError", "ModelError",
                             "ModelTooLargeError"),
    "detente.model.feasibility": ("AtLeastOne", "Constraint", "InfeasiblePattern",
                                  "MutuallyExclusive"),
    "detente.model.preferences": ("PayoffPreference", "Preference", "RankingPreference",
                                  "Statement", "StatementPreference"),
    "detente.model.statements": ("parse_statement",),
}
_EXPORTS = {name: (module, name) for module, names in _MODULES.items() for name in names}
__getattr__ = exports(globals(), _EXPORTS)
__all__ = [
    "AnalysisError", "ArgumentError", "AtLeastOne", "Conflict", "Constraint", "DecisionMaker",
    "DetenteError", "Direction", "InfeasiblePattern", "ModelError", "ModelTooLargeError",
    "MutuallyExclusive", "Option", "PayoffPreference", "Preference", "RankingPreference",
    "Statement", "StatementPreference", "parse_statement",
]
