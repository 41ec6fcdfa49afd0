"""The registered ``states`` backend of the strength-of-preference concepts (strong_gmr, ...,
weak_seq): :class:`~detente.engine.concepts.Engine`, vectorised over states (the
computation is :mod:`detente.engine.strength`). Imported by the registry (``PROVIDERS``)."""

from __future__ import annotations

import numpy as np

from detente.engine.registry import STRENGTH_CONCEPTS, get_concept, register_backend
from detente.model.conflict import Conflict


@register_backend(STRENGTH_CONCEPTS, "states", "engine")
def states_engine(conflict: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool: every state's strong or weak stability per DM, vectorised."""
    from detente.engine.concepts import Engine

    return Engine(conflict).stable(get_concept(key).key)


__all__ = ["states_engine"]
