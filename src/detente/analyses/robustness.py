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

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

import numpy as np
import pandas as pd

from detente.analyses.state_table import state_strings
from detente.engine.batch import (
    DEFAULT_MAX_BYTES,
    ProfileGraph,
    base_layouts,
    evolution_batch,
    own_rank_stable,
    own_ranks_only,
    stable_batch,
)
from detente.engine.layout import DMLayout
from detente.engine.registry import concept_label, get_concept, parse_concepts
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.errors import AnalysisError
from detente.model.limits import format_bytes, memory_budget
from detente.model.preferences import dense_ranks
from detente.model.uncertainty import Choice, Reading, readings_of

#: Default number of sampled profiles (the profile space is enumerated when it is no larger).
DEFAULT_SAMPLES = 10_000
#: Largest profile space ``exact=True`` enumerates.
EXACT_LIMIT = 200_000
#: Profiles per chunk (one Dask task each); fixed, so local and distributed runs agree exactly.
CHUNK_PROFILES = 512
#: Leading states shown per concept in the sensitivity table and the report chart.
LEADING = 5
#: Groups in unknown order with more statements than this are summarised by their first
#: statement in the sensitivity table (instead of one setting per order).
ORDER_SETTINGS_MAX = 4

Progress = Callable[[int, int], None]


# ---- the profile space -------------------------------------------------------------------------
@dataclass(frozen=True)
class Element:
    """An uncertain element of one DM: its reading, or an element inside one reading."""

    dm_index: int
    dm: str
    label: str
    settings: tuple[str, ...]
    reading: int | None  # None: the choice of reading itself
    index: int = -1  # position in the reading's choice tuple

    def setting(self, reading: int, choice: Choice, size: int) -> int:
        """Setting index of a variant (-1 when the element does not apply to it)."""
        if self.reading is None:
            return reading
        if reading != self.reading:
            return -1
        c = choice[self.index]
        if len(self.settings) < size:  # a long unknown order: which statement comes first
            return c // math.factorial(len(self.settings) - 1)
        return c


@dataclass
class DMVariants:
    """The variants of one DM that occur (all of them, or those sampled), with their ranks."""

    readings: tuple[Reading, ...]
    keys: list[tuple[int, Choice]] = field(default_factory=list)
    index: dict[tuple[int, Choice], int] = field(default_factory=dict)

    def add(self, reading: int, choice: Choice) -> int:
        key = (reading, choice)
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
        return self.index[key]

    def probability(self, k: int) -> float:
        r, choice = self.keys[k]
        return self.readings[r].choice_probability(choice)

    def ranks(self, conflict: Conflict) -> np.ndarray:
        out = np.empty((len(self.keys), conflict.n_states), dtype=np.int32)
        for k, (r, choice) in enumerate(self.keys):
            pref = self.readings[r].realise(choice)
            out[k] = dense_ranks(pref.scores(conflict.feasible, conflict.bits))
        return out


def profile_space_size(conflict: Conflict) -> int:
    """Number of preference profiles (variants with positive probability, multiplied over DMs)."""
    return math.prod(_variant_count(dm) for dm in conflict.dms)


def _variant_count(dm: DecisionMaker) -> int:
    """Variants of a DM with positive probability (an exact int, however large)."""
    return sum(r.variant_count for r in readings_of(dm.preference, dm.readings)
               if r.probability > 0)


def elements_of(conflict: Conflict) -> list[Element]:
    """Every uncertain element of the model, DM by DM."""
    out: list[Element] = []
    for j, dm in enumerate(conflict.dms):
        readings = readings_of(dm.preference, dm.readings)
        live = [r for r in readings if r.probability > 0]
        if len(live) > 1:
            out.append(Element(j, dm.name, "preferences (main or alternative)",
                               tuple(r.name for r in readings), None))
        for ri, r in enumerate(readings):
            if r.probability <= 0:
                continue
            for e in range(len(r.element_sizes)):
                label, settings = _element_settings(r, e)
                out.append(Element(j, dm.name, f"{r.name}: {label}", settings, ri, e))
    return out


def _element_settings(r: Reading, e: int) -> tuple[str, tuple[str, ...]]:
    """Label and setting labels of element ``e`` of a reading. A group of more than
    :data:`ORDER_SETTINGS_MAX` statements is summarised by which statement comes first, and
    its orders are never listed (11 statements have 39,916,800 orders)."""
    sts = r.statements
    if e < len(r.maybe):
        return f"statement {sts[r.maybe[e][0]].text!r}", ("does not hold", "holds")
    start, size = r.groups[e - len(r.maybe)]
    block = [s.text for s in sts[start:start + size]]
    label = "order of " + ", ".join(repr(b) for b in block)
    if size > ORDER_SETTINGS_MAX:
        return label, tuple(f"{b} first" for b in block)
    return label, tuple(" > ".join(block[k] for k in perm) for perm in permutations(range(size)))


@dataclass(frozen=True)
class Profiles:
    """Profiles as variant ids per DM, with weights summing to 1."""

    ids: np.ndarray  # (P, DMs) int
    weights: np.ndarray  # (P,) float64
    variants: list[DMVariants]


def enumerate_profiles(conflict: Conflict) -> Profiles:
    """Every profile with its probability (exact mode)."""
    per_dm: list[DMVariants] = []
    for dm in conflict.dms:
        v = DMVariants(readings_of(dm.preference, dm.readings))
        for ri, r in enumerate(v.readings):
            if r.probability <= 0:
                continue
            for var in r.variants():
                v.add(ri, var.choice)
        per_dm.append(v)
    sizes = [len(v.keys) for v in per_dm]
    ids = np.stack(np.unravel_index(np.arange(math.prod(sizes)), sizes), axis=1)
    probs = [np.array([v.probability(k) for k in range(len(v.keys))]) for v in per_dm]
    weights = np.ones(ids.shape[0])
    for j, p in enumerate(probs):
        weights = weights * p[ids[:, j]]
    return Profiles(ids.astype(np.int64), weights, per_dm)


def sample_profiles(conflict: Conflict, samples: int, seed: int) -> Profiles:
    """``samples`` profiles drawn independently per DM (reproducible for a seed), weight 1/N."""
    rng = np.random.default_rng(seed)
    per_dm: list[DMVariants] = []
    cols: list[np.ndarray] = []
    for dm in conflict.dms:
        v = DMVariants(readings_of(dm.preference, dm.readings))
        probs = np.array([max(0.0, r.probability) for r in v.readings])
        picked = rng.choice(len(v.readings), size=samples, p=probs / probs.sum())
        col = np.empty(samples, dtype=np.int64)
        for ri, r in enumerate(v.readings):
            where = np.flatnonzero(picked == ri)
            if where.size == 0:
                continue
            choices = r.sample_choices(rng, where.size)
            for k, row in zip(where.tolist(), choices.tolist(), strict=True):
                col[k] = v.add(ri, tuple(row))
        per_dm.append(v)
        cols.append(col)
    ids = np.stack(cols, axis=1)
    return Profiles(ids, np.full(samples, 1.0 / samples), per_dm)


# ---- evaluation of chunks (runs locally or on a Dask worker) ----------------------------------
@dataclass(frozen=True)
class ChunkSums:
    """Weighted sums over the profiles of one chunk."""

    equilibrium: dict[str, np.ndarray]  # concept -> (N,)
    stable: dict[str, np.ndarray]  # concept -> (DMs, N)
    by_setting: dict[str, np.ndarray]  # concept -> (settings, N)
    reaches: np.ndarray  # (N,): evolution from the status quo can reach this Nash equilibrium
    setting_mass: np.ndarray  # (settings,)

    def __add__(self, other: ChunkSums) -> ChunkSums:
        return ChunkSums(
            {c: self.equilibrium[c] + other.equilibrium[c] for c in self.equilibrium},
            {c: self.stable[c] + other.stable[c] for c in self.stable},
            {c: self.by_setting[c] + other.by_setting[c] for c in self.by_setting},
            self.reaches + other.reaches,
            self.setting_mass + other.setting_mass,
        )


@dataclass(frozen=True)
class VariantTables:
    """Per DM, the ranks of each of its variants (V_j, N), and the stability of each variant
    under the concepts that depend on the DM's own ranks only (Nash, GMR, SMR): computed once
    per variant, not per profile, and shared by every chunk."""

    ranks: tuple[np.ndarray, ...]
    own: dict[str, tuple[np.ndarray, ...]]  # concept -> per DM (V_j, N) bool

    @staticmethod
    def build(conflict: Conflict, ranks: Sequence[np.ndarray], concepts: Sequence[str],
              max_bytes: int = DEFAULT_MAX_BYTES,
              layouts: Sequence[DMLayout] | None = None) -> VariantTables:
        lays = list(layouts) if layouts is not None else base_layouts(conflict)
        own = {
            c: tuple(own_rank_stable(conflict, lays, r, j, c, max_bytes)
                     for j, r in enumerate(ranks))
            for c in _with_nash(concepts) if own_ranks_only(get_concept(c))
        }
        return VariantTables(tuple(ranks), own)


def _with_nash(concepts: Sequence[str]) -> list[str]:
    """The concepts a chunk evaluates: those asked for, and Nash (for the status quo's fate)."""
    return list(dict.fromkeys([*concepts, "nash"]))


def chunk_profiles(conflict: Conflict, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Profiles per chunk: :data:`CHUNK_PROFILES`, fewer for big models so that a chunk's
    (profiles, DMs, states) arrays (ranks, one bool per concept, float sums: about 32 bytes a
    cell) stay within ``max_bytes``. Depends on the model only, so local and distributed runs
    use the same chunks."""
    cells = max(1, len(conflict.dms) * conflict.n_states)
    return max(1, min(CHUNK_PROFILES, max_bytes // (32 * cells)))


def evaluate_chunk(
    conflict: Conflict,
    tables: VariantTables,
    ids: np.ndarray,
    weights: np.ndarray,
    settings: np.ndarray,
    concepts: Sequence[str],
    status_quo: int | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    layouts: Sequence[DMLayout] | None = None,
    graph: ProfileGraph | None = None,
) -> ChunkSums:
    """Weighted sums for one chunk of profiles; ``settings`` is (P, settings) 0/1. ``layouts``
    and ``graph`` (the compiled pass's, None when the model is beyond it) are built here when
    not given."""
    lays = list(layouts) if layouts is not None else base_layouts(conflict)
    if graph is None:
        graph = ProfileGraph.build(conflict, lays, max_bytes)
    n_dms = len(tables.ranks)
    ranks = np.stack([tables.ranks[j][ids[:, j]] for j in range(n_dms)], axis=1)
    wanted = _with_nash(concepts)
    joint = [c for c in wanted if c not in tables.own]
    out = stable_batch(conflict, ranks, joint, max_bytes=max_bytes, layouts=lays,
                       graph=graph) if joint else {}
    for c, per_dm in tables.own.items():
        out[c] = np.stack([per_dm[j][ids[:, j]] for j in range(n_dms)], axis=1)
    sw = settings * weights[:, None]
    eq_sum: dict[str, np.ndarray] = {}
    st_sum: dict[str, np.ndarray] = {}
    by_setting: dict[str, np.ndarray] = {}
    for c in concepts:
        eq = out[c].all(axis=1).astype(np.float64)  # (P, N)
        eq_sum[c] = weights @ eq
        st_sum[c] = np.stack([weights @ out[c][:, j, :] for j in range(n_dms)])
        by_setting[c] = sw.T @ eq
    reaches = np.zeros(conflict.n_states)
    if status_quo is not None:
        reached = evolution_batch(conflict, ranks, status_quo, max_bytes=max_bytes,
                                  layouts=lays, graph=graph)
        final = reached & out["nash"].all(axis=1)
        reaches = weights @ final.astype(np.float64)
    return ChunkSums(eq_sum, st_sum, by_setting, reaches, sw.sum(axis=0))


# ---- the result ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RobustnessResult:
    """Probabilities under uncertain preferences, with DataFrame views (see module docstring)."""

    conflict: Conflict
    concepts: tuple[str, ...]
    profiles: int  # size of the profile space
    samples: int  # profiles analysed
    distinct: int  # different profiles among them (each evaluated once)
    exact: bool
    seed: int | None
    equilibrium: dict[str, np.ndarray]  # concept -> (N,) probability
    stable: dict[str, np.ndarray]  # concept -> (DMs, N)
    elements: tuple[Element, ...]
    setting_mass: np.ndarray  # (settings,) probability of each setting
    by_setting: dict[str, np.ndarray]  # concept -> (settings, N) joint probability
    reaches: np.ndarray | None  # (N,) or None without a status quo

    # ---- plain data ----------------------------------------------------------------------
    def _states(self) -> list[str]:
        c = self.conflict
        return [str(x) for x in state_strings(c.feasible, c.n_options).tolist()]  # vectorised

    def equilibrium_probability(self, concept: str) -> dict[str, float]:
        """State string -> P(equilibrium), for every state with p > 0, most likely first."""
        p = self.equilibrium[concept]
        order = sorted(np.flatnonzero(p > 0).tolist(), key=lambda k: (-p[k], k))
        names = self._states()
        return {names[k]: float(p[k]) for k in order}

    def leading(self, concept: str, k: int = LEADING) -> list[int]:
        """Positions of the k most probable equilibria under a concept (p > 0)."""
        p = self.equilibrium[concept]
        order = sorted(np.flatnonzero(p > 0).tolist(), key=lambda s: (-p[s], s))
        return order[:k]

    def status_quo(self) -> dict[str, Any] | None:
        """The status quo's fate: P(equilibrium) per concept; P(evolution reaches each state)."""
        c = self.conflict
        if c.status_quo is None or self.reaches is None:
            return None
        sq = int(c.index_of(c.status_quo)[0])
        names = self._states()
        reach = self.reaches
        order = sorted(np.flatnonzero(reach > 0).tolist(), key=lambda k: (-reach[k], k))
        return {
            "state": names[sq],
            "equilibrium_probability": {k: float(v[sq]) for k, v in self.equilibrium.items()},
            "reaches": {names[k]: float(reach[k]) for k in order},
        }

    def sensitivity(
        self, concept: str | None = None, states: Sequence[str | int] | None = None
    ) -> list[dict[str, Any]]:
        """Per uncertain element: for each setting, its probability and the conditional
        probability of each leading state (or of each of ``states``: Y/N strings or numbers)
        being an equilibrium — ``None`` when no analysed profile has the setting (probability
        0: never drawn, or impossible), since a probability conditional on it is undefined;
        ``swing`` = the largest change across the settings that occur, over those states.
        Sorted by swing, largest first."""
        concept = concept or self.concepts[0]
        names = self._states()
        c = self.conflict
        lead = (self.leading(concept) if states is None
                else [int(c.index_of(c.parse_state(x))[0]) for x in states])
        out: list[dict[str, Any]] = []
        offset = 0
        for e in self.elements:
            rows = []
            conds: list[np.ndarray] = []
            for k, label in enumerate(e.settings):
                mass = float(self.setting_mass[offset + k])
                given: dict[str, float | None]
                if mass > 0:
                    cond = self.by_setting[concept][offset + k, lead] / mass
                    conds.append(cond)
                    given = {names[s]: float(v) for s, v in zip(lead, cond, strict=True)}
                else:  # no analysed profile has this setting: the conditional is undefined
                    given = dict.fromkeys((names[s] for s in lead), None)
                rows.append({"setting": label, "probability": mass,
                             "equilibrium_probability": given})
            offset += len(e.settings)
            swing = 0.0
            if len(conds) > 1 and lead:
                arr = np.stack(conds)
                swing = float((arr.max(axis=0) - arr.min(axis=0)).max())
            out.append({"dm": e.dm, "element": e.label, "swing": swing, "settings": rows})
        out.sort(key=lambda d: -d["swing"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``detente robustness --format json``."""
        c = self.conflict
        names = self._states()
        concepts: dict[str, Any] = {}
        for k in self.concepts:
            st = self.stable[k]
            concepts[k] = {
                "label": concept_label(k),
                "equilibrium_probability": self.equilibrium_probability(k),
                "stable_probability": {
                    dm: {names[s]: float(st[i, s]) for s in np.flatnonzero(st[i] > 0).tolist()}
                    for i, dm in enumerate(c.dm_names)
                },
            }
        return {
            "model": c.name,
            "profiles": self.profiles,
            "samples": self.samples,
            "distinct": self.distinct,
            "exact": self.exact,
            "seed": self.seed,
            "options": list(c.option_names),
            "concepts": concepts,
            "status_quo": self.status_quo(),
            "sensitivity": {k: self.sensitivity(k) for k in self.concepts},
        }

    # ---- DataFrames ----------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """Rows = states, a column of P(equilibrium) per concept."""
        return pd.DataFrame(
            {concept_label(k): self.equilibrium[k] for k in self.concepts},
            index=pd.Index(self._states(), name="state"),
        )

    def stability_frame(self, concept: str) -> pd.DataFrame:
        """Rows = states, a column per DM: P(stable for that DM) under a concept."""
        st = self.stable[concept]
        return pd.DataFrame(
            {dm: st[i] for i, dm in enumerate(self.conflict.dm_names)},
            index=pd.Index(self._states(), name="state"),
        )

    def sensitivity_frame(self, concept: str | None = None) -> pd.DataFrame:
        """One row per (element, setting, leading state): conditional P(equilibrium)."""
        rows = [
            {"dm": e["dm"], "element": e["element"], "swing": e["swing"],
             "setting": s["setting"], "setting_probability": s["probability"],
             "state": state, "probability": p}
            for e in self.sensitivity(concept)
            for s in e["settings"]
            for state, p in s["equilibrium_probability"].items()
        ]
        return pd.DataFrame(rows)


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
) -> RobustnessResult:
    """Probability that each state is an equilibrium (and stable per DM) under each concept.

    ``exact=True`` enumerates the profile space (refused above :data:`EXACT_LIMIT` profiles);
    ``exact=None`` (default) enumerates when the space has at most ``samples`` profiles and
    samples otherwise; ``exact=False`` always samples. ``scheduler`` is a Dask distributed
    scheduler address (``tcp://host:8786``) to run the chunks on; ``progress(done, total)`` is
    called after each chunk.
    """
    keys = parse_concepts(concepts)
    _check_parameters(samples, seed, exact)
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
        reaches=total.reaches if sq is not None else None,
    )


def _check_parameters(samples: object, seed: object, exact: object) -> None:
    """Refuse a wrong ``samples``, ``seed`` or ``exact`` by name, before any work."""
    if not _whole(samples) or samples < 1:  # type: ignore[operator]
        raise AnalysisError(f"samples must be a whole number of at least 1, got {samples!r}")
    if seed is not None and (not _whole(seed) or not 0 <= seed < 2**64):  # type: ignore[operator]
        raise AnalysisError(
            f"seed must be a whole number from 0 to 2**64 - 1, got {seed!r}")
    if exact not in (None, True, False):
        raise AnalysisError(f"exact must be True, False or None (automatic), got {exact!r}")


def _whole(value: object) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


#: Largest count written out in full in messages; beyond it, its order of magnitude.
_COUNT_DIGITS = 18


def count_text(n: int) -> str:
    """``n`` with thousands separators, or ``about 10^k`` for a huge count (a group of 2,000
    statements in unknown order has 2000! orders: too many digits to print).

    >>> count_text(362880), count_text(math.factorial(30))
    ('362,880', 'about 10^32')
    """
    if n < 10**_COUNT_DIGITS:
        return f"{n:,}"
    return f"about 10^{round(_log10(n))}"


def _log10(n: int) -> float:
    """log10 of a positive int of any size (no conversion to float or str of the whole)."""
    shift = max(0, n.bit_length() - 60)
    return math.log10(n >> shift) + shift * math.log10(2)


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


def _merge_duplicates(prof: Profiles) -> Profiles:
    """The distinct profiles (in order of first appearance), each with the summed weight of
    its copies: sampling draws many profiles more than once, and each is evaluated once."""
    _, first, inverse = np.unique(prof.ids, axis=0, return_index=True, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=prof.weights, minlength=first.size)
    order = np.argsort(first, kind="stable")
    return Profiles(prof.ids[first[order]], weights[order], prof.variants)


def _settings_matrix(prof: Profiles, elements: Sequence[Element]) -> np.ndarray:
    """(P, settings) 0/1: which setting of each element each profile has."""
    cols: list[np.ndarray] = []
    for e in elements:
        j = e.dm_index
        v = prof.variants[j]
        per_variant = np.array([
            e.setting(r, choice, _element_size(v, e)) for r, choice in v.keys
        ], dtype=np.int64)
        s = per_variant[prof.ids[:, j]] if per_variant.size else np.zeros(0, dtype=np.int64)
        block = np.zeros((prof.ids.shape[0], len(e.settings)))
        ok = s >= 0
        block[np.flatnonzero(ok), s[ok]] = 1.0
        cols.append(block)
    if not cols:
        return np.zeros((prof.ids.shape[0], 0))
    return np.concatenate(cols, axis=1)


def _element_size(v: DMVariants, e: Element) -> int:
    """Number of raw settings of an element (orders of a group, before summarising)."""
    if e.reading is None:
        return len(v.readings)
    return v.readings[e.reading].element_sizes[e.index]


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
            if progress:
                progress(hi, total)
        return parts
    from detente.analyses.distributed import run_on_cluster

    return run_on_cluster(
        scheduler, evaluate_chunk, model, tables,
        [(prof.ids[lo:hi], prof.weights[lo:hi], settings[lo:hi]) for lo, hi in chunks],
        keys, sq, max_bytes, progress, [hi - lo for lo, hi in chunks],
    )


__all__ = ["RobustnessResult", "check_memory", "count_text", "profile_space_size", "robustness",
           "robustness_bytes"]
