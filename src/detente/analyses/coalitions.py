"""Coalition analysis (Inohara & Hipel 2008): joint moves every member of a coalition prefers.

Inohara, T. & Hipel, K. W. (2008), *Coalition analysis in the graph model for conflict
resolution*, Systems Engineering 11(4):343-359. Notation as in PRODUCT.md; u_i is DM i's payoff
rank, t ≾_i s means u_i(t) <= u_i(s), N is the set of all DMs.

Definitions implemented (for a coalition H of two or more DMs and a state s):

* R_H(s), the *coalitional moves*: states reachable from s by a legal sequence of unilateral
  moves of members of H, no member moving twice in a row (R_H of PRODUCT.md).
* R_H⁺⁺(s) = {t ∈ R_H(s) : t ≻_j s for every j ∈ H}, the *coalitional improvements*.
* For a DM i ∈ H, s is stable for i *against H* when every t ∈ R_H⁺⁺(s) is sanctioned by the
  complement N∖H (sanctions judged by i, the focal DM):

  - coalition-Nash (CNash): R_H⁺⁺(s) = ∅;
  - coalition-GMR (CGMR): ∀ s1 ∈ R_H⁺⁺(s) ∃ s2 ∈ R_{N∖H}(s1) with s2 ≾_i s;
  - coalition-SEQ (CSEQ): as CGMR with s2 ∈ R⁺_{N∖H}(s1) (every sanctioning move a unilateral
    improvement for its mover);
  - coalition-SMR (CSMR): as CGMR, and also every s3 ∈ R_H(s2) (the coalition's counter-move)
    has s3 ≾_i s.

  When H = N the complement is empty and cannot sanction; when N∖H is one DM j,
  R_{N∖H} = R_j.
* s is coalition-X stable for DM i when it is stable for i against every coalition H ∋ i that
  is analysed, *and* against i alone (H = {i}: R_{i}⁺⁺ = R_i⁺, so this is the ordinary
  non-cooperative concept X). Inohara & Hipel quantify over every H ⊆ N containing i;
  ``coalition_analysis(..., all_coalitions=True)`` does exactly that, while a given list of
  coalitions restricts the H considered to those (plus the singletons).
* A coalition-X equilibrium is a state coalition-X stable for every DM.

Implementation: the sanctions (least u_i the complement can reach from every state, and for CSMR
the coalition's best counter-move) are engine fixed-point passes over all states
(:func:`detente.engine.coalition.coalition_min`). R_H(s) itself is found by a breadth-first
search per state: a member's one-move relation is transitive (two moves in a row by the same
member are one legal move, or a return to the start), so R_H(s) ∖ {s} is plain reachability in
the union of the members' move graphs, which never leaves the group of states that agree on the
options of DMs outside H. Groups of up to :data:`DENSE_GROUP` states are closed at once with
(g, g) boolean matrices (memory bounded by that constant, never states × states); larger ones
are searched state by state. Memory is otherwise O(states × DMs) plus the moves cached for the
search; the work, Σ g² over the groups, is refused above :data:`MAX_WORK`.

>>> import detente
>>> from detente.analyses.coalitions import coalition_analysis
>>> res = coalition_analysis(detente.load("examples/elmira.yaml"))
>>> res.improvement_numbers(("MoE", "UR"), 7)
[10]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from detente.engine import Engine
from detente.engine.coalition import coalition_min
from detente.engine.layout import INF
from detente.engine.registry import (
    COALITION_CONCEPTS,
    COALITION_NAMES,
    SanctionKind,
    get_concept,
    parse_coalition_concepts,
)
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

#: Most coalitions ``all_coalitions=True`` will analyse (2**10).
MAX_COALITIONS = 1 << 10
#: Upper bound on Σ_s |R_H(s)| (state pairs searched) per analysis.
MAX_WORK = 20_000_000
#: Groups (states agreeing outside the coalition) up to this size are closed with dense
#: (g, g) boolean matrices; larger ones are searched state by state.
DENSE_GROUP = 2048

Coalition = tuple[str, ...]
Step = tuple[str, int, int]  # (mover, from code, to code)


# ----- moves ------------------------------------------------------------------------------
class MoveGraph:
    """Unilateral moves of every DM, computed per state on demand and cached.

    >>> import detente
    >>> g = MoveGraph(detente.load("examples/elmira.yaml"))
    >>> g.coalition_improvements([0, 1], 6)  # indices: source state 5 -> 8
    [9]
    """

    def __init__(self, conflict: Conflict, engine: Engine | None = None) -> None:
        self.conflict = conflict
        self.engine = engine if engine is not None else Engine(conflict)
        self.ranks = conflict.ranks
        self._grids: list[np.ndarray] = []
        self._move: list[np.ndarray] = []
        for lay in self.engine.layouts:
            grid = np.full(lay.n_groups * lay.width, -1, dtype=np.int64)
            grid[lay.flat] = np.arange(conflict.n_states, dtype=np.int64)
            self._grids.append(grid.reshape(lay.n_groups, lay.width))
            self._move.append(lay.move_matrix())
        self._cache: list[dict[int, list[int]]] = [{} for _ in conflict.dms]

    def moves(self, j: int, s: int) -> list[int]:
        """R_j(s) as state indices (ascending)."""
        cache = self._cache[j]
        hit = cache.get(s)
        if hit is None:
            lay = self.engine.layouts[j]
            row = self._grids[j][lay.group[s]]
            cand = row[self._move[j][lay.local[s]]]
            hit = sorted(int(x) for x in cand[cand >= 0])
            cache[s] = hit
        return hit

    def improvements(self, j: int, s: int) -> list[int]:
        """R_j⁺(s) as state indices."""
        r = self.ranks[j]
        return [t for t in self.moves(j, s) if r[t] > r[s]]

    def reach(self, members: Sequence[int], s: int) -> dict[int, tuple[int, int]]:
        """Breadth-first search of R_H(s): reached index -> (previous index, mover).

        The start maps to (-1, -1). Parent links give a shortest legal sequence (no member twice
        in a row: two consecutive moves by one member would be one shorter move).
        """
        parent: dict[int, tuple[int, int]] = {s: (-1, -1)}
        frontier = [s]
        while frontier:
            nxt: list[int] = []
            for x in frontier:
                for j in members:
                    for t in self.moves(j, x):
                        if t not in parent:
                            parent[t] = (x, j)
                            nxt.append(t)
            frontier = nxt
        return parent

    def coalition_improvements(self, members: Sequence[int], s: int) -> list[int]:
        """R_H⁺⁺(s) as ascending state indices."""
        reached = self.reach(members, s)
        return self.improving_among(members, s, reached)

    def improving_among(
        self, members: Sequence[int], s: int, reached: Iterable[int]
    ) -> list[int]:
        """The states of ``reached`` (indices) that every member strictly prefers to s."""
        cand = np.fromiter((t for t in reached if t != s), dtype=np.int64)
        if cand.size == 0:
            return []
        sub = self.ranks[list(members)]
        ok = (sub[:, cand] > sub[:, [s]]).all(axis=0)
        return sorted(int(t) for t in cand[ok])

    def steps(self, reached: dict[int, tuple[int, int]], t: int) -> list[Step]:
        """The member moves (mover name, from code, to code) of the search path to index t."""
        out: list[tuple[int, int, int]] = []
        while reached[t][0] != -1:
            prev, j = reached[t]
            out.append((j, prev, t))
            t = prev
        feasible = self.conflict.feasible
        names = self.conflict.dm_names
        return [(names[j], int(feasible[a]), int(feasible[b])) for j, a, b in reversed(out)]


# ----- coalitions -------------------------------------------------------------------------
def parse_coalitions(model: Conflict, coalitions: Iterable[Iterable[str]]) -> tuple[Coalition, ...]:
    """Validate coalitions: known DMs, two or more distinct members; members in model order."""
    out: list[Coalition] = []
    for raw in coalitions:
        names = [n.strip() for n in raw]
        idx = sorted({model.dm_index(n) for n in names})
        if len(idx) < 2 or len(idx) != len(names):
            raise AnalysisError(
                f"coalition {', '.join(names) or '(empty)'} needs two or more distinct decision "
                f"makers; expected names from: {', '.join(model.dm_names)}"
            )
        key = tuple(model.dm_names[i] for i in idx)
        if key not in out:
            out.append(key)
    return tuple(out)


def every_coalition(model: Conflict) -> tuple[Coalition, ...]:
    """Every coalition of two or more DMs (refused above :data:`MAX_COALITIONS`)."""
    n = len(model.dms)
    count = (1 << n) - n - 1
    if count > MAX_COALITIONS:
        raise AnalysisError(
            f"{n} decision makers form {count} coalitions of two or more; at most "
            f"{MAX_COALITIONS} are analysed at once: name the coalitions to analyse instead"
        )
    return tuple(
        tuple(model.dm_names[i] for i in combo)
        for size in range(2, n + 1)
        for combo in combinations(range(n), size)
    )


def _work_bound(model: Conflict, members: Sequence[int]) -> float:
    mask = int(np.bitwise_or.reduce(model.dm_masks[list(members)]))
    _, counts = np.unique(model.feasible & ~np.int64(mask), return_counts=True)
    return float((counts.astype(np.float64) ** 2).sum())


# ----- results ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CoalitionResult:
    """Coalitional improvements and coalition stability (see the module docstring).

    ``against[concept][H]`` is (members of H, states) bool: stable for that member against H's
    coalitional improvements. ``stable[concept]`` is (DMs, states) bool: coalition stability for
    each DM (against every analysed coalition containing it, and against itself alone).
    """

    conflict: Conflict
    coalitions: tuple[Coalition, ...]
    concepts: tuple[str, ...]
    n_improvements: np.ndarray  # (coalitions, states) int64: |R_H⁺⁺(s)|
    against: dict[str, dict[Coalition, np.ndarray]]
    stable: dict[str, np.ndarray]
    graph: MoveGraph = field(repr=False, compare=False)

    # ---- queries ----------------------------------------------------------------------------
    def _coalition(self, coalition: Iterable[str]) -> Coalition:
        key = parse_coalitions(self.conflict, [list(coalition)])[0]
        if key not in self.coalitions:
            raise AnalysisError(
                f"coalition {' + '.join(key)} was not analysed; analysed: "
                + ("; ".join(" + ".join(h) for h in self.coalitions) or "none")
            )
        return key

    def _concept(self, concept: str) -> str:
        key = parse_coalition_concepts([concept])[0]
        if key not in self.stable:
            raise AnalysisError(
                f"coalition concept {concept!r} was not analysed; analysed: "
                + ", ".join(self.stable)
            )
        return key

    def improvements(self, coalition: Iterable[str], state: int | str) -> list[dict[str, Any]]:
        """R_H⁺⁺ of a state (a Y/N string or 1-based state number), each with a shortest legal
        sequence of member moves."""
        key = self._coalition(coalition)
        c = self.conflict
        s = int(c.index_of(c.parse_state(state))[0])
        members = [c.dm_index(n) for n in key]
        reached = self.graph.reach(members, s)
        out = []
        for t in self.graph.improving_among(members, s, reached):
            out.append(move_data(c, key, int(c.feasible[s]), int(c.feasible[t]),
                                  self.graph.steps(reached, t)))
        return out

    def improvement_numbers(self, coalition: Iterable[str], state: int | str) -> list[int]:
        """State numbers of R_H⁺⁺(state)."""
        return [m["to"]["number"] for m in self.improvements(coalition, state)]

    def equilibrium_mask(self, concept: str) -> np.ndarray:
        return np.asarray(self.stable[self._concept(concept)].all(axis=0))

    def equilibria(self, concept: str) -> list[int]:
        """Codes of the coalition-``concept`` equilibria."""
        return [int(x) for x in self.conflict.feasible[self.equilibrium_mask(concept)]]

    def equilibria_numbers(self, concept: str) -> list[int]:
        return [int(k) + 1 for k in np.flatnonzero(self.equilibrium_mask(concept))]

    def equilibria_strings(self, concept: str) -> list[str]:
        return [self.conflict.state_string(x) for x in self.equilibria(concept)]

    def stable_numbers(self, concept: str, dm: str) -> list[int]:
        """State numbers coalition-stable for ``dm``."""
        i = self.conflict.dm_index(dm)
        return [int(k) + 1 for k in np.flatnonzero(self.stable[self._concept(concept)][i])]

    def stable_against(self, concept: str, coalition: Iterable[str]) -> np.ndarray:
        """(members, states) bool: stable for each member against the coalition's moves."""
        return self.against[self._concept(concept)][self._coalition(coalition)]

    # ---- views ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data: per coalition its improvements per state; per concept the equilibria,
        the states stable for each DM, and per coalition the states stable for each member."""
        c = self.conflict
        coalitions = []
        for h, key in enumerate(self.coalitions):
            moves = []
            for s in np.flatnonzero(self.n_improvements[h]):
                moves.extend(self.improvements(key, int(s) + 1))
            coalitions.append({
                "members": list(key),
                "improvements": moves,
                "stable_against": {
                    concept: {
                        dm: _numbers(c, self.against[concept][key][m])
                        for m, dm in enumerate(key)
                    }
                    for concept in self.concepts
                },
            })
        concepts = {
            concept: {
                "label": COALITION_NAMES[concept],
                "equilibria": [_state(c, int(x)) for x in self.equilibria(concept)],
                "stable_for": {
                    dm: _numbers(c, self.stable[concept][i]) for i, dm in enumerate(c.dm_names)
                },
            }
            for concept in self.concepts
        }
        return {
            "model": c.name,
            "options": list(c.option_names),
            "dms": list(c.dm_names),
            "n_states": c.n_states,
            "definitions": "Inohara & Hipel (2008), Systems Engineering 11(4); sanctions by the "
            "complement, judged by the focal DM; each DM is also checked alone",
            "coalitions": coalitions,
            "concepts": concepts,
        }

    def frame(self) -> pd.DataFrame:
        """One row per state: Y/N string, number of coalitional improvements per coalition, and
        a column per concept that is True at coalition equilibria."""
        c = self.conflict
        data: dict[str, Any] = {"state": [c.state_string(int(x)) for x in c.feasible]}
        for h, key in enumerate(self.coalitions):
            data["improvements " + "+".join(key)] = self.n_improvements[h]
        for concept in self.concepts:
            data[COALITION_NAMES[concept]] = self.equilibrium_mask(concept)
        return pd.DataFrame(data, index=pd.RangeIndex(1, c.n_states + 1, name="number"))

    def improvements_frame(self) -> pd.DataFrame:
        """One row per coalitional improvement: coalition, from, to, the member moves."""
        rows = []
        for h, key in enumerate(self.coalitions):
            for s in np.flatnonzero(self.n_improvements[h]):
                for m in self.improvements(key, int(s) + 1):
                    rows.append({
                        "coalition": "+".join(key),
                        "from": m["from"]["number"], "from state": m["from"]["state"],
                        "to": m["to"]["number"], "to state": m["to"]["state"],
                        "moves": " then ".join(
                            f"{st['dm']} {st['from']['number']}→{st['to']['number']}"
                            for st in m["steps"]
                        ),
                    })
        return pd.DataFrame(
            rows, columns=["coalition", "from", "from state", "to", "to state", "moves"]
        )

    def stability_frame(self, concept: str) -> pd.DataFrame:
        """Rows = states, columns = DMs: coalition stability under ``concept``."""
        c = self.conflict
        mask = self.stable[self._concept(concept)]
        return pd.DataFrame(
            {dm: mask[i] for i, dm in enumerate(c.dm_names)},
            index=pd.Index([c.state_string(int(x)) for x in c.feasible], name="state"),
        )


def _state(c: Conflict, code: int) -> dict[str, Any]:
    return {"number": c.state_number(code), "state": c.state_string(code)}


def _numbers(c: Conflict, mask: np.ndarray) -> list[int]:
    return [int(k) + 1 for k in np.flatnonzero(mask)]


def option_changes(c: Conflict, source: int, target: int) -> list[dict[str, str]]:
    """The options that differ between two states: name, owner, from and to (Y/N)."""
    out = []
    diff = source ^ target
    for k, o in enumerate(c.options):
        if diff >> k & 1:
            out.append({
                "option": o.name, "dm": o.dm,
                "from": "Y" if source >> k & 1 else "N", "to": "Y" if target >> k & 1 else "N",
            })
    return out


def move_data(
    c: Conflict, by: Coalition, source: int, target: int, steps: list[Step]
) -> dict[str, Any]:
    return {
        "by": list(by),
        "from": _state(c, source),
        "to": _state(c, target),
        "changes": option_changes(c, source, target),
        "steps": [
            {"dm": dm, "from": _state(c, a), "to": _state(c, b),
             "changes": option_changes(c, a, b)}
            for dm, a, b in steps
        ],
    }


# ----- analysis ---------------------------------------------------------------------------
def coalition_analysis(
    model: Conflict,
    coalitions: Sequence[Sequence[str]] | None = None,
    concepts: Iterable[str] | None = None,
    *,
    all_coalitions: bool = False,
    engine: Engine | None = None,
) -> CoalitionResult:
    """Coalitional improvements and coalition stability (Inohara & Hipel 2008).

    ``coalitions``: lists of DM names (two or more each); ``None`` means the model's
    ``coalitions`` field, or every coalition of two or more DMs with ``all_coalitions=True``.
    ``concepts``: any of ``nash``, ``gmr``, ``smr``, ``seq`` (default all four). ``engine``:
    an engine over ``model`` to reuse (its cached stability is shared).

    >>> import detente
    >>> res = coalition_analysis(detente.load("examples/elmira.yaml"), [["MoE", "UR"]])
    >>> res.equilibria_numbers("nash")
    [5, 6, 10, 11, 12]
    """
    keys = parse_coalition_concepts(concepts)
    if coalitions is not None and all_coalitions:
        raise AnalysisError("give coalitions or all_coalitions=True, not both")
    if all_coalitions:
        chosen = every_coalition(model)
    elif coalitions is None:
        chosen = parse_coalitions(model, model.coalitions)
    else:
        chosen = parse_coalitions(model, coalitions)
    member_idx = [[model.dm_index(n) for n in key] for key in chosen]
    work = sum(_work_bound(model, m) for m in member_idx)
    if work > MAX_WORK:
        raise AnalysisError(
            f"coalition analysis would search up to {work:.3g} pairs of states (limit "
            f"{MAX_WORK:.3g}); analyse fewer or smaller coalitions"
        )
    if engine is None:
        engine = Engine(model)
    elif engine.conflict is not model:
        raise AnalysisError("the engine given to coalition_analysis was built for another model")
    graph = MoveGraph(model, engine)
    n, n_dms = model.n_states, len(model.dms)
    stable = {k: engine.stable(k).copy() for k in keys}  # H = {i}: the ordinary concept
    against: dict[str, dict[Coalition, np.ndarray]] = {k: {} for k in keys}
    counts = np.zeros((len(chosen), n), dtype=np.int64)
    utilities = engine.utilities
    for h, (key, members) in enumerate(zip(chosen, member_idx, strict=True)):
        comp = [j for j in range(n_dms) if j not in members]
        worst = {
            k: [_sanction(engine, kind, i, members, comp) for i in members]
            for k in keys if (kind := get_concept(k).sanction) is not None
        }
        result = {k: np.ones((len(members), n), dtype=bool) for k in keys}
        for idx in _groups(model, members):
            if idx.size <= DENSE_GROUP:  # the whole group at once
                imp = _dense_improvements(engine, graph, members, idx)
                counts[h, idx] = imp.sum(axis=1)
                if "nash" in result:
                    result["nash"][:, idx] = counts[h, idx] == 0
                for k, per_member in worst.items():
                    for m, i in enumerate(members):
                        u = utilities[i][idx]
                        bad = imp & (per_member[m][idx][None, :] > u[:, None])
                        result[k][m, idx] = ~bad.any(axis=1)
                continue
            for s in idx.tolist():
                targets = np.asarray(graph.coalition_improvements(members, s), dtype=np.int64)
                counts[h, s] = targets.size
                if targets.size == 0:
                    continue
                if "nash" in result:
                    result["nash"][:, s] = False
                for k, per_member in worst.items():
                    for m, i in enumerate(members):
                        result[k][m, s] = not bool(
                            (per_member[m][targets] > utilities[i][s]).any()
                        )
        for k in keys:
            against[k][key] = result[k]
            for m, i in enumerate(members):
                stable[k][i] &= result[k][m]
    return CoalitionResult(model, chosen, keys, counts, against, stable, graph)


def _groups(model: Conflict, members: Sequence[int]) -> list[np.ndarray]:
    """State indices grouped by the options of DMs outside the coalition (R_H stays inside)."""
    mask = int(np.bitwise_or.reduce(model.dm_masks[list(members)]))
    outside = model.feasible & ~np.int64(mask)
    order = np.argsort(outside, kind="stable")
    _, starts = np.unique(outside[order], return_index=True)
    return [np.sort(part) for part in np.split(order, starts[1:])]


def _dense_improvements(
    engine: Engine, graph: MoveGraph, members: Sequence[int], idx: np.ndarray
) -> np.ndarray:
    """(g, g) bool for one group of g <= DENSE_GROUP states: row s, column t when
    t ∈ R_H⁺⁺(s). Adjacency of the members' moves, closed by repeated boolean squaring."""
    feasible = engine.conflict.feasible[idx]
    adj = np.zeros((idx.size, idx.size), dtype=bool)
    for j in members:
        lay = engine.layouts[j]
        rest = feasible & ~np.int64(lay.dm_mask)
        local = lay.local[idx]
        adj |= (rest[:, None] == rest[None, :]) & graph._move[j][local[:, None], local[None, :]]
    reach = adj
    while True:
        f = reach.astype(np.float32)
        nxt = reach | ((f @ f) > 0)
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    for j in members:
        u = graph.ranks[j][idx]
        reach &= u[None, :] > u[:, None]
    return reach


def _sanction(
    engine: Engine, kind: SanctionKind, i: int, members: list[int], comp: list[int]
) -> np.ndarray:
    """Per state s1: the least u_i the complement can force from s1 (for CSMR, the least of
    max(u_i(s2), best u_i of the coalition's counter-moves from s2)); +inf if it cannot move."""
    n = engine.conflict.n_states
    if not comp:
        return np.full(n, INF)
    u = engine.utilities[i]
    if kind == "gmr":
        return coalition_min(engine.layouts, engine.utilities, comp, u)
    if kind == "seq":
        return coalition_min(engine.layouts, engine.utilities, comp, u, improving=True)
    if kind == "smr":
        counter = -coalition_min(engine.layouts, engine.utilities, members, -u)
        return coalition_min(engine.layouts, engine.utilities, comp, np.maximum(u, counter))
    raise ValueError(kind)


__all__ = [
    "COALITION_CONCEPTS", "COALITION_NAMES", "CoalitionResult", "MoveGraph", "coalition_analysis",
    "every_coalition", "move_data", "option_changes", "parse_coalition_concepts",
    "parse_coalitions",
]
