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
