"""The state-transition graph: unilateral improvements from the status quo.

Nodes are feasible states; an edge s → t means one decision maker can move from s to t by
changing only its own options (respecting irreversibility and feasibility) and strictly
prefers t. Only states reachable from the status quo by such moves are kept, nearest first,
up to a cap (the report draws them with :mod:`detente.surfaces.report.graph`).

>>> import detente
>>> tg = reachable_graph(detente.load("examples/elmira.yaml"))
>>> tg.drawn, tg.truncated
(2, False)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx

from detente.analyses.moves import option_changes, signed_text
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict

#: Most states kept (drawn); the rest of the reachable set is counted in a note.
DEFAULT_MAX_NODES = 30
#: Reachable states counted beyond the drawn ones before giving up ("more than ...").
COUNT_LIMIT = 5000


@dataclass(frozen=True)
class GraphEdge:
    """One unilateral improvement, an edge of the graph: DM number ``dm`` (0-based) moves from
    ``source`` to ``target`` (state codes); ``label`` its option changes (``'+a −b'``)."""

    source: int
    target: int
    dm: int
    label: str


@dataclass
class TransitionGraph:
    """The drawn part of the status quo's reachable graph, and how much was left out."""

    graph: nx.DiGraph
    start: int | None
    depth: dict[int, int]
    reachable: int  # reachable states counted (capped at COUNT_LIMIT + drawn)
    reachable_exact: bool
    notes: list[str] = field(default_factory=list)
    conflict: Conflict | None = field(default=None, repr=False, compare=False)

    @property
    def drawn(self) -> int:
        return int(self.graph.number_of_nodes())

    @property
    def truncated(self) -> bool:
        return self.drawn < self.reachable or not self.reachable_exact

    def to_dict(self) -> dict[str, object]:
        """Plain data: how much is drawn and reachable, notes, and the drawn edges."""
        return {
            "drawn": self.drawn,
            "reachable": self.reachable,
            "truncated": self.truncated,
            "notes": list(self.notes),
            "edges": [] if self.conflict is None else list(edge_list(self, self.conflict)),
        }


class _Mover:
    """Unilateral improvements of every DM from a state, from the engine's move index."""

    def __init__(self, c: Conflict, index: MoveIndex | None = None) -> None:
        self.c = c
        self.index = index if index is not None else MoveIndex(c)

    def moves(self, code: int) -> list[GraphEdge]:
        c = self.c
        pos = c.state_number(code) - 1
        return [
            GraphEdge(code, t, i, signed_text(option_changes(c, code, t)))
            for i in range(len(c.dms))
            for t in c.feasible[self.index.improve(i, pos)].tolist()
        ]


def reachable_graph(
    c: Conflict, start: int | None = None, max_nodes: int = DEFAULT_MAX_NODES,
    *, moves: MoveIndex | None = None,
) -> TransitionGraph:
    """States reachable from ``start`` (default: the status quo) by unilateral improvements.
    ``moves``: the move enumerator to use (e.g. ``engine.move_index()``, shared).

    Breadth-first, so the states nearest the start are kept when the cap is reached. Without
    a start (no status quo), every feasible state is a start when the model is small enough.
    """
    if start is None:
        start = c.status_quo
    mover = _Mover(c, moves)
    notes: list[str] = []
    if start is None:
        if c.n_states > max_nodes:
            notes.append(f"No status quo and {c.n_states} states (more than {max_nodes}): "
                         "no graph drawn.")
            return TransitionGraph(nx.DiGraph(), None, {}, c.n_states, True, notes, c)
        roots = [int(x) for x in c.feasible]
        notes.append("No status quo: every feasible state is drawn.")
    else:
        roots = [start]

    depth: dict[int, int] = {r: 0 for r in roots}
    order = list(roots)
    queue = deque(roots)
    while queue and len(depth) < max_nodes + COUNT_LIMIT:
        s = queue.popleft()
        for m in mover.moves(s):
            if m.target not in depth:
                depth[m.target] = depth[s] + 1
                order.append(m.target)
                queue.append(m.target)
    exact = not queue
    drawn = set(order[:max(max_nodes, len(roots))])
    g = nx.DiGraph()
    for s in order:
        if s in drawn:
            g.add_node(s, depth=depth[s], number=c.state_number(s), state=c.state_string(s))
    for s in order:
        if s in drawn:
            for m in mover.moves(s):
                if m.target in drawn:
                    g.add_edge(s, m.target, dm=m.dm, label=m.label)
    if start is None:
        _layer_from_sources(g)
        depth = {int(n): int(d) for n, d in g.nodes(data="depth")}
    tg = TransitionGraph(g, start, {s: depth[s] for s in drawn}, len(depth), exact, notes, c)
    if tg.truncated:
        total = f"{tg.reachable}" if exact else f"at least {tg.reachable}"
        tg.notes.append(
            f"Large graph: only the {tg.drawn} states nearest the status quo are drawn, of "
            f"{total} reachable by unilateral improvements."
        )
    return tg


def _layer_from_sources(g: nx.DiGraph) -> None:
    """Rows for a graph without a start: breadth-first from the states nothing improves to
    (then from the lowest-numbered state not yet placed, until every state has a row)."""
    placed: dict[int, int] = {}
    pending = sorted(g.nodes, key=lambda n: g.nodes[n]["number"])
    roots = [n for n in pending if g.in_degree(n) == 0]
    while len(placed) < len(pending):
        if not roots:
            roots = [next(n for n in pending if n not in placed)]
        queue = deque(roots)
        for r in roots:
            placed.setdefault(r, 0)
        while queue:
            s = queue.popleft()
            for t in g.successors(s):
                if t not in placed:
                    placed[t] = placed[s] + 1
                    queue.append(t)
        roots = []
    for n, d in placed.items():
        g.nodes[n]["depth"] = d


def edge_list(tg: TransitionGraph, c: Conflict) -> Sequence[dict[str, object]]:
    """The drawn edges as plain data (for text alternatives to the image)."""
    return [
        {"from": g_u, "to": g_v, "dm": c.dms[int(d["dm"])].name, "change": d["label"],
         "from_number": c.state_number(g_u), "to_number": c.state_number(g_v)}
        for g_u, g_v, d in tg.graph.edges(data=True)
    ]


__all__ = ["COUNT_LIMIT", "DEFAULT_MAX_NODES", "GraphEdge", "TransitionGraph", "edge_list",
           "reachable_graph"]
