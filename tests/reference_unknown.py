"""Brute-force reference for stability with unknown preferences (Li, Hipel, Kilgour & Fang
2004), written straight from the definitions, state by state (docs/concepts-extended.md).

The unknown relation is derived independently of ``model/unknown.py``'s shortcut: a pair is
unknown when both states lie in one declared group, or when the verdict of the statement list
differs between the signs of the unknown statements (each counted for or against, every
combination); moves and group reach come from :mod:`reference`.
"""

from __future__ import annotations

from itertools import product

import numpy as np

import reference
from detente.model.conflict import Conflict
from detente.model.preferences import StatementPreference

#: (moves to unknown states too, sanctions may end in unknown states) per variant, as the NUAA
#: GMCR system labels them (github.com/callMeBigKing/nuaagmcrr, testGMCR/App_Code/Ustability.cs
#: and UncertainStability.cs at b1838a0: a and c deter J^{+,U}, b and d J^+; a and b sanction
#: into P^{-,=}, c and d into P^{-,=,U}).
VARIANTS = {"a": (True, False), "b": (False, False), "c": (True, True), "d": (False, True)}
KEYS = tuple(f"{b}_{v}" for b in ("nash", "gmr", "smr", "seq") for v in VARIANTS)


def unknown(c: Conflict, i: int, s: int, q: int) -> bool:
    """q U_i s: DM i cannot compare states s and q (codes)."""
    if s == q:
        return False
    dm = c.dms[i]
    spec = dm.unknown
    if spec is None:
        return False
    if any(s in g and q in g for g in spec.groups):
        return True
    pref = dm.preference
    if not spec.statements or not isinstance(pref, StatementPreference):
        return False
    m = len(pref.statements)
    verdicts = set()
    for signs in product((1, -1), repeat=len(spec.statements)):
        sign = dict(zip(spec.statements, signs, strict=True))
        score = {}
        for x in (s, q):
            total = 0
            for k, st in enumerate(pref.statements):
                holds = bool(st.expr.evaluate(np.array([x]), c.bits)[0])
                if sign.get(k, 1) < 0:
                    holds = not holds
                total += int(holds) << (m - 1 - k)
            score[x] = total
        verdicts.add((score[q] > score[s]) - (score[q] < score[s]))
    return len(verdicts) > 1


def better(c: Conflict, i: int, s: int, q: int) -> bool:
    """q ≻_i s, known."""
    return not unknown(c, i, s, q) and reference.u(c, i, q) > reference.u(c, i, s)


def no_better(c: Conflict, i: int, s: int, q: int, with_unknown: bool) -> bool:
    """q ∈ Φ_i^≃(s) (s ≻_i q or s ~_i q), or q ∈ Φ_i^{≃,U}(s) with ``with_unknown``."""
    return not better(c, i, s, q) and (with_unknown or not unknown(c, i, s, q))


def moves(c: Conflict, i: int, s: int, with_unknown: bool) -> set[int]:
    """R_i⁺(s), or R_i^{+,U}(s) with ``with_unknown``."""
    return {q for q in reference.reachable(c, i, s)
            if better(c, i, s, q) or (with_unknown and unknown(c, i, s, q))}


def group_reach(c: Conflict, members: list[int], s: int, credible: bool) -> set[int]:
    """R_H(s), or R_H^{+,U}(s) with ``credible`` (each move in its mover's R^{+,U}): every
    state reached by a non-empty legal sequence, no member moving twice in a row."""
    def step(j: int, x: int) -> set[int]:
        return moves(c, j, x, True) if credible else reference.reachable(c, j, x)

    return reference.sequence_reach(members, s, step)


def stable(c: Conflict, key: str, i: int, s: int) -> bool:
    """Whether state s (code) is stable for DM i under ``key`` (``gmr_a``, ...)."""
    base, variant = key.split("_")
    with_moves, with_ends = VARIANTS[variant]
    ui = moves(c, i, s, with_moves)
    if base == "nash":
        return not ui
    others = [j for j in range(len(c.dms)) if j != i]
    for s1 in ui:
        reach = group_reach(c, others, s1, credible=base == "seq")
        if base == "smr":
            ok = any(no_better(c, i, s, s2, with_ends)
                     and all(no_better(c, i, s, s3, with_ends)
                             for s3 in reference.reachable(c, i, s2))
                     for s2 in reach)
        else:
            ok = any(no_better(c, i, s, s2, with_ends) for s2 in reach)
        if not ok:
            return False
    return True


def table(c: Conflict, key: str) -> np.ndarray:
    """(DMs, N) bool: the reference's stability of every state for every DM."""
    return np.array([[stable(c, key, i, int(code)) for code in c.feasible]
                     for i in range(len(c.dms))])
