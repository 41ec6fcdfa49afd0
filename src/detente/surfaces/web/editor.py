"""The structured editor: forms beside the YAML of a saved model, and the new-model wizard.

Every form post is one operation of :mod:`detente.formats.native.edits` applied to the latest
version's text; the new text is checked by the normal loader and saved as a new version, or,
when invalid, the forms come back with the loader's message at the field it names (nothing is
saved). The forms are rendered from the file's own structure (so a YAML edit shows in them)
and the loaded model (the states each party ranks highest).

Undo and redo work over versions: undo saves the text the last editor edit replaced as a new
version, redo saves the undone text again (nothing is ever deleted). The undo and redo stacks
are kept per model while the server runs; with an empty undo stack (a fresh server, or after a
YAML save) undo steps back to the version before the latest.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.engine.registry import CONCEPTS
from detente.formats.native import edits
from detente.formats.yaml_text import to_plain
from detente.model.conflict import Conflict
from detente.model.errors import DetenteError, ModelError
from detente.model.states import NO, YES
from detente.surfaces.web.api import MAX_ID, bench
from detente.surfaces.web.pages import templates
from detente.surfaces.web.store import NotFound, StaleVersion
from detente.surfaces.web.workbench import Workbench

router = APIRouter(include_in_schema=False)
#: States shown per party under "ranked highest", and tiers.
TOP_STATES, TOP_TIERS = 4, 3
#: Rows of "what each cares about most" the wizard offers per party.
WIZARD_ROWS = 4
Form = Mapping[str, str]


class History:
    """Per model: the versions an undo / a redo would bring back (most recent last)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.undo: dict[int, list[int]] = {}
        self.redo: dict[int, list[int]] = {}

    def edited(self, model_id: int, before: int) -> None:
        with self._lock:
            self.undo.setdefault(model_id, []).append(before)
            self.redo.pop(model_id, None)

    def take(self, model_id: int, redo: bool, latest: int) -> int | None:
        """The version to bring back, moving ``latest`` onto the other stack."""
        with self._lock:
            source, other = (self.redo, self.undo) if redo else (self.undo, self.redo)
            stack = source.get(model_id) or []
            if stack:
                back = stack.pop()
            elif not redo and latest > 1:
                back = latest - 1
            else:
                return None
            other.setdefault(model_id, []).append(latest)
            return back

    def counts(self, model_id: int, latest: int) -> tuple[int, int]:
        with self._lock:
            undo = len(self.undo.get(model_id) or []) or (1 if latest > 1 else 0)
            return undo, len(self.redo.get(model_id) or [])


def history(request: Request) -> History:
    state = request.app.state
    if not hasattr(state, "editor_history"):
        state.editor_history = History()
    h: History = state.editor_history
    return h


def _id(model_id: int) -> int:
    if not 1 <= model_id <= MAX_ID:
        raise NotFound(f"no model {model_id}")
    return model_id


# ----- the operations -------------------------------------------------------------------
def _int(form: Form, key: str) -> int:
    try:
        return int(form.get(key, ""))
    except ValueError:
        raise ModelError(f"expected a whole number for {key}", field=key) from None


def _picked(form: Form) -> str:
    """A statement from the form: its text, or composed from the pickers
    (``not`` option-or-level, an operator, ``not`` option-or-level)."""
    text = form.get("statement", "").strip()
    if text:
        return text
    first = form.get("opt1", "").strip()
    if not first:
        raise ModelError("pick an option (or type a statement)", field="statement")
    out = ("not " if form.get("not1") else "") + first
    op, second = form.get("op", "").strip(), form.get("opt2", "").strip()
    if op in ("and", "or", "if", "iff") and second:
        out += f" {op} " + ("not " if form.get("not2") else "") + second
    return out


def _lines(value: str) -> list[str]:
    return [x.strip() for x in value.replace(",", "\n").splitlines() if x.strip()]


def _labels(form: Form) -> dict[str, str]:
    return {k.removeprefix("label-"): v.strip() for k, v in form.items() if k.startswith("label-")}


def _values(form: Form, prefix: str) -> dict[str, str]:
    return {k.removeprefix(prefix): v for k, v in form.items() if k.startswith(prefix)}


def _ranking(value: str) -> list[str | list[str]]:
    """One line per tier, most preferred first; states in a tier separated by commas."""
    out: list[str | list[str]] = []
    for line in value.splitlines():
        tier = [s.strip() for s in line.split(",") if s.strip()]
        if tier:
            out.append(tier[0] if len(tier) == 1 else tier)
    return out


def _rows(value: str) -> list[str]:
    """One entry per line (statements may hold commas)."""
    return [x.strip() for x in value.splitlines() if x.strip()]


def _float(form: Form, key: str) -> float:
    try:
        return float(form.get(key, "").strip() or 0)
    except ValueError:
        raise ModelError(f"expected a number for {key}", field=key) from None


def _checked(form: Form, prefix: str) -> list[str]:
    return [k for k, v in _values(form, prefix).items() if v == YES]


def _weights(form: Form) -> dict[str, float | dict[str, float]]:
    """``w-option`` (points when taken) and ``w-option-level`` fields: option → points."""
    out: dict[str, float | dict[str, float]] = {}
    for key in _values(form, "w-"):
        option, _, level = key.partition("|")
        points = _float(form, "w-" + key)
        if level:
            levels = out.setdefault(option, {})
            if isinstance(levels, dict):
                levels[level] = points
        else:
            out[option] = points
    return out


def _add_option(text: str, form: Form) -> str:
    """A new option; with a levels list, an option with levels."""
    return edits.add_option(text, form["dm"], form["name"].strip(), _lines(form.get("levels", "")))


OPS: dict[str, Callable[[str, Form], str]] = {
    "name": lambda t, f: edits.set_name(t, f["name"].strip()),
    "dm-add": lambda t, f: edits.add_dm(t, f["name"].strip(), f["option"].strip()),
    "dm-rename": lambda t, f: edits.rename_dm(t, f["dm"], f["name"].strip()),
    "dm-describe": lambda t, f: edits.set_dm_description(t, f["dm"], f["description"].strip()),
    "dm-move": lambda t, f: edits.move_dm(t, f["dm"], _int(f, "position")),
    "option-add": _add_option,
    "option-rename": lambda t, f: edits.rename_option(t, f["option"], f["name"].strip()),
    "option-set": lambda t, f: edits.set_option(
        t,
        f["option"],
        description=f.get("description", "").strip(),
        direction=f.get("direction", "both"),
        labels=_labels(f),
        levels=_lines(f.get("levels", "")),
    ),
    "option-remove": lambda t, f: edits.remove_option(t, f["option"]),
    "st-add": lambda t, f: edits.add_statement(t, f["dm"], _picked(f)),
    "st-set": lambda t, f: edits.set_statement(
        t, f["dm"], _int(f, "index"), f["statement"].strip()
    ),
    "st-details": lambda t, f: edits.set_statement_details(
        t,
        f["dm"],
        _int(f, "index"),
        f.get("rationale", "").strip(),
        float(f.get("probability") or 0),
    ),
    "st-remove": lambda t, f: edits.remove_statement(t, f["dm"], _int(f, "index")),
    "st-move": lambda t, f: edits.move_statement(t, f["dm"], _int(f, "index"), _int(f, "position")),
    "st-group": lambda t, f: edits.group_statements(t, f["dm"], _int(f, "index"), 2),
    "ranking-set": lambda t, f: edits.set_ranking(t, f["dm"], _ranking(f["ranking"])),
    "payoff-set": lambda t, f: edits.set_payoff(
        t, f["dm"], _int(f, "index"), float(f.get("value") or 0)
    ),
    "inf-add": lambda t, f: edits.add_infeasible(
        t,
        f["kind"],
        {k: v for k, v in _values(f, "v-").items() if v != edits.EITHER}
        if f["kind"] == "pattern"
        else [k for k, v in _values(f, "v-").items() if v == YES],
        f.get("reason", "").strip(),
    ),
    "inf-remove": lambda t, f: edits.remove_infeasible(t, _int(f, "index")),
    "sq": lambda t, f: edits.set_status_quo(t, _values(f, "sq-")),
    "st-ungroup": lambda t, f: edits.ungroup_statements(t, f["dm"], _int(f, "index")),
    "tranche-add": lambda t, f: edits.add_tranche(
        t,
        f["name"].strip(),
        _values(f, "v-"),
        _lines(f.get("after", "")),
        f.get("rationale", "").strip(),
        f.get("deal", "").strip(),
    ),
    "phase-add": lambda t, f: edits.add_phase(
        t, f["name"].strip(), _values(f, "v-"), f.get("rationale", "").strip(), f.get("deal", "")
    ),
    "deal-remove": lambda t, f: edits.remove_deal_step(t, _int(f, "index")),
    "guarantors": lambda t, f: edits.set_guarantors(t, _checked(f, "g-")),
    "target": lambda t, f: edits.set_mediation_target(t, _values(f, "t-")),
    "concepts": lambda t, f: edits.set_concepts(t, _lines(f.get("concepts", ""))),
    "commitment-add": lambda t, f: edits.add_commitment(
        t, f["option"], f["make"], f.get("rationale", "").strip()
    ),
    "commitment-remove": lambda t, f: edits.remove_commitment(t, _int(f, "index")),
    "perception-add": lambda t, f: edits.add_perception(
        t,
        f["perceiver"],
        about=f.get("about", "").strip(),
        statements=_rows(f.get("statements", "")),
        unaware_of=_checked(f, "u-"),
        rationale=f.get("rationale", "").strip(),
    ),
    "perception-remove": lambda t, f: edits.remove_perception(t, _int(f, "index")),
    "draft-add": lambda t, f: edits.add_draft(
        t, f["name"].strip(), _values(f, "v-"), f.get("rationale", "").strip()
    ),
    "draft-remove": lambda t, f: edits.remove_draft(t, _int(f, "index")),
    "alt-add": lambda t, f: edits.add_alternative(
        t,
        f["dm"],
        f["name"].strip(),
        _float(f, "probability"),
        _rows(f.get("statements", "")),
        f.get("rationale", "").strip(),
    ),
    "alt-remove": lambda t, f: edits.remove_alternative(t, f["dm"], _int(f, "index")),
    "weights": lambda t, f: edits.set_weights(t, f["dm"], _weights(f)),
}


# ----- the view -------------------------------------------------------------------------
def _statement_view(item: Any, path: str) -> dict[str, Any]:
    if isinstance(item, dict) and "unknown_order" in item:
        return {
            "group": [
                _statement_view(x, f"{path}.unknown_order[{j}]")
                for j, x in enumerate(item["unknown_order"] or [])
            ],
            "rationale": item.get("rationale", ""),
            "path": path,
            "text": "",
        }
    if isinstance(item, dict):
        return {
            "text": str(item.get("statement", "")),
            "rationale": item.get("rationale", ""),
            "probability": item.get("probability"),
            "path": path,
            "group": None,
        }
    return {"text": str(item), "rationale": "", "probability": None, "path": path, "group": None}


def _top(model: Conflict | None, name: str) -> list[list[str]]:
    """The states ``name`` ranks highest, by tier (best first)."""
    if model is None or name not in model.dm_names:
        return []
    ranks = model.ranks[model.dm_index(name)]
    tiers = sorted({int(r) for r in ranks.tolist()}, reverse=True)[:TOP_TIERS]
    return [
        [
            model.state_string(int(model.feasible[k]))
            for k in range(len(ranks))
            if int(ranks[k]) == r
        ][:TOP_STATES]
        for r in tiers
    ]


def view(text: str, model: Conflict | None) -> tuple[dict[str, Any], list[str]]:
    """The forms' data from the file's structure, and every field path they show."""
    doc = to_plain(edits.load(text)[0])
    paths: list[str] = ["name", "status_quo", "infeasible"]
    options: list[dict[str, Any]] = []
    dms = []
    for k, dm in enumerate(doc.get("decision_makers") or []):
        base = f"decision_makers[{k}]"
        opts = []
        for j, o in enumerate(dm.get("options") or []):
            p = f"{base}.options[{j}]"
            opt = {
                "name": o.get("name", ""),
                "description": o.get("description", ""),
                "direction": o.get("direction", "both"),
                "levels": o.get("levels") or [],
                "labels": o.get("labels") or {},
                "path": p,
                "dm": dm.get("name"),
            }
            opt["values"] = opt["levels"] or [NO, YES]
            opts.append(opt)
            paths.append(p)
        options += opts
        prefs = dm.get("preferences") or {}
        kind = next((x for x in ("statements", "ranking", "payoffs") if x in prefs), "")
        sts = [
            _statement_view(x, f"{base}.preferences.statements[i]".replace("[i]", f"[{i}]"))
            for i, x in enumerate(prefs.get("statements") or [])
        ]
        paths += [s["path"] for s in sts] + [g["path"] for s in sts for g in s["group"] or []]
        ranking = [
            ", ".join(map(str, e)) if isinstance(e, list) else str(e)
            for e in prefs.get("ranking") or []
        ]
        payoffs = [
            {
                "state": p.get("state"),
                "value": p.get("value"),
                "path": f"{base}.preferences.payoffs[{i}]",
            }
            for i, p in enumerate(prefs.get("payoffs") or [])
        ]
        paths += [f"{base}.preferences", f"{base}.preferences.ranking", base]
        paths += [p["path"] for p in payoffs]
        dms.append(
            {
                "index": k,
                "name": dm.get("name", ""),
                "description": dm.get("description", ""),
                "path": base,
                "options": opts,
                "kind": kind,
                "statements": sts,
                "ranking": "\n".join(ranking),
                "payoffs": payoffs,
                "top": _top(model, str(dm.get("name"))),
                "alternatives": [
                    {
                        "name": a.get("name"),
                        "probability": a.get("probability"),
                        "rationale": a.get("rationale", ""),
                        "statements": [
                            _statement_view(x, "")["text"]
                            for x in (a.get("preferences") or {}).get("statements") or []
                        ],
                        "path": f"{base}.alternatives[{i}]",
                    }
                    for i, a in enumerate(dm.get("alternatives") or [])
                ],
                "weights": dm.get("weights") or {},
            }
        )
        paths += [f"{base}.alternatives", f"{base}.weights"]
        paths += [a["path"] for a in dms[-1]["alternatives"]]
    infeasible = []
    for i, item in enumerate(doc.get("infeasible") or []):
        kind = next((x for x in edits.INFEASIBLE_KINDS if x in item), "")
        body = item.get(kind)
        shown = (
            ", ".join(f"{a}: {b}" for a, b in body.items())
            if isinstance(body, dict)
            else ", ".join(map(str, body))
            if isinstance(body, list)
            else str(body)
        )
        infeasible.append(
            {
                "index": i,
                "kind": kind,
                "text": shown,
                "reason": item.get("reason", ""),
                "path": f"infeasible[{i}]",
            }
        )
        paths.append(f"infeasible[{i}]")
    sq = {}
    if model is not None and model.status_quo is not None:
        sq = _state_values(model, model.status_quo, options)
    sections = _sections_view(doc)
    paths += sections.pop("paths")
    return {
        "name": doc.get("name", ""),
        "dms": dms,
        "options": options,
        "infeasible": infeasible,
        "status_quo": sq,
        "pickable": _pickable(options),
        "concepts_known": CONCEPTS,
        **sections,
    }, paths


def _values_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{a}: {b}" for a, b in value.items())
    return str(value)


def _sections_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The deal, mediation, perceptions and drafts as the forms show them, with their paths
    (under ``paths``) and what is still edited only in the YAML (``yaml_only``)."""
    paths = [
        "deal",
        "deal.tranches",
        "deal.phases",
        "deal.guarantors",
        "mediation",
        "mediation.target",
        "mediation.concepts",
    ]
    paths += ["mediation.commitments", "perceptions", "drafts"]
    deal = doc.get("deal") or {}
    kind = "tranches" if deal.get("tranches") else "phases"
    steps = []
    for i, step in enumerate(deal.get(kind) or []):
        steps.append(
            {
                "index": i,
                "name": step.get("name", ""),
                "text": _values_text(step.get("set", step.get("state", ""))),
                "after": step.get("after") or [],
                "rationale": step.get("rationale", ""),
                "path": f"deal.{kind}[{i}]",
            }
        )
    mediation = doc.get("mediation") or {}
    commitments = [
        dict(c, index=i, path=f"mediation.commitments[{i}]")
        for i, c in enumerate(mediation.get("commitments") or [])
    ]
    perceptions = []
    for i, p in enumerate(doc.get("perceptions") or []):
        statements = (p.get("preferences") or {}).get("statements") or []
        perceptions.append(
            {
                "index": i,
                "perceiver": p.get("perceiver"),
                "about": p.get("about"),
                "statements": [_statement_view(x, "")["text"] for x in statements],
                "unaware_of": p.get("unaware_of") or [],
                "rationale": p.get("rationale", ""),
                "path": f"perceptions[{i}]",
            }
        )
    drafts = [
        {
            "index": i,
            "name": d.get("name"),
            "text": _values_text(d.get("state")),
            "rationale": d.get("rationale", ""),
            "path": f"drafts[{i}]",
        }
        for i, d in enumerate(doc.get("drafts") or [])
    ]
    paths += [x["path"] for x in [*steps, *commitments, *perceptions, *drafts]]
    yaml_only = [
        name
        for name, present in (
            ("coalitions", doc.get("coalitions")),
            ("mediation.mediators", mediation.get("mediators")),
            ("mediation.candidates", mediation.get("candidates")),
            ("phases given as full states", any("state" in s for s in deal.get("phases") or [])),
            (
                "blind_spots",
                any(d.get("blind_spots") for d in doc.get("decision_makers") or []),
            ),
        )
        if present
    ]
    return {
        "deal": {
            "name": deal.get("name", ""),
            "kind": kind if deal else "",
            "steps": steps,
            "guarantors": deal.get("guarantors") or [],
        },
        "mediation": {
            "target": str(mediation.get("target") or ""),
            "concepts": mediation.get("concepts") or [],
            "commitments": commitments,
        },
        "perceptions": perceptions,
        "drafts": drafts,
        "yaml_only": yaml_only,
        "paths": paths,
    }


def _state_values(model: Conflict, code: int, options: list[dict[str, Any]]) -> dict[str, str]:
    """Option → Y/N or level in the state ``code`` (the state space's reading)."""
    values = model.space.values(code)
    return {o["name"]: values[o["name"]] for o in options if o["name"] in values}


def _pickable(options: list[dict[str, Any]]) -> list[str]:
    """What a statement picker offers: yes/no options, and ``x is L`` per level."""
    out: list[str] = []
    for o in options:
        if o["levels"]:
            out += [f"{o['name']} is {lv}" for lv in o["levels"]]
        else:
            out.append(o["name"])
    return out


def error_place(field: str | None, paths: list[str], fallback: str) -> str:
    """The shown field an error belongs to: the longest shown path the loader's field path
    starts with, else ``fallback`` (the field of the form that was sent).

    >>> error_place("decision_makers[0].preferences.statements[2]",
    ...             ["decision_makers[0]", "decision_makers[0].preferences.statements[2]"], "x")
    'decision_makers[0].preferences.statements[2]'
    >>> error_place("status_quo", ["name"], "sq")
    'sq'
    """
    best = ""
    for p in paths:
        if field and (field == p or field.startswith((p + ".", p + "["))) and len(p) > len(best):
            best = p
    return best or fallback


# ----- routes ---------------------------------------------------------------------------
def _context(
    b: Workbench,
    request: Request,
    model_id: int,
    text: str | None = None,
    error: dict[str, Any] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    v, model = b.model(model_id)
    data, paths = view(text if text is not None else v.yaml, model)
    if error is not None:
        error["at"] = error_place(error.get("field"), paths, error.get("fallback", ""))
    undo, redo = history(request).counts(model_id, v.version)
    return {
        "v": v,
        "model": model,
        "e": data,
        "error": error,
        "yaml": v.yaml,
        "edited_from": version or v.version,
        "undo": undo,
        "redo": redo,
        "directions": edits.DIRECTIONS,
    }


@router.get("/models/{model_id}/editor", response_class=HTMLResponse)
async def editor_page(request: Request, model_id: int) -> Response:
    b = bench(request)
    ctx = await run_in_threadpool(_context, b, request, _id(model_id))
    return templates.TemplateResponse(request, "editor.html", ctx)


@router.post("/models/{model_id}/editor/undo")
async def undo(request: Request, model_id: int) -> Response:
    return await _undo(request, _id(model_id), redo=False)


@router.post("/models/{model_id}/editor/redo")
async def redo(request: Request, model_id: int) -> Response:
    return await _undo(request, _id(model_id), redo=True)


async def _undo(request: Request, model_id: int, redo: bool) -> Response:
    b = bench(request)
    latest = await run_in_threadpool(b.version, model_id)
    back = history(request).take(model_id, redo, latest.version)
    if back is not None:
        old = await run_in_threadpool(b.version, model_id, back)
        await run_in_threadpool(b.save, model_id, old.yaml, latest.version)
    return RedirectResponse(f"/models/{model_id}/editor", status_code=303)


@router.post("/models/{model_id}/editor/{op}", response_class=HTMLResponse)
async def edit(request: Request, model_id: int, op: str) -> Response:
    b = bench(request)
    _id(model_id)
    if op not in OPS:
        raise NotFound(f"no editor operation {op!r}")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    expected = _int(form, "version")
    latest = await run_in_threadpool(b.version, model_id)
    if latest.version != expected:
        ctx = await run_in_threadpool(_context, b, request, model_id)
        ctx["message"] = (
            f"Version {latest.version} was saved while you edited version "
            f"{expected}; nothing was saved. The forms now show version "
            f"{latest.version}: make your change again."
        )
        return templates.TemplateResponse(request, "editor.html", ctx, status_code=409)
    try:
        text = await run_in_threadpool(OPS[op], latest.yaml, form)
    except (DetenteError, KeyError, ValueError) as exc:
        return await _invalid(request, b, model_id, None, exc, form)
    try:
        ref = await run_in_threadpool(b.save, model_id, text, expected)
    except StaleVersion:
        return RedirectResponse(f"/models/{model_id}/editor", status_code=303)
    except DetenteError as exc:
        return await _invalid(request, b, model_id, text, exc, form)
    if ref.changed:
        history(request).edited(model_id, expected)
    anchor = form.get("anchor", "")
    return RedirectResponse(
        f"/models/{model_id}/editor" + (f"#{anchor}" if anchor else ""), status_code=303
    )


async def _invalid(
    request: Request, b: Workbench, model_id: int, text: str | None, exc: Exception, form: Form
) -> Response:
    """The forms again with the message at the field it concerns; nothing saved."""
    if isinstance(exc, KeyError):
        exc = ModelError(f"the form lacks the field {exc.args[0]!r}")
    field = exc.field if isinstance(exc, ModelError) else None
    message = exc.message if isinstance(exc, ModelError) else str(exc)
    error = {
        "message": message,
        "field": field,
        "fallback": form.get("at", ""),
        "detail": getattr(exc, "detail", None),
    }
    try:
        ctx = await run_in_threadpool(_context, b, request, model_id, text, error)
    except DetenteError:  # the new text's structure cannot even be shown: show the saved one
        ctx = await run_in_threadpool(_context, b, request, model_id, None, error)
    ctx["message"] = f"Not saved: {message}"
    return templates.TemplateResponse(request, "editor.html", ctx, status_code=422)


# ----- the wizard -----------------------------------------------------------------------
STEPS = ("parties", "options", "cares", "status_quo", "analyse")


def _option_line(line: str) -> tuple[str, list[str]]:
    """``name`` (a yes/no option) or ``name: low, mid, high`` (levels, lowest first)."""
    name, _, levels = line.partition(":")
    return name.strip(), _lines(levels)


def _wizard_data(form: Form) -> dict[str, Any]:
    parties = _lines(form.get("parties", ""))
    lines = [_rows(form.get(f"options-{k}", "")) for k in range(len(parties))]
    options = [[_option_line(x)[0] for x in rows] for rows in lines]
    levels = {n: lv for rows in lines for n, lv in map(_option_line, rows) if lv}
    cares = [
        [form.get(f"cares-{k}-{r}", "").strip() for r in range(WIZARD_ROWS)]
        for k in range(len(parties))
    ]
    return {
        "name": form.get("name", "").strip() or "New conflict",
        "parties": parties,
        "options": options,
        "lines": lines,
        "levels": levels,
        "cares": cares,
        "status_quo": _values(form, "sq-"),
    }


def wizard_text(data: dict[str, Any], upto: int) -> str:
    """The model the wizard's answers give, through step ``upto`` (edits operations)."""
    parties, options = data["parties"], data["options"]
    if not parties:
        raise ModelError("name at least one party", field="parties")
    if upto < 1:
        return edits.blank_model(data["name"], parties[0], "placeholder_option")
    for k, party in enumerate(parties):
        if not options[k]:
            raise ModelError(
                f"give {party} at least one option", field=f"decision_makers[{k}].options"
            )
    levels = data.get("levels", {})
    text = edits.blank_model(data["name"], parties[0], options[0][0])
    if options[0][0] in levels:
        text = edits.set_option(text, options[0][0], levels=levels[options[0][0]])
    for name in options[0][1:]:
        text = edits.add_option(text, parties[0], name, levels.get(name, ()))
    for k, party in enumerate(parties[1:], 1):
        text = edits.add_dm(text, party, options[k][0])
        if options[k][0] in levels:
            text = edits.set_option(text, options[k][0], levels=levels[options[k][0]])
        for name in options[k][1:]:
            text = edits.add_option(text, party, name, levels.get(name, ()))
    if upto >= 2:
        for k, party in enumerate(parties):
            for statement in data["cares"][k]:
                if statement:
                    text = edits.add_statement(text, party, statement)
    if upto >= 3:
        names = [n for opts in options for n in opts]
        text = edits.set_status_quo(
            text,
            {n: data["status_quo"].get(n, (levels.get(n) or [NO])[0]) for n in names},
        )
    return text


def wizard_input(field: str | None, data: dict[str, Any]) -> str:
    """The wizard's input a loader error path belongs to ("" when none does).

    >>> d = {"cares": [["", "a", "", "not a"]]}
    >>> wizard_input("decision_makers[0].preferences.statements[1]", d)
    'cares-0-3'
    >>> wizard_input("decision_makers[0].options[1].name", d), wizard_input("status_quo", d)
    ('options-0', 'sq')
    """
    if not field:
        return ""
    if field.startswith(("parties", "decision_makers[")) and ".options" not in field:
        found = re.match(r"decision_makers\[(\d+)\]\.preferences\.statements\[(\d+)\]", field)
        if found:
            k, i = int(found.group(1)), int(found.group(2))
            rows = [
                r for r, x in enumerate(data["cares"][k] if k < len(data["cares"]) else []) if x
            ]
            return f"cares-{k}-{rows[i]}" if i < len(rows) else ""
        return "parties" if field == "parties" else ""
    found = re.match(r"decision_makers\[(\d+)\]\.options", field)
    if found:
        return f"options-{found.group(1)}"
    return "sq" if field.startswith("status_quo") else ""


@router.get("/wizard", response_class=HTMLResponse)
async def wizard_start(request: Request) -> Response:
    return templates.TemplateResponse(
        request,
        "editor_wizard.html",
        {
            "step": 0,
            "steps": STEPS,
            "d": _wizard_data({}),
            "rows": WIZARD_ROWS,
            "error": None,
            "pickable": [],
        },
    )


@router.post("/wizard", response_class=HTMLResponse)
async def wizard_step(request: Request) -> Response:
    b = bench(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    data = _wizard_data(form)
    step = _int(form, "step")
    go = step - 1 if form.get("back") else step + 1
    go = max(0, min(go, len(STEPS) - 1))
    error = None
    if not form.get("back"):
        try:
            text = wizard_text(data, min(step, 3))
            await run_in_threadpool(b.parse, text)
        except DetenteError as exc:
            error = {
                "message": exc.message if isinstance(exc, ModelError) else str(exc),
                "field": getattr(exc, "field", None),
            }
            error["input"] = wizard_input(error["field"], data)
            go = step
        else:
            if step == len(STEPS) - 2:  # the status quo given: save, then analyse
                ref = await run_in_threadpool(b.create, text)
                return RedirectResponse(f"/models/{ref.id}", status_code=303)
    pickable = [n for opts in data["options"] for n in opts]
    cares = [f"{n} is {lv}" for n in pickable for lv in data["levels"].get(n, [])] + [
        n for n in pickable if n not in data["levels"]
    ]
    return templates.TemplateResponse(
        request,
        "editor_wizard.html",
        {
            "step": go,
            "steps": STEPS,
            "d": data,
            "rows": WIZARD_ROWS,
            "error": error,
            "pickable": pickable,
            "cares_pickable": cares,
        },
        status_code=422 if error else 200,
    )
