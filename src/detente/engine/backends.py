"""The registered backends of the solution concepts (:mod:`detente.engine.registry`).

Each function adapts one implementation to its kind's signature (see the registry's module
docstring) and registers it for every standard concept it computes:

* ``states``/``engine``: :class:`~detente.engine.concepts.Engine` (vectorised over states);
* ``profiles``/``compiled`` and ``profiles``/``stacked``: :func:`~detente.engine.batch.
  stable_batch` with its compiled per-profile pass, or with the stacked engine only;
* ``local``/``checks``: :class:`~detente.engine.local_checks.LocalChecks` (mediation);
* ``witness``/``search``: :meth:`~detente.engine.witness.SanctionSearch.witness`
  (explanations);
* ``states``/``probabilistic``: the probabilistic family's members at α = β = γ = 0.5
  (:data:`PROBABILISTIC_CHECKED`, :mod:`detente.engine.probabilistic`).

Implementations are imported when first run, so importing this module (which the registry
does on the first :func:`~detente.engine.registry.backends` call) stays cheap.
"""

from __future__ import annotations

import numpy as np

from detente.engine.registry import (
    CONCEPTS,
    PROBABILISTIC_BASES,
    UNKNOWN_KEYS,
    probabilistic,
    register_backend,
)
from detente.model.conflict import Conflict

# the witness search caches moves per model: one search per conflict object, the latest only
_SEARCH: dict[int, object] = {}


@register_backend(CONCEPTS, "states", "engine")
def states_engine(conflict: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool: every state's stability per DM, vectorised."""
    from detente.engine.concepts import Engine

    return Engine(conflict).stable(key)


@register_backend(CONCEPTS, "profiles", "compiled")
def profiles_compiled(conflict: Conflict, ranks: np.ndarray, key: str) -> np.ndarray:
    """(P, DMs, N) bool under each profile of ``ranks``: the compiled per-profile pass where
    the concept needs every DM's ranks, the stacked engine elsewhere."""
    from detente.engine.batch import stable_batch

    return stable_batch(conflict, ranks, [key], method="compiled")[key]


@register_backend(CONCEPTS, "profiles", "stacked")
def profiles_stacked(conflict: Conflict, ranks: np.ndarray, key: str) -> np.ndarray:
    """(P, DMs, N) bool under each profile of ``ranks``, on the stacked engine only."""
    from detente.engine.batch import stable_batch

    return stable_batch(conflict, ranks, [key], method="stacked")[key]


@register_backend(CONCEPTS, "local", "checks")
def local_checks(conflict: Conflict, targets: list[int], key: str) -> np.ndarray:
    """(targets, DMs) bool: stability at the target positions from local information."""
    from detente.engine.local_checks import LocalChecks

    local = LocalChecks(conflict, list(targets), (key,))
    bits = local.bits_from_ranks(conflict.ranks)
    rows = {j: b[None, :] for j, b in bits.items()}
    return np.stack([local.stable(rows, k)[key][0] for k in range(len(local.targets))])


@register_backend(CONCEPTS, "witness", "search")
def witness_search(conflict: Conflict, key: str, i: int, s: int, s1: int) -> object | None:
    """What deters DM i's UI s -> s1 under ``key`` (positions), ``None`` when it stands."""
    from detente.engine.witness import SanctionSearch

    search = _SEARCH.get(id(conflict))
    if not isinstance(search, SanctionSearch) or search.c is not conflict:
        _SEARCH.clear()
        search = _SEARCH[id(conflict)] = SanctionSearch(conflict)
    return search.witness(key, i, s, s1)


@register_backend(UNKNOWN_KEYS, "states", "unknown")
def states_unknown(conflict: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool with unknown preferences: the engine's dense relations
    (:mod:`detente.engine.unknown`; small models only)."""
    from detente.engine.concepts import Engine

    return Engine(conflict).stable(key)


#: The members of the probabilistic family (Rêgo & dos Santos 2015) the battery runs: α = β =
#: γ = 0.5, which on a model without declared uncertainty are the classic concepts.
PROBABILISTIC_CHECKED: tuple[str, ...] = tuple(
    probabilistic(base, [0.5]).key for base in PROBABILISTIC_BASES)


@register_backend(PROBABILISTIC_CHECKED, "states", "probabilistic")
def states_probabilistic(conflict: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool under a probabilistic concept: the engine's dense pairwise pass
    (:mod:`detente.engine.probabilistic`; small models only)."""
    from detente.engine.concepts import Engine

    return Engine(conflict).stable(key)


__all__ = ["PROBABILISTIC_CHECKED", "local_checks", "profiles_compiled", "profiles_stacked",
           "states_engine", "states_probabilistic", "states_unknown", "witness_search"]
