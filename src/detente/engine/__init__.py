"""The stability engine: numpy passes over integer state codes (names imported on first use,
so that importing one engine module, e.g. the concept registry, does not import them all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente._lazy import exports

if TYPE_CHECKING:
    from detente.engine.concepts import CONCEPT_NAMES, CONCEPTS, Engine
    from detente.engine.limited import limited_move_stable

_EXPORTS = {
    "CONCEPTS": ("detente.engine.concepts", "CONCEPTS"),
    "CONCEPT_NAMES": ("detente.engine.concepts", "CONCEPT_NAMES"),
    "Engine": ("detente.engine.concepts", "Engine"),
    "limited_move_stable": ("detente.engine.limited", "limited_move_stable"),
}
__getattr__ = exports(globals(), _EXPORTS)
__all__ = ["CONCEPTS", "CONCEPT_NAMES", "Engine", "limited_move_stable"]
