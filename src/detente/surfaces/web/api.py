"""The JSON API under ``/api``: models, versions and diffs, analyses, jobs.

Analysis answers are the analyses' own ``to_dict()`` — exactly what the matching
``detente COMMAND --format json`` prints. Errors: 404 unknown model, version or job; 409 a
save from a stale version (nothing changed); 413 a request or model too large; 422 an
invalid model (``error`` has the CLI's message, line and field) or bad parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from detente.model.errors import AnalysisError, DetenteError, error_data
from detente.surfaces.web import service
from detente.surfaces.web.jobs import ProgressFn
from detente.surfaces.web.workbench import Workbench

MAX_ID = 2**62
#: Most statement edits a mediation request may search (the analysis also refuses a search
#: too large for this machine, with its size).
MAX_EDITS = 6
ModelId = Annotated[int, Path(ge=1, le=MAX_ID, description="The model's id.")]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID,
                                           description="A saved version (default: the latest).")]
ConceptQuery = Annotated[list[str] | None, Query(
    max_length=12, description="Concept key (repeatable): nash, gmr, smr, seq, sim, seq_sim.")]
Text = Annotated[str, Field(max_length=2 * 2**20, description="The model file's YAML text.")]


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
    kind: Literal["analysis", "coalitions", "deal", "evolve", "mediate", "report",
                  "robustness"] = "analysis"
    concepts: list[str] | None = Field(default=None, max_length=12)
    horizon: int | None = Field(default=None, ge=1, le=64)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)
    samples: int = Field(default=10_000, ge=1, le=service.MAX_SAMPLES,
                         description="robustness: profiles to sample")
    seed: int = Field(default=0, ge=0, le=2**32 - 1, description="robustness: random seed")
    exact: bool = Field(default=False, description="robustness: enumerate every profile")
    target: str | None = Field(default=None, min_length=1, max_length=64,
                               description="mediate: the state or Y/N/- pattern to make stable")
    max_edits: int = Field(default=3, ge=0, le=MAX_EDITS, description="mediate: most edits")


class Validation(BaseModel):
    ok: bool
    error: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None


router = APIRouter(prefix="/api", tags=["api"])


def _split(values: list[str] | None) -> list[list[str]]:
    return [[n.strip() for n in v.split(",") if n.strip()] for v in values or []]


async def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(fn, *args, **kwargs)


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


@router.put("/models/{model_id}", response_model=Saved, summary="Save a new version",
            responses={409: {"description": "The version is not the latest; nothing changed"},
                       422: {"description": "Invalid model"}})
async def save_model(model_id: ModelId, body: SaveModel, b: Bench) -> Saved:
    ref = await _run(b.save, model_id, body.yaml, body.version)
    return Saved(id=ref.id, version=ref.version)


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
            summary="Download as a GMCR+ .gmcr file")
async def download_gmcr(model_id: ModelId, b: Bench, version: VersionQuery = None
                        ) -> PlainTextResponse:
    v, model = await _run(b.model, model_id, version)
    text = await _run(b.cached, v, "gmcr", None, lambda: service.gmcr_text(model))
    return PlainTextResponse(text, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="model-{model_id}-v{v.version}.gmcr"'})


# ----- analyses -------------------------------------------------------------------------
@router.get("/models/{model_id}/analysis", summary="Stability analysis",
            response_class=JSONResponse, responses={200: {"content": {"application/json": {
                "schema": {"type": "object"}}}}},
            description="Exactly `detente analyze --format json`.")
async def analysis(model_id: ModelId, b: Bench, version: VersionQuery = None,
                   concept: ConceptQuery = None,
                   horizon: Annotated[int | None, Query(ge=1, le=64)] = None) -> Response:
    body: bytes = await _run(b.analysis_json, model_id, version, concept, horizon)
    return Response(body, media_type="application/json")


@router.get("/models/{model_id}/explain", summary="Explain one state",
            description="Exactly `detente explain --format json`.")
async def explain(model_id: ModelId, b: Bench,
                  state: Annotated[str, Query(min_length=1, max_length=64,
                                              description="State number or Y/N string.")],
                  version: VersionQuery = None,
                  dm: Annotated[list[str] | None, Query(max_length=64)] = None,
                  concept: ConceptQuery = None) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    key = (state, tuple(dm or ()), tuple(concept or ()))
    data: dict[str, Any] = await _run(b.cached, v, "explain", key,
                                      lambda: service.explain(model, state, dm, concept))
    return data


@router.get("/models/{model_id}/evolve", summary="Status-quo analysis",
            description="Exactly `detente evolve --format json`.")
async def evolve(model_id: ModelId, b: Bench, version: VersionQuery = None,
                 start: Annotated[str | None, Query(alias="from", max_length=64)] = None,
                 coalitions: bool = False,
                 coalition: Annotated[list[str] | None, Query(max_length=64,
                                                              description="A,B")] = None,
                 concept: ConceptQuery = None) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    given = _split(coalition)
    key = (start, coalitions, tuple(map(tuple, given)), tuple(concept or ()))
    data: dict[str, Any] = await _run(
        b.cached, v, "evolve", key,
        lambda: service.evolve(model, start, coalitions, given, concept))
    return data


@router.get("/models/{model_id}/coalitions", summary="Coalition analysis",
            description="Exactly `detente coalitions --format json`.")
async def coalitions(model_id: ModelId, b: Bench, version: VersionQuery = None,
                     coalition: Annotated[list[str] | None, Query(max_length=64)] = None,
                     all: bool = False, concept: ConceptQuery = None) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    given = _split(coalition)
    key = (tuple(map(tuple, given)), all, tuple(concept or ()))
    data: dict[str, Any] = await _run(
        b.cached, v, "coalitions", key,
        lambda: service.coalitions(model, given, all, concept))
    return data


@router.get("/models/{model_id}/report", response_class=PlainTextResponse,
            summary="The report (HTML or Markdown)",
            description="As `detente report`: `format=html` (self-contained page) or "
            "`markdown` (without the graph image).")
async def report(model_id: ModelId, b: Bench, version: VersionQuery = None,
                 format: Literal["html", "markdown"] = "html",
                 download: bool = False) -> PlainTextResponse:
    v, text = await _run(b.report, model_id, version, format)
    media = "text/html" if format == "html" else "text/markdown"
    headers = {}
    if download:
        suffix = "html" if format == "html" else "md"
        headers["Content-Disposition"] = (f'attachment; filename="report-{model_id}-'
                                          f'v{v.version}.{suffix}"')
    return PlainTextResponse(text, media_type=media, headers=headers)


@router.get("/models/{model_id}/robustness", summary="Robustness under uncertain preferences",
            description="Exactly `detente robustness --format json`: the probability that each "
            "state is an equilibrium over the model's preference profiles (enumerated when "
            "there are at most `samples`, else `samples` drawn with `seed`). Runs on this "
            "server only (no `--scheduler`); for long runs use a job (`kind: robustness`).")
async def robustness(model_id: ModelId, b: Bench, version: VersionQuery = None,
                     concept: ConceptQuery = None,
                     samples: Annotated[int, Query(ge=1, le=service.MAX_SAMPLES)] = 10_000,
                     seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
                     exact: bool = False) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    key = (tuple(concept or ()), samples, seed, exact)
    data: dict[str, Any] = await _run(
        b.cached, v, "robustness", key,
        lambda: service.robustness(model, concept, samples, seed, exact))
    return data


@router.get("/models/{model_id}/mediate", summary="Mediation design (inverse analysis)",
            description="Exactly `detente mediate --format json`: the fewest changes to the "
            "decision makers' priorities that make `target` (a state or a Y/N/- pattern) "
            "stable; a search too large is refused with its size (422).")
async def mediate(model_id: ModelId, b: Bench,
                  target: Annotated[str, Query(min_length=1, max_length=64)],
                  version: VersionQuery = None, concept: ConceptQuery = None,
                  max_edits: Annotated[int, Query(ge=0, le=MAX_EDITS)] = 3,
                  limit: Annotated[int, Query(ge=0, le=1000)] = 10,
                  reachable: bool = False,
                  dm: Annotated[list[str] | None, Query(max_length=64)] = None,
                  ) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    key = (target, tuple(concept or ()), max_edits, limit, reachable, tuple(dm or ()))
    data: dict[str, Any] = await _run(
        b.cached, v, "mediate", key,
        lambda: service.mediate(model, target, concept, max_edits, limit, reachable, dm))
    return data


@router.get("/models/{model_id}/deal", summary="Phased deal",
            description="Exactly `detente deal --format json`: per phase of the model's "
            "`deal:` who is stable and what tempts them, per step who moves, exposures and "
            "guarantees (422 when the model has no deal).")
async def deal(model_id: ModelId, b: Bench, version: VersionQuery = None,
               concept: ConceptQuery = None) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, version)
    data: dict[str, Any] = await _run(b.cached, v, "deal", tuple(concept or ()),
                                      lambda: service.deal(model, concept))
    return data


@router.get("/models/{model_id}/casefile", summary="The case file",
            description="Every analysis the workbench shows, in one document: each under its "
            "name, in the JSON shape of its own command (the case file's `to_dict()`).")
async def case_file(model_id: ModelId, b: Bench, version: VersionQuery = None
                    ) -> dict[str, Any]:
    v, _model, case = await _run(b.case, model_id, version)
    data: dict[str, Any] = await _run(b.cached, v, "case.json", None, case.to_dict)
    return data


# ----- jobs -----------------------------------------------------------------------------
@router.post("/models/{model_id}/jobs", status_code=202, summary="Start a background analysis",
             description="Runs the analysis in the background; poll `GET /api/jobs/{id}` for "
             "progress (one step per concept for `analysis`) and the result; "
             "`DELETE /api/jobs/{id}` cancels it.")
async def start_job(model_id: ModelId, body: JobRequest, b: Bench) -> dict[str, Any]:
    v, model = await _run(b.model, model_id, body.version)
    concepts, horizon = body.concepts, body.horizon
    if body.kind == "analysis":
        from detente.analyses.stability import parse_concepts

        steps = len(parse_concepts(concepts, horizon))

        def work(progress: ProgressFn) -> dict[str, Any]:
            return service.analysis(model, concepts, horizon, progress)
    else:
        steps = 1
        if body.kind == "coalitions":
            def work(progress: ProgressFn) -> dict[str, Any]:
                return service.coalitions(model, (), not model.coalitions, concepts)
        elif body.kind == "robustness":
            def work(progress: ProgressFn) -> dict[str, Any]:
                return service.robustness(model, concepts, body.samples, body.seed, body.exact,
                                          progress)
        elif body.kind == "mediate":
            if body.target is None:
                raise AnalysisError("a mediate job needs a target (a state or Y/N/- pattern)")
            target, edits = body.target, body.max_edits

            def work(progress: ProgressFn) -> dict[str, Any]:
                return service.mediate(model, target, concepts, edits)
        elif body.kind == "deal":
            def work(progress: ProgressFn) -> dict[str, Any]:
                return service.deal(model, concepts)
        elif body.kind == "evolve":
            def work(progress: ProgressFn) -> dict[str, Any]:
                return service.evolve(model, None, False, (), concepts)
        else:
            def work(progress: ProgressFn) -> dict[str, Any]:
                return {"format": "html", "text": service.report(service.case_file(model))}
    job = b.jobs.submit(body.kind, work, steps, {"model_id": v.model_id, "version": v.version})
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
