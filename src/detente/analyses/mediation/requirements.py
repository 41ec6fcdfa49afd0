"""Requirements: the conditions on each DM's preferences under which a target is stable.

Read off the definitions (PRODUCT.md), one condition per move t ∈ R_i(s) of DM i from the
target s: i must not prefer t to s, unless (per concept)

- Nash: no exception;
- GMR: some state the others can reach from t (R_{N−i}(t)) is not preferred by i to s;
- SMR: as GMR, and i cannot escape from that state to one it prefers to s;
- SEQ: as GMR, reached by moves that each improve the mover's position (depends on the
  others' preferences too);
- SIM: the others, each staying or taking one of its own improvements from s at the same time
  as i moves, produce a feasible outcome i does not prefer to s.

The target is stable for i exactly when every condition holds; ``met`` says which hold under
the model's current preferences, and ``sanction`` names one state that currently deters the
move (the nearest, for GMR/SMR/SEQ, found breadth-first).

What each concept asks is read from its registry entry (whether anything deters a move, its
sanction rule, its wording :attr:`~detente.engine.registry.Concept.unless`), never its name.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.analyses.mediation.local import LocalChecks
from detente.analyses.moves import option_changes
from detente.engine.registry import concept_label, get_concept, one_condition_parts
from detente.model.conflict import Conflict


@dataclass(frozen=True)
class Requirement:
    """One condition on DM ``dm``'s preferences for the target to be stable under ``concept``."""

    target: str
    dm: str
    concept: str
    move: str  # the state i can move to
    move_number: int
    change: str  # i's option changes, e.g. "isr_accept Y→N, isr_new_demands N→Y"
    prefers_move: bool  # does i currently prefer the move to the target?
    met: bool
    sanction: str | None  # a state that currently deters the move (None if none / not needed)
    sanction_path: str  # who moves how to reach it, in words ("" when none)
    candidates: int  # states that could deter it (how many the others can reach)
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "dm": self.dm, "concept": self.concept,
            "move": self.move, "move_number": self.move_number, "change": self.change,
            "prefers_move": self.prefers_move, "met": self.met, "sanction": self.sanction,
            "sanction_path": self.sanction_path, "possible_sanctions": self.candidates,
            "text": self.text,
        }


def changes(c: Conflict, a: int, b: int) -> str:
    """Option changes from code a to code b, e.g. ``'offensive N→Y'``."""
    return ", ".join(str(ch) for ch in option_changes(c, a, b))


def requirements(
    c: Conflict, local: LocalChecks, k: int, dms: list[int] | None = None,
    bits: dict[int, np.ndarray] | None = None,
) -> list[Requirement]:
    """Every requirement at target ``k`` of ``local`` for its concepts (SEQ&SIM: both).
    ``bits``: the model's comparison bits as a one-profile batch (computed when not given;
    pass them when asking for many targets)."""
    s = local.targets[k]
    feasible = c.feasible
    ranks = c.ranks
    if bits is None:
        bits = {j: b[None, :] for j, b in local.bits_from_ranks(ranks).items()}
    concepts = one_condition_parts(local.concepts)
    out: list[Requirement] = []
    target = c.state_string(int(feasible[s]))
    for i in dms if dms is not None else range(local.n):
        name = c.dms[i].name
        u = ranks[i]
        for m in local.moves[k][i]:
            prefers = bool(u[m.t] > u[s])
            for concept in concepts:
                met = not prefers or (get_concept(concept).deterrable
                                      and bool(local.sanctioned(concept, bits, i, m)[0]))
                sanction, path, count = _sanction(c, local, concept, i, s, m.t, prefers)
                out.append(Requirement(
                    target, name, concept, c.state_string(int(feasible[m.t])), m.t + 1,
                    changes(c, int(feasible[s]), int(feasible[m.t])), prefers, met,
                    sanction, path, count,
                    _wording(c, name, concept, s, m.t, prefers, met, sanction, path),
                ))
    return out


def _sanction(
    c: Conflict, local: LocalChecks, concept: str, i: int, s: int, t: int, prefers: bool
) -> tuple[str | None, str, int]:
    """A state deterring i's move to t now (nearest first), its path in words, and how many
    states could serve (none without a sequential sanction: Nash, SIM)."""
    rule = get_concept(concept).rule
    if rule is None:
        return None, "", 0
    u = c.ranks
    reach = local.group_reach(i, t)
    if not prefers:
        return None, "", len(reach)

    def good(x: int) -> bool:
        if u[i][x] > u[i][s]:
            return False
        if rule.no_escape:
            return all(u[i][z] <= u[i][s] for z in local.index.reach(i, x).tolist())
        return True

    path = _nearest(local, i, t, good, rule.improving)
    if path is None:
        return None, "", len(reach)
    words = "; then ".join(
        f"{c.dms[j].name} {changes(c, int(c.feasible[a]), int(c.feasible[b]))} "
        f"(state {b + 1})" for j, a, b in path
    )
    return c.state_string(int(c.feasible[path[-1][2]])), words, len(reach)


def _nearest(local: LocalChecks, i: int, t: int, good: Any, improving: bool
             ) -> list[tuple[int, int, int]] | None:
    """Shortest legal sequence of the others' moves from t to a state where ``good`` holds."""
    ranks = local.conflict.ranks
    others = local.others(i)
    start = (t, -1)
    parent: dict[tuple[int, int], tuple[int, int]] = {}
    queue: deque[tuple[int, int]] = deque([start])
    seen = {start}
    while queue:
        x, last = queue.popleft()
        for j in others:
            if j == last:
                continue
            ys = local.index.reach(j, x)
            if improving:
                ys = ys[ranks[j][ys] > ranks[j][x]]
            for y in ys.tolist():
                node = (y, j)
                if node in seen:
                    continue
                seen.add(node)
                parent[node] = (x, last)
                if good(y):
                    path = []
                    cur = node
                    while cur != start:
                        prev = parent[cur]
                        path.append((cur[1], prev[0], cur[0]))
                        cur = prev
                    return path[::-1]
                queue.append(node)
    return None


def _wording(
    c: Conflict, dm: str, concept: str, s: int, t: int, prefers: bool, met: bool,
    sanction: str | None, path: str,
) -> str:
    move = changes(c, int(c.feasible[s]), int(c.feasible[t]))
    head = f"{concept_label(concept)}: {dm} must not prefer state {t + 1} ({move}) to the target"
    unless = get_concept(concept).unless
    if unless:
        head += f", unless {unless}"
    if not prefers:
        return head + " — met: it does not prefer that move."
    if met and path:
        return head + f" — met: it fears {path}."
    if met:
        return head + " — met: a simultaneous response deters it."
    return head + " — NOT met: it prefers the move and nothing deters it."


def dm_met(reqs: list[Requirement], dm: str, concept: str) -> bool:
    """Whether every requirement of ``dm`` under ``concept`` is met (= stable)."""
    return all(r.met for r in reqs if r.dm == dm and r.concept == concept)


__all__ = ["Requirement", "changes", "dm_met", "requirements"]
