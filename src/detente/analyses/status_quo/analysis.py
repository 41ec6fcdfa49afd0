"""Status-quo analysis: how the conflict can evolve from a start state by improvements.

The *evolution graph* holds every state reachable from the start by a sequence of unilateral
improvements (UIs, R_j⁺), and optionally coalitional improvements R_H⁺⁺ of given coalitions
(Inohara & Hipel 2008, see :mod:`detente.analyses.coalitions`): each edge is one DM's UI, or one
coalition's joint move that every member strictly prefers. It is built breadth-first from the
start, so only reachable states are visited. *Final* states are the reachable states with no
outgoing edge: the reachable Nash equilibria (with coalitions, the reachable states where no
DM and no given coalition has an improvement). Every reachable state gets a shortest path (fewest
moves; a coalitional move counts as one) from the start. The equilibria under each requested
concept (from :func:`detente.analyses.stability.analyze`) are split into reachable and not.

>>> import detente
>>> from detente.analyses.status_quo import evolve
>>> ev = evolve(detente.load("examples/elmira.yaml"))
>>> ev.final_numbers(), [m["to"]["number"] for m in ev.path(7)]
([7], [7])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from detente.analyses import arguments
from detente.analyses.coalitions.result import parse_coalitions
from detente.analyses.contract import Progress, own_engine, report
from detente.analyses.stability.analysis import analyze
from detente.analyses.status_quo.result import Edge, EvolutionResult
from detente.engine import Engine
from detente.engine.registry import CLASSIC, Family, parse_concepts
from detente.engine.single import path_to
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

#: Concepts whose equilibria ``evolve`` marks by default (SIM is left out: it is the costly one).
DEFAULT_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")
#: The concept families ``evolve`` marks: the classic ones, ``L<h>`` and unknown preferences.
CONCEPT_FAMILIES: frozenset[Family] = CLASSIC | {Family.LIMITED, Family.UNKNOWN}


def evolve(
    model: Conflict,
    start: int | str | None = None,
    coalitions: bool | Sequence[Sequence[str]] = False,
    concepts: Iterable[str] | None = None,
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> EvolutionResult:
    """Status-quo analysis from ``start`` (a Y/N string or 1-based state number; default the
    model's status quo).

    ``coalitions``: ``False`` for unilateral improvements only, ``True`` to add the coalitional
    improvements of the model's ``coalitions``, or a list of coalitions (lists of DM names).
    ``concepts``: whose equilibria to mark (default nash, gmr, smr, seq; ``'L<h>'`` adds
    limited-move stability with horizon h). ``engine``: an engine over
    ``model`` to reuse (its cached stability is shared). ``progress``: a
    :class:`~detente.analyses.contract.ProgressEvent` as the equilibria, then the reachable
    states, are computed.

    >>> import detente
    >>> evolve(detente.load("examples/elmira.yaml"), coalitions=True).final_numbers()
    [10]
    """
    model = arguments.model(model)
    concepts = arguments.optional_names(concepts, "concepts")
    if start is None:
        if model.status_quo is None:
            raise AnalysisError(
                "the model has no status quo; give the state to start from (a Y/N string or a "
                "state number)"
            )
        start_code = model.status_quo
    else:
        start_code = model.parse_state(start)
    if coalitions is True:
        chosen = parse_coalitions(model, model.coalitions)
        if not chosen:
            raise AnalysisError("the model names no coalitions; give the coalitions to consider")
    elif coalitions is False:
        chosen = ()
    else:
        chosen = parse_coalitions(model, coalitions)
    keys = parse_concepts(concepts if concepts is not None else DEFAULT_CONCEPTS,
                          families=CONCEPT_FAMILIES)
    engine = own_engine(model, engine, "evolve")
    moves = engine.move_index()
    report(progress, 1, 2, "equilibria")
    stability = analyze(model, keys, engine=engine)
    report(progress, 2, 2, "states reachable by improvements")
    feasible = model.feasible
    names = model.dm_names
    member_idx = [[model.dm_index(n) for n in h] for h in chosen]

    s0 = int(model.index_of(start_code)[0])
    order = [s0]
    parent: dict[int, int] = {}
    seen = {s0}
    edges: list[Edge] = []
    head = 0
    while head < len(order):
        s = order[head]
        head += 1
        found: list[tuple[int, Edge]] = []
        for j, name in enumerate(names):
            for t in moves.improve(j, s).tolist():
                step = (name, int(feasible[s]), int(feasible[t]))
                found.append((t, Edge((name,), step[1], step[2], (step,))))
        for key, members in zip(chosen, member_idx, strict=True):
            reached = moves.coalition_reach(members, s)
            for t in moves.improving_among(members, s, reached):
                steps = tuple((names[m], int(feasible[a]), int(feasible[b]))
                              for m, a, b in path_to(reached, t))
                found.append((t, Edge(key, int(feasible[s]), int(feasible[t]), steps)))
        for t, edge in found:
            edges.append(edge)
            if t not in seen:
                seen.add(t)
                parent[int(feasible[t])] = len(edges) - 1
                order.append(t)
    equilibria = {
        k: tuple(int(x) for x in feasible[np.asarray(stability.equilibrium_mask(k))]) for k in keys
    }
    return EvolutionResult(
        model, int(start_code), chosen, tuple(int(feasible[s]) for s in order), tuple(edges),
        parent, equilibria,
    )


__all__ = ["DEFAULT_CONCEPTS", "evolve"]
