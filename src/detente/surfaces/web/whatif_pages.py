"""The what-if panel's pages: ``/models/{id}/whatif`` (toggles for every uncertain element,
the brief re-rendered by htmx on each change, the flip chart), named scenarios saved, loaded
(``?scenario=<name>``) and deleted through the pages' guarded forms, and
``/models/{id}/whatif/compare`` (two scenarios' briefs side by side, differing verdicts
marked). The briefs come from :func:`.whatif.whatif_result` (cached per version and scenario)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.analyses.whatif import Elements, elements
from detente.model.conflict import Conflict
from detente.model.errors import DetenteError, error_data
from detente.surfaces.web.api import MAX_ID, bench
from detente.surfaces.web.pages import templates
from detente.surfaces.web.store import NotFound, TooManyScenarios, Version
from detente.surfaces.web.whatif import whatif_result
from detente.surfaces.web.whatif_view import (
    MAX_NAME,
    compare,
    flip_chart,
    form_to_scenario,
    panel,
    scenario_name,
    scenario_to_form,
)
from detente.surfaces.web.workbench import Workbench

router = APIRouter(include_in_schema=False)
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
NameQuery = Annotated[str, Query(max_length=MAX_NAME)]
#: The fields a panel form may send besides its toggles.
FORM_EXTRA = ("csrf_token", "version", "name")


def _id(model_id: int) -> int:
    if not 1 <= model_id <= MAX_ID:
        raise NotFound(f"no model {model_id}")
    return model_id


def _elements(b: Workbench, v: Version, model: Conflict) -> Elements:
    el: Elements = b.cached(v, "whatif.elements", None, lambda: elements(model))
    return el


def refusal(exc: DetenteError) -> dict[str, Any]:
    """A refused scenario for ``_whatif_brief.html``: the message and the field it names."""
    err = error_data(exc)
    return {
        "error": str(exc),
        "field": err.get("field") or err.get("parameter"),
        "brief": None,
        "chart": [],
        "data": None,
    }


def brief_view(b: Workbench, v: Version, model: Conflict, scenario: object) -> dict[str, Any]:
    """The brief of ``scenario`` arranged for ``_whatif_brief.html``: its sections as the
    workbench shows them and the flip chart, or the refusal (message, field)."""
    from detente.surfaces.report.brief_section import brief_section

    try:
        result = whatif_result(b, v, model, scenario)
    except DetenteError as exc:
        return refusal(exc)
    data = result.to_dict()
    return {
        "error": None,
        "field": None,
        "brief": brief_section(result),
        "chart": flip_chart(data),
        "data": data,
    }


def _panel_context(
    b: Workbench, model_id: int, version: int | None, scenario: dict[str, Any], name: str | None
) -> dict[str, Any]:
    v, model = b.model(model_id, version)
    el = _elements(b, v, model)
    return {
        "v": v,
        "model": model,
        "groups": panel(el),
        "form": scenario_to_form(el, scenario),
        "scenario": scenario,
        "name": name,
        "saved": b.store.list_scenarios(model_id),
        "latest": b.version(model_id).version,
        "message": None,
        **brief_view(b, v, model, scenario),
    }


@router.get("/models/{model_id}/whatif", response_class=HTMLResponse)
async def whatif_page(
    request: Request, model_id: int, version: VersionQuery = None, scenario: NameQuery = ""
) -> Response:
    """The panel, showing the named ``scenario`` when given (its shareable address)."""
    b = bench(request)
    _id(model_id)
    data: dict[str, Any] = {}
    if scenario:
        data = (await run_in_threadpool(b.store.get_scenario, model_id, scenario)).scenario
    ctx = await run_in_threadpool(_panel_context, b, model_id, version, data, scenario or None)
    return templates.TemplateResponse(request, "whatif.html", ctx)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _read(
    b: Workbench, model_id: int, form: dict[str, str]
) -> tuple[Version, Conflict, dict[str, Any]]:
    """The version a panel form names and the scenario its toggles describe."""
    raw = form.get("version", "")
    version = int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None
    v, model = b.model(model_id, version)
    toggles = {k: val for k, val in form.items() if k not in FORM_EXTRA}
    return v, model, form_to_scenario(_elements(b, v, model), toggles)


@router.post("/models/{model_id}/whatif/brief", response_class=HTMLResponse)
async def whatif_brief(request: Request, model_id: int) -> Response:
    """The brief of the panel's toggles (htmx swaps it in on each change)."""
    b = bench(request)
    form = await _form(request)

    def work() -> dict[str, Any]:
        try:
            v, model, scenario = _read(b, _id(model_id), form)
        except DetenteError as exc:
            return refusal(exc)
        return brief_view(b, v, model, scenario)

    ctx = await run_in_threadpool(work)
    return templates.TemplateResponse(request, "_whatif_brief.html", ctx)


@router.post("/models/{model_id}/whatif/scenarios")
async def save_scenario(request: Request, model_id: int) -> Response:
    """Save the panel's toggles under the form's ``name`` (replacing one of that name) and
    open its address; a bad name or toggle shows the panel again with the message."""
    b = bench(request)
    form = await _form(request)

    def work() -> str | dict[str, Any]:
        try:
            name = scenario_name(form.get("name", ""))
            _v, _model, scenario = _read(b, _id(model_id), form)
            b.store.put_scenario(model_id, name, scenario)
        except (DetenteError, TooManyScenarios) as exc:
            ctx = _panel_context(b, model_id, None, {}, None)
            ctx["message"] = str(exc)
            return ctx
        return name

    out = await run_in_threadpool(work)
    if isinstance(out, dict):
        return templates.TemplateResponse(request, "whatif.html", out, status_code=422)
    return RedirectResponse(f"/models/{model_id}/whatif?scenario={quote(out)}", status_code=303)


@router.post("/models/{model_id}/whatif/scenarios/delete")
async def delete_scenario(request: Request, model_id: int) -> Response:
    """Delete the named scenario of the form's ``name``."""
    b = bench(request)
    form = await _form(request)
    name = form.get("name", "")
    if not await run_in_threadpool(b.store.delete_scenario, _id(model_id), name):
        raise NotFound(f"model {model_id} has no scenario named {name[:MAX_NAME]!r}")
    return RedirectResponse(f"/models/{model_id}/whatif", status_code=303)


def _side(b: Workbench, v: Version, model: Conflict, name: str) -> dict[str, Any]:
    scenario = b.store.get_scenario(v.model_id, name).scenario if name else {}
    return {"name": name or "as written", "scenario": scenario, **brief_view(b, v, model, scenario)}


@router.get("/models/{model_id}/whatif/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    model_id: int,
    a: NameQuery = "",
    b: NameQuery = "",
    version: VersionQuery = None,
) -> Response:
    """Two named scenarios' briefs side by side (an empty name: the model as written), each
    verdict that differs between them marked."""
    bench_ = bench(request)

    def work() -> dict[str, Any]:
        v, model = bench_.model(_id(model_id), version)
        left, right = _side(bench_, v, model, a), _side(bench_, v, model, b)
        rows = (
            []
            if left["data"] is None or right["data"] is None
            else compare(left["data"], right["data"])
        )
        return {
            "v": v,
            "a": left,
            "b": right,
            "rows": rows,
            "saved": bench_.store.list_scenarios(model_id),
        }

    ctx = await run_in_threadpool(work)
    return templates.TemplateResponse(request, "whatif_compare.html", ctx)


__all__ = ["brief_view", "refusal", "router"]
