"""Robustness: how sure are the conclusions when the preferences are uncertain?

A *preference profile* gives every DM one *variant* of its preferences (a reading — the main
preferences or a declared alternative — with a choice for every uncertain statement and
unknown order in it; see :mod:`detente.model.uncertainty`). DMs are independent, so a profile's
probability is the product of its variants'. For a concept C and state s,

    P_C(s) = Σ over profiles of P(profile) · [s is a C-equilibrium under the profile],

computed exactly by enumerating the profile space, or estimated from ``samples`` profiles drawn
with a seed — the same profiles for every concept, so the inclusion laws hold sample by sample.
Per DM, the probability that s is stable for it is computed the same way. The status quo's fate:
the probability that it is an equilibrium, and that evolution from it by unilateral improvements
can reach each Nash equilibrium (the final states of status-quo analysis). Sensitivity: for
every uncertain element (a DM's choice of reading, a maybe-statement, an unknown order), the
probability of each leading state conditional on each setting of the element; the *swing* (the
largest change across settings) says which assumption decides a conclusion.

Sampled duplicates are merged (their weights summed); Nash, GMR and SMR are computed once
per variant of each DM (:class:`VariantTables`), and the distinct profiles are evaluated in
chunks with :func:`detente.engine.batch.stable_batch` (SEQ, SIM) and
:func:`~detente.engine.batch.evolution_batch`; with a Dask ``scheduler`` address the chunks
run on that cluster, and the result is identical to a local run (the same chunks, summed in
the same order).

>>> import detente
>>> r = robustness(detente.load("examples/prisoners_dilemma.yaml"))
>>> r.exact, r.profiles, r.equilibrium_probability("nash")
(True, 1, {'YY': 1.0})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, report
from detente.analyses.robustness.chunks import (
    ChunkSums,
    VariantTables,
    _with_nash,
    chunk_profiles,
    evaluate_chunk,
)
from detente.analyses.robustness.profiles import (
    Profiles,
    _merge_duplicates,
    _settings_matrix,
    _variant_count,
    count_text,
    elements_of,
    enumerate_profiles,
    profile_space_size,
    sample_profiles,
)
from detente.analyses.robustness.result import RobustnessResult
from detente.engine import Engine
from detente.engine.batch import (
    DEFAULT_MAX_BYTES,
    ProfileGraph,
    base_layouts,
    own_ranks_only,
)
from detente.engine.layout import DMLayout
from detente.engine.registry import BASELINE_KEY, CLASSIC, Family, get_concept, parse_concepts
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.limits import format_bytes, memory_budget

#: The concept families robustness takes: the classic ones, and the probabilistic ones it
#: judges once on the analysed profiles.
CONCEPT_FAMILIES: frozenset[Family] = CLASSIC | {Family.PROBABILISTIC}
#: Default number of sampled profiles (the profile space is enumerated when it is no larger).
DEFAULT_SAMPLES = 10_000
#: Largest profile space ``exact=True`` enumerates.
EXACT_LIMIT = 200_000


# ---- the analysis ------------------------------------------------------------------------------
def robustness(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    exact: bool | None = None,
    scheduler: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    engine: Engine | None = None,
    at_least: float | None = None,
) -> RobustnessResult:
    """Probability that each state is an equilibrium (and stable per DM) under each concept.

    A probabilistic concept among ``concepts`` (``gmr@0.8/0.3``, Rêgo & dos Santos 2015) is
    judged once, on the pairwise preference probabilities of the analysed profiles
    (:attr:`RobustnessResult.probabilistic`); with no other concept, Nash is analysed.

    ``exact=True`` enumerates the profile space (refused above :data:`EXACT_LIMIT` profiles);
    ``exact=None`` (default) enumerates when the space has at most ``samples`` profiles and
    samples otherwise; ``exact=False`` always samples. ``scheduler`` is a Dask distributed
    scheduler address (``tcp://host:8786``) to run the chunks on; ``progress`` receives a
    :class:`~detente.analyses.contract.ProgressEvent` (profiles done of all) after each chunk.
    ``engine``: accepted for the common call shape; every profile is analysed on its own
    re-ranked tables, so an engine of ``model`` is not reused (one of another model is
    refused). ``at_least`` α: the result (and its JSON) also lists, per concept and DM, the
    states stable for that DM with probability at least α (:meth:`RobustnessResult.
    stable_at_least`).
    """
    asked = parse_concepts(arguments.optional_names(concepts, "concepts"),
                           families=CONCEPT_FAMILIES)
    probabilistic = tuple(k for k in asked if get_concept(k).is_probabilistic)
    keys = tuple(k for k in asked if k not in probabilistic) or (BASELINE_KEY,)
    if probabilistic:
        from detente.engine.probabilistic import check_size

        for k in probabilistic:  # before any profile is drawn
            check_size(model, get_concept(k))
    arguments.samples(samples)
    arguments.seed(seed)
    arguments.exact(exact)
    arguments.optional_probability(at_least, "at_least")
    if engine is not None and engine.conflict is not model:
        raise AnalysisError("the engine given to robustness was built for another model")
    size = profile_space_size(model)
    if exact is True and size > EXACT_LIMIT:
        raise AnalysisError(
            f"the profile space has {count_text(size)} preference profiles; exact=True "
            f"enumerates at most {EXACT_LIMIT:,}. Sample instead (samples=N), or declare fewer "
            "uncertain elements"
        )
    use_exact = exact is True or (exact is None and size <= samples)
    check_memory(model, size if use_exact else samples, keys, use_exact, max_bytes)
    if use_exact:
        prof = enumerate_profiles(model)
        seed_used: int | None = None
    else:
        seed_used = seed if seed is not None else int(np.random.default_rng().integers(2**31))
        prof = sample_profiles(model, samples, seed_used)
    drawn = int(prof.ids.shape[0])
    prof = _merge_duplicates(prof)
    elements = elements_of(model)
    settings = _settings_matrix(prof, elements)
    layouts = base_layouts(model)
    tables = VariantTables.build(model, [v.ranks(model) for v in prof.variants], keys,
                                 max_bytes, layouts)
    sq = int(model.index_of(model.status_quo)[0]) if model.status_quo is not None else None
    step = chunk_profiles(model, max_bytes)
    chunks = [(lo, min(lo + step, prof.ids.shape[0]))
              for lo in range(0, prof.ids.shape[0], step)]
    parts = _run(model, tables, prof, settings, keys, sq, max_bytes, chunks, scheduler, progress,
                 layouts)
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return RobustnessResult(
        conflict=model, concepts=keys, profiles=size, samples=drawn,
        distinct=int(prof.ids.shape[0]),
        exact=use_exact, seed=seed_used, equilibrium=total.equilibrium, stable=total.stable,
        elements=tuple(elements), setting_mass=total.setting_mass, by_setting=total.by_setting,
        reaches=total.reaches if sq is not None else None, at_least=at_least,
        probabilistic=_probabilistic(model, prof, probabilistic),
    )


def _probabilistic(model: Conflict, prof: Profiles, keys: Sequence[str]
                   ) -> dict[str, np.ndarray]:
    """Probabilistic concept -> (DMs, N) stability, from the pairwise preference
    probabilities of the analysed profiles themselves: per DM, its variants weighted by the
    profiles that hold them (exact when enumerated, an estimate from the same draws when
    sampled)."""
    if not keys:
        return {}
    from detente.engine.probabilistic import preference_probabilities, probabilistic_stable

    probs = []
    for j, v in enumerate(prof.variants):
        w = np.bincount(prof.ids[:, j], weights=prof.weights, minlength=len(v.keys))
        probs.append(preference_probabilities(v.ranks(model), w))
    return {k: probabilistic_stable(model, k, probs) for k in keys}


#: Bytes held per analysed profile and DM: its variant id in the drawn and the merged tables,
#: the sort of the duplicate merge, and the sampled choices as Python objects while drawn.
_PROFILE_DM_BYTES = 160
#: Bytes per analysed profile: weights, duplicate counts, order.
_PROFILE_BYTES = 48
#: Bytes per profile and setting of an uncertain element: the (profiles, settings) float64
#: matrix, built block by block and concatenated.
_SETTING_BYTES = 16
#: Bytes per distinct variant and state: its ranks (int32), the dense-rank temporaries
#: (int64) and one bool per own-rank concept.
_VARIANT_STATE_BYTES = 12


def robustness_bytes(model: Conflict, profiles: int, concepts: Sequence[str],
                     max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Estimated peak bytes of analysing ``profiles`` profiles (drawn or enumerated): the
    profile tables, the settings matrix, the variant tables (at most ``profiles`` distinct
    variants per DM) and one chunk (``max_bytes``). Bounded arithmetic: ``profiles`` is
    capped at 2**62 first."""
    p = min(profiles, 2**62)
    n_dms = len(model.dms)
    settings = sum(len(e.settings) for e in elements_of(model))
    own = sum(1 for c in _with_nash(concepts) if own_ranks_only(get_concept(c)))
    per_profile = n_dms * _PROFILE_DM_BYTES + _PROFILE_BYTES + settings * _SETTING_BYTES
    variants = sum(min(p, _variant_count(dm)) for dm in model.dms)
    return (p * per_profile + variants * model.n_states * (_VARIANT_STATE_BYTES + own)
            + max_bytes)


def check_memory(model: Conflict, profiles: int, concepts: Sequence[str], exact: bool,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse, before drawing or enumerating anything, a request that would not fit in
    memory (:func:`detente.model.limits.memory_budget`), with its size and what fits."""
    need = robustness_bytes(model, profiles, concepts, max_bytes)
    budget = memory_budget()
    if need <= budget:
        return
    per = max(1, robustness_bytes(model, 2, concepts, 0) - robustness_bytes(model, 1, concepts,
                                                                            0))
    fits = max(0, (budget - robustness_bytes(model, 0, concepts, max_bytes)) // per)
    what = ("enumerating" if exact else "sampling") + f" {count_text(profiles)} profiles"
    raise AnalysisError(
        f"{what} of {model.name!r} needs about {format_bytes(need)} of memory, more than the "
        f"{format_bytes(budget)} available (set DETENTE_MAX_MEMORY to change the limit); about "
        f"{fits:,} profiles fit: use samples={fits:,} or fewer"
    )


def _run(
    model: Conflict, tables: VariantTables, prof: Profiles, settings: np.ndarray,
    keys: Sequence[str], sq: int | None, max_bytes: int, chunks: list[tuple[int, int]],
    scheduler: str | None, progress: Progress | None, layouts: Sequence[DMLayout],
) -> list[ChunkSums]:
    total = int(prof.ids.shape[0])
    if scheduler is None:
        graph = ProfileGraph.build(model, layouts, max_bytes)  # once, for every chunk
        parts = []
        for lo, hi in chunks:
            parts.append(evaluate_chunk(model, tables, prof.ids[lo:hi], prof.weights[lo:hi],
                                        settings[lo:hi], keys, sq, max_bytes, layouts, graph))
            report(progress, hi, total, "preference profiles")
        return parts
    from detente.engine.distributed import run_on_cluster

    return run_on_cluster(
        scheduler, evaluate_chunk, model, tables,
        [(prof.ids[lo:hi], prof.weights[lo:hi], settings[lo:hi]) for lo, hi in chunks],
        keys, sq, max_bytes, _counts(progress), [hi - lo for lo, hi in chunks],
    )


def _counts(progress: Progress | None) -> Callable[[int, int], None] | None:
    """The cluster runner's ``(done, total)`` calls as :class:`ProgressEvent` values."""
    if progress is None:
        return None
    return lambda done, total: report(progress, done, total, "preference profiles")


__all__ = ["DEFAULT_SAMPLES", "EXACT_LIMIT", "Progress", "check_memory", "robustness",
           "robustness_bytes"]
