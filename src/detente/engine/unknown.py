"""Stability with unknown preferences (Li, Hipel, Kilgour & Fang 2004), every state at once.

Each DM i compares two states q and s in one of three ways: q ≻_i s (known better), q ~_i s
or s ≻_i q (known no better), q U_i s (unknown; model/unknown.py). With R_i(s) i's one-move
reach, the paper's sets are

* R_i⁺(s) = {q ∈ R_i(s): q ≻_i s} and R_i^{+,U}(s) = R_i⁺(s) ∪ {q ∈ R_i(s): q U_i s};
* Φ_i^≃(s) = {q: s ≻_i q or s ~_i q} and Φ_i^{≃,U}(s) = Φ_i^≃(s) ∪ {q: q U_i s};
* R_H(s): the states a group H reaches by a legal sequence of unilateral moves (no member
  twice in a row), R_H^{+,U}(s) the same by moves each in R_j^{+,U} of its mover j.

A concept's :class:`~detente.engine.registry.UnknownRule` picks the focal DM's moves
(``moves``: R^{+,U}, else R⁺) and where a sanction may end (``ends``: Φ^{≃,U}, else Φ^≃);
its sanction kind picks the others' reach (GMR, SMR: R_{N-i}; SEQ: R^{+,U}_{N-i}) and whether
the mover must be left no escape (SMR: every s3 ∈ R_i(s2) also in the sanction's Φ). Nash:
no move at all. s is stable for i when every move s1 meets some s2 in the others' reach from
s1 within Φ.

The relations and the others' reach are dense (N × N bool); the moves are edge lists, so each
product with them costs O(N · E / 64) for E moves, and the reach is a fixed point of such
products (:mod:`detente.engine.dense_reach`, shared with probabilistic stability). Models are
limited to :data:`MAX_STATES` feasible states; a bigger one is refused with an estimate
before anything is built.
"""

from __future__ import annotations

import numpy as np

from detente.engine.dense_reach import CHUNK_BYTES, group_reach, through
from detente.engine.registry import Concept, UnknownRule
from detente.engine.relations import Relations
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.limits import format_bytes, memory_budget

#: Most feasible states the unknown-preference concepts take (dense N × N relations; the
#: 2,880-state flagship takes 3–5 s a concept).
MAX_STATES = 4096
#: Dense N × N bool arrays alive at once beyond three per DM (its relation and its reach).
_WORK_ARRAYS = 8


def dense_bytes(c: Conflict) -> int:
    """Estimated peak bytes for ``c``: the dense N × N bool arrays and the gathered rows."""
    n = c.n_states
    return n * n * (3 * len(c.dms) + _WORK_ARRAYS) + 2 * CHUNK_BYTES


def check_size(c: Conflict, label: str) -> None:
    """Refuse, with an estimate, a model too big for the dense relations: more than
    :data:`MAX_STATES` feasible states, or an estimate beyond this machine's memory budget."""
    need = dense_bytes(c)
    if c.n_states > MAX_STATES or need > memory_budget():
        limit = (f"detente computes it for at most {MAX_STATES:,} feasible states"
                 if c.n_states > MAX_STATES else
                 f"beyond this machine's memory budget of {format_bytes(memory_budget())} "
                 "(DETENTE_MAX_MEMORY)")
        raise AnalysisError(
            f"{label} (unknown preferences) compares every pair of states: this model has "
            f"{c.n_states:,} feasible states, about {format_bytes(need)} of dense "
            f"relations and {c.n_states:,}² operations per move in each product; {limit}")


def move_edges(c: Conflict, index: MoveIndex | None = None) -> list[np.ndarray]:
    """Per DM j, its moves as a (2, E) int64 array of edges s → t, t ∈ R_j(s) (positions; the
    one move rule of :class:`~detente.engine.single.MoveIndex`: irreversibility and blind
    spots kept)."""
    index = MoveIndex(c) if index is None else index
    out = []
    for j in range(len(c.dms)):
        targets = [index.reach(j, s) for s in range(c.n_states)]
        src = np.repeat(np.arange(c.n_states, dtype=np.int64), [t.size for t in targets])
        dst = np.concatenate(targets).astype(np.int64) if targets else np.zeros(0, np.int64)
        out.append(np.stack([src, dst]))
    return out


def relations(c: Conflict, ranks: np.ndarray | None = None
              ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per DM: (better, unknown), (N, N) bool: ``better[s, q]`` when q ≻ s is known,
    ``unknown[s, q]`` when q U s. ``ranks`` (DMs, N) replaces ``c.ranks``."""
    ranks = c.ranks if ranks is None else ranks
    out = []
    for dm, r in zip(c.dms, ranks, strict=True):
        unknown = (dm.unknown.mask(c.feasible, c.bits, dm.preference)
                   if dm.unknown is not None else np.zeros((r.size, r.size), dtype=bool))
        better = (r[None, :] > r[:, None]) & ~unknown
        out.append((better, unknown))
    return out


def focal_moves(better: np.ndarray, unknown: np.ndarray, rule: UnknownRule) -> np.ndarray:
    """Which of the focal DM's moves count (elementwise over moves s -> q): R⁺, or R^{+,U}
    when the variant moves to uncertain states too."""
    return better | unknown if rule.moves else better


def sanction_ends(better: np.ndarray, unknown: np.ndarray, rule: UnknownRule) -> np.ndarray:
    """Where a sanction may end (elementwise over pairs s, q): Φ^≃, or Φ^{≃,U} when the
    variant also takes uncertain states."""
    return ~better if rule.ends else ~better & ~unknown


def credible(better: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """The others' moves in SEQ (elementwise over moves x -> y of a responder): their
    improvements and uncertain moves, R^{+,U}, in every variant."""
    return np.asarray(better | unknown)


# the dense relations of the latest (model, move index) asked, shared by its sixteen concepts
_RELATIONS: list[tuple[Conflict, MoveIndex, list[tuple[np.ndarray, np.ndarray]]]] = []


def _shared_relations(c: Conflict, index: MoveIndex) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`relations` on ``index``'s ranks, built once for the latest model and index (an
    explanation asks for several unknown-preference concepts of one model)."""
    got = next(iter(_RELATIONS[:1]), None)  # one read: another thread may replace the entry
    if got is None or got[0] is not c or got[1] is not index:
        got = (c, index, relations(c, index.payoff_ranks))
        _RELATIONS[:] = [got]
    return got[2]


def unknown_relations(c: Conflict, concept: Concept, index: MoveIndex | None = None
                      ) -> Relations:
    """The witness search's relations under an unknown-preference concept (on ``index``'s
    ranks): the moves :func:`focal_moves` counts, the ends :func:`sanction_ends` allows, the
    others moving by any moves or (SEQ) by :func:`credible` ones; refused as
    :func:`unknown_stable` is for a model too big."""
    rule = concept.unknown
    if rule is None:
        raise AnalysisError(f"{concept.label} is not a concept of unknown preferences")
    check_size(c, concept.label)
    index = MoveIndex(c) if index is None else index
    rel = _shared_relations(c, index)
    sanction = concept.rule
    improving = sanction is not None and sanction.improving

    def moves(i: int, s: int) -> np.ndarray:
        r = index.reach(i, s)
        better, unknown = rel[i]
        return np.asarray(r[focal_moves(better[s, r], unknown[s, r], rule)])

    def responds(j: int, x: int) -> np.ndarray:
        r = index.reach(j, x)
        if not improving:
            return r
        better, unknown = rel[j]
        return np.asarray(r[credible(better[x, r], unknown[x, r])])

    return Relations(
        moves=moves, ends=lambda i, s: sanction_ends(rel[i][0][s], rel[i][1][s], rule),
        responds=responds, no_escape=sanction is not None and sanction.no_escape,
        reply=lambda i, x, s: index.best_reply(i, x),
        uncertain=lambda i, s: rel[i][1][s],
    )


def unknown_stable(c: Conflict, concept: Concept, ranks: np.ndarray | None = None,
                   moves: list[np.ndarray] | None = None) -> np.ndarray:
    """(DMs, N) bool: stability of every state for every DM under an unknown-preference
    concept (one with :attr:`~detente.engine.registry.Concept.unknown`). ``moves``: each DM's
    edges (:func:`move_edges`), when the caller has them."""
    rule = concept.unknown
    if rule is None:
        raise AnalysisError(f"{concept.label} is not a concept of unknown preferences")
    check_size(c, concept.label)
    n = c.n_states
    moves = move_edges(c) if moves is None else moves
    rel = relations(c, ranks)

    def credible_edges(j: int) -> np.ndarray:
        """DM j's improvements and uncertain moves, R_j^{+,U}, as edges."""
        better, unknown = rel[j]
        u, v = moves[j]
        return moves[j][:, credible(better[u, v], unknown[u, v])]

    sanction = concept.rule
    out = np.ones((len(c.dms), n), dtype=bool)
    for i, (better, unknown) in enumerate(rel):
        u, v = moves[i]
        keep = focal_moves(better[u, v], unknown[u, v], rule)
        s, s1 = u[keep], v[keep]  # the focal DM's moves that must be deterred
        if sanction is None:  # Nash: no move at all
            out[i, s] = False
            continue
        ends = sanction_ends(better, unknown, rule)  # Φ[s, q]
        others = [j for j in range(len(c.dms)) if j != i]
        steps = [credible_edges(j) if sanction.improving else moves[j] for j in others]
        reach = group_reach(steps, n)
        if sanction.no_escape:  # SMR: from s2, every move of i stays in Φ(s)
            escape = through(~ends, moves[i][::-1])  # [s, s2]: some s3 ∈ R_i(s2) out of Φ(s)
            ends &= ~escape
        deterred = np.zeros(s.size, dtype=bool)
        step = max(1, CHUNK_BYTES // max(1, n))
        for lo in range(0, s.size, step):  # some s2 ∈ reach(s1) ∩ Φ(s), per move s -> s1
            hi = lo + step
            deterred[lo:hi] = (reach[s1[lo:hi]] & ends[s[lo:hi]]).any(axis=1)
        out[i, s[~deterred]] = False
    return out


__all__ = ["MAX_STATES", "check_size", "credible", "dense_bytes", "focal_moves", "move_edges",
           "relations", "sanction_ends", "unknown_relations", "unknown_stable"]
