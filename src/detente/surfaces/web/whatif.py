"""What-if routes: ``POST /api/models/{id}/whatif`` answers the brief of the model edited by a
scenario (exactly ``detente brief --scenario FILE --no-fixes --format json``). The base engine
(the move layouts of a version) is built once per version and cached; each scenario's answer is
cached by its canonical JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from detente.analyses.brief import BriefResult
from detente.analyses.requests import WhatIfRequest
from detente.engine import Engine
from detente.model.conflict import Conflict
from detente.surfaces.web.api import JSON_ANSWER, Bench, ModelId, VersionQuery, refusal
from detente.surfaces.web.service import TooMuchWork
from detente.surfaces.web.workbench import Workbench

router = APIRouter(prefix="/api", tags=["api"])

ScenarioBody = Annotated[
    dict[str, Any],
    Body(
        description='The scenario: `alternatives` {dm: reading or "main"}, `statements` '
        "{dm: {statement: true|false}}, `orders` {dm: [[statement, ...]]}, `settings` "
        '{option: "Y"|"N"|level}, `commitments` {option: "fwd"|"back"} (docs/web.md, '
        "What-if).",
        examples=[{"alternatives": {"Hamas": "hardline"}, "settings": {"us_guarantee": "Y"}}],
    ),
]


def base_engine(b: Workbench, v: Any, model: Conflict) -> Engine:
    """The version's engine with its layouts built (shared by every scenario's engine)."""

    def build() -> Engine:
        e = Engine(model)
        _ = e.layouts
        return e

    engine: Engine = b.cached(v, "whatif-engine", None, build)
    return engine


def whatif_result(b: Workbench, v: Any, model: Conflict, scenario: object) -> BriefResult:
    """The brief of ``scenario`` on a saved version (cached per version and scenario; the
    workbench's panel and the API share it); a bad field raises an ArgumentError naming it,
    a model over the inline bound :class:`TooMuchWork`."""
    request = WhatIfRequest(scenario)
    key = request.scenario.key()  # type: ignore[attr-defined]
    if not b.cache.has(("whatif.result", v.model_id, v.version, key)):
        b.inline(v, model, "the what-if", None)()
    result: BriefResult = b.cached(
        v, "whatif.result", key, lambda: request.run(model, engine=base_engine(b, v, model))
    )
    return result


def whatif_answer(b: Workbench, model_id: int, version: int | None, scenario: object) -> bytes:
    """The what-if's JSON bytes (cached per version and scenario); a bad field raises an
    ArgumentError naming it (a 422)."""
    request = WhatIfRequest(scenario)
    v, model = b.model(model_id, version)
    key = request.scenario.key()  # type: ignore[attr-defined]
    return b.answer(
        v,
        "whatif",
        key,
        lambda: whatif_result(b, v, model, request.scenario).to_dict(),
        b.inline(v, model, "the what-if", None),
    )


@router.post(
    "/models/{model_id}/whatif",
    summary="What-if: the brief of a scenario",
    response_class=JSONResponse,
    responses=JSON_ANSWER,
    description="Exactly `detente brief --scenario FILE --no-fixes --format json` on "
    "the saved version: the brief of the model edited by the scenario (422 naming the "
    "field for an unknown decision maker, reading, statement, option or value).",
)
async def whatif(
    model_id: ModelId, body: ScenarioBody, b: Bench, version: VersionQuery = None
) -> Response:
    try:
        data: bytes = await run_in_threadpool(whatif_answer, b, model_id, version, body)
    except TooMuchWork as exc:
        return refusal(exc)
    return Response(data, media_type="application/json")


__all__ = ["base_engine", "router", "whatif_answer", "whatif_result"]
