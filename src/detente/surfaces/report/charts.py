"""Charts of the report other than the state-transition graph."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def probability_bars_png(
    states: Sequence[str], series: dict[str, Sequence[float]], title: str
) -> bytes:
    """Grouped horizontal bars: for each state (a row), one bar per series (concept), 0-100 %.

    >>> probability_bars_png(["YN", "NY"], {"Nash": [0.9, 0.1]}, "t")[:4]
    b'\\x89PNG'
    """
    n, k = len(states), max(1, len(series))
    fig = Figure(figsize=(7.5, 0.5 + 0.32 * n * min(k, 3) + 0.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    height = 0.8 / k
    y = np.arange(n)
    for j, (label, values) in enumerate(series.items()):
        ax.barh(y - 0.4 + height * (j + 0.5), [100 * v for v in values], height=height,
                label=label)
    ax.set_yticks(y, [f"{s}" for s in states], fontfamily="monospace")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("probability of being an equilibrium (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right", ncols=min(k, 3))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def frontier_png(
    smallest: Sequence[float], mean: Sequence[float], kind: Sequence[str], labels: Sequence[str],
    title: str,
) -> bytes:
    """Packages as points: smallest gain (x) against mean gain (y), one marker per ``kind``
    (``frontier``, ``stable`` or ``other``), the frontier packages labelled.

    >>> frontier_png([0.2, 0.0], [0.3, 0.4], ["frontier", "other"], ["YN", "NY"], "t")[:4]
    b'\\x89PNG'
    """
    fig = Figure(figsize=(6.5, 4.2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    styles = {"other": ("#bbbbbb", "o", "neither stable nor on the frontier"),
              "stable": ("#4c72b0", "s", "stable (an equilibrium)"),
              "frontier": ("#c44e52", "*", "on the frontier (stable, undominated)")}
    xs, ys = np.asarray(smallest, dtype=float), np.asarray(mean, dtype=float)
    kinds = np.asarray(kind)
    for name, (color, marker, text) in styles.items():
        hit = kinds == name
        if hit.any():
            ax.scatter(100 * xs[hit], 100 * ys[hit], c=color, marker=marker,
                       s=140 if name == "frontier" else 40, label=text, zorder=3)
    for x, y, k, lab in zip(xs, ys, kinds, labels, strict=True):
        if k == "frontier":
            ax.annotate(lab, (100 * x, 100 * y), textcoords="offset points", xytext=(6, 4),
                        fontsize=8, fontfamily="monospace")
    ax.set_xlabel("smallest gain of any party (% of its rank range)")
    ax.set_ylabel("mean gain (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()
