"""The local stability checks mediation uses: :mod:`detente.engine.local_checks` (the
concepts' registered ``"local"`` backend, in the engine)."""

from __future__ import annotations

from detente.engine.local_checks import (
    MAX_LOCAL_WORK,
    MAX_SIM_RESPONSES,
    OWN_ONLY,
    Columns,
    LocalChecks,
    local_work,
    needed,
)

__all__ = [
    "MAX_LOCAL_WORK", "MAX_SIM_RESPONSES", "OWN_ONLY", "Columns", "LocalChecks", "local_work",
    "needed",
]
