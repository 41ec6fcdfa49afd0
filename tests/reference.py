"""A deliberately simple reference implementation of the GMCR solution concepts.

Written straight from the definitions in PRODUCT.md (Fang, Hipel & Kilgour 1993), state by
state and move by move, with no vectorisation: exponential and slow, but short enough to check
by eye. The production engine is tested against it.

Conventions (those of :class:`detente.model.conflict.Conflict`):

* a state is an ``int`` code, bit k set when option k (model order) is taken;
* DM ``i`` is an index into ``c.dms``;
* DM i's payoff for state s is ``c.ranks[i, c.index_of(s)[0]]`` (higher = more preferred, equal
  ranks = indifferent), so ``t ≾_i s`` ("t not preferred by i to s") is ``u(i, t) <= u(i, s)``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

from detente.model.conflict import Conflict
from detente.model.preferences import RankingPreference, StatementPreference

CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")


def u(c: Conflict, i: int, s: int) -> int:
    """DM i's payoff rank for state s (higher = more preferred)."""
    return int(c.ranks[i, c.index_of(s)[0]])


def feasible_states(c: Conflict) -> list[int]:
    return [int(x) for x in c.feasible]


def option_bits(c: Conflict, i: int) -> list[int]:
    """The bit indices of the options DM i controls."""
    return [c.bits[name] for name in c.dms[i].options]


def _move_allowed(c: Conflict, s: int, t: int) -> bool:
    """Whether every option that changes from s to t may change in that direction."""
    for k, option in enumerate(c.options):
        before, after = (s >> k) & 1, (t >> k) & 1
        if before == after:
            continue
        if option.direction == "fwd" and not (before == 0 and after == 1):
            return False
        if option.direction == "back" and not (before == 1 and after == 0):
            return False
    return True


def blind(c: Conflict, i: int, s: int) -> bool:
    """Whether state s matches one of DM i's blind spots (GMCR+ misperceptions): a pattern of
    Y/N/- letters, one per option, ``-`` matching either value."""
    for pattern in c.dms[i].blind_spots:
        letters = [x for x in pattern if x in "YN-"]
        assert len(letters) == len(c.options), pattern  # binary options only
        if all(x == "-" or ((s >> k) & 1) == (x == "Y") for k, x in enumerate(letters)):
            return True
    return False


def reachable(c: Conflict, i: int, s: int) -> set[int]:
    """R_i(s): feasible states t != s that DM i reaches from s by changing only its own options,
    each changed option moving in a permitted direction, neither s nor t in i's blind spots."""
    own = option_bits(c, i)
    own_mask = sum(1 << k for k in own)
    out: set[int] = set()
    if blind(c, i, s):  # no move from a state in i's blind spots
        return out
    for t in feasible_states(c):
        if t == s or blind(c, i, t):  # ... nor to one
            continue
        if (t & ~own_mask) != (s & ~own_mask):  # someone else's option changed
            continue
        if _move_allowed(c, s, t):
            out.add(t)
    return out


def improvements(c: Conflict, i: int, s: int) -> set[int]:
    """R_i^+(s): the unilateral improvements of DM i from s."""
    return {t for t in reachable(c, i, s) if u(c, i, t) > u(c, i, s)}


def coalition_reach(
    c: Conflict, H: Sequence[int], s: int, improving: bool = False
) -> set[int]:
    """R_H(s) (or R_H^+(s) when ``improving``): every state reached by a non-empty legal sequence
    of unilateral moves (improvements) by members of H, no member moving twice in a row.

    Breadth-first search over (state, last mover). A member may move again once another member
    has moved in between. The start state itself is included only if some sequence returns to
    it (it never matters for the stability concepts, where the group starts from a state that
    differs from s in the focal DM's options).
    """
    def step(j: int, x: int) -> set[int]:
        return improvements(c, j, x) if improving else reachable(c, j, x)

    return sequence_reach(list(dict.fromkeys(H)), s, step)


def sequence_reach(members: Sequence[int], s: int, step: Callable[[int, int], set[int]]
                   ) -> set[int]:
    """Every state reached from ``s`` by a non-empty sequence of moves of ``members``, each
    move of member j from x one of ``step(j, x)``, no member moving twice in a row
    (breadth-first over (state, last mover)): R_H(s) for any rule of whose moves count."""
    seen: set[tuple[int, int]] = set()
    queue: deque[tuple[int, int]] = deque()
    for j in members:
        for t in step(j, s):
            if (t, j) not in seen:
                seen.add((t, j))
                queue.append((t, j))
    while queue:
        state, last = queue.popleft()
        for j in members:
            if j == last:
                continue
            for t in step(j, state):
                if (t, j) not in seen:
                    seen.add((t, j))
                    queue.append((t, j))
    return {state for state, _ in seen}


def _others(c: Conflict, i: int) -> list[int]:
    return [j for j in range(len(c.dms)) if j != i]


def _group_reach(c: Conflict, i: int, s: int, improving: bool) -> set[int]:
    """R_{N-i}(s) or R^+_{N-i}(s); for a single opponent j it is just R_j(s) / R_j^+(s)."""
    others = _others(c, i)
    if not others:
        return set()
    if len(others) == 1:
        j = others[0]
        return improvements(c, j, s) if improving else reachable(c, j, s)
    return coalition_reach(c, others, s, improving=improving)


def _simultaneous_outcomes(c: Conflict, i: int, s: int, s1: int) -> list[int]:
    """Feasible joint outcomes when i moves s -> s1 and, at the same time, each other DM j
    either stays or takes one of its own unilateral improvements t_j from s."""
    outcomes = [s1]
    for j in _others(c, i):
        j_mask = sum(1 << k for k in option_bits(c, j))
        choices = [None, *sorted(improvements(c, j, s))]
        extended: list[int] = []
        for partial in outcomes:
            for t in choices:
                if t is None:
                    extended.append(partial)
                else:
                    extended.append((partial & ~j_mask) | (t & j_mask))
        outcomes = extended
    return [x for x in outcomes if c.is_feasible(x)]


def sanctioned(c: Conflict, concept: str, i: int, s: int, s1: int) -> bool:
    """Whether DM i's unilateral improvement s -> s1 is sanctioned (deterred) under
    ``concept``: never under Nash; SEQ&SIM asks for both sanctions."""
    us = u(c, i, s)
    if concept == "nash":
        return False
    if concept == "gmr":
        return any(u(c, i, s2) <= us for s2 in _group_reach(c, i, s1, improving=False))
    if concept == "smr":
        return any(
            u(c, i, s2) <= us and all(u(c, i, s3) <= us for s3 in reachable(c, i, s2))
            for s2 in _group_reach(c, i, s1, improving=False)
        )
    if concept == "seq":
        return any(u(c, i, s2) <= us for s2 in _group_reach(c, i, s1, improving=True))
    if concept == "sim":
        return any(u(c, i, x) <= us for x in _simultaneous_outcomes(c, i, s, s1))
    if concept == "seq_sim":
        return sanctioned(c, "seq", i, s, s1) and sanctioned(c, "sim", i, s, s1)
    raise ValueError(f"unknown concept {concept!r}; expected one of {', '.join(CONCEPTS)}")


def stable(c: Conflict, concept: str, i: int, s: int) -> bool:
    """Whether state s is stable for DM i under ``concept``: every unilateral improvement is
    sanctioned."""
    if concept in STRENGTH_CONCEPTS:
        return strength_stable(c, concept, i, s)
    if concept not in CONCEPTS:
        raise ValueError(f"unknown concept {concept!r}; expected one of {', '.join(CONCEPTS)}")
    return all(sanctioned(c, concept, i, s, s1) for s1 in improvements(c, i, s))


# ---- strength of preference (Hamouda, Kilgour & Hipel 2004) ------------------------------
STRENGTH_CONCEPTS: tuple[str, ...] = tuple(
    f"{level}_{base}" for level in ("strong", "weak") for base in ("gmr", "smr", "seq"))


def strongly(c: Conflict, i: int, s: int, t: int) -> bool:
    """Whether DM i strongly prefers s to t, read off the model as written: a ranking's
    ``>>`` marks between their entries, or the first statement they differ on being strong
    and true in s; payoffs state no strong preference."""
    pref = c.dms[i].preference
    if isinstance(pref, RankingPreference):
        gs, gt = (next(k for k, tier in enumerate(pref.tiers) if x in tier) for x in (s, t))
        return gs < gt and any(gs < k <= gt for k in pref.strong_breaks)
    if isinstance(pref, StatementPreference):
        for st in pref.statements:
            vs, vt = (bool(st.expr.evaluate(np.array([x]), c.bits)[0]) for x in (s, t))
            if vs != vt:
                return st.strong and vs
    return False


def strength_stable(c: Conflict, concept: str, i: int, s: int) -> bool:
    """Strong stability: every UI s1 meets a sanction s2 (reached as the classic concept lets
    the others reach it) that i strongly disprefers to s (SMR: and every move of i from s2
    too); weak stability: stable under the classic concept, not strongly."""
    level, base = concept.split("_", 1)
    if level == "weak":
        return stable(c, base, i, s) and not stable(c, f"strong_{base}", i, s)
    for s1 in improvements(c, i, s):
        reach = _group_reach(c, i, s1, improving=base == "seq")
        if base == "smr":
            ok = any(strongly(c, i, s, s2) and all(strongly(c, i, s, s3)
                                                   for s3 in reachable(c, i, s2))
                     for s2 in reach)
        else:
            ok = any(strongly(c, i, s, s2) for s2 in reach)
        if not ok:
            return False
    return True


def stable_sets(c: Conflict) -> dict[str, dict[str, frozenset[int]]]:
    """concept -> DM name -> the codes of the states stable for that DM."""
    return {
        concept: {
            dm.name: frozenset(s for s in feasible_states(c) if stable(c, concept, i, s))
            for i, dm in enumerate(c.dms)
        }
        for concept in CONCEPTS
    }


def equilibria(c: Conflict) -> dict[str, frozenset[int]]:
    """concept -> the codes of the states stable for every DM."""
    out: dict[str, frozenset[int]] = {}
    for concept, per_dm in stable_sets(c).items():
        common = frozenset(feasible_states(c))
        for states in per_dm.values():
            common &= states
        out[concept] = common
    return out


def coalition_stable_against(
    c: Conflict, concept: str, i: int, members: Sequence[int], s: int
) -> bool:
    """Member i of coalition H is stable at s against H's joint improvements R_H⁺⁺(s) under
    Nash, GMR, SMR or SEQ: each is sanctioned by the others N∖H (their improvements for SEQ),
    judged by i; SMR: H's counter-moves from the sanction must not help i either."""
    us = u(c, i, s)
    comp = [j for j in range(len(c.dms)) if j not in members]
    joint = {
        t for t in coalition_reach(c, members, s) if all(u(c, j, t) > u(c, j, s) for j in members)
    }
    for s1 in joint:
        if concept == "nash":
            return False
        sanctions = coalition_reach(c, comp, s1, concept == "seq") if comp else set()
        if concept == "smr":
            ok = any(
                u(c, i, s2) <= us
                and all(u(c, i, s3) <= us for s3 in coalition_reach(c, members, s2))
                for s2 in sanctions
            )
        else:
            ok = any(u(c, i, s2) <= us for s2 in sanctions)
        if not ok:
            return False
    return True
