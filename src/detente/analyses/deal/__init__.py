"""Phased deals: does a deal enforce itself phase by phase, who is exposed after irreversible
steps, and which guarantee repairs it."""

from __future__ import annotations

from detente.analyses.deal.analysis import deal_analysis
from detente.analyses.deal.design import deal_design
from detente.analyses.deal.result import (
    DealAnalysis,
    Design,
    DesignResult,
    Exposure,
    Foresight,
    ForesightMover,
    ForesightStep,
    GuaranteeResult,
    MoverCheck,
    PhaseMediation,
    PhaseResult,
    Setting,
    Step,
    Temptation,
)

__all__ = ["DealAnalysis", "Design", "DesignResult", "Exposure", "Foresight", "ForesightMover",
           "ForesightStep", "GuaranteeResult", "MoverCheck", "PhaseMediation", "PhaseResult",
           "Setting", "Step", "Temptation", "deal_analysis", "deal_design"]
