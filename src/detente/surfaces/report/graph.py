"""Drawing the state-transition graph of a report (unilateral improvements from the status
quo, computed by :mod:`detente.analyses.status_quo.transitions`).

Drawn with matplotlib's Agg canvas (no pyplot, no global backend change) and networkx; no
Graphviz needed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from detente.analyses.status_quo.transitions import (
    DEFAULT_MAX_NODES,
    TransitionGraph,
    edge_list,
    reachable_graph,
)
from detente.model.conflict import Conflict

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


__all__ = ["DEFAULT_MAX_NODES", "DM_COLORS", "TransitionGraph", "dm_color", "draw_png", "edge_list",
           "reachable_graph"]
