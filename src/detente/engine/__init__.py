"""The stability engine: numpy passes over integer state codes."""

from detente.engine.concepts import CONCEPT_NAMES, CONCEPTS, Engine
from detente.engine.limited import limited_move_stable

__all__ = ["CONCEPTS", "CONCEPT_NAMES", "Engine", "limited_move_stable"]
