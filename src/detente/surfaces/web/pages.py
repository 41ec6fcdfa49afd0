"""The server-rendered pages: model list, the workbench (editor, equilibria, state table,
explanations, status-quo graph), versions and diffs. Jinja templates with a little htmx;
every number shown comes from :mod:`.service` (the analyses), nothing is computed here."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from detente.analyses.casefile import CaseFile
from detente.analyses.contract import Progress
from detente.analyses.deal import Foresight
from detente.analyses.explain.analysis import CONCEPT_FAMILIES as EXPLAINED
from detente.analyses.explain.wording import collapse_concepts
from detente.analyses.requests import AnalyzeRequest
from detente.analyses.stability import StabilityResult, display_ranks
from detente.analyses.state_view import number_view, state_view, string_view
from detente.engine.registry import (
    CONCEPTS,
    PROBABILISTIC_BASES,
    STRENGTH_CONCEPTS,
    UNKNOWN_KEYS,
    concept_label,
    get_concept,
    limited,
    probabilistic,
)
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError, DetenteError, error_data
from detente.surfaces.web import service
from detente.surfaces.web.api import MAX_ID, bench
from detente.surfaces.web.jobs import Job
from detente.surfaces.web.store import NotFound, StaleVersion, Version
from detente.surfaces.web.workbench import Workbench, normalise_newlines

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
#: Rows of the state table shown at most.
MAX_ROWS = 300

STARTER = """\
detente: 1
name: New conflict
description: Two prisoners; each may defect or stay silent.
decision_makers:
  - name: A
    options: [{name: a_defects}]
    preferences: {statements: [not b_defects, a_defects]}
  - name: B
    options: [{name: b_defects}]
    preferences: {statements: [not a_defects, b_defects]}
status_quo: NN
"""


def error_page(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"message": message},
                                      status_code=status)


def _id(model_id: int) -> int:
    if not 1 <= model_id <= MAX_ID:
        raise NotFound(f"no model {model_id}")
    return model_id


# ----- model list -----------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    b = bench(request)
    models = await run_in_threadpool(b.store.all)
    return templates.TemplateResponse(request, "index.html", {"models": models})


@router.post("/models/new")
async def new_model(request: Request) -> Response:
    ref = await run_in_threadpool(bench(request).create, STARTER)
    return RedirectResponse(f"/models/{ref.id}", status_code=303)


def import_problem(name: str, raw: bytes, max_bytes: int) -> tuple[int, str] | None:
    """Why an uploaded file cannot be read as a model text (status, message), or None:
    over ``max_bytes`` bytes (413), or not UTF-8 (422, with the first bad byte's offset)."""
    if len(raw) > max_bytes:
        return 413, (f"{name}: the file is larger than {max_bytes:,} bytes, the most this "
                     "server accepts for a model file")
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return 422, (f"{name}: the file is not UTF-8 text (byte {exc.start:,} is "
                     f"0x{raw[exc.start]:02x}); save it as UTF-8 and import it again")
    return None


@router.post("/models/import")
async def import_model(request: Request, file: UploadFile) -> Response:
    b = bench(request)
    limit = b.settings.max_request_bytes
    raw = await file.read(limit + 1)
    name = file.filename or "model.yaml"
    problem = import_problem(name, raw, limit)
    if problem is not None:
        return error_page(request, *problem)
    text = raw.decode("utf-8-sig")
    if name.lower().endswith((".gmcr", ".json")):
        text = await run_in_threadpool(service.yaml_from_gmcr, text, name)
    ref = await run_in_threadpool(b.create, text)
    return RedirectResponse(f"/models/{ref.id}", status_code=303)


# ----- the workbench --------------------------------------------------------------------
def _page_context(b: Workbench, model_id: int, version: int | None) -> dict[str, Any]:
    v, model, case = b.case(model_id, version)
    result = case.stability
    latest = b.version(model_id).version
    return {
        "v": v, "latest": latest, "model": model, "yaml": v.yaml,
        "equilibria": service.equilibria_summary(result),
        "concepts": [(k, concept_label(k)) for k in result.concepts],
        "versions": b.store.versions(model_id),
        "status_quo": None if model.status_quo is None else state_view(model, model.status_quo),
        "evolution": _evolution(case),
        "robustness": _robustness(case),
        "brief": _brief(case),
        "deal": _deal(case),
        "design": None if case.deal_design is None else design_view(case.deal_design.to_dict()),
        "mediation": b.cached(v, "mediation.view", None, lambda: _mediation(case)),
        "hypergame": b.cached(v, "hypergame.view", None, lambda: _hypergame(case)),
        "packages": _packages(case),
        "drafts": _drafts(case),
        "notes": case.notes,
        "gmcr_lost": b.cached(v, "gmcr.lost", None, lambda: service.gmcr_omissions(model)),
        "message": None, "message_kind": None,
    }


def _packages(case: CaseFile) -> dict[str, Any] | None:
    """The case file's packages, arranged as the report's section (None without them)."""
    if case.packages is None:
        return None
    from detente.surfaces.report.negotiation import packages_section  # matplotlib: when needed

    return packages_section(case.packages)


def _drafts(case: CaseFile) -> dict[str, Any] | None:
    """The case file's drafts, arranged as the report's section (None without drafts)."""
    if case.drafts is None:
        return None
    from detente.surfaces.report.negotiation import drafts_section

    return drafts_section(case.drafts)


def _evolution(case: CaseFile) -> dict[str, Any] | None:
    """The first status-quo scenario of the case file (unilateral improvements)."""
    if not case.evolution:
        return None
    data: dict[str, Any] = case.evolution[0].result.to_dict()
    for f in data["final"]:
        f["view"] = number_view(case.conflict, f["number"])
    return data


def _robustness(case: CaseFile, per_concept: int = 4) -> dict[str, Any] | None:
    """The case file's robustness result, arranged for the page (None when the model
    declares no uncertainty)."""
    r = case.robustness
    if r is None:
        return None
    c = r.conflict
    shown: list[int] = []
    for k in r.concepts:
        shown += [s for s in r.leading(k, per_concept) if s not in shown]
    rows = [{"number": s + 1, "state": c.state_string(int(c.feasible[s])),
             "view": number_view(c, s + 1),
             "p": [float(r.equilibrium[k][s]) for k in r.concepts]} for s in shown]
    sq = r.status_quo()
    return {"profiles": r.profiles, "exact": r.exact, "samples": r.samples, "seed": r.seed,
            "labels": [concept_label(k) for k in r.concepts], "rows": rows,
            "status_quo": None if sq is None else {
                "state": sq["state"], "view": string_view(c, sq["state"]),
                "p": [(concept_label(k), p) for k, p in sq["equilibrium_probability"].items()]}}


def _mediation(case: CaseFile) -> dict[str, Any] | None:
    """The case file's mediation results (the model's ``mediation: target:``), per concept:
    already stable, or the fewest priority edits and the first solution's edits."""
    if not case.mediation:
        return None
    rows = []
    for result in case.mediation:
        d = result.to_dict()
        first = d["solutions"][0]["edits"] if d["solutions"] else []
        rows.append({
            "concepts": ", ".join(concept_label(k) for k in d["concepts"]),
            "already": d["already_stable"], "min_edits": d["min_edits"],
            "max_edits": d["max_edits"], "solutions": len(d["solutions"]),
            "edits": [f"{e['dm']}: {e['op']} “{e['statement']}”" for e in first],
            "commitments": [] if result.commitments is None or not result.commitments.declared
            else [x.strip() for x in result.commitments.lines(
                result.target, result.concept_text, result.min_edits)],
        })
    return {"target": case.mediation[0].to_dict()["target"], "rows": rows}


def _hypergame(case: CaseFile) -> dict[str, Any] | None:
    """The case file's hypergame, arranged as the report's section arranges it (None when
    the model declares no misperception)."""
    if case.hypergame is None:
        return None
    from detente.surfaces.report.hypergame import hypergame_section  # matplotlib: when needed

    return hypergame_section(case.hypergame)


def _brief(case: CaseFile) -> dict[str, Any] | None:
    """The case file's brief, arranged as the report's first section arranges it (None when
    the model puts no proposal on the table)."""
    if case.brief is None:
        return None
    from detente.surfaces.report.brief_section import brief_section

    return brief_section(case.brief)


def _deal(case: CaseFile) -> dict[str, Any] | None:
    """The case file's phased-deal result for the page (None without a deal)."""
    d = case.deal
    if d is None:
        return None
    return {
        "name": d.deal, "description": d.description,
        "phases": [{"name": p.name, "number": p.state.number, "state": p.state.state,
                    "view": number_view(case.conflict, p.state.number),
                    "holds": [bool(p.holds[k]) for k in d.concepts]} for p in d.phases],
        "labels": [concept_label(k) for k in d.concepts],
        "holds": [(concept_label(k), d.holds(k), d.breaks_at(k)) for k in d.concepts],
        "stalls_at": d.stalls_at, "exposures": len(d.exposures),
        "foresight": None if d.foresight is None else _foresight(d.foresight),
        "commitments": d.commitment_lines(),
    }


def _foresight(f: Foresight) -> dict[str, Any]:
    """Backward induction along the deal for the page: per step and mover, looking ahead and
    myopically side by side; where it unravels, and where it stalls myopically."""
    steps = [{"step": s.step, "from": s.source, "to": s.target, "ahead": s.ahead.number,
              "movers": [{"dm": m.dm, "proceeds": m.proceeds, "myopic": m.myopic,
                          "stall": None if m.stall is None else m.stall.number,
                          "because": m.proceeds and not m.myopic,
                          "blind_spot": m.blocked} for m in s.movers]}
             for s in f.steps]
    unravels = None if f.unravels_at is None else steps[f.unravels_at - 1]
    stalls = None if f.myopic_stalls_at is None else steps[f.myopic_stalls_at - 1]
    return {"completes": f.completes, "unravels": unravels, "end": f.outcome[0].number,
            "myopic_completes": f.myopic_completes, "stalls": stalls, "steps": steps}


def design_view(data: dict[str, Any]) -> dict[str, Any]:
    """A tranche design's JSON (``detente deal --design --format json``) arranged for the
    ``_design.html`` table: ranked orders, per concept holds or the guarantees it needs."""
    keys = list(data["concepts"])
    rows = []
    for rank, d in enumerate(data["designs"], 1):
        cells = []
        for k in keys:
            g = d["guarantees"][k]
            cells.append({"holds": d["holds"][k], "with": None if d["holds"][k] else (
                "no guarantee helps" if g is None else "with " + (" + ".join(g) or "none"))})
        rows.append({"rank": rank, "order": " → ".join(d["order"]), "completes": d["completes"],
                     "unravels_at": d["unravels_at"], "cells": cells,
                     "exposures": d["exposures"]})
    return {"deal": data["deal"], "labels": [concept_label(k) for k in keys],
            "tried": data["tried"], "skipped": data["skipped"], "ranked": data["ranked"],
            "rows": rows, "more": data["ranked"] > len(rows)}


# ----- the concept picker ----------------------------------------------------------------
#: Longest concept list the picker takes (characters), most keys in it, and equilibria listed
#: per concept in its table (the count says how many in all).
PICKER_CHARS, PICKER_KEYS, PICKER_LISTED = 240, 12, 12
PickerQuery = Annotated[str, Query(max_length=PICKER_CHARS)]


def picker_suggestions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's suggestions per family, (key, label) each: the registry's keys, with a
    horizon and probabilities as examples where a family takes parameters."""
    levels = (0.8, 0.3, 0.5)
    examples = [probabilistic(b, levels[:len(probabilistic(b, levels[:1]).levels or ())]).key
                for b in PROBABILISTIC_BASES]
    groups = [("classic", list(CONCEPTS)), ("limited move", [limited(3).key]),
              ("unknown preferences", list(UNKNOWN_KEYS)),
              ("strength of preference", list(STRENGTH_CONCEPTS)),
              ("probabilistic", examples)]
    return [(name, [(k, concept_label(k)) for k in keys]) for name, keys in groups]


def picker_keys(text: str) -> tuple[str, ...]:
    """The picker's comma-separated keys, each checked by the registry (its message names a
    bad one), in the registry's spelling, duplicates dropped; at most :data:`PICKER_KEYS`."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if len(names) > PICKER_KEYS:
        raise ArgumentError(f"concepts: give at most {PICKER_KEYS} concept keys, got "
                            f"{len(names)}", parameter="concepts")
    AnalyzeRequest(names)
    return tuple(dict.fromkeys(get_concept(n).key for n in names))


def picker_rows(model: Conflict, result: StabilityResult) -> list[dict[str, Any]]:
    """The picker's table: per concept of ``result`` the page's equilibria summary, how many
    states are stable, the first :data:`PICKER_LISTED` of them in words, its help, and for a
    probabilistic concept whether its probabilities are exact or estimated (sampled), and
    the concept its states' explanations take (``explain``: none for ``L<h>``, which explain
    refuses: those open the six)."""
    how = result.result_header().parameters.get("preference_probabilities")
    return [{**c, "count": len(c["numbers"]), "help": get_concept(c["key"]).help,
             "views": [number_view(model, n) for n in c["numbers"][:PICKER_LISTED]],
             "probabilities": how if get_concept(c["key"]).is_probabilistic else None,
             "explain": [c["key"]] if get_concept(c["key"]).family in EXPLAINED else []}
            for c in service.equilibria_summary(result)]


def _picker(b: Workbench, v: Version, model: Conflict, text: str,
            job: Job | None = None) -> dict[str, Any]:
    """The picker's state for ``text``: its rows, a problem (the registry's or the engine's
    message), or the background job computing them (over the inline bound)."""
    out: dict[str, Any] = {"text": text, "model_id": v.model_id, "version": v.version,
                           "rows": None, "problem": None, "job": None,
                           "suggestions": picker_suggestions()}
    if job is not None and job.state != "done":
        if job.state == "failed":
            out["problem"] = job.error["text"] if job.error else "the analysis failed"
        elif job.state == "cancelled":
            out["problem"] = "The analysis was cancelled; submit the concepts again to restart it."
        else:
            out["job"] = job.to_dict(with_result=False)
        return out
    if not text.strip():
        return out
    try:
        keys = picker_keys(text)
        if not b.stability_ready(v, keys):
            try:
                b.inline(v, model, "the stability analysis", None)()
            except service.TooMuchWork:
                out["job"] = b.stability_job(v, keys).to_dict(with_result=False)
                return out
        out["rows"] = picker_rows(model, b.stability(v.model_id, v.version, keys)[2])
    except DetenteError as exc:
        out["problem"] = str(exc)
    return out


def _picker_page(request: Request, picker: dict[str, Any]) -> Response:
    """The picker's result, with the model page's address of this choice for htmx to show
    (``HX-Push-Url``), so that the choice can be bookmarked."""
    query = urlencode({"version": picker["version"], "concepts": picker["text"]})
    return templates.TemplateResponse(request, "_concepts.html", {"picker": picker}, headers={
        "HX-Push-Url": f"/models/{picker['model_id']}?{query}"})


@router.get("/models/{model_id}/concepts", response_class=HTMLResponse)
async def picker(request: Request, model_id: int, concepts: PickerQuery = "",
                 version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """The picker's table for ``concepts`` (the model page with ``?concepts=`` shows the
    same), or the progress of the job that computes it."""
    b = bench(request)
    v, model = await run_in_threadpool(b.model, _id(model_id), version)
    return _picker_page(request, await run_in_threadpool(_picker, b, v, model, concepts))


@router.get("/models/{model_id}/concepts/{job_id}", response_class=HTMLResponse)
async def picker_progress(request: Request, model_id: int,
                          job_id: str) -> Response:
    """The progress of a picker's job, or its table once it is done."""
    b = bench(request)
    job = b.jobs.get(job_id)
    if job is None or job.kind != "stability" or job.meta.get("model_id") != model_id:
        raise NotFound(f"no stability job {job_id!r}")
    v, model = await run_in_threadpool(b.model, model_id, int(job.meta["version"]))
    text = ", ".join(job.meta.get("concepts", []))
    return _picker_page(request, await run_in_threadpool(_picker, b, v, model, text, job))


@router.get("/concepts", response_class=HTMLResponse)
async def concepts_help(request: Request) -> Response:
    """Every concept family the picker takes: its keys (examples where a family takes
    parameters), labels and the registry's help."""
    groups = [(name, [(k, label, get_concept(k).help) for k, label in keys])
              for name, keys in picker_suggestions()]
    return templates.TemplateResponse(request, "concepts.html", {"groups": groups})


#: Messages a redirect after a save may ask the page to show (``?note=``).
NOTES = {
    "unchanged": "No changes: the text is the same as this version's, so nothing was saved.",
    "restored": "Restored: the older version's text is saved as this new version.",
}


@router.get("/models/{model_id}", response_class=HTMLResponse)
async def workbench(request: Request, model_id: int,
                    version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                    note: Annotated[str | None, Query(max_length=16)] = None,
                    ready: Annotated[str | None, Query(max_length=16)] = None,
                    concepts: PickerQuery = "") -> Response:
    b = bench(request)
    v, model = await run_in_threadpool(b.model, _id(model_id), version)
    if b.cache.size > 0 and not b.case_ready(v):
        # analyse as a background job; a quick one is waited for, a slow one shows progress
        job = b.case_job(v, model)
        job = await run_in_threadpool(b.jobs.wait, job.id, b.settings.page_wait_s)
        if job.state != "done":
            return templates.TemplateResponse(request, "analysing.html", {
                "v": v, "model": model, "model_id": v.model_id,
                "job": job.to_dict(with_result=False)})
    ctx = await run_in_threadpool(_page_context, b, model_id, v.version)
    ctx["picker"] = await run_in_threadpool(_picker, b, v, model, concepts)
    if note in NOTES:
        ctx["message"], ctx["message_kind"] = NOTES[note], "info"
    return templates.TemplateResponse(request, "model.html", ctx)


def _job_partial(request: Request, model_id: int, job_id: str) -> Response:
    job = bench(request).jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    if job.state == "done":  # htmx opens the page again, which now shows the analysis
        return Response(status_code=200, headers={
            "HX-Redirect": _analysed_page(request, model_id, job)})
    return templates.TemplateResponse(request, "_progress.html", {
        "job": job.to_dict(with_result=False), "model_id": model_id})


def _analysed_page(request: Request, model_id: int, job: Job) -> str:
    """The model page that polled for ``job``, to open once it is done: its query kept (this
    model's pages only), the version pinned and ``ready=`` the job's id added. A distinct
    address makes the browser navigate instead of reloading (``HX-Refresh``, or a redirect
    to the same address, which Chromium turns into a reload): after a reload, the browser
    restored the progress page's scroll position once the analysis page finished loading
    (its graph), moving the page away from an explanation the analyst had opened meanwhile."""
    current = urlsplit(request.headers.get("hx-current-url", ""))
    path = f"/models/{model_id}"
    query = dict(parse_qsl(current.query)) if current.path == path else {}
    query.update(version=str(job.meta.get("version", "")), ready=job.id[:12])
    return f"{path}?{urlencode({k: v for k, v in query.items() if v})}"


#: Ranked orders a tranche-design job started from the page lists (the API's job: any).
PAGE_DESIGN_ORDERS = 50


@router.post("/models/{model_id}/design", response_class=HTMLResponse)
async def design(request: Request, model_id: int,
                 version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Start the tranche design of the model's deal (every order, the case file's concepts)
    as a background job; the answer polls it and shows the ranked table when it is done."""
    b = bench(request)
    v, model = await run_in_threadpool(b.model, _id(model_id), version)

    def work(progress: Progress) -> dict[str, Any]:
        return service.deal_design(model, None, PAGE_DESIGN_ORDERS, progress)

    job = b.jobs.submit("deal_design", work, 2, {"model_id": v.model_id, "version": v.version})
    return _design_partial(request, v.model_id, job.id)


@router.get("/models/{model_id}/design/{job_id}", response_class=HTMLResponse)
async def design_progress(request: Request, model_id: int, job_id: str) -> Response:
    return _design_partial(request, model_id, job_id)


def _design_partial(request: Request, model_id: int, job_id: str) -> Response:
    """The design job's progress, or its ranked table once it is done."""
    job = bench(request).jobs.get(job_id)
    if job is None or job.kind != "deal_design":
        raise NotFound(f"no tranche-design job {job_id!r}")
    done = job.state == "done" and job.result is not None
    return templates.TemplateResponse(request, "_design.html", {
        "job": job.to_dict(with_result=False), "model_id": model_id,
        "design": design_view(job.result) if done and job.result else None})


@router.get("/models/{model_id}/jobs/{job_id}", response_class=HTMLResponse)
async def job_progress(request: Request, model_id: int, job_id: str) -> Response:
    return _job_partial(request, model_id, job_id)


@router.post("/models/{model_id}/jobs/{job_id}/cancel", response_class=HTMLResponse)
async def cancel_job(request: Request, model_id: int, job_id: str) -> Response:
    bench(request).jobs.cancel(job_id)
    return _job_partial(request, model_id, job_id)


@router.post("/models/{model_id}/save")
async def save(request: Request, model_id: int, yaml: Annotated[str, Form()],
               version: Annotated[int, Form()]) -> Response:
    b = bench(request)
    _id(model_id)
    try:
        ref = await run_in_threadpool(b.save, model_id, yaml, version)
    except (StaleVersion, DetenteError) as exc:
        return await _refused_save(request, b, model_id, yaml, version, exc)
    note = "" if ref.changed else "?note=unchanged"
    return RedirectResponse(f"/models/{ref.id}{note}", status_code=303)


async def _refused_save(request: Request, b: Workbench, model_id: int, yaml: str,
                        version: int, exc: Exception) -> Response:
    """The page again, the analyst's text kept beside the latest version's analysis. After
    a stale save (409) the form names the latest version, and the page says that saving
    again replaces it, so a second click is a deliberate choice, never a silent resend."""
    ctx = await run_in_threadpool(_page_context, b, model_id, None)
    ctx["picker"] = _picker(b, ctx["v"], ctx["model"], "")
    ctx["yaml"] = normalise_newlines(yaml)
    ctx["message"] = str(exc)
    if isinstance(exc, StaleVersion):
        ctx.update(message_kind="conflict", edited_from=exc.latest,
                   conflict={"given": exc.given, "latest": exc.latest})
        ctx["message"] = (f"Version {exc.latest} was saved while you edited version "
                          f"{exc.given}; nothing was saved. Your text is kept in the editor; "
                          f"version {exc.latest}'s analysis is shown. Compare them, then "
                          f"either save your text over version {exc.latest} or load the "
                          "latest version (your edits are then lost).")
        return templates.TemplateResponse(request, "model.html", ctx, status_code=409)
    ctx.update(message_kind="invalid", edited_from=version)
    return templates.TemplateResponse(request, "model.html", ctx, status_code=422)


@router.post("/models/{model_id}/restore")
async def restore(request: Request, model_id: int,
                  version: Annotated[int, Form(ge=1, le=MAX_ID)]) -> Response:
    ref = await run_in_threadpool(bench(request).restore, _id(model_id), version)
    note = "restored" if ref.changed else "unchanged"
    return RedirectResponse(f"/models/{ref.id}?note={note}", status_code=303)


def _check(b: Workbench, text: str) -> dict[str, Any]:
    try:
        model = b.parse(text)
    except DetenteError as exc:
        err = error_data(exc)
        return {"ok": False, "error": err, "excerpt": _excerpt(text, err.get("line"))}
    out: dict[str, Any] = {"ok": True, "summary": service.summary(model), "equilibria": None}
    if model.n_states <= b.settings.live_states:
        digest = hashlib.sha256(text.encode()).hexdigest()
        result = b.cache.get(("draft", digest), lambda: service.stability(model))
        out["equilibria"] = service.equilibria_summary(result)
    return out


def _excerpt(text: str, line: int | None, around: int = 2) -> list[dict[str, Any]]:
    if not line:
        return []
    lines = text.splitlines()
    lo, hi = max(1, line - around), min(len(lines), line + around)
    return [{"number": n, "text": lines[n - 1], "bad": n == line} for n in range(lo, hi + 1)]


@router.post("/models/{model_id}/check", response_class=HTMLResponse)
async def check(request: Request, model_id: int, yaml: Annotated[str, Form()] = "") -> Response:
    ctx = await run_in_threadpool(_check, bench(request), yaml)
    return templates.TemplateResponse(request, "_check.html", ctx)


def _states(b: Workbench, model_id: int, version: int | None, show: str, pattern: str,
            ) -> dict[str, Any]:
    v, model = b.model(model_id, version)
    b.case_check(v, model, "the state table", "casefile")
    v, model, case = b.case(model_id, v.version)
    result = case.stability
    mask = np.ones(model.n_states, dtype=bool)
    if show == "equilibria":
        mask[:] = False
        for key in result.concepts:
            mask |= result.equilibrium_mask(key)
    elif show in result.concepts:
        mask = result.equilibrium_mask(show).copy()
    problem = None
    if pattern.strip():
        try:
            mask &= np.isin(model.feasible, model.matching(pattern.strip()))
        except DetenteError as exc:
            problem = str(exc)
    positions = np.flatnonzero(mask)
    ranks = display_ranks(model.ranks)
    eq = {k: result.equilibrium_mask(k) for k in result.concepts}
    rows = [{
        "number": int(k) + 1,
        "state": model.state_string(int(model.feasible[k])),
        "words": model.space.words(int(model.feasible[k])),
        "ranks": [int(ranks[i, k]) for i in range(len(model.dms))],
        "marks": [bool(eq[key][k]) for key in result.concepts],
        "status_quo": model.status_quo == int(model.feasible[k]),
    } for k in positions[:MAX_ROWS]]
    return {"rows": rows, "total": int(positions.size), "shown": len(rows),
            "dms": model.dm_names, "concepts": [concept_label(k) for k in result.concepts],
            "problem": problem, "model_id": model_id, "version": v.version}


@router.get("/models/{model_id}/states", response_class=HTMLResponse)
async def states(request: Request, model_id: int, show: str = "equilibria",
                 pattern: Annotated[str, Query(max_length=64)] = "",
                 version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    ctx = await run_in_threadpool(_states, bench(request), _id(model_id), version, show,
                                  pattern)
    return templates.TemplateResponse(request, "_states.html", ctx)


@router.get("/models/{model_id}/explain/{number}", response_class=HTMLResponse)
async def explain(request: Request, model_id: int, number: int,
                  version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                  concept: Annotated[list[str] | None, Query(max_length=PICKER_KEYS)] = None
                  ) -> Response:
    """The explanation of state ``number`` (the six concepts, or the ``concept`` keys)."""
    b = bench(request)
    v, model = await run_in_threadpool(b.model, _id(model_id), version)
    asked = tuple(concept or ())
    key = (str(number), (), asked)
    if not b.cache.has(("explain", v.model_id, v.version, key)):
        b.inline(v, model, "explaining a state", None)()
    data = await run_in_threadpool(b.cached, v, "explain", key, lambda: service.explain(
        model, str(number), None, list(asked) or None))
    groups = {d["dm"]: [{**members[0], "label": label} for members, label
                        in collapse_concepts(d["concepts"])] for d in data["dms"]}
    targets = {d["dm"]: [number_view(model, m["to"]["number"]) for m in d["improvements"]]
               for d in data["dms"]}
    return templates.TemplateResponse(request, "_explain.html", {
        "e": data, "v": v, "groups": groups, "targets": targets,
        "view": number_view(model, data["state"]["number"])})


@router.get("/models/{model_id}/graph.png")
async def graph(request: Request, model_id: int,
                version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    b = bench(request)

    def draw() -> bytes | None:
        v, model = b.model(_id(model_id), version)
        b.case_check(v, model, "the status-quo graph", "casefile")
        _v, _model, case = b.case(model_id, v.version)
        png: bytes | None = b.cached(v, "graph", None, lambda: service.graph_png(case))
        return png

    png = await run_in_threadpool(draw)
    if png is None:
        return Response(status_code=204)
    return Response(png, media_type="image/png")


@router.get("/models/{model_id}/report", response_class=HTMLResponse)
async def report(request: Request, model_id: int,
                 version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    _v, text = await run_in_threadpool(bench(request).report, _id(model_id), version, "html",
                                       True)
    return HTMLResponse(text)


@router.get("/models/{model_id}/diff", response_class=HTMLResponse)
async def diff(request: Request, model_id: int,
               from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
               to: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    b = bench(request)
    new = await run_in_threadpool(b.version, _id(model_id), to)
    old = await run_in_threadpool(b.version, model_id,
                                  from_ if from_ is not None else max(1, new.version - 1))
    text = service.diff(old.yaml, new.yaml, f"version {old.version}", f"version {new.version}")
    lines = [{"text": ln, "kind": {"+": "add", "-": "del", "@": "hunk"}.get(ln[:1], "")}
             for ln in text.splitlines()]
    return templates.TemplateResponse(request, "diff.html", {
        "old": old, "new": new, "lines": lines, "model_id": model_id})
