"""The JSON API under ``/api``: models, versions and diffs, analyses, jobs.

Analysis answers are the analyses' own ``to_dict()`` — exactly what the matching
``detente COMMAND --format json`` prints. Errors: 404 unknown model, version or job; 409 a
save from a stale version (nothing changed); 413 a request or model too large, or an
answer too costly for a request (``estimate``, ``limit`` and, for long work, the ``job`` to
start instead); 422 an invalid model (``error`` has the CLI's message, line and field) or bad
parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from detente.analyses.contract import Progress
from detente.analyses.requests import (
    AnalyzeRequest,
    CoalitionsRequest,
    DealDesignRequest,
    DealRequest,
    DraftsRequest,
    EvolveRequest,
    ExplainRequest,
    HypergameRequest,
    MediateRequest,
    PackagesRequest,
    RobustnessRequest,
)
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError, DetenteError, error_data
from detente.surfaces.web import service
from detente.surfaces.web.jobs import Work
from detente.surfaces.web.workbench import Workbench

MAX_ID = 2**62
#: Most statement edits a mediation request may search (the analysis also refuses a search
#: too large for this machine, with its size).
MAX_EDITS = 6
ModelId = Annotated[int, Path(ge=1, le=MAX_ID, description="The model's id.")]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID,
                                           description="A saved version (default: the latest).")]
ConceptQuery = Annotated[list[str] | None, Query(
    max_length=12, description="Concept key (repeatable): nash, gmr, smr, seq, sim, seq_sim; "
    "where an analysis takes them, L<h>, gmr@A/B and the like, strong_gmr and the like, nash_a "
    "... seq_d (docs/concepts-extended.md).")]
Text = Annotated[str, Field(max_length=2 * 2**20, description="The model file's YAML text.")]
#: An optional state reference (a number, Y/N text or a Y/N/- pattern) in the query.
StateQuery = Annotated[str | None, Query(min_length=1, max_length=64)]


def bench(request: Request) -> Workbench:
    """The server's :class:`Workbench` (a FastAPI dependency)."""
    found: Workbench = request.app.state.bench
    return found


Bench = Annotated[Workbench, Depends(bench)]


class NewModel(BaseModel):
    yaml: Text


class SaveModel(BaseModel):
    yaml: Text
    version: int = Field(ge=1, le=MAX_ID, description="The version this text was edited from.")


class Saved(BaseModel):
    id: int
    version: int


class SaveResult(Saved):
    changed: bool = Field(default=True, description="Only given, as false, when the text was "
                          "the latest version's already: nothing was saved")


class ModelItem(BaseModel):
    id: int
    version: int
    name: str
    updated: str


class ModelText(BaseModel):
    id: int
    version: int
    latest: int
    name: str
    created: str
    yaml: str


class VersionItem(BaseModel):
    version: int
    name: str
    created: str
    chars: int


class Diff(BaseModel):
    id: int
    from_version: int = Field(alias="from")
    to_version: int = Field(alias="to")
    diff: str


class JobRequest(BaseModel):
    kind: Literal["analysis", "casefile", "coalitions", "deal", "deal_design", "evolve",
                  "explain", "hypergame", "mediate", "report", "robustness",
                  "packages", "drafts"] = "analysis"
    concepts: list[str] | None = Field(default=None, max_length=12)
    horizon: int | None = Field(default=None, le=64)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    samples: int = Field(default=10_000, le=service.MAX_SAMPLES,
                         description="robustness: profiles to sample")
    seed: int = Field(default=0, le=2**32 - 1, description="robustness: random seed")
    exact: bool = Field(default=False, description="robustness: enumerate every profile")
    target: str | None = Field(default=None, min_length=1, max_length=64,
                               description="mediate: the state or Y/N/- pattern to make "
                               "stable; hypergame: the target state or pattern (optional)")
    max_edits: int = Field(default=3, le=MAX_EDITS, description="mediate: most edits")
    state: str | None = Field(default=None, min_length=1, max_length=64,
                              description="explain: the state (number or Y/N string)")
    start: str | None = Field(default=None, min_length=1, max_length=64,
                              description="evolve: the start state (default the status quo)")
    coalition: list[str] | None = Field(default=None, max_length=64,
                                        description="coalitions, evolve: coalitions as A,B")
    all: bool = Field(default=False, description="coalitions: every coalition")
    offset: int = Field(default=0, ge=0, le=MAX_ID, description="coalitions: states skipped")
    limit: int | None = Field(default=None, ge=1, le=MAX_ID,
                              description="coalitions: most source states (a page)")
    model_coalitions: bool = Field(default=False,
                                   description="evolve: the model's coalitions")
    orders: int = Field(default=10, ge=0, le=MAX_ID,
                        description="deal_design: ranked orders listed (0: all)")
    against: str | None = Field(default=None, min_length=1, max_length=64,
                                description="packages, drafts: the reference state "
                                "(default the status quo)")
    listed: int = Field(default=20, ge=0, le=MAX_ID,
                        description="packages: packages listed (0: all)")


class Validation(BaseModel):
    ok: bool
    error: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None


router = APIRouter(prefix="/api", tags=["api"])


def _split(values: list[str] | None) -> list[list[str]]:
    return [[n.strip() for n in v.split(",") if n.strip()] for v in values or []]


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(fn, *args, **kwargs)


def refusal(exc: service.TooMuchWork) -> JSONResponse:
    """413 for a request over this server's bound: the message, the estimate, the limit and
    the job to start instead (when the work, not the answer, is too large)."""
    job = exc.job
    return JSONResponse({"detail": str(exc), "error": error_data(exc), "estimate": exc.estimate,
                         "limit": exc.limit, "job": job}, status_code=413)


async def _json(fn: Callable[..., bytes], *args: Any) -> Response:
    """Run ``fn`` (which answers JSON bytes) in the thread pool; a refusal becomes 413."""
    try:
        body: bytes = await _run(fn, *args)
    except service.TooMuchWork as exc:
        return refusal(exc)
    return Response(body, media_type="application/json")


JSON_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}},
    413: {"description": "Too much work or too large an answer for a request: `estimate`, "
          "`limit`, and the `job` to start instead"}}


# ----- models ---------------------------------------------------------------------------
@router.get("/models", response_model=list[ModelItem], summary="List models")
async def list_models(b: Bench) -> list[ModelItem]:
    refs = await _run(b.store.all)
    return [ModelItem(id=r.id, version=r.version, name=r.name, updated=r.updated) for r in refs]


@router.post("/models", status_code=201, response_model=Saved, summary="Create a model",
             responses={422: {"description": "Invalid model"}, 413: {"description": "Too large"}})
async def create_model(body: NewModel, b: Bench, response: Response) -> Saved:
    ref = await _run(b.create, body.yaml)
    response.headers["Location"] = f"/api/models/{ref.id}"
    return Saved(id=ref.id, version=ref.version)


@router.get("/models/{model_id}", response_model=ModelText, summary="Read a model")
async def read_model(model_id: ModelId, b: Bench, version: VersionQuery = None) -> ModelText:
    v = await _run(b.version, model_id, version)
    latest = v.version if version is None else (await _run(b.version, model_id)).version
    return ModelText(id=v.model_id, version=v.version, latest=latest, name=v.name,
                     created=v.created, yaml=v.yaml)


@router.put("/models/{model_id}", response_model=SaveResult, response_model_exclude_defaults=True,
            summary="Save a new version",
            responses={409: {"description": "The version is not the latest; nothing changed"},
                       422: {"description": "Invalid model"}})
async def save_model(model_id: ModelId, body: SaveModel, b: Bench) -> SaveResult:
    ref = await _run(b.save, model_id, body.yaml, body.version)
    return SaveResult(id=ref.id, version=ref.version, changed=ref.changed)


@router.post("/models/{model_id}/versions/{version}/restore", response_model=SaveResult,
             response_model_exclude_defaults=True,
             summary="Restore an older version",
             description="Saves that version's text as the new latest version (`changed: "
             "false` when it already is the latest text).")
async def restore_version(model_id: ModelId, version: Annotated[int, Path(ge=1, le=MAX_ID)],
                          b: Bench) -> SaveResult:
    ref = await _run(b.restore, model_id, version)
    return SaveResult(id=ref.id, version=ref.version, changed=ref.changed)


@router.get("/models/{model_id}/versions", response_model=list[VersionItem],
            summary="Every saved version")
async def list_versions(model_id: ModelId, b: Bench) -> list[VersionItem]:
    vs = await _run(b.store.versions, model_id)
    return [VersionItem(version=v.version, name=v.name, created=v.created, chars=len(v.yaml))
            for v in vs]


@router.get("/models/{model_id}/versions/{version}", response_model=ModelText,
            summary="Read one saved version")
async def read_version(model_id: ModelId, version: Annotated[int, Path(ge=1, le=MAX_ID)],
                       b: Bench) -> ModelText:
    return await read_model(model_id, b, version)


@router.get("/models/{model_id}/diff", response_model=Diff, summary="Diff two versions",
            description="Unified diff from version `from` (default: the one before `to`) to "
            "version `to` (default: the latest).")
async def diff_versions(
    model_id: ModelId, b: Bench,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    to: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Diff:
    new = await _run(b.version, model_id, to)
    old = await _run(b.version, model_id, from_ if from_ is not None else max(1, new.version - 1))
    text = service.diff(old.yaml, new.yaml, f"version {old.version}", f"version {new.version}")
    return Diff.model_validate({"id": model_id, "from": old.version, "to": new.version,
                                "diff": text})


@router.post("/validate", response_model=Validation, summary="Check a model text",
             description="200 with `ok: false` and the error (message, line, field) for an "
             "invalid model; nothing is stored.")
async def validate(body: NewModel, b: Bench) -> Validation:
    try:
        model = await _run(b.parse, body.yaml)
    except DetenteError as exc:
        return Validation(ok=False, error=error_data(exc))
    return Validation(ok=True, summary=service.summary(model))


@router.get("/models/{model_id}/yaml", response_class=PlainTextResponse,
            summary="Download the model file (YAML)")
async def download_yaml(model_id: ModelId, b: Bench, version: VersionQuery = None
                        ) -> PlainTextResponse:
    v = await _run(b.version, model_id, version)
    return PlainTextResponse(v.yaml, media_type="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="model-{model_id}-v{v.version}.yaml"'})


@router.get("/models/{model_id}/gmcr", response_class=PlainTextResponse,
            summary="Download as a GMCR+ .gmcr file",
            description="What the format cannot hold (as `detente convert` warns) is listed "
            "in the `X-Detente-Dropped` header (items separated by `; `, non-ASCII "
            "percent-encoded; empty when nothing is lost) and counted in "
            "`X-Detente-Dropped-Count`.")
async def download_gmcr(model_id: ModelId, b: Bench, version: VersionQuery = None
                        ) -> PlainTextResponse:
    v, model = await _run(b.model, model_id, version)
    text = await _run(b.cached, v, "gmcr", None, lambda: service.gmcr_text(model))
    lost = service.gmcr_omissions(model)
    return PlainTextResponse(text, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="model-{model_id}-v{v.version}.gmcr"',
        "X-Detente-Dropped": service.header_list(lost), "X-Detente-Dropped-Count": str(len(lost))})


# ----- analyses -------------------------------------------------------------------------
# Each answer is bounded: unless it is cached, work too long for a request is refused (413)
# with its estimate and the job to start instead, and an answer over `max_answer_bytes` is
# refused with its (estimated) size.
@router.get("/models/{model_id}/analysis", summary="Stability analysis",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente analyze --format json`.")
async def analysis(model_id: ModelId, b: Bench, version: VersionQuery = None,
                   concept: ConceptQuery = None,
                   horizon: Annotated[int | None, Query(le=64)] = None) -> Response:
    AnalyzeRequest(concept, horizon)
    return await _json(b.analysis_json, model_id, version, concept, horizon)


@router.get("/models/{model_id}/explain", summary="Explain one state",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente explain --format json`.")
async def explain(model_id: ModelId, b: Bench,
                  state: Annotated[str, Query(min_length=1, max_length=64,
                                              description="State number or Y/N string.")],
                  version: VersionQuery = None,
                  dm: Annotated[list[str] | None, Query(max_length=64)] = None,
                  concept: ConceptQuery = None) -> Response:
    ExplainRequest(state, dm, concept)
    v, model = await _run(b.model, model_id, version)
    job = {"kind": "explain", "version": v.version, "state": state, "concepts": concept}
    return await _json(b.answer, v, "explain", (state, tuple(dm or ()), tuple(concept or ())),
                       lambda: service.explain(model, state, dm, concept),
                       b.inline(v, model, "explaining a state", job))


@router.get("/models/{model_id}/evolve", summary="Status-quo analysis",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente evolve --format json`.")
async def evolve(model_id: ModelId, b: Bench, version: VersionQuery = None,
                 start: Annotated[str | None, Query(alias="from", max_length=64)] = None,
                 coalitions: bool = False,
                 coalition: Annotated[list[str] | None, Query(max_length=64,
                                                              description="A,B")] = None,
                 concept: ConceptQuery = None) -> Response:
    given = _split(coalition)
    EvolveRequest(start, given or coalitions, concept)
    v, model = await _run(b.model, model_id, version)
    key = (start, coalitions, tuple(map(tuple, given)), tuple(concept or ()))
    job = {"kind": "evolve", "version": v.version, "start": start,
           "model_coalitions": coalitions, "coalition": coalition, "concepts": concept}
    return await _json(b.answer, v, "evolve", key,
                       lambda: service.evolve(model, start, coalitions, given, concept),
                       b.inline(v, model, "the status-quo analysis", job))


@router.get("/models/{model_id}/coalitions", summary="Coalition analysis",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente coalitions --format json` (`--offset`, `--limit`: "
            "the improvements from a page of source states). The pairs of states searched "
            "are estimated first (over the inline bound: 413 and the job to start), then the "
            "answer's size, before it is built (over 4 MiB: 413 with the estimate, a "
            "`limit` that fits and the job to start). The analysis is kept for the next page.")
async def coalitions(model_id: ModelId, b: Bench, version: VersionQuery = None,
                     coalition: Annotated[list[str] | None, Query(max_length=64)] = None,
                     all: bool = False, concept: ConceptQuery = None,
                     offset: Annotated[int, Query(ge=0, le=MAX_ID, description=(
                         "Source states skipped (a page)."))] = 0,
                     limit: Annotated[int | None, Query(ge=1, le=MAX_ID, description=(
                         "Most source states in the page (default: all)."))] = None,
                     ) -> Response:
    given = _split(coalition)
    CoalitionsRequest(given or None, concept, all_coalitions=all)
    v, model = await _run(b.model, model_id, version)
    key = (tuple(map(tuple, given)), all, tuple(concept or ()), offset, limit)
    job = {"kind": "coalitions", "version": v.version, "coalition": coalition, "all": all,
           "concepts": concept, "offset": offset, "limit": limit}
    analysed = (tuple(map(tuple, given)), all, tuple(concept or ()))

    def page() -> dict[str, Any]:
        result = b.cached(v, "coalitions.result", analysed,
                          lambda: service.coalition_result(model, given, all, concept))
        return service.coalition_page(result, b.limits, offset, limit, job,
                                      f"/api/models/{v.model_id}/jobs")

    return await _json(b.answer, v, "coalitions", key, page,
                       b.inline(v, model, "this coalition analysis", job,
                                lambda: service.coalition_work(model, given, all),
                                "pairs of states searched"))


@router.get("/models/{model_id}/report", response_class=PlainTextResponse,
            summary="The report (HTML or Markdown)", responses=JSON_ANSWER,
            description="As `detente report`: `format=html` (self-contained page) or "
            "`markdown` (without the graph image).")
async def report(model_id: ModelId, b: Bench, version: VersionQuery = None,
                 format: Literal["html", "markdown"] = "html",
                 download: bool = False) -> Response:
    try:
        v, text = await _run(b.report, model_id, version, format, True)
    except service.TooMuchWork as exc:
        return refusal(exc)
    media = "text/html" if format == "html" else "text/markdown"
    headers = {}
    if download:
        suffix = "html" if format == "html" else "md"
        headers["Content-Disposition"] = (f'attachment; filename="report-{model_id}-'
                                          f'v{v.version}.{suffix}"')
    return PlainTextResponse(text, media_type=media, headers=headers)


@router.get("/models/{model_id}/robustness", summary="Robustness under uncertain preferences",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente robustness --format json`: the probability that each "
            "state is an equilibrium over the model's preference profiles (enumerated when "
            "there are at most `samples`, else `samples` drawn with `seed`). Runs on this "
            "server only (no `--scheduler`); profiles x states over the inline bound are "
            "refused (413) with the job to start instead (`kind: robustness`).")
async def robustness(model_id: ModelId, b: Bench, version: VersionQuery = None,
                     concept: ConceptQuery = None,
                     samples: Annotated[int, Query(le=service.MAX_SAMPLES)] = 10_000,
                     seed: Annotated[int, Query(le=2**32 - 1)] = 0,
                     exact: bool = False) -> Response:
    RobustnessRequest(concept, samples=samples, seed=seed, exact=exact or None)
    v, model = await _run(b.model, model_id, version)
    key = (tuple(concept or ()), samples, seed, exact)
    job = {"kind": "robustness", "version": v.version, "concepts": concept,
           "samples": samples, "seed": seed, "exact": exact}
    return await _json(b.answer, v, "robustness", key,
                       lambda: service.robustness(model, concept, samples, seed, exact),
                       b.inline(v, model, "this robustness analysis", job,
                                lambda: service.robustness_work(model, samples, exact),
                                "profiles x states"))


@router.get("/models/{model_id}/mediate", summary="Mediation design (inverse analysis)",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente mediate --format json`: the fewest changes to the "
            "decision makers' priorities that make `target` (a state or a Y/N/- pattern) "
            "stable; a search too large is refused with its size (422).")
async def mediate(model_id: ModelId, b: Bench,
                  target: Annotated[str, Query(min_length=1, max_length=64)],
                  version: VersionQuery = None, concept: ConceptQuery = None,
                  max_edits: Annotated[int, Query(le=MAX_EDITS)] = 3,
                  limit: Annotated[int, Query(le=1000)] = 10,
                  reachable: bool = False,
                  dm: Annotated[list[str] | None, Query(max_length=64)] = None,
                  ) -> Response:
    MediateRequest(target, concept, max_edits=max_edits, limit=limit, reachable=reachable,
                   dms=dm)
    v, model = await _run(b.model, model_id, version)
    key = (target, tuple(concept or ()), max_edits, limit, reachable, tuple(dm or ()))
    job = {"kind": "mediate", "version": v.version, "target": target, "concepts": concept,
           "max_edits": max_edits}
    return await _json(
        b.answer, v, "mediate", key,
        lambda: service.mediate(model, target, concept, max_edits, limit, reachable, dm),
        b.inline(v, model, "mediation design", job))


@router.get("/models/{model_id}/deal", summary="Phased deal",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente deal --format json`: per phase of the model's "
            "`deal:` who is stable and what tempts them, per step who moves, exposures and "
            "guarantees (422 when the model has no deal).")
async def deal(model_id: ModelId, b: Bench, version: VersionQuery = None,
               concept: ConceptQuery = None) -> Response:
    DealRequest(concept)
    v, model = await _run(b.model, model_id, version)
    job = {"kind": "deal", "version": v.version, "concepts": concept}
    return await _json(b.answer, v, "deal", tuple(concept or ()),
                       lambda: service.deal(model, concept),
                       b.inline(v, model, "the deal analysis", job))


@router.get("/models/{model_id}/hypergame", summary="Misperception (first-level hypergame)",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente hypergame --format json`: each decision maker's "
            "view and its equilibria, the hypergame equilibria, the surprises and, per single "
            "correction of a misperception, the hypergame equilibria after it and whether "
            "`target` (a state or Y/N/- pattern) is then reached.")
async def hypergame(model_id: ModelId, b: Bench, version: VersionQuery = None,
                    concept: ConceptQuery = None,
                    target: StateQuery = None,
                    ) -> Response:
    HypergameRequest(concept, target)
    v, model = await _run(b.model, model_id, version)
    job = {"kind": "hypergame", "version": v.version, "concepts": concept, "target": target}
    return await _json(b.answer, v, "hypergame", (tuple(concept or ()), target),
                       lambda: service.hypergame(model, concept, target),
                       b.inline(v, model, "the hypergame analysis", job))


@router.get("/models/{model_id}/packages", summary="Packages every party prefers",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente packages --format json`: the states every decision "
            "maker likes at least as much as `against` (default the status quo), each Pareto, "
            "stable and on the frontier per concept, with the gains; the maximin, Nash "
            "bargaining and Kalai-Smorodinsky packages per concept; `limit` packages listed "
            "(0: all). Over the inline bound: 413 with the job (`kind: packages`).")
async def packages(model_id: ModelId, b: Bench, version: VersionQuery = None,
                   against: StateQuery = None,
                   concept: ConceptQuery = None, limit: int = 20) -> Response:
    PackagesRequest(against, concept, limit)
    v, model = await _run(b.model, model_id, version)
    job = {"kind": "packages", "version": v.version, "concepts": concept, "against": against,
           "listed": limit}
    return await _json(b.answer, v, "packages", (against, tuple(concept or ()), limit),
                       lambda: service.packages(model, concept, against, limit),
                       b.inline(v, model, "the packages analysis", job,
                                lambda: service.packages_work(model), "profiles x states"))


@router.get("/models/{model_id}/drafts", summary="The mediator's drafts",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Exactly `detente drafts --format json`: per draft of the model's "
            "`drafts:`, who would veto it (likes it less than `against`, default the status "
            "quo), whether it holds and for whom not, and the nearest improvements (422 when "
            "the model has no drafts).")
async def drafts(model_id: ModelId, b: Bench, version: VersionQuery = None,
                 concept: ConceptQuery = None,
                 against: StateQuery = None,
                 ) -> Response:
    DraftsRequest(concept, against)
    v, model = await _run(b.model, model_id, version)
    job = {"kind": "drafts", "version": v.version, "concepts": concept, "against": against}
    return await _json(b.answer, v, "drafts", (tuple(concept or ()), against),
                       lambda: service.drafts(model, concept, against),
                       b.inline(v, model, "the drafts analysis", job))


@router.get("/models/{model_id}/casefile", summary="The case file",
            response_class=JSONResponse, responses=JSON_ANSWER,
            description="Every analysis the workbench shows, in one document: each under its "
            "name, in the JSON shape of its own command (the case file's `to_dict()`).")
async def case_file(model_id: ModelId, b: Bench, version: VersionQuery = None) -> Response:
    return await _json(b.case_json, model_id, version)


# ----- jobs -----------------------------------------------------------------------------
def _job_work(b: Workbench, model: Conflict, body: JobRequest) -> tuple[Work, int]:
    """The work of a job request and its progress steps."""
    concepts, horizon = body.concepts, body.horizon
    _job_request(body)
    if body.kind == "analysis":
        from detente.analyses.stability.analysis import CONCEPT_FAMILIES
        from detente.engine.registry import parse_concepts

        def analysis_work(progress: Progress) -> dict[str, Any]:
            return service.analysis(model, concepts, horizon, progress)
        return analysis_work, len(parse_concepts(concepts, horizon, families=CONCEPT_FAMILIES))
    if body.kind == "deal_design":
        def design_work(progress: Progress) -> dict[str, Any]:
            return service.deal_design(model, concepts, body.orders, progress)
        return design_work, 2
    if body.kind == "robustness":
        def robustness_work(progress: Progress) -> dict[str, Any]:
            return service.robustness(model, concepts, body.samples, body.seed, body.exact,
                                      progress)
        return robustness_work, 1
    simple: dict[str, Callable[[], dict[str, Any]]] = {
        "coalitions": lambda: service.coalitions(
            model, _split(body.coalition), body.all or (not body.coalition
                                                        and not model.coalitions),
            concepts, b.limits, body.offset, body.limit),
        "deal": lambda: service.deal(model, concepts),
        "hypergame": lambda: service.hypergame(model, concepts, body.target),
        "packages": lambda: service.packages(model, concepts, body.against, body.listed),
        "drafts": lambda: service.drafts(model, concepts, body.against),
        "evolve": lambda: service.evolve(model, body.start, body.model_coalitions,
                                         _split(body.coalition), concepts),
        "explain": lambda: service.explain(model, _needed(body.state, "explain", "state"),
                                           None, concepts),
        "mediate": lambda: service.mediate(
            model, _needed(body.target, "mediate", "target (a state or Y/N/- pattern)"),
            concepts, body.max_edits),
        "casefile": lambda: service.case_file(model).to_dict(),
        "report": lambda: {"format": "html", "text": service.report(service.case_file(model))},
    }
    compute = simple[body.kind]

    def work(progress: Progress) -> dict[str, Any]:
        return compute()
    return work, 1


def _job_request(body: JobRequest) -> None:
    """Check a job's arguments with the request layer's rules, before it is queued."""
    if body.kind == "analysis":
        AnalyzeRequest(body.concepts, body.horizon)
    elif body.kind == "robustness":
        RobustnessRequest(body.concepts, samples=body.samples, seed=body.seed,
                          exact=body.exact or None)
    elif body.kind == "mediate" and body.target is not None:
        MediateRequest(body.target, body.concepts, max_edits=body.max_edits)
    elif body.kind == "explain" and body.state is not None:
        ExplainRequest(body.state, None, body.concepts)
    elif body.kind == "evolve":
        EvolveRequest(body.start, _split(body.coalition) or body.model_coalitions,
                      body.concepts)
    elif body.kind == "coalitions":
        CoalitionsRequest(_split(body.coalition) or None, body.concepts,
                          all_coalitions=body.all)
    elif body.kind == "deal":
        DealRequest(body.concepts)
    elif body.kind == "deal_design":
        DealDesignRequest(body.concepts, body.orders)
    elif body.kind == "hypergame":
        HypergameRequest(body.concepts, body.target)
    elif body.kind == "packages":
        PackagesRequest(body.against, body.concepts, body.listed)
    elif body.kind == "drafts":
        DraftsRequest(body.concepts, body.against)


#: The web's name for each analysis parameter that it calls differently (query or body
#: field); the one place the web API translates an :class:`ArgumentError`'s parameter.
FIELDS: dict[str, str] = {"concepts": "concept", "dms": "dm", "coalitions": "coalition",
                          "all_coalitions": "all"}


def field_of(parameter: str) -> str:
    """The query or body field that sets ``parameter``."""
    return FIELDS.get(parameter, parameter)


def error_answer(exc: DetenteError) -> dict[str, Any]:
    """The JSON of a 422: ``detail`` (the message) and ``error`` (:func:`error_data`); for
    an :class:`ArgumentError` naming a parameter, ``error.field`` is the web's field for it
    and ``detail`` says that field where the message starts with the parameter."""
    data = error_data(exc)
    text = str(exc)
    if isinstance(exc, ArgumentError) and exc.parameter is not None:
        data["field"] = field_of(exc.parameter)
        if text.startswith(exc.parameter + " "):
            text = data["field"] + text[len(exc.parameter):]
    return {"detail": text, "error": data}


def _needed(value: str | None, kind: str, what: str) -> str:
    if value is None:
        raise AnalysisError(f"a {kind} job needs a {what}")
    return value


def _bounded(work: Work, limits: service.Limits, kind: str) -> Work:
    """``work`` whose result is refused (the job fails with the size) when its JSON is over
    ``limits.max_answer_bytes``, so a finished job never holds an unbounded result."""
    def run(progress: Progress) -> dict[str, Any]:
        result = work(progress)
        size = len(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
        service.check_answer(size, limits, f"this {kind} job", estimated=False)
        return result
    return run


@router.post("/models/{model_id}/jobs", status_code=202, summary="Start a background analysis",
             description="Runs the analysis in the background; poll `GET /api/jobs/{id}` for "
             "progress (one step per concept for `analysis`) and the result; "
             "`DELETE /api/jobs/{id}` cancels it. A result over the answer bound fails the "
             "job with its size.")
async def start_job(model_id: ModelId, body: JobRequest, b: Bench) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, body.version)
    if body.kind == "mediate" and body.target is None:
        raise AnalysisError("a mediate job needs a target (a state or Y/N/- pattern)")
    if body.kind == "explain" and body.state is None:
        raise AnalysisError("an explain job needs a state (a number or Y/N string)")
    work, steps = _job_work(b, model, body)
    job = b.jobs.submit(body.kind, _bounded(work, b.limits, body.kind), steps,
                        {"model_id": v.model_id, "version": v.version})
    return job.to_dict(with_result=False)


@router.get("/jobs/{job_id}", summary="A job's progress and result")
async def get_job(job_id: Annotated[str, Path(max_length=64)], b: Bench) -> dict[str, Any]:
    job = b.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return job.to_dict()


@router.delete("/jobs/{job_id}", summary="Cancel a job")
async def cancel_job(job_id: Annotated[str, Path(max_length=64)], b: Bench) -> dict[str, Any]:
    job = b.jobs.cancel(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return job.to_dict(with_result=False)
