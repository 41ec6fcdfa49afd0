"""Evaluation of robustness chunks: weighted sums over a chunk of profiles, run locally or on a
Dask worker (the same chunks either way, so local and distributed runs agree exactly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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
from detente.engine.registry import BASELINE_KEY, get_concept
from detente.model.conflict import Conflict

#: Profiles per chunk (one Dask task each); fixed, so local and distributed runs agree exactly.
CHUNK_PROFILES = 512


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
    """The concepts a chunk evaluates: those asked for, and Nash (:data:`BASELINE_KEY`, whose
    equilibria are where the status quo's evolution stops: its fate)."""
    return list(dict.fromkeys([*concepts, BASELINE_KEY]))


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
        final = reached & out[BASELINE_KEY].all(axis=1)
        reaches = weights @ final.astype(np.float64)
    return ChunkSums(eq_sum, st_sum, by_setting, reaches, sw.sum(axis=0))


__all__ = ["CHUNK_PROFILES", "ChunkSums", "VariantTables", "chunk_profiles", "evaluate_chunk"]
