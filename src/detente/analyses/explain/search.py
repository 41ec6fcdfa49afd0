"""The sanction searches explanations use: :class:`~detente.engine.witness.SanctionSearch`
(the concepts' registered ``"witness"`` backend, in the engine)."""

from __future__ import annotations

from detente.engine.witness import SanctionSearch

__all__ = ["SanctionSearch"]
