"""Drafts: the mediator's single negotiating text, draft by draft.

For each draft (a state, or every feasible state a pattern matches) and concept C: who
would veto it (likes it less than the reference, default the status quo), whether it holds
(is a C-equilibrium) and for whom it does not (the DMs not stable there under C: each has an
improvement the others cannot sanction), and the nearest improvements — the C-equilibria
every DM likes at least as much as the draft, at the fewest option changes from it.

>>> from detente.formats.native import loads
>>> pd = loads(open("examples/prisoners_dilemma.yaml").read() + "drafts: [{name: d, state: YN}]")
>>> s = drafts(pd, ["nash"]).drafts[0].states[0]
>>> s.state, s.holds["nash"], s.breaks_for["nash"], s.nearest["nash"]
('YN', False, ('B',), ())
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, own_engine, report
from detente.analyses.drafts.distance import option_changes
from detente.analyses.drafts.result import DraftResult, DraftsResult, DraftState
from detente.analyses.packages.analysis import check_memory
from detente.analyses.packages.reference import reference_code
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.drafts import Draft
from detente.model.errors import AnalysisError

#: Matching states analysed per draft pattern (the best ones, see :func:`_best_first`).
MAX_STATES = 16
#: Nearest improvements listed per state and concept (all are counted).
MAX_NEAREST = 10


def drafts(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    against: int | str | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> DraftsResult:
    """Vetoes, whether each draft holds and for whom not, and the nearest improvements.

    ``against``: the reference of the vetoes (default the status quo; without one, vetoes
    are not computed). A pattern's matching states are ranked — holding under more
    concepts, fewer vetoes, then state order — and the first :data:`MAX_STATES` analysed.
    """
    model = arguments.model(model)
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"))
    if not model.drafts:
        raise AnalysisError(
            f"{model.name!r} has no drafts; add a drafts: section (a name and "
            "a state or pattern per draft)"
        )
    ref = (
        reference_code(model, against)
        if against is not None or model.status_quo is not None
        else None
    )
    check_memory(model, keys)
    engine = own_engine(model, engine, "drafts")
    stable = {}
    for k, key in enumerate(keys):
        report(progress, k + 1, len(keys) + 1, f"stability under {key}")
        stable[key] = engine.stable(key)
    ranks = engine.payoff_ranks
    out = []
    for d in model.drafts:
        out.append(_draft(model, d, keys, stable, ranks, ref))
    report(progress, len(keys) + 1, len(keys) + 1, "nearest improvements")
    return DraftsResult(model, keys, ref, tuple(out), against)


def _draft(
    model: Conflict,
    d: Draft,
    keys: tuple[str, ...],
    stable: dict[str, np.ndarray],
    ranks: np.ndarray,
    ref: int | None,
) -> DraftResult:
    codes = np.asarray(d.codes, dtype=np.int64)
    pos = model.index_of(codes)
    chosen = _best_first(pos, keys, stable, ranks, None if ref is None else model.position(ref))[
        :MAX_STATES
    ]
    states = tuple(_state(model, int(p), keys, stable, ranks, ref) for p in chosen)
    return DraftResult(d.name, d.state, d.rationale, int(codes.size), states)


def _best_first(
    pos: np.ndarray,
    keys: tuple[str, ...],
    stable: dict[str, np.ndarray],
    ranks: np.ndarray,
    rpos: int | None,
) -> np.ndarray:
    """Positions ordered: holding under more concepts, fewer vetoes, then position."""
    holds = sum(stable[k][:, pos].all(axis=0).astype(np.int64) for k in keys)
    vetoes = (
        np.zeros(pos.size, dtype=np.int64)
        if rpos is None
        else (ranks[:, pos] < ranks[:, [rpos]]).sum(axis=0)
    )
    return pos[np.lexsort((pos, vetoes, -np.asarray(holds)))]


def _state(
    model: Conflict,
    p: int,
    keys: tuple[str, ...],
    stable: dict[str, np.ndarray],
    ranks: np.ndarray,
    ref: int | None,
) -> DraftState:
    dms = model.dm_names
    code = int(model.feasible[p])
    vetoes = None
    if ref is not None:
        rpos = model.position(ref)
        vetoes = tuple(dm for i, dm in enumerate(dms) if ranks[i, p] < ranks[i, rpos])
    better = (ranks >= ranks[:, [p]]).all(axis=0)
    holds: dict[str, bool] = {}
    breaks: dict[str, tuple[str, ...]] = {}
    nearest: dict[str, tuple[tuple[str, int], ...]] = {}
    count: dict[str, int] = {}
    for key in keys:
        st = stable[key]
        holds[key] = bool(st[:, p].all())
        breaks[key] = tuple(dm for i, dm in enumerate(dms) if not st[i, p])
        cand = np.flatnonzero(better & st.all(axis=0))
        if cand.size == 0:
            nearest[key], count[key] = (), 0
            continue
        dist = option_changes(model, model.feasible[cand], code)
        at = cand[dist == dist.min()]
        count[key] = int(at.size)
        nearest[key] = tuple(
            (model.space.text(int(model.feasible[q])), int(dist.min())) for q in at[:MAX_NEAREST]
        )
    return DraftState(model.space.text(code), p + 1, vetoes, holds, breaks, nearest, count)


__all__ = ["MAX_NEAREST", "MAX_STATES", "drafts"]
