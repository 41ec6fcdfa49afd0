"""Packages: the states every decision maker likes at least as much as a reference (default
the status quo), which of them are Pareto-optimal, which hold under each concept, the
stable-and-undominated frontier, and the fair choices on it.

For a reference r, t is *acceptable* when t ⪰_i r for every DM i; *Pareto* when no feasible
u has u ⪰_i t for all i and u ≻_j t for some j (over all feasible states: as acceptability
is closed upwards, that is the skyline of the acceptable states); on the *frontier* under a
concept C when acceptable, a C-equilibrium, and no acceptable C-equilibrium dominates it.
*Gains*: each DM's rank gain over r as a share of its rank range. Maximin, Nash bargaining and
Kalai–Smorodinsky pick one frontier package per concept (:mod:`.bargaining`). With uncertain
preferences each package carries its probability of being a C-equilibrium (the robustness
analysis, evaluated in batches of profiles).

>>> import detente
>>> r = packages(detente.load("examples/prisoners_dilemma.yaml"), ["nash", "gmr"],
...              against="YY")
>>> [p["state"] for p in r.to_dict()["packages"]], r.maximin_state("gmr")
(['NN', 'YY'], 'NN')
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, own_engine, report
from detente.analyses.packages.bargaining import cardinal_utilities
from detente.analyses.packages.reference import gains, reference_code
from detente.analyses.packages.result import PackagesResult
from detente.engine import Engine
from detente.engine.budget import analysis_bytes
from detente.engine.pareto import skyline, skyline_bytes
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.errors import ModelTooLargeError
from detente.model.limits import format_bytes, memory_budget

#: Packages listed by default (``limit=0`` lists all).
DEFAULT_LIMIT = 20
#: Profiles sampled for the probabilities when the profile space is larger (seed 0).
DEFAULT_SAMPLES = 1_000
#: Bytes per feasible state and DM (ranks, gains, utilities) and per state and concept.
_STATE_DM_BYTES = 40
_STATE_CONCEPT_BYTES = 12


def packages(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    against: int | str | None = None,
    limit: int = DEFAULT_LIMIT,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> PackagesResult:
    """Packages every DM likes at least as much as ``against`` (default the status quo).

    ``limit``: packages listed (frontier first, then Pareto, then by smallest gain; 0 = all;
    the counts always cover all). ``samples``/``seed``: the robustness sampling when the
    model has uncertain preferences (enumerated when the profile space is no larger).
    ``engine``: an engine of ``model`` to reuse; ``progress`` receives a
    :class:`~detente.analyses.contract.ProgressEvent` per step.
    """
    model = arguments.model(model)
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"))
    arguments.limit(limit)
    arguments.samples(samples)
    arguments.seed(seed)
    r = reference_code(model, against)
    check_memory(model, keys)
    engine = own_engine(model, engine, "packages")
    uncertain = any(dm.readings for dm in model.dms)
    total = 2 + len(keys) + int(uncertain)
    report(progress, 1, total, "acceptable and Pareto-optimal packages")
    ranks = engine.payoff_ranks
    rpos = model.position(r)
    acceptable = np.flatnonzero((ranks >= ranks[:, [rpos]]).all(axis=0))
    sub = ranks[:, acceptable]
    pareto = skyline(sub.T)
    stable: dict[str, np.ndarray] = {}
    frontier: dict[str, np.ndarray] = {}
    for k, key in enumerate(keys):
        report(progress, 2 + k, total, f"stability and frontier under {key}")
        eq = engine.equilibrium_mask(key)[acceptable]
        front = np.zeros(acceptable.size, dtype=bool)
        held = np.flatnonzero(eq)
        front[held] = skyline(sub[:, held].T)
        stable[key], frontier[key] = eq, front
    probability = None
    robust_params = None
    if uncertain:
        report(progress, 2 + len(keys), total, "probabilities under uncertain preferences")
        from detente.analyses.robustness import robustness

        rob = robustness(model, keys, samples=samples, seed=seed)
        probability = {key: rob.equilibrium[key][acceptable] for key in keys}
        robust_params = {"samples": rob.samples, "seed": rob.seed, "exact": rob.exact}
    utilities, sources = cardinal_utilities(model)
    report(progress, total, total, "fair packages")
    return PackagesResult(
        conflict=model,
        concepts=keys,
        reference=r,
        limit=limit,
        positions=acceptable,
        pareto=pareto,
        stable=stable,
        frontier=frontier,
        gains=gains(ranks, acceptable, rpos),
        utility_gains=None
        if utilities is None
        else utilities[:, acceptable] - utilities[:, [rpos]],
        utility_sources=sources,
        probability=probability,
        robustness=robust_params,
        against=against,
    )


def packages_bytes(model: Conflict, concepts: Iterable[str]) -> int:
    """Estimated peak bytes: the engine's analysis and, per feasible state, the ranks,
    gains, utilities and per-concept masks, plus the skyline's working arrays."""
    keys = tuple(concepts)
    n, d = model.n_states, len(model.dms)
    return (
        analysis_bytes(model, keys)
        + n * (d * _STATE_DM_BYTES + len(keys) * _STATE_CONCEPT_BYTES)
        + skyline_bytes(n, d)
    )


def check_memory(model: Conflict, concepts: Iterable[str]) -> None:
    """Refuse, before anything is computed, a packages request that would not fit."""
    keys = tuple(concepts)
    need = packages_bytes(model, keys)
    budget = memory_budget()
    if need > budget:
        raise ModelTooLargeError(
            f"{model.source_file + ': ' if model.source_file else ''}packages over "
            f"{model.n_states:,} feasible states and {len(model.dms)} decision makers "
            f"({', '.join(keys)}) need about {format_bytes(need)} of memory, more than the "
            f"{format_bytes(budget)} available (set DETENTE_MAX_MEMORY to change the limit); "
            "fewer concepts or fewer options need less"
        )


__all__ = ["DEFAULT_LIMIT", "DEFAULT_SAMPLES", "check_memory", "packages", "packages_bytes"]
