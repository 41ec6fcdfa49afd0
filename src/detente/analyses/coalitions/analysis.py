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
from itertools import combinations

import numpy as np

from detente.analyses import arguments
from detente.analyses.coalitions.result import (
    Coalition,
    CoalitionResult,
    Step,
    move_data,
    option_changes,
    parse_coalitions,
)
from detente.analyses.contract import Progress, report
from detente.engine import Engine
from detente.engine.registry import (
    COALITION_CONCEPTS,
    COALITION_NAMES,
    get_concept,
    parse_coalition_concepts,
)
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError

#: Most coalitions ``all_coalitions=True`` will analyse (2**10).
MAX_COALITIONS = 1 << 10
#: Upper bound on Σ_s |R_H(s)| (state pairs searched) per analysis.
MAX_WORK = 20_000_000
#: Groups (states agreeing outside the coalition) up to this size are closed with dense
#: (g, g) boolean matrices; larger ones are searched state by state.
DENSE_GROUP = 2048


def MoveGraph(conflict: Conflict, engine: Engine | None = None) -> MoveIndex:
    """The engine's move enumerator (this name was a separate class before; kept for callers).

    >>> import detente
    >>> g = MoveGraph(detente.load("examples/elmira.yaml"))
    >>> g.coalition_improvements([0, 1], 6)  # positions: state 7 -> 10
    [9]
    """
    return (engine if engine is not None else Engine(conflict)).move_index()


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


# ----- analysis ---------------------------------------------------------------------------
def coalition_analysis(
    model: Conflict,
    coalitions: Sequence[Sequence[str]] | None = None,
    concepts: Iterable[str] | None = None,
    *,
    all_coalitions: bool = False,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> CoalitionResult:
    """Coalitional improvements and coalition stability (Inohara & Hipel 2008).

    ``coalitions``: lists of DM names (two or more each); ``None`` means the model's
    ``coalitions`` field, or every coalition of two or more DMs with ``all_coalitions=True``.
    ``concepts``: any of ``nash``, ``gmr``, ``smr``, ``seq`` (default all four). ``engine``:
    an engine over ``model`` to reuse (its cached stability is shared). ``progress``: a
    :class:`~detente.analyses.contract.ProgressEvent` per coalition analysed.

    >>> import detente
    >>> res = coalition_analysis(detente.load("examples/elmira.yaml"), [["MoE", "UR"]])
    >>> res.equilibria_numbers("nash")
    [5, 6, 10, 11, 12]
    """
    model = arguments.model(model)
    keys = parse_coalition_concepts(arguments.optional_names(concepts, "concepts"))
    if coalitions is not None and all_coalitions:
        raise ArgumentError("give coalitions or all_coalitions=True, not both",
                            parameter="all_coalitions")
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
    moves = engine.move_index()
    n, n_dms = model.n_states, len(model.dms)
    stable = {k: engine.stable(k).copy() for k in keys}  # H = {i}: the ordinary concept
    against: dict[str, dict[Coalition, np.ndarray]] = {k: {} for k in keys}
    counts = np.zeros((len(chosen), n), dtype=np.int64)
    utilities = engine.utilities
    for h, (key, members) in enumerate(zip(chosen, member_idx, strict=True)):
        report(progress, h + 1, len(chosen), "+".join(key))
        comp = [j for j in range(n_dms) if j not in members]
        worst = {
            k: [engine.sanction(i, kind, comp, members) for i in members]
            for k in keys if (kind := get_concept(k).sanction) is not None
        }
        result = {k: np.ones((len(members), n), dtype=bool) for k in keys}
        # concepts under which nothing deters (Nash): stable where the coalition cannot improve
        undeterred = [result[k] for k in keys if not get_concept(k).deterrable]
        for idx in _groups(model, members):
            if idx.size <= DENSE_GROUP:  # the whole group at once
                imp = _dense_improvements(engine, members, idx)
                counts[h, idx] = imp.sum(axis=1)
                for res in undeterred:
                    res[:, idx] = counts[h, idx] == 0
                for k, per_member in worst.items():
                    for m, i in enumerate(members):
                        u = utilities[i][idx]
                        bad = imp & (per_member[m][idx][None, :] > u[:, None])
                        result[k][m, idx] = ~bad.any(axis=1)
                continue
            for s in idx.tolist():
                targets = np.asarray(moves.coalition_improvements(members, s), dtype=np.int64)
                counts[h, s] = targets.size
                if targets.size == 0:
                    continue
                for res in undeterred:
                    res[:, s] = False
                for k, per_member in worst.items():
                    for m, i in enumerate(members):
                        result[k][m, s] = not bool(
                            (per_member[m][targets] > utilities[i][s]).any()
                        )
        for k in keys:
            against[k][key] = result[k]
            for m, i in enumerate(members):
                stable[k][i] &= result[k][m]
    return CoalitionResult(model, chosen, keys, counts, against, stable, moves)


def _groups(model: Conflict, members: Sequence[int]) -> list[np.ndarray]:
    """State indices grouped by the options of DMs outside the coalition (R_H stays inside)."""
    mask = int(np.bitwise_or.reduce(model.dm_masks[list(members)]))
    outside = model.feasible & ~np.int64(mask)
    order = np.argsort(outside, kind="stable")
    _, starts = np.unique(outside[order], return_index=True)
    return [np.sort(part) for part in np.split(order, starts[1:])]


def _dense_improvements(
    engine: Engine, members: Sequence[int], idx: np.ndarray
) -> np.ndarray:
    """(g, g) bool for one group of g <= DENSE_GROUP states: row s, column t when
    t ∈ R_H⁺⁺(s). Adjacency of the members' moves, closed by repeated boolean squaring."""
    feasible = engine.conflict.feasible[idx]
    adj = np.zeros((idx.size, idx.size), dtype=bool)
    for j in members:
        lay = engine.layouts[j]
        rest = feasible & ~np.int64(lay.dm_mask)
        local = lay.local[idx]
        move = lay.move_matrix()
        adj |= (rest[:, None] == rest[None, :]) & move[local[:, None], local[None, :]]
    reach = adj
    while True:
        f = reach.astype(np.float32)
        nxt = reach | ((f @ f) > 0)
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    for j in members:
        u = engine.payoff_ranks[j][idx]
        reach &= u[None, :] > u[:, None]
    return reach


__all__ = [
    "COALITION_CONCEPTS", "COALITION_NAMES", "Coalition", "CoalitionResult", "MoveGraph",
    "Step", "coalition_analysis", "every_coalition", "move_data", "option_changes",
    "parse_coalition_concepts", "parse_coalitions",
]
