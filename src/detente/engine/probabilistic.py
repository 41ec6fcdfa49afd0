"""Probabilistic stability (Rêgo & dos Santos 2015): α-Nash, (α,β)-GMR, (α,β)-SMR, (α,β,γ)-SEQ.

Each DM i has a pairwise preference probability P_i(a ≻ b) = Σ_v P(v) · [a ≻_v b] over the
variants v of its preferences (its readings and their uncertain elements,
:mod:`detente.model.uncertainty`): the marginal of the robustness analysis's profile
distribution. It is exact when the DM's variants are enumerated (at most
:data:`EXACT_VARIANTS`), else estimated from :data:`SAMPLES` draws (seed 0); the robustness
analysis passes the variants and weights of its own profiles instead (the same draws).
:func:`preference_probabilities` computes it for all pairs at once, a batch over variants.

With R_i(s) DM i's one-move reach and R_{N-i}(s1) the others' legal sequences from s1:

* α-UI of i from s: s1 ∈ R_i(s) with P_i(s1 ≻ s) > α;
* α-Nash: no α-UI;
* (α,β)-GMR: every α-UI s1 meets some s2 ∈ R_{N-i}(s1) with P_i(s2 ≻ s) ≤ β;
* (α,β)-SMR: as GMR, and every s3 ∈ R_i(s2) also has P_i(s3 ≻ s) ≤ β;
* (α,β,γ)-SEQ: as GMR, the others moving by their own γ-UIs only.

With every probability 0 or 1 (no uncertainty) these are the classic concepts for any α, β,
γ < 1. The computation is dense over pairs of states (N × N per DM; the others' reach and
SMR's escapes are bit-packed products with the moves, :mod:`detente.engine.dense_reach`), so
it is refused above :data:`MAX_PAIRS` pairs or the memory budget, with an estimate.

>>> import detente
>>> from detente.engine import Engine
>>> pd = detente.load("examples/prisoners_dilemma.yaml")
>>> (probabilistic_stable(pd, "gmr@0.5/0.5") == Engine(pd).stable("gmr")).all()
np.True_
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.engine.dense_reach import edges_of, group_reach, through
from detente.engine.registry import SANCTIONS, Concept, get_concept
from detente.engine.relations import Relations
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.limits import format_bytes, memory_budget
from detente.model.preferences import dense_ranks
from detente.model.uncertainty import readings_of

#: A DM with at most this many variants has them enumerated (exact probabilities).
EXACT_VARIANTS = 10_000
#: Variants drawn (seed :data:`SEED`) for a DM with more.
SAMPLES = 10_000
SEED = 0
#: Largest DMs × states² computed (dense pairs): 5 DMs of 3,663 states, 3 DMs of 4,729.
MAX_PAIRS = 1 << 26
#: Bytes per pair and DM kept at once: P_i (float64), R_i and the others' reach per γ (bool).
PAIR_BYTES = 11
#: Bytes per pair of the one DM being checked: its α-UI, sanction and escape matrices and
#: the comparisons that build them.
WORK_BYTES = 8
#: Cells of the (variants, N, N) comparison block per step of :func:`preference_probabilities`.
_BLOCK_CELLS = 1 << 24


@dataclass(frozen=True)
class Distribution:
    """One DM's preference variants: ranks (V, N), higher = more preferred, and weights (V,)
    summing to 1; ``exact``: enumerated (else sampled)."""

    ranks: np.ndarray
    weights: np.ndarray
    exact: bool


def dm_distribution(conflict: Conflict, j: int, *, exact_limit: int = EXACT_VARIANTS,
                    samples: int = SAMPLES, seed: int = SEED) -> Distribution:
    """DM ``j``'s variants with their probabilities: enumerated up to ``exact_limit``
    variants, else ``samples`` draws (reproducible for ``seed``), duplicates merged."""
    dm = conflict.dms[j]
    readings = [r for r in readings_of(dm.preference, dm.readings) if r.probability > 0]
    count = sum(r.variant_count for r in readings)
    if count == 1:  # no uncertainty: the model's own ranks
        return Distribution(conflict.ranks[j][None, :], np.ones(1), True)
    rows: list[np.ndarray] = []
    weights: list[float] = []
    if count <= exact_limit:
        for r in readings:
            for v in r.variants():
                rows.append(_ranks(conflict, v.preference))
                weights.append(v.probability)
        return Distribution(np.stack(rows), np.asarray(weights) / sum(weights), True)
    rng = np.random.default_rng(seed)
    probs = np.array([r.probability for r in readings])
    picked = rng.choice(len(readings), size=samples, p=probs / probs.sum())
    seen: dict[tuple[int, tuple[int, ...]], int] = {}
    for ri, r in enumerate(readings):
        where = int((picked == ri).sum())
        if where == 0:
            continue
        for row in r.sample_choices(rng, where).tolist():
            key = (ri, tuple(row))
            if key not in seen:
                seen[key] = len(rows)
                rows.append(_ranks(conflict, r.realise(tuple(row))))
                weights.append(0.0)
            weights[seen[key]] += 1.0 / samples
    return Distribution(np.stack(rows), np.asarray(weights), False)


def _ranks(conflict: Conflict, preference: object) -> np.ndarray:
    scores = preference.scores(conflict.feasible, conflict.bits)  # type: ignore[attr-defined]
    return np.asarray(dense_ranks(scores), dtype=np.int32)


def preference_probabilities(ranks: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(N, N) P(a ≻ b) = Σ_v weights[v] · [ranks[v, a] > ranks[v, b]], a batch over the
    variants (blocks of them, each one (block, N, N) comparison and one weighted sum).

    >>> preference_probabilities(np.array([[0, 1], [1, 0]]), np.array([0.25, 0.75])).tolist()
    [[0.0, 0.75], [0.25, 0.0]]
    """
    r = np.asarray(ranks)
    w = np.asarray(weights, dtype=np.float64)
    n = r.shape[1]
    out = np.zeros((n, n))
    step = max(1, _BLOCK_CELLS // max(1, n * n))
    for lo in range(0, r.shape[0], step):
        block = r[lo:lo + step]
        above = block[:, :, None] > block[:, None, :]
        out += np.tensordot(w[lo:lo + step], above, axes=(0, 0))
    return out


def dense_bytes(conflict: Conflict) -> int:
    """Estimated peak bytes of the dense pairs: :data:`PAIR_BYTES` per pair and DM, plus
    :data:`WORK_BYTES` per pair for the DM being checked."""
    n = conflict.n_states
    return n * n * (len(conflict.dms) * PAIR_BYTES + WORK_BYTES)


def check_size(conflict: Conflict, concept: Concept) -> None:
    """Refuse, before anything is built, a model whose dense pairs are beyond
    :data:`MAX_PAIRS` or whose estimate (:func:`dense_bytes`) is beyond this machine's
    memory budget, with the estimate."""
    n = conflict.n_states
    pairs = len(conflict.dms) * n * n
    need = dense_bytes(conflict)
    if pairs > MAX_PAIRS or need > memory_budget():
        limit = (f"the {MAX_PAIRS:,} pairs probabilistic stability computes" if pairs > MAX_PAIRS
                 else f"this machine's memory budget of {format_bytes(memory_budget())} "
                 "(DETENTE_MAX_MEMORY)")
        raise AnalysisError(
            f"{concept.label} of {conflict.name!r} compares every pair of its {n:,} states "
            f"for each of its {len(conflict.dms)} decision makers: {pairs:,} pairs, about "
            f"{format_bytes(need)}, beyond {limit}; analyse a smaller model (fewer options or "
            "more infeasible states)")


def all_probabilities(conflict: Conflict) -> tuple[list[np.ndarray], bool]:
    """Per DM, P_i (N, N) from its distribution (:func:`dm_distribution`), and whether every
    DM's is exact."""
    dists = [dm_distribution(conflict, j) for j in range(len(conflict.dms))]
    return ([preference_probabilities(d.ranks, d.weights) for d in dists],
            all(d.exact for d in dists))


def move_matrices(conflict: Conflict) -> list[np.ndarray]:
    """Per DM j, (N, N) bool: M_j[s, t] = t ∈ R_j(s) (irreversibility and blind spots kept)."""
    index = MoveIndex(conflict)
    n = conflict.n_states
    out = []
    for j in range(len(conflict.dms)):
        m = np.zeros((n, n), dtype=bool)
        for s in range(n):
            m[s, index.reach(j, s)] = True
        out.append(m)
    return out


def likely(p: np.ndarray, level: float) -> np.ndarray:
    """Elementwise: a probability of preferring above ``level`` (an α-UI, a γ-UI)."""
    return np.asarray(level < p)


def unlikely(p: np.ndarray, level: float) -> np.ndarray:
    """Elementwise: a probability of preferring at most ``level`` (a sanction at β)."""
    return np.asarray(p <= level)


def _unsanctioned(ui: np.ndarray, ok: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """(N,) bool: some α-UI s1 of s (``ui[s, s1]``) reaches no sanction (no s2 with
    ``reach[s1, s2]`` and ``ok[s, s2]``); only the UI pairs are checked, in blocks."""
    s, s1 = np.nonzero(ui)
    out = np.zeros(ui.shape[0], dtype=bool)
    step = max(1, _BLOCK_CELLS // max(1, ui.shape[0]))
    for lo in range(0, s.size, step):
        a, b = s[lo:lo + step], s1[lo:lo + step]
        free = ~(ok[a] & reach[b]).any(axis=1)
        out[a[free]] = True
    return out


@dataclass
class _Tables:
    """What every probabilistic concept of one model reads, built once: R_i as matrices, the
    others' reach per (responders, γ) and the model's own P_i (when first asked)."""

    conflict: Conflict
    moves: list[np.ndarray]
    reach: dict[tuple[tuple[int, ...], float | None], np.ndarray]
    own: tuple[list[np.ndarray], bool] | None = None

    def probabilities(self) -> tuple[list[np.ndarray], bool]:
        """The model's P_i per DM and whether all are exact (:func:`all_probabilities`)."""
        if self.own is None:
            self.own = all_probabilities(self.conflict)
        return self.own


# the tables of the latest model asked (one entry), as the witness search caches its moves
_TABLES: dict[int, _Tables] = {}


def _tables(conflict: Conflict) -> _Tables:
    got = _TABLES.get(id(conflict))
    if got is None or got.conflict is not conflict:
        _TABLES.clear()
        got = _TABLES[id(conflict)] = _Tables(conflict, move_matrices(conflict), {})
    return got


def probabilities_exact(conflict: Conflict) -> bool:
    """Whether the model's P_i are exact (every DM's variants enumerated) or estimated."""
    return _tables(conflict).probabilities()[1]


def probabilistic_stable(conflict: Conflict, key: str,
                         probabilities: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """(DMs, N) bool: every state's stability for every DM under probabilistic concept
    ``key``; ``probabilities`` (per DM, P_i (N, N)) default to the model's own
    (:func:`all_probabilities`, built once per model with its move matrices)."""
    c = get_concept(key)
    if c.levels is None:
        raise AnalysisError(f"{c.label} is not a probabilistic concept")
    check_size(conflict, c)
    tables = _tables(conflict)
    own = probabilities is None
    probs = tables.probabilities()[0] if probabilities is None else list(probabilities)
    m = tables.moves
    alpha = c.levels[0]
    rule = None if c.sanction is None else SANCTIONS[c.sanction]
    n_dms = len(conflict.dms)
    out = np.zeros((n_dms, conflict.n_states), dtype=bool)
    for i in range(n_dms):
        p = probs[i]
        ui = m[i] & likely(p.T, alpha)  # ui[s, s1]: s1 is an α-UI of i from s
        if rule is None:
            out[i] = ~ui.any(axis=1)
            continue
        beta = c.levels[1]
        ok = unlikely(p.T, beta)  # ok[s, s2]: s2 a sanction against a UI from s (P_i(s2 ≻ s) ≤ β)
        if rule.no_escape:  # and i cannot escape from s2 to a state it likely prefers to s
            ok &= ~through(~ok, edges_of(m[i].T))  # escape[s, s2]: some s3 ∈ R_i(s2) not ok for s
        others = tuple(j for j in range(n_dms) if j != i)
        gamma = c.levels[2] if rule.improving else None
        reach = tables.reach.get((others, gamma)) if own else None
        if reach is None:
            reach = group_reach([edges_of(m[j] if gamma is None
                                          else m[j] & likely(probs[j].T, gamma))
                                 for j in others], conflict.n_states)  # reach[s1, s2]
            if own:
                tables.reach[(others, gamma)] = reach
        out[i] = ~_unsanctioned(ui, ok, reach)
    return out


def probabilistic_relations(conflict: Conflict, concept: Concept,
                            index: MoveIndex | None = None) -> Relations:
    """The witness search's relations under a probabilistic concept, from the model's own
    P_i: i's α-UIs (:func:`likely`), sanctions ending where P_i(s2 ≻ s) ≤ β
    (:func:`unlikely`), the others moving by any moves or (SEQ) by their γ-UIs; refused as
    :func:`probabilistic_stable` is for a model too big."""
    levels = concept.levels
    if levels is None:
        raise AnalysisError(f"{concept.label} is not a probabilistic concept")
    check_size(conflict, concept)
    index = MoveIndex(conflict) if index is None else index
    probs = _tables(conflict).probabilities()[0]  # probs[i][q, s] = P_i(q ≻ s)
    rule = None if concept.sanction is None else SANCTIONS[concept.sanction]
    beta = levels[1] if len(levels) > 1 else 1.0
    gamma = levels[2] if rule is not None and rule.improving else None

    def moves(i: int, s: int) -> np.ndarray:
        r = index.reach(i, s)
        return np.asarray(r[likely(probs[i][r, s], levels[0])])

    def responds(j: int, x: int) -> np.ndarray:
        r = index.reach(j, x)
        return r if gamma is None else r[likely(probs[j][r, x], gamma)]

    def reply(i: int, x: int, s: int) -> int | None:  # the likeliest escape
        r = index.reach(i, x)
        return None if r.size == 0 else int(r[int(np.argmax(probs[i][r, s]))])

    return Relations(
        moves=moves, ends=lambda i, s: unlikely(probs[i][:, s], beta), responds=responds,
        no_escape=rule is not None and rule.no_escape, reply=reply,
        odds=lambda i, s: probs[i][:, s],
    )


__all__ = ["EXACT_VARIANTS", "MAX_PAIRS", "SAMPLES", "SEED", "Distribution", "all_probabilities",
           "check_size", "dense_bytes", "dm_distribution", "likely",
           "move_matrices", "preference_probabilities", "probabilistic_relations",
           "probabilistic_stable", "probabilities_exact", "unlikely"]
