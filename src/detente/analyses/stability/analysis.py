"""Stability analysis: which states are stable for whom under each solution concept.

>>> import detente
>>> result = detente.analyze(detente.load("examples/prisoners_dilemma.yaml"))
>>> result.equilibria_strings("nash")
['YY']
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, report
from detente.analyses.stability.result import StabilityResult
from detente.engine import Engine
from detente.engine.budget import check_memory
from detente.engine.registry import EVERY_FAMILY, Family, get_concept, parse_concepts
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

#: The concept families ``analyze`` takes: all of them.
CONCEPT_FAMILIES: frozenset[Family] = EVERY_FAMILY


def analyze(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    horizon: int | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> StabilityResult:
    """Stability of every feasible state for every DM under the chosen concepts.

    ``horizon`` adds limited-move stability L_h (any number of DMs) as concept ``'L<h>'``
    (which ``concepts`` may also name).
    ``progress`` receives a :class:`~detente.analyses.contract.ProgressEvent` as each
    concept starts (step k of the concepts, and which concept). ``engine``: an
    :class:`~detente.engine.Engine` over ``model`` to reuse (e.g. one re-ranked with
    ``Engine.with_preferences``, sharing layouts across preference profiles).
    """
    model = arguments.model(model)
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"),
                          arguments.optional_horizon(horizon), families=CONCEPT_FAMILIES)
    check_memory(model, keys)
    if engine is None:
        engine = Engine(model)
    elif engine.conflict is not model:
        raise AnalysisError("the engine given to analyze was built for another model")
    for key in keys:  # every concept's size before any is computed
        engine.check(key)
    out: dict[str, np.ndarray] = {}
    for k, key in enumerate(keys):
        c = get_concept(key)
        report(progress, k + 1, len(keys), f"{key} (limited move)" if c.is_limited
               else f"{c.label} for every decision maker")
        out[key] = engine.stable(key)
    limited = [get_concept(key).horizon for key in keys if get_concept(key).is_limited]
    params: dict[str, object] = {"horizon": limited[0] if limited else None}
    if any(get_concept(key).is_probabilistic for key in keys):  # said only when used
        from detente.engine.probabilistic import probabilities_exact

        params["preference_probabilities"] = ("exact" if probabilities_exact(model)
                                              else "estimated")
    return StabilityResult(model, out, header(model, keys, params))


__all__ = ["Progress", "analyze"]
