"""Stability at a target from local information only, for many preference profiles at once.

Whether a target state s is stable for DM i depends on i's moves R_i(s) and, for each move t,
on the states the others can bring about from t (R_{N−i}(t), its improving part for SEQ, the
simultaneous responses from s for SIM) — never on the rest of the graph. Each check is a
Boolean function of *comparisons* "DM j prefers state a to state b" (u_j(a) > u_j(b)); this
module collects, per DM, the comparisons the checks need (its *columns*) and evaluates the
checks for a batch of profiles given as one Boolean matrix per DM, (profiles, columns).

States are positions in ``conflict.feasible``. Reachability is preference-independent, so it
is built once (:class:`MoveIndex`); a profile is only a set of comparison bits.

What each check builds and evaluates follows the concept's data in the registry (its sanction
rule and simultaneous flag), never its name; :func:`local_stable` is the concepts' registered
``"local"`` backend.

>>> import numpy as np, detente
>>> c = detente.load("examples/prisoners_dilemma.yaml")
>>> local = LocalChecks(c, [0], ("nash", "gmr"))
>>> bits = local.bits_from_ranks(c.ranks)
>>> local.stable({j: b[None, :] for j, b in bits.items()}, 0)["gmr"].tolist()
[[True, True]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from detente.engine.registry import CONCEPTS, STANDARD, Concept, get_concept
from detente.engine.simultaneous_core import next_response, outcome, responders
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

#: The most simultaneous joint responses one SIM check enumerates.
MAX_SIM_RESPONSES = 1 << 16

#: The concepts whose stability for DM i depends on i's ranks only (Nash, GMR, SMR).
OWN_ONLY = frozenset(c.key for c in STANDARD if c.own_ranks_only)
#: The most local-check work (:func:`local_work`) one mediation builds: about 10 to 20 s on
#: a shared 2-core machine (``benchmarks/bench_mediation.py --part broad`` measures the rate).
MAX_LOCAL_WORK = 50_000_000


def needed(concepts: Iterable[str]) -> set[str]:
    """The concepts the local checks build for ``concepts``: each, its parts (SEQ&SIM: SEQ and
    SIM), and their sanctions' prefilters (SEQ: GMR, which the search checks first)."""
    need = set(concepts)
    for key in list(need):
        for part in get_concept(key).parts:
            need.add(part)
            rule = get_concept(part).rule
            if rule is not None and rule.prefilter is not None:
                need.add(rule.prefilter)
    return need


@dataclass(frozen=True)
class _Parts:
    """What the checks of some concepts build per move (from the concepts' data)."""

    reach: bool  # the others' reach from the move (sanctions by any moves: GMR)
    escape: bool  # and the mover's escapes from there (no-escape sanctions: SMR)
    improving: bool  # the graph of the others' improvements (improving sanctions: SEQ)
    simultaneous: bool  # the simultaneous responses (SIM)

    @staticmethod
    def of(need: Iterable[str]) -> _Parts:
        rules = [r for r in (get_concept(k).rule for k in need) if r is not None]
        return _Parts(
            reach=any(not r.improving and not r.no_escape for r in rules),
            escape=any(r.no_escape for r in rules),
            improving=any(r.improving for r in rules),
            simultaneous=any(get_concept(k).simultaneous for k in need),
        )


def local_work(c: Conflict, targets: Sequence[int], concepts: Iterable[str]) -> int:
    """An upper bound, computed before anything is built, on the local checks' work at the
    targets (comparisons listed, graph edges built and walked): per target s and DM i, each
    of i's moves (at most the states differing from s in i's options only) costs, per concept,
    the states the others can reach (at most those with i's options as after the move), their
    moves (SEQ, SMR) or the simultaneous responses (SIM). Vectorised over the targets.

    >>> import detente
    >>> c = detente.load("examples/prisoners_dilemma.yaml")
    >>> local_work(c, [0, 1, 2, 3], ["nash"]), local_work(c, [0], ["seq"])
    (800, 264)
    """
    need = needed(concepts)
    feasible = c.feasible
    tg = np.asarray(targets, dtype=np.int64)
    group = []  # per DM: the largest number of states differing in its options only
    moves = []  # per DM: its moves from the targets, summed (bound)
    mine = []  # per DM: the largest number of states sharing its options
    for mask in c.dm_masks.tolist():
        _, inv, counts = np.unique(feasible & ~np.int64(mask), return_inverse=True,
                                   return_counts=True)
        group.append(int(counts.max()))
        moves.append(int((counts[inv.ravel()[tg]] - 1).sum()))
        mine.append(int(np.unique(feasible & np.int64(mask), return_counts=True)[1].max()))
    weight = _weights(need)
    total = 0
    for i in range(len(c.dms)):
        others = [j for j in range(len(c.dms)) if j != i]
        per_move = _MOVE_WEIGHT
        per_move += weight["reach"] * mine[i]
        per_move += weight["escape"] * mine[i] * group[i]
        # the graph, and the requirement's nearest-sanction search
        per_move += weight["improving"] * mine[i] * (1 + sum(group[j] - 1 for j in others))
        per_move += weight["simultaneous"] * min(math.prod(group[j] for j in others),
                                                 MAX_SIM_RESPONSES)
        total += moves[i] * per_move
    return total


#: Relative cost of a move's fixed part in :func:`local_work` (its records and wording; one
#: unit: about 0.2 µs on the machine benchmarks/bench_mediation.py --case broad was run on).
#: The other parts' weights are the concepts' :attr:`~detente.engine.registry.Concept.cost`:
#: a reached state (GMR), an escape checked (SMR), an edge of the others' moves (SEQ), a
#: simultaneous response enumerated (SIM).
_MOVE_WEIGHT = 100


def _weights(need: Iterable[str]) -> dict[str, int]:
    """Per part of the checks (:class:`_Parts`), the weight of its unit of work, from the
    concepts' costs: reaching (GMR's cost) is paid by every sanction."""
    concepts = [get_concept(k) for k in need]

    def cost(pred: Callable[[Concept], bool]) -> int:
        return max((k.cost for k in concepts if pred(k)), default=0)

    general = next(k.cost for k in STANDARD if k.rule is not None and not k.rule.improving
                   and not k.rule.no_escape)
    return {
        "reach": general if any(k.rule is not None for k in concepts) else 0,
        "escape": cost(lambda k: k.rule is not None and k.rule.no_escape),
        "improving": cost(lambda k: k.rule is not None and k.rule.improving),
        "simultaneous": cost(lambda k: k.simultaneous and k.rule is None),
    }


@dataclass
class Columns:
    """The comparisons one DM's checks need: column k is u(a_k) > u(b_k)."""

    a: list[int] = field(default_factory=list)
    b: list[int] = field(default_factory=list)
    index: dict[tuple[int, int], int] = field(default_factory=dict)
    _arrays: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def col(self, a: int, b: int) -> int:
        key = (a, b)
        k = self.index.get(key)
        if k is None:
            k = len(self.a)
            self.index[key] = k
            self.a.append(a)
            self.b.append(b)
        return k

    def cols(self, states: list[int] | np.ndarray, b: int) -> np.ndarray:
        return np.array([self.col(int(a), b) for a in states], dtype=np.int64)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``a`` and ``b`` as arrays, converted once per size (not once per call)."""
        cached = self._arrays
        if cached is None or cached[0].size != len(self.a):
            cached = self._arrays = (np.array(self.a, dtype=np.int64),
                                     np.array(self.b, dtype=np.int64))
        return cached

    def __len__(self) -> int:
        return len(self.a)


@dataclass
class _SeqGraph:
    """R_{N−i}(t) as a graph: local states (t first), per other DM its moves as edges."""

    states: np.ndarray  # positions; states[0] = t
    good: np.ndarray  # columns of i: u_i(x) > u_i(s) for each local state
    edges: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    # j -> (dst_local sorted by src, improvement column of j, group starts, src_local unique)


@dataclass
class _Move:
    """One move s -> t of DM i and what can sanction it, per concept."""

    t: int
    ui: int  # column of i: u_i(t) > u_i(s)
    reach: np.ndarray | None = None  # columns of i over R_{N−i}(t)
    escape: list[tuple[int, np.ndarray]] | None = None  # (x col, cols of R_i(x))
    graph: _SeqGraph | None = None  # the others' improvements from t
    sim: tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None = None
    # (feasible mask, i columns of the outcomes, per other DM its response column or -1)


class LocalChecks:
    """Local stability checks at one or more target states for the given concepts."""

    def __init__(
        self, conflict: Conflict, targets: list[int], concepts: tuple[str, ...],
        index: MoveIndex | None = None,
        reach: dict[tuple[int, int], list[int]] | None = None,
    ) -> None:
        self.conflict = conflict
        self.targets = list(targets)
        self.concepts = tuple(concepts)
        self.n = len(conflict.dms)
        self.index = index or MoveIndex(conflict)
        self.columns = [Columns() for _ in range(self.n)]
        self.need = needed(concepts)
        self.parts = _Parts.of(self.need)
        #: R_{N−i}(t) per (i, t): preference-independent, so ``reach`` may share it between
        #: the checks built on one move index
        self._reach_cache: dict[tuple[int, int], list[int]] = {} if reach is None else reach
        #: uses[i][j]: columns of DM j that DM i's checks read (j's sanctions against i)
        self.uses: list[dict[int, set[int]]] = [{} for _ in range(self.n)]
        # moves[target][i] = list of _Move
        self.moves: list[list[list[_Move]]] = [
            [self._moves(s, i) for i in range(self.n)] for s in self.targets
        ]

    # ---- building ----------------------------------------------------------------------
    def others(self, i: int) -> list[int]:
        return [j for j in range(self.n) if j != i]

    def group_reach(self, i: int, t: int) -> list[int]:
        """R_{N−i}(t): states the others reach from t by legal sequences of their moves, no
        DM moving twice in a row (preference-independent; :meth:`MoveIndex.coalition_search`)."""
        key = (i, t)
        if key not in self._reach_cache:
            self._reach_cache[key] = self.index.coalition_search(self.others(i), t)[1]
        return self._reach_cache[key]

    def _moves(self, s: int, i: int) -> list[_Move]:
        cols = self.columns[i]
        out = []
        for t in self.index.reach(i, s).tolist():
            m = _Move(t, cols.col(t, s))
            parts = self.parts
            if parts.reach or parts.escape:
                reach = self.group_reach(i, t)
                if parts.reach:
                    m.reach = cols.cols(reach, s)
                if parts.escape:
                    m.escape = [
                        (cols.col(x, s), cols.cols(self.index.reach(i, x), s)) for x in reach
                    ]
            if parts.improving:
                m.graph = self._seq_graph(s, i, t)
            if parts.simultaneous:
                m.sim = self._sim(s, i, t)
            out.append(m)
        return out

    def _seq_graph(self, s: int, i: int, t: int) -> _SeqGraph:
        states = [t] + [x for x in self.group_reach(i, t) if x != t]
        local = {x: k for k, x in enumerate(states)}
        edges = {}
        for j in self.others(i):
            cj = self.columns[j]
            src: list[int] = []
            dst: list[int] = []
            col: list[int] = []
            for x in states:
                for y in self.index.reach(j, x).tolist():
                    src.append(local[x])
                    dst.append(local[y])
                    col.append(cj.col(y, x))
            if not src:
                continue
            srcs = np.array(src, dtype=np.int64)
            order = np.argsort(srcs, kind="stable")
            srcs = srcs[order]
            starts = np.flatnonzero(np.r_[True, srcs[1:] != srcs[:-1]])
            self.uses[i].setdefault(j, set()).update(col)
            edges[j] = (
                np.array(dst, dtype=np.int64)[order],
                np.array(col, dtype=np.int64)[order],
                starts,
                srcs[starts],
            )
        good = self.columns[i].cols(states, s)
        return _SeqGraph(np.array(states, dtype=np.int64), good, edges)

    def _sim(self, s: int, i: int, t: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Every simultaneous response from s to i's move to t, in the one SIM enumeration
        (:func:`~detente.engine.simultaneous_core.next_response`, over the others' moves: which
        of them are UIs depends on the profile): per response whether its outcome is feasible,
        the outcome's column of i and each other DM's column (-1: it stays)."""
        c = self.conflict
        feasible = c.feasible
        others = self.others(i)
        moves = {j: self.index.reach(j, s) for j in others}
        size = math.prod(1 + m.size for m in moves.values())
        if size > MAX_SIM_RESPONSES:
            raise AnalysisError(
                f"SIM at state {c.state_string(int(feasible[s]))}: {size:,} simultaneous "
                f"responses to check for one move (limit {MAX_SIM_RESPONSES:,}); leave SIM out"
            )
        count = np.zeros(self.n, dtype=np.int64)
        for j, m in moves.items():
            count[j] = m.size
        movers = np.zeros(self.n, dtype=np.int64)
        k, _ = responders(i, count, movers)
        pick = np.zeros(self.n, dtype=np.int64)
        digits = np.zeros(self.n, dtype=np.int64)
        ok: list[bool] = []
        outcome_cols: list[int] = []
        response_cols: dict[int, list[int]] = {j: [] for j in others}
        cols_i = self.columns[i]
        base = int(feasible[t])
        n_moving = next_response(k, count, movers, pick, digits, 0)
        while n_moving > 0:
            code = base
            moved = {int(movers[pick[q]]): int(digits[q]) for q in range(n_moving)}
            for j in others:
                if j in moved:
                    y = int(moves[j][moved[j]])
                    code = outcome(code, int(c.dm_masks[j]), int(feasible[y]) & int(c.dm_masks[j]))
                    response_cols[j].append(self.columns[j].col(y, s))
                else:
                    response_cols[j].append(-1)
            if c.is_feasible(code):
                ok.append(True)
                outcome_cols.append(cols_i.col(int(c.index_of(code)[0]), s))
            else:
                ok.append(False)
                outcome_cols.append(0)
            n_moving = next_response(k, count, movers, pick, digits, n_moving)
        for j, r in response_cols.items():
            self.uses[i].setdefault(j, set()).update(x for x in r if x >= 0)
        return (
            np.array(ok, dtype=bool),
            np.array(outcome_cols, dtype=np.int64),
            [np.array(response_cols[j], dtype=np.int64) for j in others],
        )

    # ---- profiles --------------------------------------------------------------------
    def bits_from_ranks(self, ranks: np.ndarray) -> dict[int, np.ndarray]:
        """Column bits of one profile given as ranks (DMs, feasible states)."""
        return {j: self.bits_from_scores(j, ranks[j]) for j in range(self.n)}

    def bits_from_scores(self, j: int, scores: np.ndarray) -> np.ndarray:
        """Column bits of DM j from scores over all feasible states (or a (P, states) batch)."""
        a, b = self.columns[j].arrays()
        return np.asarray(scores[..., a] > scores[..., b])

    def positions(self, j: int) -> np.ndarray:
        """The states DM j's columns compare (sorted positions)."""
        cols = self.columns[j]
        return np.unique(np.array(cols.a + cols.b, dtype=np.int64))

    # ---- checks ----------------------------------------------------------------------
    def stable(self, bits: dict[int, np.ndarray], k: int,
               dms: list[int] | None = None) -> dict[str, np.ndarray]:
        """concept -> (P, DMs) bool: stability at target ``k`` for each profile and DM
        (for ``dms`` only when given; the other columns are True)."""
        p = next(iter(bits.values())).shape[0]
        out: dict[str, np.ndarray] = {}
        # the one-condition concepts, then each conjunction (SEQ&SIM) from its parts
        wanted = [x for x in CONCEPTS if x in self.need and get_concept(x).parts == (x,)]
        for concept in wanted:
            res = np.ones((p, self.n), dtype=bool)
            for i in dms if dms is not None else range(self.n):
                res[:, i] = self.stable_dm(concept, bits, k, i)
            out[concept] = res
        for key in self.concepts:
            if key not in out:
                out[key] = np.logical_and.reduce([out[x] for x in get_concept(key).parts])
        return {c: out[c] for c in self.concepts}

    def stable_dm(self, concept: str, bits: dict[int, np.ndarray], k: int, i: int
                  ) -> np.ndarray:
        """(P,) bool: is target ``k`` stable for DM i under ``concept`` in each profile."""
        bi = bits[i]
        p = bi.shape[0]
        ok = np.ones(p, dtype=bool)
        deterrable = get_concept(concept).deterrable
        for m in self.moves[k][i]:
            ui = bi[:, m.ui] & ok
            if not ui.any():
                continue
            if not deterrable:  # Nash: every UI stands
                ok &= ~ui
                continue
            rows = np.flatnonzero(ui)
            ok[rows] = self.sanctioned(concept, _Rows(bits, rows), i, m)
        return ok

    def sanctioned(self, concept: str, bits: _Rows | dict[int, np.ndarray], i: int, m: _Move
                   ) -> np.ndarray:
        """(rows,) bool: is i's move m sanctioned under ``concept`` in each profile?"""
        if isinstance(bits, dict):
            bits = _Rows(bits, None)
        how = get_concept(concept)
        out = np.full(bits.n, how.deterrable)
        rule = how.rule
        if rule is not None and rule.improving:
            assert m.graph is not None
            out &= _seq_sanctioned(m.graph, bits, i)
        elif rule is not None and rule.no_escape:
            assert m.escape is not None
            found = np.zeros(bits.n, dtype=bool)
            for xcol, escape in m.escape:
                good = ~bits.get(i, xcol)
                if escape.size:
                    good &= ~bits.get(i, escape).any(axis=1)
                found |= good
            out &= found
        elif rule is not None:
            assert m.reach is not None
            out &= np.asarray((~bits.get(i, m.reach)).any(axis=1))
        if how.simultaneous:
            assert m.sim is not None
            out &= self._sim_sanctioned(bits, i, m.sim)
        return out

    def _sim_sanctioned(self, bits: _Rows, i: int,
                        sim: tuple[np.ndarray, np.ndarray, list[np.ndarray]]) -> np.ndarray:
        """(rows,) bool: does some simultaneous response meet the move, per profile?"""
        feasible, outcome, responses = sim
        allowed = np.broadcast_to(feasible, (bits.n, feasible.size)).copy()
        for j, rcols in zip(self.others(i), responses, strict=True):
            moving = rcols >= 0
            if moving.any():
                allowed[:, moving] &= bits.get(j, rcols[moving])
        allowed &= ~bits.get(i, outcome)
        return np.asarray(allowed.any(axis=1))


class _Rows:
    """Some rows of per-DM bit matrices, gathered only for the columns a check reads."""

    def __init__(self, bits: dict[int, np.ndarray], rows: np.ndarray | None) -> None:
        self.bits = bits
        self.rows = rows
        self.n = next(iter(bits.values())).shape[0] if rows is None else rows.size

    def get(self, j: int, cols: np.ndarray | int) -> np.ndarray:
        b = self.bits[j]
        if self.rows is None:
            return np.asarray(b[:, cols])
        if isinstance(cols, (int, np.integer)):
            return np.asarray(b[self.rows, cols])
        return np.asarray(b[self.rows[:, None], cols[None, :]])


def _seq_sanctioned(g: _SeqGraph, bits: _Rows, i: int) -> np.ndarray:
    """Can the others, by improvements, reach from t a state i likes no better than s?

    A[j][x]: some sequence of improvements starting with a move by j from x reaches a good
    state (the Boolean form of :func:`detente.engine.coalition.coalition_min`)."""
    good = ~bits.get(i, g.good)
    p, w = good.shape
    movers = list(g.edges)
    reach = {j: np.zeros((p, w), dtype=bool) for j in movers}
    changed = True
    while changed:
        changed = False
        for j in movers:
            dst, col, starts, srcs = g.edges[j]
            target = good.copy()
            for k in movers:
                if k != j:
                    target |= reach[k]
            val = target[:, dst] & bits.get(j, col)
            hit = np.logical_or.reduceat(val, starts, axis=1)
            old = reach[j][:, srcs]
            new = old | hit
            if (new != old).any():
                changed = True
                reach[j][:, srcs] = new
    out = np.zeros(p, dtype=bool)
    for j in movers:
        out |= reach[j][:, 0]
    return out


__all__ = ["OWN_ONLY", "Columns", "LocalChecks"]
