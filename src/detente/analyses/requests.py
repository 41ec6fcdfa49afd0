"""The request layer: one validated request per analysis, the only place the argument rules
live (through :mod:`detente.analyses.arguments`).

The CLI builds a request from its options, the web API from its query or body fields; both
then call :meth:`run` (or the analysis with ``**request.kwargs()``). A wrong value raises
:class:`~detente.model.errors.ArgumentError` naming the Python parameter; the CLI says its
flag instead (:func:`detente.surfaces.cli.output.flag_words`), the web API its field.
Rules about what the server can afford (inline work, answer bytes) stay in the web.

>>> RobustnessRequest(samples=0)
Traceback (most recent call last):
...
detente.model.errors.ArgumentError: samples must be a whole number of at least 1, got 0
>>> MediateRequest("YN", max_edits=2).kwargs()["max_edits"]
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from detente.analyses import arguments

if TYPE_CHECKING:
    from detente.analyses.brief import BriefResult
    from detente.analyses.coalitions import CoalitionResult
    from detente.analyses.contract import Progress
    from detente.analyses.deal import DealAnalysis, DesignResult
    from detente.analyses.drafts import DraftsResult
    from detente.analyses.explain import Explanation
    from detente.analyses.hypergame import HypergameResult
    from detente.analyses.mediation import MediationResult
    from detente.analyses.packages import PackagesResult
    from detente.analyses.robustness import RobustnessResult
    from detente.analyses.stability import StabilityResult
    from detente.analyses.status_quo import EvolutionResult
    from detente.engine import Engine
    from detente.model.conflict import Conflict

@dataclass(frozen=True)
class _Request:
    """Common part: the concepts (None: the analysis's default)."""

    def kwargs(self) -> dict[str, Any]:
        """The analysis's keyword arguments."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def _concepts(self, value: object) -> None:
        names = arguments.optional_names(value, "concepts")
        if names is not None:
            for raw in names:
                _known_concept(raw, self._coalition_concepts)
        object.__setattr__(self, "concepts", names)

    def _state(self, name: str) -> None:
        """Check the optional state reference in field ``name`` (None: not given)."""
        value = getattr(self, name)
        if value is not None:
            object.__setattr__(self, name, arguments.state_ref(value, name))

    #: Whether the concepts are coalition concepts (``cgmr``, ...) rather than standard ones.
    _coalition_concepts = False


def _known_concept(raw: str, coalition: bool) -> None:
    """Refuse, by parameter, a name that is no concept the registry knows (standard ones with
    ``L<h>``, or coalition ones); which of them an analysis accepts, it says itself."""
    from detente.engine.registry import EVERY_FAMILY, parse_coalition_concepts, parse_concepts
    from detente.model.errors import AnalysisError, ArgumentError

    try:
        if coalition:
            parse_coalition_concepts([raw])
        else:
            parse_concepts([raw], families=EVERY_FAMILY)
    except AnalysisError as exc:
        raise ArgumentError(str(exc), parameter="concepts") from None


@dataclass(frozen=True)
class AnalyzeRequest(_Request):
    """``analyze``: concepts and an optional limited-move horizon."""

    concepts: Sequence[str] | None = None
    horizon: int | None = None

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        arguments.optional_horizon(self.horizon)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> StabilityResult:
        from detente.analyses.stability import analyze

        return analyze(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class ExplainRequest(_Request):
    """``explain``: a state, the DMs to explain (None: all) and concepts."""

    state: int | str
    dms: Sequence[str] | None = None
    concepts: Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", arguments.state_ref(self.state, "state"))
        object.__setattr__(self, "dms", arguments.optional_names(self.dms, "dms"))
        self._concepts(self.concepts)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> Explanation:
        from detente.analyses.explain import explain

        return explain(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class MediateRequest(_Request):
    """``mediate``: a target state or pattern, concepts, max_edits, limit, reachable, dms.
    Without a target (or concepts) the model's own ``mediation: target:`` (``concepts:``)
    is used when the request is run."""

    target: int | str | None = None
    concepts: Sequence[str] | None = None
    max_edits: int = 3
    limit: int = 10
    reachable: bool = False
    dms: Sequence[str] | None = None

    def __post_init__(self) -> None:
        self._state("target")
        self._concepts(self.concepts)
        arguments.max_edits(self.max_edits)
        arguments.limit(self.limit)
        arguments.flag(self.reachable, "reachable")
        object.__setattr__(self, "dms", arguments.optional_names(self.dms, "dms"))

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> MediationResult:
        from detente.analyses.mediation import mediate

        args = self.kwargs()
        if self.target is None:
            if model.mediation.target is None:
                from detente.model.errors import ArgumentError

                raise ArgumentError(f"target must be given: model {model.name!r} names no "
                                    "`mediation: target:` (a state or a Y/N/- pattern)",
                                    parameter="target")
            args["target"] = model.mediation.target
        if self.concepts is None and model.mediation.concepts:
            args["concepts"] = model.mediation.concepts
        return mediate(model, engine=engine, progress=progress, **args)


@dataclass(frozen=True)
class RobustnessRequest(_Request):
    """``robustness``: concepts, samples, seed (None: fresh), exact (None: automatic)."""

    concepts: Sequence[str] | None = None
    samples: int = 10_000
    seed: int | None = 0
    exact: bool | None = None
    at_least: float | None = None

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        arguments.samples(self.samples)
        arguments.seed(self.seed)
        arguments.exact(self.exact)
        arguments.optional_probability(self.at_least, "at_least")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None, **extra: Any) -> RobustnessResult:
        """``extra``: ``scheduler`` and ``max_bytes`` (how to run, not what to compute)."""
        from detente.analyses.robustness import robustness

        return robustness(model, engine=engine, progress=progress, **self.kwargs(), **extra)


@dataclass(frozen=True)
class CoalitionsRequest(_Request):
    """``coalition_analysis``: coalitions (None: the model's), every coalition, concepts."""

    coalitions: Sequence[Sequence[str]] | None = None
    concepts: Sequence[str] | None = None
    all_coalitions: bool = False
    _coalition_concepts = True

    def __post_init__(self) -> None:
        if self.coalitions is not None:
            object.__setattr__(self, "coalitions",
                               arguments.groups(self.coalitions, "coalitions"))
        self._concepts(self.concepts)
        arguments.flag(self.all_coalitions, "all_coalitions")
        if self.coalitions and self.all_coalitions:
            from detente.model.errors import ArgumentError

            raise ArgumentError("give coalitions or all_coalitions=True, not both",
                                parameter="all_coalitions")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> CoalitionResult:
        from detente.analyses.coalitions import coalition_analysis

        return coalition_analysis(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class EvolveRequest(_Request):
    """``evolve``: a start state (None: the status quo), coalitions (True: the model's)."""

    start: int | str | None = None
    coalitions: bool | Sequence[Sequence[str]] = False
    concepts: Sequence[str] | None = None

    def __post_init__(self) -> None:
        self._state("start")
        if not isinstance(self.coalitions, bool):
            object.__setattr__(self, "coalitions",
                               arguments.groups(self.coalitions, "coalitions"))
        self._concepts(self.concepts)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> EvolutionResult:
        from detente.analyses.status_quo import evolve

        return evolve(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class HypergameRequest(_Request):
    """``hypergame``: concepts and an optional target state or pattern."""

    concepts: Sequence[str] | None = None
    target: int | str | None = None

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        self._state("target")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> HypergameResult:
        from detente.analyses.hypergame import hypergame

        return hypergame(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class DealRequest(_Request):
    """``deal_analysis``: concepts, whether to mediate, max_edits per phase."""

    concepts: Sequence[str] | None = None
    mediate: bool = True
    max_edits: int = 3

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        arguments.flag(self.mediate, "mediate")
        arguments.max_edits(self.max_edits)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> DealAnalysis:
        from detente.analyses.deal import deal_analysis

        return deal_analysis(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class DealDesignRequest(_Request):
    """``deal_design``: concepts, designs listed (0: all)."""

    concepts: Sequence[str] | None = None
    limit: int = 10

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        arguments.limit(self.limit)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> DesignResult:
        from detente.analyses.deal import deal_design

        return deal_design(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class BriefRequest(_Request):
    """``brief``: concepts (None: the model's ``mediation: concepts:``, else all six), the
    profiles drawn when the profile space is larger, whether to search fixes."""

    concepts: Sequence[str] | None = None
    samples: int = 1_000
    seed: int = 0
    fixes: bool = True

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        arguments.samples(self.samples)
        arguments.seed(self.seed)
        arguments.flag(self.fixes, "fixes")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> BriefResult:
        from detente.analyses.brief import brief

        return brief(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class WhatIfRequest(_Request):
    """The brief's scenario option and the web's what-if: the brief of the model edited by
    ``scenario`` (its JSON form, checked here: a wrong field is an ArgumentError naming it);
    without ``fixes`` by default (the live what-if)."""

    scenario: object = None
    concepts: Sequence[str] | None = None
    samples: int = 1_000
    seed: int = 0
    fixes: bool = False

    def __post_init__(self) -> None:
        from detente.analyses.whatif import parse_scenario

        object.__setattr__(self, "scenario", parse_scenario(
            {} if self.scenario is None else self.scenario))
        self._concepts(self.concepts)
        arguments.samples(self.samples)
        arguments.seed(self.seed)
        arguments.flag(self.fixes, "fixes")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> BriefResult:
        from detente.analyses.whatif import whatif

        return whatif(model, engine=engine, progress=progress, **self.kwargs())


def deal_request(concepts: Sequence[str] | None = None, *, design: bool = False,
                 limit: int | None = None) -> DealRequest | DealDesignRequest:
    """The phased-deal analysis, or with ``design`` the tranche design (``limit`` designs);
    ``limit`` belongs to the design only."""
    arguments.flag(design, "design")
    if not design:
        if limit is not None:
            from detente.model.errors import ArgumentError

            raise ArgumentError("limit must go with design=True: it limits the ranked "
                                "orders of the tranche design", parameter="limit")
        return DealRequest(concepts)
    return DealDesignRequest(concepts, 10 if limit is None else limit)


@dataclass(frozen=True)
class PackagesRequest(_Request):
    """``packages``: the reference (None: the status quo), concepts and how many to list."""

    against: int | str | None = None
    concepts: Sequence[str] | None = None
    limit: int = 20

    def __post_init__(self) -> None:
        self._state("against")
        self._concepts(self.concepts)
        arguments.limit(self.limit)

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> PackagesResult:
        from detente.analyses.packages import packages

        return packages(model, engine=engine, progress=progress, **self.kwargs())


@dataclass(frozen=True)
class DraftsRequest(_Request):
    """``drafts``: concepts and the reference of the vetoes (None: the status quo)."""

    concepts: Sequence[str] | None = None
    against: int | str | None = None

    def __post_init__(self) -> None:
        self._concepts(self.concepts)
        self._state("against")

    def run(self, model: Conflict, *, engine: Engine | None = None,
            progress: Progress | None = None) -> DraftsResult:
        from detente.analyses.drafts import drafts

        return drafts(model, engine=engine, progress=progress, **self.kwargs())


__all__ = ["AnalyzeRequest", "BriefRequest", "CoalitionsRequest", "DealDesignRequest",
           "DealRequest", "DraftsRequest", "EvolveRequest", "ExplainRequest", "HypergameRequest",
           "MediateRequest", "PackagesRequest", "RobustnessRequest", "WhatIfRequest",
           "deal_request"]
