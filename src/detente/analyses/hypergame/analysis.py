"""First-level hypergame analysis: each party's view, the hypergame equilibria, the surprises,
and which single disclosure would change the outcome.

Stability of DM i in the hypergame is the concept evaluated in i's own view; a hypergame
equilibrium is a state stable for every DM in its own view (PRODUCT.md, "Misperception").

All views, and the views after each single correction, are evaluated in *one* batch per
distinct move graph: views differ in ranks (a profile each) and in moves only through the
options their perceiver is unaware of, so the profiles are grouped by that set and each group
is one :func:`~detente.engine.batch.stable_batch` call on its own layouts.

>>> import detente
>>> r = hypergame(detente.load("examples/prisoners_dilemma.yaml"), ["nash"])
>>> r.equilibria_strings("nash"), r.corrections
(['YY'], ())
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, own_engine, report
from detente.analyses.hypergame.result import CorrectionResult, HypergameResult
from detente.analyses.hypergame.views import View, perceived_views, single_corrections
from detente.engine import Engine
from detente.engine.batch import stable_batch
from detente.engine.budget import check_memory
from detente.engine.move_limits import conflict_layouts
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError, ModelError


def hypergame(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    target: str | int | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> HypergameResult:
    """Each DM's view, its equilibria, the hypergame equilibria, the surprises and, per single
    correction of a misperception, the hypergame equilibria after it.

    ``target``: a state or Y/N/- pattern; each correction then says whether some matching state
    is a hypergame equilibrium under every chosen concept. ``engine``: an engine over
    ``model`` whose layouts serve the views without hidden options.
    """
    model = arguments.model(model)
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"))
    target_mask = _target(model, target)
    check_memory(model, keys)
    engine = own_engine(model, engine, "hypergame")
    base = perceived_views(model)
    fixes = single_corrections(model)
    every: list[View] = base + [v for _, v in fixes]
    stable = _evaluate(model, engine, every, keys, progress)
    n = len(base)
    per_view = {c: s[:n] for c, s in stable.items()}
    corrected = {
        c: s[n:][np.arange(len(fixes)), [v.perceiver for _, v in fixes]] for c, s in stable.items()
    }
    results = tuple(
        CorrectionResult(fix, {c: corrected[c][k] for c in keys})
        for k, (fix, _) in enumerate(fixes)
    )
    return HypergameResult(
        model,
        keys,
        per_view,
        results,
        target_mask,
        header(model, keys, {"target": None if target is None else str(target)}),
    )


def _evaluate(
    model: Conflict,
    engine: Engine,
    every: list[View],
    keys: tuple[str, ...],
    progress: Progress | None,
) -> dict[str, np.ndarray]:
    """concept -> (views, DMs, N) stability of every DM in every view: one batch per distinct
    set of hidden options."""
    n_dms, n = len(model.dms), model.n_states
    out = {c: np.empty((len(every), n_dms, n), dtype=bool) for c in keys}
    groups: dict[int, list[int]] = {}
    for k, v in enumerate(every):
        groups.setdefault(v.hidden, []).append(k)
    for step, (hidden, members) in enumerate(groups.items()):
        report(progress, step + 1, len(groups), f"{len(members)} view(s) on one move graph")
        lays = engine.layouts if hidden == 0 else conflict_layouts(model, hidden)
        ranks = np.stack([every[k].ranks for k in members])
        res = stable_batch(model, ranks, keys, layouts=lays)
        for c in keys:
            out[c][members] = res[c]
    return out


def _target(model: Conflict, target: object) -> np.ndarray | None:
    """Bool per feasible state: matches the target (None: no target)."""
    if target is None:
        return None
    ref = arguments.state_ref(target, "target")
    try:
        codes = model.space.parse_many(ref)
    except ModelError as exc:
        raise ArgumentError(f"target: {exc.message}", parameter="target") from None
    return np.isin(model.feasible, codes)


__all__ = ["hypergame"]
