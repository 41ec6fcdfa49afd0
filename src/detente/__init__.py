"""detente: the Graph Model for Conflict Resolution, exact and at scale.

>>> import detente
>>> model = detente.load("examples/prisoners_dilemma.yaml")
>>> detente.analyze(model).equilibria_strings("nash")
['YY']

The names below are imported on first use (see :mod:`detente._lazy`), so ``import detente``
is quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente._lazy import exports

if TYPE_CHECKING:
    from detente.analyses.brief import BriefResult, brief
    from detente.analyses.casefile import CaseFile, build_case_file
    from detente.analyses.coalitions import CoalitionResult, coalition_analysis
    from detente.analyses.deal import DealAnalysis, DesignResult, deal_analysis, deal_design
    from detente.analyses.drafts import DraftsResult, drafts
    from detente.analyses.explain import Explanation, explain
    from detente.analyses.hypergame import HypergameResult, hypergame
    from detente.analyses.mediation import MediationResult, mediate
    from detente.analyses.packages import PackagesResult, packages
    from detente.analyses.robustness import RobustnessResult, robustness
    from detente.analyses.stability import StabilityResult, analyze
    from detente.analyses.status_quo import EvolutionResult, evolve
    from detente.formats import load_model as load
    from detente.formats import save_model as save
    from detente.model import (
        ArgumentError,
        Conflict,
        DecisionMaker,
        DetenteError,
        ModelError,
        ModelTooLargeError,
        Option,
    )

_EXPORTS = {
    "CaseFile": ("detente.analyses.casefile", "CaseFile"),
    "build_case_file": ("detente.analyses.casefile", "build_case_file"),
    "CoalitionResult": ("detente.analyses.coalitions", "CoalitionResult"),
    "coalition_analysis": ("detente.analyses.coalitions", "coalition_analysis"),
    "DealAnalysis": ("detente.analyses.deal", "DealAnalysis"),
    "deal_analysis": ("detente.analyses.deal", "deal_analysis"),
    "DesignResult": ("detente.analyses.deal", "DesignResult"),
    "deal_design": ("detente.analyses.deal", "deal_design"),
    "Explanation": ("detente.analyses.explain", "Explanation"),
    "explain": ("detente.analyses.explain", "explain"),
    "HypergameResult": ("detente.analyses.hypergame", "HypergameResult"),
    "hypergame": ("detente.analyses.hypergame", "hypergame"),
    "BriefResult": ("detente.analyses.brief", "BriefResult"),
    "brief": ("detente.analyses.brief", "brief"),
    "MediationResult": ("detente.analyses.mediation", "MediationResult"),
    "mediate": ("detente.analyses.mediation", "mediate"),
    "PackagesResult": ("detente.analyses.packages", "PackagesResult"),
    "packages": ("detente.analyses.packages", "packages"),
    "DraftsResult": ("detente.analyses.drafts", "DraftsResult"),
    "drafts": ("detente.analyses.drafts", "drafts"),
    "RobustnessResult": ("detente.analyses.robustness", "RobustnessResult"),
    "robustness": ("detente.analyses.robustness", "robustness"),
    "StabilityResult": ("detente.analyses.stability", "StabilityResult"),
    "analyze": ("detente.analyses.stability", "analyze"),
    "EvolutionResult": ("detente.analyses.status_quo", "EvolutionResult"),
    "evolve": ("detente.analyses.status_quo", "evolve"),
    "load": ("detente.formats", "load_model"),
    "save": ("detente.formats", "save_model"),
    "ArgumentError": ("detente.model.errors", "ArgumentError"),
    "Conflict": ("detente.model.conflict", "Conflict"),
    "DecisionMaker": ("detente.model.conflict", "DecisionMaker"),
    "DetenteError": ("detente.model.errors", "DetenteError"),
    "ModelError": ("detente.model.errors", "ModelError"),
    "ModelTooLargeError": ("detente.model.errors", "ModelTooLargeError"),
    "Option": ("detente.model.conflict", "Option"),
}
__getattr__ = exports(globals(), _EXPORTS)
__all__ = [
    "ArgumentError",
    "BriefResult",
    "CaseFile",
    "CoalitionResult",
    "Conflict",
    "DealAnalysis",
    "DecisionMaker",
    "DesignResult",
    "DetenteError",
    "DraftsResult",
    "EvolutionResult",
    "Explanation",
    "HypergameResult",
    "MediationResult",
    "ModelError",
    "ModelTooLargeError",
    "Option",
    "PackagesResult",
    "RobustnessResult",
    "StabilityResult",
    "analyze",
    "brief",
    "build_case_file",
    "coalition_analysis",
    "deal_analysis",
    "deal_design",
    "drafts",
    "evolve",
    "explain",
    "hypergame",
    "load",
    "mediate",
    "packages",
    "robustness",
    "save",
]
__version__ = "0.1.0"
