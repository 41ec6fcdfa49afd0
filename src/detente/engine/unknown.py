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

The relations are dense (N × N) and the conditions are boolean matrix products (float32
BLAS, exact for N < 2**24), so models are limited to :data:`MAX_STATES` feasible states; a
bigger one is refused with an estimate before anything is built.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.engine.registry import Concept
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.limits import format_bytes

#: Most feasible states the unknown-preference concepts take (dense N × N relations).
MAX_STATES = 2048
#: Dense N × N arrays alive at once, beyond one per DM (moves) and one per DM (relation).
_WORK_ARRAYS = 8


def dense_bytes(c: Conflict) -> int:
    """Estimated peak bytes of the dense relations for ``c`` (float32 N × N arrays)."""
    n = c.n_states
    return 4 * n * n * (3 * len(c.dms) + _WORK_ARRAYS)


def check_size(c: Conflict, label: str) -> None:
    """Refuse, with an estimate, a model too big for the dense relations."""
    if c.n_states > MAX_STATES:
        raise AnalysisError(
            f"{label} (unknown preferences) compares every pair of states: this model has "
            f"{c.n_states:,} feasible states, about {format_bytes(dense_bytes(c))} of dense "
            f"relations and {c.n_states:,}³ operations per matrix product; detente computes "
            f"it for at most {MAX_STATES:,} feasible states")


def move_matrices(c: Conflict, index: MoveIndex | None = None) -> list[np.ndarray]:
    """Per DM j, (N, N) bool: ``[s, t]`` when t ∈ R_j(s) (positions; the one move rule of
    :class:`~detente.engine.single.MoveIndex`: irreversibility and blind spots kept)."""
    index = MoveIndex(c) if index is None else index
    n = c.n_states
    out = []
    for j in range(len(c.dms)):
        m = np.zeros((n, n), dtype=bool)
        for s in range(n):
            m[s, index.reach(j, s)] = True
        out.append(m)
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


def _any_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boolean matrix product: ``[x, z]`` when some y has a[x, y] and b[y, z]."""
    return np.asarray((a.astype(np.float32) @ b.astype(np.float32)) > 0.5)


def group_reach(steps: Sequence[np.ndarray], n: int) -> np.ndarray:
    """(N, N) bool: ``[s, t]`` when t is reached from s by a non-empty legal sequence of the
    members' moves (``steps[j][x, y]``: member j moves x → y), no member twice in a row.

    A fixed point over the last mover: Z_j = (I ∪ ⋃_{k≠j} Z_k) · steps[j], from Z_j = steps[j].
    """
    if not steps:
        return np.zeros((n, n), dtype=bool)
    if len(steps) == 1:
        return steps[0].copy()
    eye = np.eye(n, dtype=bool)
    z = [s.copy() for s in steps]
    while True:
        changed = False
        for j, step in enumerate(steps):
            start = eye.copy()
            for k, other in enumerate(z):
                if k != j:
                    start |= other
            new = _any_product(start, step) | z[j]
            if (new != z[j]).any():
                z[j], changed = new, True
        if not changed:
            break
    out = z[0].copy()
    for other in z[1:]:
        out |= other
    return out


def unknown_stable(c: Conflict, concept: Concept, ranks: np.ndarray | None = None,
                   moves: list[np.ndarray] | None = None) -> np.ndarray:
    """(DMs, N) bool: stability of every state for every DM under an unknown-preference
    concept (one with :attr:`~detente.engine.registry.Concept.unknown`)."""
    rule = concept.unknown
    if rule is None:
        raise AnalysisError(f"{concept.label} is not a concept of unknown preferences")
    check_size(c, concept.label)
    moves = move_matrices(c) if moves is None else moves
    rel = relations(c, ranks)
    sanction = concept.rule
    out = np.zeros((len(c.dms), c.n_states), dtype=bool)
    for i, (better, unknown) in enumerate(rel):
        step = moves[i] & (better | unknown) if rule.moves else moves[i] & better
        if sanction is None:  # Nash: no move at all
            out[i] = ~step.any(axis=1)
            continue
        ends = ~better if rule.ends else ~better & ~unknown  # Φ[s, q]
        others = [j for j in range(len(c.dms)) if j != i]
        if sanction.improving:  # SEQ: the others by their improvements or uncertain moves
            reach = group_reach([moves[j] & (rel[j][0] | rel[j][1]) for j in others],
                                c.n_states)
        else:
            reach = group_reach([moves[j] for j in others], c.n_states)
        if sanction.no_escape:  # the sanction leaves i no move out of Φ
            escape = _any_product(~ends, moves[i].T)  # [s, s2]: some s3 ∈ R_i(s2) not in Φ(s)
            ends = ends & ~escape
        sanctioned = _any_product(ends, reach.T)  # [s, s1]: some s2 ∈ reach(s1) ∩ Φ(s)
        out[i] = ~(step & ~sanctioned).any(axis=1)
    return out


__all__ = ["MAX_STATES", "check_size", "dense_bytes", "group_reach", "move_matrices",
           "relations", "unknown_stable"]
