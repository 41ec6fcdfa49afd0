"""Memory the engine will need for a model and a set of concepts, checked before any is spent.

:func:`analysis_bytes` adds up the engine's per-state arrays (``engine_bytes``), the per-DM
grids when they are sparse (a DM holding many options that few states use: a 30-option
mutually-exclusive group has 31 states but a 2**30-cell grid), the dense move-matrix pass of
a DM with irreversible options, and SIM's lookup table and per-thread chunks.

>>> import detente
>>> need = analysis_bytes(detente.load("examples/elmira.yaml"), ("nash", "sim"))
>>> 0 < need < 2**30
True
"""

from __future__ import annotations

from collections.abc import Iterable

from detente.engine.moves import _CHUNK_CELLS as _DENSE_CELLS
from detente.engine.registry import get_concept
from detente.engine.simultaneous import sim_bytes
from detente.engine.workers import worker_count
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelTooLargeError
from detente.model.limits import engine_bytes, format_bytes, memory_budget

#: Bytes per grid cell beyond one per state: the grid and the per-row sort of the Improver
#: (values, order, positions, tie marks: about 8 arrays of 8 bytes).
_GRID_CELL = 64
#: Bytes per cell of the dense (rows, w, w) pass: the mask, the values and the minimum.
_DENSE_CELL = 17


def dm_widths(c: Conflict) -> list[tuple[int, int, bool]]:
    """Per DM: (options held, grid cells, irreversible?)."""
    out = []
    for dm in c.dms:
        k = len(dm.options)
        groups = min(c.n_states, 1 << (c.n_options - k))
        irreversible = any(c.options[c.bits[o]].direction != "both" for o in dm.options)
        out.append((k, groups << k, irreversible))
    return out


def analysis_bytes(c: Conflict, concepts: Iterable[str] = ()) -> int:
    """Estimated peak bytes of analysing ``c`` under ``concepts`` (layouts always)."""
    need = engine_bytes(c.n_states, len(c.dms))
    widths = dm_widths(c)
    for k, cells, irreversible in widths:
        need += _GRID_CELL * max(0, cells - c.n_states)
        if irreversible and (1 << 2 * k) > _DENSE_CELLS:
            need += _DENSE_CELL * (1 << 2 * k) * min(worker_count(), len(c.dms))
    if any(_simultaneous(str(x)) for x in concepts) and len(c.dms) > 1:
        need += sim_bytes(sum(cells for _, cells, _ in widths), 1 << max(k for k, _, _ in widths),
                          c.n_options, c.n_states, len(c.dms), sum(1 << k for k, _, _ in widths))
    return need


def _simultaneous(key: str) -> bool:
    """Whether concept ``key`` needs SIM's search (unknown keys: no; they are refused later)."""
    try:
        return get_concept(key).simultaneous
    except AnalysisError:
        return False


def check_memory(c: Conflict, concepts: Iterable[str] = ()) -> None:
    """Refuse, before anything is computed, an analysis that would not fit in memory."""
    keys = tuple(concepts)
    need = analysis_bytes(c, keys)
    budget = memory_budget()
    if need > budget:
        what = ", ".join(k.upper().replace("_", "&") for k in keys) or "the move layouts"
        widest = max(dm_widths(c), key=lambda t: t[1])
        raise ModelTooLargeError(
            f"{c.source_file + ': ' if c.source_file else ''}analysing {c.n_states:,} feasible "
            f"states ({what}) needs about {format_bytes(need)} of memory, more than the "
            f"{format_bytes(budget)} available (set DETENTE_MAX_MEMORY to change the limit). "
            f"The largest decision maker holds {widest[0]} options ({widest[1]:,} grid cells); "
            "fewer options per decision maker, or fewer concepts, need less."
        )
