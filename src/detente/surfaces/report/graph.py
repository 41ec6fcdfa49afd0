"""The state-transition graph of a report: unilateral improvements from the status quo.

Nodes are feasible states; an edge s → t means one decision maker can move from s to t by
changing only its own options (respecting irreversibility and feasibility) and strictly
prefers t. Only states reachable from the status quo by such moves are drawn, nearest first,
up to a cap. Drawn with matplotlib's Agg canvas (no pyplot, no global backend change) and
networkx; no Graphviz needed.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict

#: Most states drawn; the rest of the reachable set is counted in a note.
DEFAULT_MAX_NODES = 30
#: Reachable states counted beyond the drawn ones before giving up ("more than ...").
COUNT_LIMIT = 5000

#: One colour per decision maker (colour-blind-friendly, shared with the HTML).
DM_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
             "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
NASH_FILL = "#2e7d32"
OTHER_EQ_FILL = "#a5d6a7"
PLAIN_FILL = "#f5f5f5"
SQ_EDGE = "#000000"


def dm_color(i: int) -> str:
    """The colour of decision maker ``i`` in graphs and tables."""
    return DM_COLORS[i % len(DM_COLORS)]


@dataclass(frozen=True)
class Move:
    """One unilateral improvement: ``dm`` moves from ``source`` to ``target`` (codes)."""

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

    @property
    def drawn(self) -> int:
        return int(self.graph.number_of_nodes())

    @property
    def truncated(self) -> bool:
        return self.drawn < self.reachable or not self.reachable_exact


class _Mover:
    """Unilateral improvements of every DM from a state, from the engine's move index."""

    def __init__(self, c: Conflict) -> None:
        self.c = c
        self.index = MoveIndex(c)

    def moves(self, code: int) -> list[Move]:
        c = self.c
        pos = c.state_number(code) - 1
        return [
            Move(code, t, i, self.label(code, t))
            for i in range(len(c.dms))
            for t in c.feasible[self.index.improve(i, pos)].tolist()
        ]

    def label(self, source: int, target: int) -> str:
        changed = source ^ target
        parts = []
        for k, name in enumerate(self.c.option_names):
            if changed >> k & 1:
                parts.append(("+" if target >> k & 1 else "−") + name)
        return " ".join(parts)


def reachable_graph(
    c: Conflict, start: int | None = None, max_nodes: int = DEFAULT_MAX_NODES
) -> TransitionGraph:
    """States reachable from ``start`` (default: the status quo) by unilateral improvements.

    Breadth-first, so the states nearest the start are kept when the cap is reached. Without
    a start (no status quo), every feasible state is a start when the model is small enough.
    """
    if start is None:
        start = c.status_quo
    mover = _Mover(c)
    notes: list[str] = []
    if start is None:
        if c.n_states > max_nodes:
            notes.append(f"No status quo and {c.n_states} states (more than {max_nodes}): "
                         "no graph drawn.")
            return TransitionGraph(nx.DiGraph(), None, {}, c.n_states, True, notes)
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
    tg = TransitionGraph(g, start, {s: depth[s] for s in drawn}, len(depth), exact, notes)
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


# ----- drawing ---------------------------------------------------------------------------
def _layered_positions(tg: TransitionGraph) -> dict[int, tuple[float, float]]:
    """Rows by distance from the start; within a row, ordered by the parents' positions."""
    g = tg.graph
    rows: dict[int, list[int]] = {}
    for n, d in nx.get_node_attributes(g, "depth").items():
        rows.setdefault(int(d), []).append(int(n))
    pos: dict[int, tuple[float, float]] = {}
    for d in sorted(rows):
        members = rows[d]
        if d > 0:
            def bary(n: int) -> float:
                xs = [pos[p][0] for p in g.predecessors(n) if p in pos]
                return float(np.mean(xs)) if xs else 0.0

            members.sort(key=lambda n: (bary(n), g.nodes[n]["number"]))
        else:
            members.sort(key=lambda n: g.nodes[n]["number"])
        width = len(members)
        for k, n in enumerate(members):
            pos[n] = (k - (width - 1) / 2, -float(d))
    return pos


def draw_png(
    tg: TransitionGraph,
    c: Conflict,
    nash: Iterable[int] = (),
    equilibria: Iterable[int] = (),
    dpi: int = 110,
) -> bytes | None:
    """The graph as PNG bytes: Nash equilibria dark green, other equilibria light green,
    the status quo with a thick black border; edges coloured by DM and labelled with the
    option changes (+taken, −dropped). ``None`` when there is nothing to draw."""
    g = tg.graph
    if g.number_of_nodes() == 0:
        return None
    nash_set = set(nash)
    eq_set = set(equilibria) | nash_set
    pos = _layered_positions(tg)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = max(xs) - min(xs) + 1
    span_y = max(ys) - min(ys) + 1
    label_chars = max(len(c.state_string(0)), 4)
    x_unit = max(1.5, 0.11 * label_chars + 0.5)  # inches per column
    y_unit = 1.6  # inches per row
    fig_w = min(16.0, max(4.5, span_x * x_unit + 1.0))
    fig_h = min(22.0, max(2.5, span_y * y_unit + 0.8))
    fig = Figure(figsize=(fig_w, fig_h), dpi=dpi)
    FigureCanvasAgg(fig)  # attach the Agg canvas (no pyplot)
    ax = fig.subplots()
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.45)
    ax.axis("off")
    font = 9 if label_chars <= 12 else 7
    boxes = {}
    for n, (x, y) in pos.items():
        fill = NASH_FILL if n in nash_set else OTHER_EQ_FILL if n in eq_set else PLAIN_FILL
        is_sq = n == c.status_quo
        text = f"{g.nodes[n]['number']}\n{g.nodes[n]['state']}"
        if is_sq:
            text = f"SQ · {text}"
        boxes[n] = ax.text(
            x, y, text, ha="center", va="center", fontsize=font, family="monospace",
            color="white" if n in nash_set else "black", zorder=3,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": fill,
                  "edgecolor": SQ_EDGE if is_sq else "#616161",
                  "linewidth": 2.6 if is_sq else 0.8},
        )
    fig.draw_without_rendering()  # size the boxes so that arrows stop at their borders
    to_display = ax.transData.transform
    to_data = ax.transData.inverted().transform
    for u, v, data in g.edges(data=True):
        color = dm_color(int(data["dm"]))
        (x1, y1), (x2, y2) = pos[u], pos[v]
        # Bend edges that would cross other boxes: same row, or more than one row apart.
        straight_run = abs(y2 - y1) == 1.0 or (y1 == y2 and abs(x2 - x1) == 1.0)
        rad = 0.12 if straight_run else 0.3
        ax.annotate(
            "", xy=pos[v], xytext=pos[u], zorder=2,
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3,
                        "shrinkA": 2, "shrinkB": 2, "mutation_scale": 12,
                        "patchA": boxes[u].get_bbox_patch(),
                        "patchB": boxes[v].get_bbox_patch(),
                        "connectionstyle": f"arc3,rad={rad}"},
        )
        # The label sits on the curve's midpoint: half the control point's offset.
        (a, b), (e, f) = to_display((x1, y1)), to_display((x2, y2))
        mid = ((a + e) / 2 + rad / 2 * (f - b), (b + f) / 2 - rad / 2 * (e - a))
        mx, my = to_data(mid)
        ax.text(mx, my, data["label"], fontsize=font - 2, color=color, ha="center",
                va="center", zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                      "edgecolor": "none", "alpha": 0.85})
    handles: list[Patch | Line2D] = [
        Line2D([0], [0], color=dm_color(i), lw=2, label=f"move by {dm.name}")
        for i, dm in enumerate(c.dms)
        if any(int(d) == i for _, _, d in g.edges(data="dm"))
    ]
    if nash_set & set(g.nodes):
        handles.append(Patch(facecolor=NASH_FILL, edgecolor="#616161",
                             label="Nash equilibrium"))
    if (eq_set - nash_set) & set(g.nodes):
        handles.append(Patch(facecolor=OTHER_EQ_FILL, edgecolor="#616161",
                             label="equilibrium (other concepts)"))
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  ncol=min(4, len(handles)), fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def edge_list(tg: TransitionGraph, c: Conflict) -> Sequence[dict[str, object]]:
    """The drawn edges as plain data (for text alternatives to the image)."""
    return [
        {"from": g_u, "to": g_v, "dm": c.dms[int(d["dm"])].name, "change": d["label"],
         "from_number": c.state_number(g_u), "to_number": c.state_number(g_v)}
        for g_u, g_v, d in tg.graph.edges(data=True)
    ]


__all__ = ["DM_COLORS", "TransitionGraph", "dm_color", "draw_png", "edge_list",
           "reachable_graph"]
