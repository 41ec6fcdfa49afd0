"""The case file: one typed record of a model's analysis results, for every surface to render.

:func:`build_case_file` runs the analyses of a model once — stability under the chosen
concepts, why the status quo is or is not stable, where it can evolve (alone and with the
model's coalitions), coalition stability, the state-transition graph — and keeps each result
as its own typed object. The report (:mod:`detente.surfaces.report.build`), the JSON outputs
(:meth:`CaseFile.to_dict`, built from each result's ``to_dict()``, which is that analysis's CLI
JSON shape) and the web app render it; none of them runs analyses or reads loose dicts.

The analyses share one :class:`~detente.engine.Engine`, so the move-based concepts are
computed once. An analysis that refuses the model (an :class:`AnalysisError`, e.g. too many
coalitions) leaves its field empty and says why in :attr:`CaseFile.notes`.

Adding an analysis (robustness, mediation, deal, ...) costs one field and one section:

1. here: add ``robustness: RobustnessResult | None = None`` to :class:`CaseFile` (a frozen
   dataclass with a ``to_dict()``) and compute it in :func:`build_case_file` with
   ``_attempt(notes, "robustness analysis", lambda: robustness(model, ...))`` when the model
   asks for it; :meth:`CaseFile.to_dict` picks up every field with a ``to_dict()`` by itself
   (key = field name);
2. in ``surfaces/report/build.py``: one function ``_robustness_section(case) -> dict | None``
   appended to ``SECTIONS``, and a template include that renders it when not ``None``.

>>> import detente
>>> case = build_case_file(detente.load("examples/elmira.yaml"), ["nash", "gmr"],
...                        with_graph=False)
>>> case.stability.equilibria_numbers("nash"), case.status_quo.state.number
([5, 6, 7, 10, 11, 12], 1)
>>> [s.title for s in case.evolution], case.evolution[1].result.final_numbers()
(['Unilateral improvements only', 'With coalitions (MoE + UR)'], [10])
>>> sorted(case.to_dict())  # doctest: +NORMALIZE_WHITESPACE
['brief', 'coalitions', 'deal', 'deal_design', 'drafts', 'evolution', 'graph', 'hypergame',
 'mediation', 'model', 'notes', 'packages', 'robustness', 'stability', 'status_quo']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from detente.analyses.brief.analysis import brief
from detente.analyses.brief.result import BriefResult
from detente.analyses.coalitions.analysis import coalition_analysis
from detente.analyses.coalitions.result import CoalitionResult
from detente.analyses.contract import Progress, ProgressEvent, report
from detente.analyses.deal.analysis import deal_analysis
from detente.analyses.deal.design import deal_design
from detente.analyses.deal.result import DealAnalysis, DesignResult
from detente.analyses.drafts.analysis import drafts as draft_analysis
from detente.analyses.drafts.result import DraftsResult
from detente.analyses.explain.analysis import CONCEPT_FAMILIES as EXPLAINED
from detente.analyses.explain.analysis import explain
from detente.analyses.explain.result import Explanation
from detente.analyses.hypergame.analysis import hypergame
from detente.analyses.hypergame.result import HypergameResult
from detente.analyses.mediation.analysis import mediate
from detente.analyses.mediation.result import MediationResult
from detente.analyses.packages.analysis import packages as package_analysis
from detente.analyses.packages.result import PackagesResult
from detente.analyses.robustness.analysis import robustness
from detente.analyses.robustness.result import RobustnessResult
from detente.analyses.stability.analysis import analyze
from detente.analyses.stability.result import StabilityResult
from detente.analyses.status_quo.analysis import evolve
from detente.analyses.status_quo.result import EvolutionResult
from detente.analyses.status_quo.transitions import (
    DEFAULT_MAX_NODES,
    TransitionGraph,
    reachable_graph,
)
from detente.analyses.summary.analysis import model_summary
from detente.analyses.summary.result import ModelSummary
from detente.engine import Engine
from detente.engine.registry import (
    EVERY_FAMILY,
    STRENGTH,
    UNKNOWN_KEYS,
    Family,
    get_concept,
    parse_concepts,
)
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.strength import has_strength

#: Feasible states listed in the case file's model summary by default.
SUMMARY_STATES = 64
#: The concept families the case file's stability tables take: all of them.
CONCEPT_FAMILIES: frozenset[Family] = EVERY_FAMILY
#: Profiles sampled for the robustness section when the profile space is larger (seed 0).
ROBUSTNESS_SAMPLES = 1_000
#: Orders of a deal's tranches listed in the case file's tranche design (the best first).
DESIGN_ORDERS = 10

T = TypeVar("T")


@dataclass(frozen=True)
class Scenario:
    """One status-quo analysis: what may move (its title) and where it leads."""

    title: str
    result: EvolutionResult

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, **self.result.to_dict()}


@dataclass(frozen=True)
class CaseFile:
    """A model's analysis results, one typed field per analysis (see the module docstring).

    ``summary``: the model as people read it (``detente show``); ``stability``: every concept
    analysed; ``status_quo``: why the status quo is or is not stable (``None`` without a status
    quo); ``evolution``: status-quo analyses, unilateral first, then with the model's
    coalitions; ``coalitions``: coalition stability for the model's coalitions (``None`` when
    it names none); ``graph``: unilateral improvements from the status quo (``None`` when not
    asked for); ``deal``: the phased-deal analysis (``None`` without a deal); ``mediation``:
    what would make the model's ``mediation: target:`` hold, one result per concept asked
    (empty without a target); ``deal_design``: the best orders of the deal's ``tranches:``
    (``None`` without tranches); ``hypergame``: each party's view, the hypergame equilibria,
    surprises and single corrections, with the mediation target (``None`` when the model has
    no perceptions or blind spots); ``notes``: why an analysis is missing.
    """

    conflict: Conflict
    summary: ModelSummary
    stability: StabilityResult
    status_quo: Explanation | None = None
    evolution: tuple[Scenario, ...] = ()
    coalitions: CoalitionResult | None = None
    graph: TransitionGraph | None = None
    mediation: tuple[MediationResult, ...] = ()
    robustness: RobustnessResult | None = None
    deal: DealAnalysis | None = None
    deal_design: DesignResult | None = None
    hypergame: HypergameResult | None = None
    #: The mediator's brief: one verdict per proposal, from the deal and mediation results
    #: above (``None`` when the model puts no proposal on the table).
    brief: BriefResult | None = None
    #: Packages every party prefers to the status quo and the frontier (``None`` unless the
    #: model has a status quo and declares weights or drafts); the drafts, draft by draft
    #: (``None`` without drafts).
    packages: PackagesResult | None = None
    drafts: DraftsResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        """The concept keys analysed (stability, status quo and evolution use the same)."""
        return self.stability.concepts

    def to_dict(self) -> dict[str, Any]:
        """Plain data: each analysis under its field name (``summary`` as ``model``), in the
        JSON shape of its own command; absent analyses as ``null``."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "conflict":
                continue
            key = "model" if f.name == "summary" else f.name
            out[key] = _plain(getattr(self, f.name))
        return out


def _plain(value: object) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"case file field of type {type(value).__name__} has no to_dict()")


def build_case_file(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    with_graph: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    summary_states: int | None = SUMMARY_STATES,
    progress: Progress | None = None,
) -> CaseFile:
    """Run the analyses of ``model`` once and file their results.

    ``concepts``: stability concepts (default all six, the strong ones of strength of
    preference when the model states any, and the sixteen of unknown preferences
    when the model declares unknown pairs, answered beyond the stability tables by the classic
    concept each extends, :func:`classic_keys`, but for the status-quo explanation, which
    explains every asked concept itself but ``L<h>`` (:func:`explained_keys`).
    ``with_graph``/``max_nodes``: the transition graph and its cap. ``summary_states``:
    feasible states listed in the summary (``None`` = all).
    ``progress``: a :class:`~detente.analyses.contract.ProgressEvent` as each stability
    concept starts and before the other analyses (one step per concept, one for the rest).
    """
    asked = parse_concepts(concepts, families=CONCEPT_FAMILIES)
    if concepts is None and any(has_strength(dm.preference) for dm in model.dms):
        asked += tuple(c.key for c in STRENGTH if c.strength == "strong")
    if concepts is None and any(dm.unknown is not None for dm in model.dms):
        asked += UNKNOWN_KEYS  # the model declares unknown preferences
    engine = Engine(model)
    stability = analyze(model, asked, engine=engine, progress=_one_more(progress))
    keys = classic_keys(asked)  # what the other analyses take
    report(progress, len(asked) + 1, len(asked) + 1,
           "status quo, coalitions and the transition graph")
    shown = model.n_states if summary_states is None else min(model.n_states, summary_states)
    notes: list[str] = []
    status_quo = None
    evolution: list[Scenario] = []
    if model.status_quo is not None:
        status_quo = explain(model, model.state_string(model.status_quo),
                             concepts=explained_keys(asked),
                             index=engine.move_index())
        evolution = _evolution(model, keys, engine, notes)
    coalitions = None
    if model.coalitions:
        coalitions = _attempt(notes, "coalition analysis",
                              lambda: coalition_analysis(model, engine=engine))
    graph = (reachable_graph(model, max_nodes=max_nodes, moves=engine.move_index())
             if with_graph else None)
    mediation = _mediation(model, engine, notes)
    robust = None
    if any(dm.readings for dm in model.dms):  # the model declares uncertain preferences
        robust = _attempt(notes, "robustness analysis", lambda: robustness(
            model, keys, samples=ROBUSTNESS_SAMPLES, seed=0))
    deal = None
    if model.deal is not None:
        deal = _attempt(notes, "deal analysis", lambda: deal_analysis(model, keys, engine=engine))
    design = None
    if model.deal is not None and model.deal.tranches:
        design = _attempt(notes, "tranche design", lambda: deal_design(
            model, keys, limit=DESIGN_ORDERS, engine=engine))
    hyper = _hypergame(model, keys, engine, notes)
    on_table = None
    if model.deal is not None or model.mediation.target is not None or model.drafts:
        on_table = _attempt(notes, "brief", lambda: brief(
            model, engine=engine, deal=deal, mediation=mediation, robustness=robust))
    table, texts = _negotiation(model, keys, engine, notes)
    return CaseFile(
        conflict=model,
        summary=model_summary(model, shown),
        stability=stability,
        status_quo=status_quo,
        evolution=tuple(evolution),
        coalitions=coalitions,
        graph=graph,
        mediation=mediation,
        robustness=robust,
        deal=deal,
        deal_design=design,
        hypergame=hyper,
        brief=on_table,
        packages=table,
        drafts=texts,
        notes=tuple(notes),
    )


def classic_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The concepts the analyses beyond stability take: ``keys`` without the probabilistic
    ones (judged on the whole preference distribution, not profile by profile) and the
    limited-move ``L<h>`` (only the stability tables show it); the six standard ones when
    nothing else is left. An unknown-preference concept (``gmr_a``) is answered there by the
    classic one it extends (``gmr``)."""
    kept = tuple(dict.fromkeys(_classic(k) for k in keys if not get_concept(k).is_probabilistic
                               and not get_concept(k).is_limited))
    return kept or parse_concepts(None)


def explained_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The concepts the status-quo explanation explains: ``keys`` but a limited-move
    ``L<h>`` (explain's families), the six standard ones when nothing else is left."""
    kept = tuple(k for k in keys if get_concept(k).family in EXPLAINED)
    return kept or parse_concepts(None)


def _classic(key: str) -> str:
    """The classic concept an unknown-preference concept extends (``gmr`` for ``gmr_a``) or
    a strength concept refines (``gmr`` for ``strong_gmr``); any other key itself."""
    c = get_concept(key)
    return c.refines or (c.unknown.base if c.unknown is not None else key)


#: Packages listed in the report (frontier first).
REPORT_PACKAGES = 12


def _negotiation(model: Conflict, keys: tuple[str, ...], engine: Engine, notes: list[str]
                 ) -> tuple[PackagesResult | None, DraftsResult | None]:
    """Packages (with a status quo, when the model declares weights or drafts) and drafts."""
    table = None
    if model.status_quo is not None and (model.drafts or any(d.weights for d in model.dms)):
        table = _attempt(notes, "packages analysis", lambda: package_analysis(
            model, keys, limit=REPORT_PACKAGES, engine=engine))
    texts = None
    if model.drafts:
        texts = _attempt(notes, "drafts analysis", lambda: draft_analysis(
            model, keys, engine=engine))
    return table, texts


#: Concepts the report's mediation section answers when the model names none.
MEDIATION_CONCEPTS = ("nash", "seq")
#: Solutions listed per concept in the report.
MEDIATION_SOLUTIONS = 5


def _mediation(model: Conflict, engine: Engine, notes: list[str]
               ) -> tuple[MediationResult, ...]:
    """What would make the model's ``mediation: target:`` hold, one concept at a time."""
    target = model.mediation.target
    if target is None:
        return ()
    out = []
    for key in model.mediation.concepts or MEDIATION_CONCEPTS:

        def run(key: str = key) -> MediationResult:
            return mediate(model, target, [key], limit=MEDIATION_SOLUTIONS, engine=engine)

        result = _attempt(notes, f"mediation design under {key}", run)
        if result is not None:
            out.append(result)
    return tuple(out)


def _hypergame(model: Conflict, keys: tuple[str, ...], engine: Engine, notes: list[str]
               ) -> HypergameResult | None:
    """The first-level hypergame when the model declares misperceptions (perceptions or
    blind spots); the mediation target, if any, is its target."""
    if not model.perceptions and not any(dm.blind_spots for dm in model.dms):
        return None
    return _attempt(notes, "hypergame analysis", lambda: hypergame(
        model, keys, target=model.mediation.target, engine=engine))


def _evolution(
    model: Conflict, keys: tuple[str, ...], engine: Engine, notes: list[str]
) -> list[Scenario]:
    """Unilateral improvements from the status quo; then with the model's coalitions."""
    runs: list[tuple[str, Callable[[], EvolutionResult]]] = [
        ("Unilateral improvements only",
         lambda: evolve(model, concepts=keys, engine=engine)),
    ]
    if model.coalitions:
        names = "; ".join(" + ".join(h) for h in model.coalitions)
        runs.append((f"With coalitions ({names})",
                     lambda: evolve(model, coalitions=True, concepts=keys, engine=engine)))
    out: list[Scenario] = []
    for title, run in runs:
        result = _attempt(notes, "status-quo analysis", run)
        if result is None:
            break
        out.append(Scenario(title, result))
    return out


def _one_more(progress: Progress | None) -> Progress | None:
    """``progress`` with one more step in the total (the analyses after stability)."""
    if progress is None:
        return None
    return lambda e: progress(ProgressEvent(e.step, (e.total or 0) + 1, e.message))


def _attempt(notes: list[str], what: str, run: Callable[[], T]) -> T | None:
    """``run()``, or ``None`` with a note when the analysis refuses the model."""
    try:
        return run()
    except AnalysisError as exc:
        notes.append(f"No {what}: {exc}")
        return None


__all__ = ["DESIGN_ORDERS", "ROBUSTNESS_SAMPLES", "SUMMARY_STATES", "CaseFile", "Scenario",
           "build_case_file", "explained_keys"]
