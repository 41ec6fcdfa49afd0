"""A second reference for unknown preferences and strength of preference: the matrix method.

The NUAA GMCR system (github.com/callMeBigKing/nuaagmcrr, commit b1838a0, ``testGMCR/App_Code``)
computes stability in the matrix form of Xu, Hipel & Kilgour: every relation is an N × N 0/1
matrix over the feasible states, stability of state s for DM i is read off the diagonal of a
product (entry (s, s) = 0: stable). This module re-derives those formulas in numpy from a detente
model, independently of ``engine/`` (no engine code runs here but ``MoveIndex.reach``, the one
move rule, for J_i). Notation below: E the all-ones matrix, I the identity, ∘ the elementwise
product (NUAA's ``&``), ∨ the elementwise or (``|``), ``·`` the matrix product (``*``), sign()
the positive entries as 1 (``sign()``), ᵀ the transpose (``trans()``); all in ``martix.cs``.

**Inputs** (:func:`codes`, ``GMCR.cs`` ``get_Prefence_martix``): per DM a code matrix
G[s, q] saying how q compares with s: 1 q mildly preferred, 10 q strongly preferred, -1 / -10
the reverse, 0 equally preferred (and the diagonal), 2 unknown (symmetric). Unknown preferences
take G from ``conflict.ranks`` and the DM's unknown pairs (``model/unknown.py``
``UnknownPreference.mask``), never ±10; strength takes it from the ranks and the strength tiers
(``model/strength.py`` ``strength_tiers``: 10 where q's tier is above s's, as
``manualperfence.cs`` gives 10 to a pair with a ``>>`` between them), never 2. J_i[s, q] = 1
when q ∈ R_i(s) (``MoveIndex(c).reach``; NUAA: ``get_trans_marix``, no self-moves).

**Relations** (``Ustability.cs``: ``get_preferencemartix_increase``, ``_reduce``,
``_Uincrease``, ``_Ureduce``; ``BaseStability.cs`` ``get_P(symbol)`` for strength):

* P⁺ = [G = 1] (strength: P^{+,++} = [G ∈ {1, 10}]); P^{-,=} = [G ∈ {-1, 0}] off the diagonal
  (strength: P^{-,=,--} = E − I − P^{+,++}); P^{+,U} = E − I − P^{-,=}; P^{-,=,U} = E − I − P⁺;
  P^{++} = [G = 10], P^{--} = [G = -10].
* J⁺_i = J_i ∘ P⁺_i, J^{+,U}_i = J_i ∘ P^{+,U}_i (``get_Ji_increase_martix``,
  ``get_Ji_Uincrease_martix``; strength J^{+,++}_i = J_i ∘ P^{+,++}_i, ``get_J(symbol)``).

**Others' reach** (:func:`group_reach`; ``Ustability.cs`` ``get_M_it`` and ``get_MH``, the same
in ``BaseStability.cs`` and ``StrengthStability.cs`` ``get_M_it_increase_strength``): with
each member j's step matrix S_j (J_j, or J^{+,U}_j for SEQ, or J^{+,++}_j for strength SEQ),
M_{j,0} = S_j and M_{j,t} = sign(S_j · ∨_{k∈H, k≠j} M_{k,t−1}) (sequences of t + 1 moves that
j starts, no member twice in a row); M_H = ∨_t ∨_j M_{j,t} with its diagonal set to 0.

**Stability** (``Ustability.cs`` ``calculate_stability``; read off the diagonal as
``Ustability_form.cs`` ``setform`` does, :func:`diagonal_stable`), J the variant's moves
(J^{+,U}_i for a and c, J⁺_i for b and d) and P the variant's ends (P^{-,=} for a and b,
P^{-,=,U} for c and d; the escape set Q = P^{+,U} for a, b and P⁺ for c, d):

* Nash = J · E;
* GMR = J · (E − sign(M_{N−i} · Pᵀ));
* SMR = J · (E − sign(M_{N−i} · W)), W = Pᵀ ∘ (E − sign(J_i · Qᵀ));
* SEQ = J · (E − sign(M^{+,U}_{N−i} · Pᵀ)).

Strength (``StrengthStability.cs`` ``calculate_stability``), J = J^{+,++}_i, P = P^{-,=,--}:
GMR, SMR (Q = P^{+,++}) and SEQ (M^{+,++}_{N−i}) as above; strong GMR and SEQ with P^{--} in
place of P; strong SMR with W = P^{++} ∘ (E − sign(J_i · (E − P^{++}))) (P^{++} untransposed:
P^{++}[s2, s] = P^{--}[s, s2]); weak X (``StabilityForm.cs`` ``StrengthInitial``, the matrix
X == strong X, "同或"): X-stable and not strong-X-stable.

**Where NUAA's formulation and detente's definitions could differ** (each checked on random
models by ``tests/engine/test_matrix_reference.py``; the flag that switches NUAA's choice is
named):

* the diagonal of M_H. NUAA zeroes it ("自己不能转移到自己"), so a response that brings the
  others back to s1 itself is no sanction; detente's R_{N−i}(s1) (the recursive definition of
  a coalition's reachable list) contains s1 when the others can return to it. Only s1 ∈ Φ can
  make this matter, that is variant c (an uncertain move s1 may end in Φ^{≃,U}(s)), with three
  DMs or more and reversible options: ``zero_reach_diagonal``.
* the diagonal of P^{-,=} (0 in NUAA: s is no sanction of s itself; Φ^≃(s) contains s in the
  paper). Irrelevant: the others change only their own options, so R_{N−i}(s1) never holds s
  once i has moved. SMR's escape set: P^{+,U}'s diagonal is 0 (moving back to s is no escape),
  as in detente's Φ; "no better" includes equally preferred (P^{-,=} takes code 0) in both.
* the bound on the recurrence: NUAA runs t < the number of edges of all DMs' step matrices
  (``get_thr``, ``get_thr_increase``); here the recurrence runs to its fixed point, which
  needs at most as many steps (a shortest walk enters each (state, last mover) at most once,
  each through a distinct edge). ``StrengthStability.cs`` never sets its bound
  (``thr_increase_strength`` stays 0), so its M^{+,++}_{N−i} is empty and its SEQ and strong
  SEQ equal Nash: a NUAA defect, not followed here.
* weak stability: NUAA compares the raw products of X and strong X entry by entry, so two
  unstable diagonals with different counts read as "weakly stable"; here the diagonals are
  read as stable/unstable first (the intended "stable but not strongly").
* ``Ustability_form.cs`` shows SEQ_d in the SEQ_c column (``SEQc_martix = SEQ_d[dm]``): a NUAA
  display slip; ``UncertainStability.cs``'s own SEQ_c is the formula above.
* SEQ's sanctioners move by R^{+,U} in every variant (M^{+,U}_{N−i}), in NUAA and detente.
* ``Ustability.cs`` reads a code ±10 as neither preferred nor equal; here unknown preferences
  use codes without strength (the ranks), as detente's unknown concepts do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.strength import strength_tiers

UNKNOWN_CODE = 2
STRONG = 10
#: (J^{+,U} moves, P^{-,=,U} ends) per variant letter (NUAA's letters).
VARIANTS = {"a": (True, False), "b": (False, False), "c": (True, True), "d": (False, True)}


def transitions(c: Conflict) -> list[np.ndarray]:
    """Per DM i, J_i: (N, N) int, [s, q] = 1 when q ∈ R_i(s)."""
    index = MoveIndex(c)
    n = c.n_states
    out = []
    for i in range(len(c.dms)):
        j = np.zeros((n, n), dtype=np.int64)
        for s in range(n):
            j[s, index.reach(i, s)] = 1
        out.append(j)
    return out


def codes(c: Conflict, family: str) -> list[np.ndarray]:
    """Per DM, G: (N, N) int codes of how q compares with s (``GMCR.cs``'s orientation):
    ``family`` "unknown" (codes 0, ±1, 2) or "strength" (0, ±1, ±10)."""
    tiers = strength_tiers(c) if family == "strength" else None
    out = []
    for i, dm in enumerate(c.dms):
        r = c.ranks[i]
        g = np.sign(r[None, :] - r[:, None]).astype(np.int64)
        if tiers is not None:
            t = tiers[i]
            g[t[None, :] > t[:, None]] = STRONG
            g[t[None, :] < t[:, None]] = -STRONG
        elif dm.unknown is not None:
            g[dm.unknown.mask(c.feasible, c.bits, dm.preference)] = UNKNOWN_CODE
        out.append(g)
    return out


def sign(m: np.ndarray) -> np.ndarray:
    """Positive entries as 1, the rest 0 (every matrix here is non-negative)."""
    return (m > 0).astype(np.int64)


def group_reach(steps: Sequence[np.ndarray], zero_diagonal: bool = True
                ) -> tuple[np.ndarray, int]:
    """M_H from the members' step matrices, and how many rounds t (0, 1, ...) it needs:
    M_{j,0} = S_j, M_{j,t} = sign(S_j · ∨_{k≠j} M_{k,t−1}), to the fixed point of the
    per-starter unions; NUAA sets the diagonal to 0 (``zero_diagonal``)."""
    n = steps[0].shape[0]
    last = [s.copy() for s in steps]
    seen = [s.copy() for s in steps]
    rounds = int(any(s.any() for s in steps))  # the t < rounds that NUAA's loop needs
    while True:
        nxt = []
        for j, s in enumerate(steps):
            after = np.zeros((n, n), dtype=np.int64)
            for k, m in enumerate(last):
                if k != j:
                    after |= m
            nxt.append(sign(s @ after))
        grew = any(((m > 0) & (seen_j == 0)).any() for m, seen_j in zip(nxt, seen, strict=True))
        if not grew:
            break
        seen = [seen_j | m for seen_j, m in zip(seen, nxt, strict=True)]
        last = nxt
        rounds += 1
    out = np.zeros((n, n), dtype=np.int64)
    for m in seen:
        out |= m
    if zero_diagonal:
        np.fill_diagonal(out, 0)
    return out, rounds


def edge_bound(steps: Sequence[np.ndarray]) -> int:
    """NUAA's bound on the recurrence: the number of edges of the step matrices."""
    return int(sum(int(s.sum()) for s in steps))


def diagonal_stable(product: np.ndarray) -> np.ndarray:
    """(N,) bool: stable where the product's diagonal entry is 0."""
    return np.asarray(np.diagonal(product) == 0)


def unknown_table(c: Conflict, key: str, zero_reach_diagonal: bool = True) -> np.ndarray:
    """(DMs, N) bool: stability under ``key`` (``gmr_c``, ...) by the matrix formulas of
    ``Ustability.cs``."""
    base, variant = key.split("_")
    with_moves, with_ends = VARIANTS[variant]
    n = c.n_states
    e = np.ones((n, n), dtype=np.int64)
    eye = np.eye(n, dtype=np.int64)
    js = transitions(c)
    gs = codes(c, "unknown")
    p_plus = [(g == 1).astype(np.int64) for g in gs]
    p_red = [np.isin(g, (-1, 0)).astype(np.int64) * (1 - eye) for g in gs]
    p_plus_u = [e - eye - p for p in p_red]
    p_red_u = [e - eye - p for p in p_plus]
    out = np.ones((len(c.dms), n), dtype=bool)
    for i in range(len(c.dms)):
        moves = js[i] * (p_plus_u[i] if with_moves else p_plus[i])
        if base == "nash":
            out[i] = diagonal_stable(moves @ e)
            continue
        ends = p_red_u[i] if with_ends else p_red[i]
        escape = p_plus[i] if with_ends else p_plus_u[i]
        others = [j for j in range(len(c.dms)) if j != i]
        steps = [js[j] * p_plus_u[j] if base == "seq" else js[j] for j in others]
        reach, _ = group_reach(steps, zero_reach_diagonal)
        if base == "smr":
            w = ends.T * (e - sign(js[i] @ escape.T))
            out[i] = diagonal_stable(moves @ (e - sign(reach @ w)))
        else:
            out[i] = diagonal_stable(moves @ (e - sign(reach @ ends.T)))
    return out


def strength_table(c: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool: stability under ``key`` (``gmr``, ``strong_smr``, ``weak_seq``, ...; and
    ``nash``) by the matrix formulas of ``StrengthStability.cs``."""
    level, _, base = key.rpartition("_")
    n = c.n_states
    e = np.ones((n, n), dtype=np.int64)
    eye = np.eye(n, dtype=np.int64)
    js = transitions(c)
    gs = codes(c, "strength")
    p_inc = [np.isin(g, (1, STRONG)).astype(np.int64) for g in gs]
    p_red = [e - eye - p for p in p_inc]
    p_strong = [(g == STRONG).astype(np.int64) for g in gs]
    p_strong_red = [(g == -STRONG).astype(np.int64) for g in gs]
    out = np.ones((len(c.dms), n), dtype=bool)
    for i in range(len(c.dms)):
        moves = js[i] * p_inc[i]
        if base == "nash":
            out[i] = diagonal_stable(moves @ e)
            continue
        others = [j for j in range(len(c.dms)) if j != i]
        steps = [js[j] * p_inc[j] if base == "seq" else js[j] for j in others]
        reach, _ = group_reach(steps)
        if base == "smr":
            w = p_red[i].T * (e - sign(js[i] @ p_inc[i].T))
            strong_w = p_strong[i] * (e - sign(js[i] @ (e - p_strong[i])))
            plain = moves @ (e - sign(reach @ w))
            strong = moves @ (e - sign(reach @ strong_w))
        else:
            plain = moves @ (e - sign(reach @ p_red[i].T))
            strong = moves @ (e - sign(reach @ p_strong_red[i].T))
        if level == "strong":
            out[i] = diagonal_stable(strong)
        elif level == "weak":
            out[i] = diagonal_stable(plain) & ~diagonal_stable(strong)
        else:
            out[i] = diagonal_stable(plain)
    return out
