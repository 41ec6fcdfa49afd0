"""Arrange a model's case file for presentation: the data of a report.

:func:`build_report` files the analyses (:func:`detente.analyses.casefile.build_case_file`)
and :func:`report_data` arranges the typed results for the templates; :mod:`.render` turns
the data into HTML or Markdown. Each optional section is one function of the case file in
:data:`SECTIONS` (context key, function); it returns ``None`` when there is nothing to show.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

import detente
from detente.analyses.casefile import CaseFile, build_case_file
from detente.analyses.coalitions.joint import joint_counts, joint_improvements
from detente.analyses.coalitions.output import DEFINITIONS
from detente.analyses.explain.wording import collapse_verdicts
from detente.analyses.moves import JointMove, signed_text
from detente.analyses.state_view import number_view, state_view, string_view
from detente.analyses.summary import ModelSummary
from detente.engine.registry import (
    BASELINE_KEY,
    COALITION_NAMES,
    CONCEPT_HELP,
    concept_label,
    get_concept,
)
from detente.model.conflict import Conflict
from detente.model.feasibility import InfeasiblePattern
from detente.model.states import Column, StateRefError
from detente.surfaces.report.brief_section import brief_section
from detente.surfaces.report.charts import probability_bars_png
from detente.surfaces.report.deal import deal_section, design_section
from detente.surfaces.report.graph import DEFAULT_MAX_NODES, dm_color, draw_png, edge_list
from detente.surfaces.report.hypergame import hypergame_section
from detente.surfaces.report.negotiation import drafts_section, packages_section

#: Feasible states listed in the full state table (larger models list only equilibria).
MAX_STATE_ROWS = 64
#: Equilibria listed in the table (the status quo and the most robust ones first).
MAX_EQUILIBRIUM_ROWS = 60
#: State numbers listed inline per concept before "… (n in all)".
MAX_INLINE_NUMBERS = 30
#: Coalitional improvements listed per coalition; reasons listed per DM and concept.
MAX_COALITION_MOVES = 30
MAX_REASONS = 4
#: Final states (where the status quo's evolution stops) listed per scenario.
MAX_FINAL_STATES = 20
#: States in the robustness table and chart; uncertain elements listed by swing.
MAX_ROBUST_STATES = 8
MAX_ROBUST_ELEMENTS = 6

DIRECTION_NOTE = {
    "both": "",
    "fwd": "irreversible: once taken, cannot be undone",
    "back": "irreversible: once dropped, cannot be taken again",
}


@dataclass
class ReportData:
    """Everything a template needs, as plain data (plus the graph image bytes)."""

    context: dict[str, Any]
    graph_png: bytes | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def graph_base64(self) -> str | None:
        if self.graph_png is None:
            return None
        return base64.b64encode(self.graph_png).decode("ascii")


def build_report(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
    with_graph: bool = True,
) -> ReportData:
    """Run the analyses of ``model`` and arrange their results for a report."""
    case = build_case_file(model, concepts, with_graph=with_graph, max_nodes=max_nodes,
                           summary_states=MAX_STATE_ROWS)
    return report_data(case)


def report_data(case: CaseFile) -> ReportData:
    """Arrange a case file for the report templates (and draw its graph)."""
    model = case.conflict
    result = case.stability
    ctx: dict[str, Any] = {
        "title": model.name,
        "description": model.description.strip(),
        "sources": list(model.sources),
        "file": model.source_file,
        "version": detente.__version__,
        "date": date.today().isoformat(),
        "n_options": model.n_options,
        "n_states": model.n_states,
        "candidate_states": 2**model.n_options,
        "dms": _dms(model, case.summary),
        "constraints": _constraints(model),
        "status_quo": _status_quo(model),
        "coalitions": [list(x) for x in model.coalitions],
        "columns": _columns(model),
    }
    ctx.update(_stability(case))
    ctx["states_table"] = _states_table(case)

    data = ReportData(ctx)
    tg = case.graph
    if tg is not None:
        analysed = BASELINE_KEY in result.concepts  # Nash: where improving stops
        nash = result.equilibria(BASELINE_KEY) if analysed else []
        any_eq = {code for key in result.concepts for code in result.equilibria(key)}
        data.graph_png = draw_png(tg, model, nash, any_eq)
        ctx["graph"] = {
            "drawn": tg.drawn,
            "reachable": tg.reachable,
            "truncated": tg.truncated,
            "notes": list(tg.notes),
            "edges": list(edge_list(tg, model)),
            "nash_analysed": analysed,
        }
    else:
        ctx["graph"] = None

    for key, section in SECTIONS:
        ctx[key] = section(case)
    data.notes.extend(case.notes)
    ctx["notes"] = data.notes
    return data


# ----- pieces ----------------------------------------------------------------------------
def _dms(c: Conflict, summary: ModelSummary) -> list[dict[str, Any]]:
    by_name = {o.name: o for o in summary.options}
    out = []
    for i, dm in enumerate(summary.decision_makers):
        prefs = dict(dm.preferences)
        if prefs["kind"] == "ranking":
            prefs["tiers"] = [
                [{"state": s, "number": c.state_number(c.parse_state(s)),
                  "words": c.space.words(c.parse_state(s))} for s in tier]
                for tier in prefs["ranking"]
            ]
        elif prefs["kind"] == "payoffs":
            prefs["payoffs"] = sorted(
                ({**p, "number": c.state_number(c.parse_state(p["state"])),
                  "words": c.space.words(c.parse_state(p["state"]))}
                 for p in prefs["payoffs"]),
                key=lambda p: -float(p["value"]),
            )
        out.append({
            "name": dm.name,
            "description": (dm.description or "").strip(),
            "color": dm_color(i),
            "options": [
                {**by_name[name].to_dict(),
                 "description": (by_name[name].description or "").strip(),
                 "direction_note": DIRECTION_NOTE[by_name[name].direction]}
                for name in dm.options
            ],
            "preferences": prefs,
        })
    return out


def _constraints(c: Conflict) -> list[dict[str, str]]:
    return [
        {"kind": "impossible" if isinstance(con, InfeasiblePattern) else "required",
         "condition": c.space.describe(con), "reason": con.reason.strip()}
        for con in c.constraints
    ]


def _status_quo(c: Conflict) -> dict[str, Any] | None:
    if c.status_quo is None:
        return None
    return {
        "number": c.state_number(c.status_quo),
        "state": c.state_string(c.status_quo),
        "view": state_view(c, c.status_quo),
        "cells": _cells(c, c.status_quo),
        "rationale": c.status_quo_rationale.strip(),
        "taken": _taken(c, c.status_quo),
    }


def _dm_columns(c: Conflict, options: tuple[str, ...]) -> list[Column]:
    """A DM's options as written (a levelled option once), in model order."""
    own = set(options)
    return [col for col in c.space.columns if c.option_names[col.bits[0]] in own]


def _columns(c: Conflict) -> list[dict[str, Any]]:
    """Option columns (as written) grouped by decision maker, in display order."""
    return [
        {"dm": dm.name, "color": dm_color(i),
         "options": [col.name for col in _dm_columns(c, dm.options)]}
        for i, dm in enumerate(c.dms)
    ]


def _cells(c: Conflict, code: int) -> list[str]:
    """Y/N (a levelled option: its level) per option, in the grouped column order of
    :func:`_columns`."""
    return [col.value(code) for dm in c.dms for col in _dm_columns(c, dm.options)]


def _taken(c: Conflict, code: int) -> list[str]:
    """The options taken at ``code``, as written (a levelled option above its first level:
    ``'corridor is reduced'``)."""
    out = []
    for col in c.space.columns:
        value = col.value(code)
        if not col.is_lowest(value):
            out.append(col.name if col.levels is None else f"{col.name} is {value}")
    return out


def _stability(case: CaseFile) -> dict[str, Any]:
    c, result = case.conflict, case.stability
    concepts = [
        {"key": key, "label": concept_label(key), "help": get_concept(key).help,
         "numbers": result.equilibria_numbers(key), "states": result.equilibria_strings(key)}
        for key in result.concepts
    ]
    masks = {key: result.equilibrium_mask(key) for key in result.concepts}
    positions = sorted({int(k) - 1 for key in result.concepts
                        for k in result.equilibria_numbers(key)})
    total = len(positions)
    if total > MAX_EQUILIBRIUM_ROWS:
        # Keep the status quo and the states that satisfy the most concepts.
        def strength(k: int) -> tuple[bool, int, int]:
            sq = c.status_quo is not None and int(c.feasible[k]) == c.status_quo
            return (not sq, -sum(bool(m[k]) for m in masks.values()), k)

        positions = sorted(sorted(positions, key=strength)[:MAX_EQUILIBRIUM_ROWS])
    rows = []
    for k in positions:
        code = int(c.feasible[k])
        rows.append({
            "number": k + 1,
            "state": c.state_string(code),
            "cells": _cells(c, code),
            "concepts": {key: bool(masks[key][k]) for key in result.concepts},
            "status_quo": code == c.status_quo,
            "taken": _taken(c, code),
        })
    return {"concepts": concepts, "equilibria": rows, "equilibria_total": total,
            "max_inline": MAX_INLINE_NUMBERS,
            "concept_labels": {key: concept_label(key) for key in result.concepts}}


def _states_table(case: CaseFile) -> dict[str, Any] | None:
    """Every feasible state with ranks and equilibrium marks (small models only)."""
    c, result = case.conflict, case.stability
    if c.n_states > MAX_STATE_ROWS:
        return None
    masks = {key: result.equilibrium_mask(key) for key in result.concepts}
    rows = []
    for k, st in enumerate(case.summary.states):
        rows.append({
            "number": st.number,
            "state": st.state,
            "cells": _cells(c, st.code),
            "ranks": [st.ranks[dm.name] for dm in c.dms],
            "concepts": {key: bool(masks[key][k]) for key in result.concepts},
            "status_quo": st.status_quo,
        })
    return {"rows": rows}


def _why_status_quo(case: CaseFile) -> dict[str, Any] | None:
    """Per DM and concept: is the status quo stable, and which improvement breaks it."""
    ex = case.status_quo
    if ex is None:
        return None
    dms = []
    for i, d in enumerate(ex.dms):
        verdicts: list[dict[str, Any]] = []
        for key in ex.concepts:  # the classic concepts (casefile.classic_keys)
            verdict = d.verdict(key)
            reasons = [ch.reason for ch in verdict.checks]
            verdicts.append({"key": key, "label": verdict.label, "stable": verdict.stable,
                             "summary": verdict.summary, "reasons": reasons[:MAX_REASONS],
                             "more": max(0, len(reasons) - MAX_REASONS)})
        # What holds under several concepts is said once (as the CLI's explain says it).
        collapsed = [
            {"labels": [label], "stable": members[0].stable, "summary": members[0].summary,
             "reasons": [ch.reason for ch in members[0].checks][:MAX_REASONS]}
            for members, label in collapse_verdicts([d.verdict(key) for key in ex.concepts])
        ]
        # Concepts with the same verdict and reasons are shown together.
        groups: dict[tuple[bool, tuple[str, ...]], list[str]] = {}
        for v in verdicts:
            groups.setdefault((v["stable"], tuple(v["reasons"])), []).append(v["label"])
        dms.append({
            "name": d.dm, "color": dm_color(i), "rank": d.rank,
            "rank_levels": d.rank_levels, "verdicts": verdicts,
            "has_moves": bool(d.improvements),
            "summary": verdicts[0]["summary"] if verdicts else "",
            "groups": [{"labels": labels, "stable": stable, "reasons": list(reasons)}
                       for (stable, reasons), labels in groups.items()],
            "collapsed": collapsed,
        })
    return {"number": ex.state.number, "state": ex.state.state, "dms": dms,
            "view": number_view(case.conflict, ex.state.number)}


def _coalition_section(case: CaseFile) -> dict[str, Any] | None:
    """Coalition findings: joint improvements (from the status quo and from equilibria first)
    and the equilibria that no longer hold once coalitions may move."""
    c, result, co = case.conflict, case.stability, case.coalitions
    if co is None or not co.coalitions:
        return None
    equilibria = {n for key in result.concepts for n in result.equilibrium_numbers(key)}
    sq = None if c.status_quo is None else c.state_number(c.status_quo)
    coalitions = []
    for h, members in enumerate(co.coalitions):
        moves: list[dict[str, Any]] = []
        # states in the order the moves are shown (the status quo, equilibria, the rest), and
        # only as many as the shown moves need: each state's moves are built at once
        joint = joint_counts(co, h)  # only the moves no member could make alone
        starts = [int(s) + 1 for s in np.flatnonzero(joint)]
        starts.sort(key=lambda n: (n != sq, n not in equilibria, n))
        for number in starts:
            if len(moves) >= MAX_COALITION_MOVES:
                break
            for m in joint_improvements(co, members, number):
                moves.append({
                    "from": {**m.source.to_dict(), "view": number_view(c, m.source.number)},
                    "to": {**m.target.to_dict(), "view": number_view(c, m.target.number)},
                    "from_sq": m.source.number == sq,
                    "from_equilibrium": m.source.number in equilibria,
                    "to_equilibrium": m.target.number in equilibria,
                    "change": signed_text(m.changes),
                    "steps": [{"dm": st.dm, "from": st.source.number, "to": st.target.number,
                               "change": signed_text(st.changes)} for st in m.steps],
                })
        moves.sort(key=lambda m: (not m["from_sq"], not m["from_equilibrium"],
                                  m["from"]["number"], m["to"]["number"]))
        total = int(joint.sum())
        coalitions.append({
            "members": list(members), "n_moves": total,
            "alone": int(co.n_improvements[h].sum()) - total,
            "moves": moves[:MAX_COALITION_MOVES],
            "hidden": max(0, total - MAX_COALITION_MOVES),
        })
    concepts = []
    for key in co.concepts:
        numbers = co.equilibrium_numbers(key)
        plain = result.equilibrium_numbers(key) if key in result.concepts else None
        concepts.append({
            "key": key, "label": COALITION_NAMES[key], "numbers": numbers,
            "plain_label": concept_label(key),
            "lost": None if plain is None else sorted(set(plain) - set(numbers)),
        })
    return {"coalitions": coalitions, "concepts": concepts, "definitions": DEFINITIONS}


def _evolution_section(case: CaseFile) -> list[dict[str, Any]] | None:
    """Status-quo analysis: where unilateral improvements (and, when the model names
    coalitions, joint improvements) lead from the status quo."""
    c = case.conflict
    out: list[dict[str, Any]] = []
    for scenario in case.evolution:
        ev = scenario.result
        final = [
            {"number": c.state_number(code), "state": c.state_string(code),
             "view": state_view(c, code),
             "path": [_move_view(c, m) for m in ev.path_moves(c.state_string(code))]}
            for code in ev.final_codes()
        ]
        out.append({
            "title": scenario.title,
            "coalitional": bool(ev.coalitions),
            "start": {"number": c.state_number(ev.start), "state": c.state_string(ev.start),
                      "view": state_view(c, ev.start)},
            "n_reachable": len(ev.states),
            "final": final[:MAX_FINAL_STATES],
            "final_hidden": max(0, len(final) - MAX_FINAL_STATES),
            "concepts": [
                {"label": concept_label(key), "reachable": ev.reachable_equilibria(key),
                 "unreachable": ev.unreachable_equilibria(key)}
                for key in ev.equilibria
            ],
        })
    return out or None


def _move_view(c: Conflict, m: JointMove) -> dict[str, Any]:
    """One improvement (a DM's, or a coalition's joint move) for display."""
    return {
        "by": " + ".join(m.by), "joint": m.joint,
        "from": m.source.number, "to": m.target.number, "to_state": m.target.state,
        "to_view": state_view(c, m.target.code),
        "change": signed_text(m.changes),
        "steps": [{"dm": st.dm, "change": signed_text(st.changes),
                   "from": st.source.number, "to": st.target.number}
                  for st in m.steps],
    }


def _view_of_text(c: Conflict, text: str | None) -> dict[str, Any] | None:
    """:func:`state_view` of a feasible state written as Y/N text (``None`` for a pattern or
    an infeasible combination: those stay as written)."""
    if not text:
        return None
    try:
        return state_view(c, c.parse_state(text))
    except StateRefError:
        return None


#: Unmet requirements listed per concept in the mediation section.
MAX_REQUIREMENTS = 6


def _mediation_section(case: CaseFile) -> dict[str, Any] | None:
    """What would make the model's target deal hold: per concept, the minimal statement
    edits, the requirements not met now, and the mediators' levers."""
    if not case.mediation:
        return None
    c = case.conflict
    first = case.mediation[0]
    rows = []
    for r in case.mediation:
        unmet = r.unmet(r.focus)
        rows.append({
            "label": r.concept_text, "headline": r.headline(),
            "already": r.already_stable, "min_edits": r.min_edits,
            "focus": r.focus, "focus_view": _view_of_text(c, r.focus),
            "unmet": [q.text for q in unmet[:MAX_REQUIREMENTS]],
            "unmet_hidden": max(0, len(unmet) - MAX_REQUIREMENTS),
            "solutions": [{
                "target": sol.target, "target_view": _view_of_text(c, sol.target),
                "edits": [{"text": e.text(), "rationale": " ".join(e.rationale.split())}
                          for e in sol.edits],
                "equilibria": {concept_label(k): len(v) for k, v in sol.equilibria.items()},
            } for sol in r.solutions],
            "truncated": r.truncated,
            "levers": [{"number": lv.number, "state": lv.state,
                        "view": number_view(c, lv.number),
                        "settings": ", ".join(f"{k}={v}" for k, v in lv.settings.items())}
                       for lv in r.working_levers()],
            "commitments": [] if r.commitments is None or not r.commitments.declared
            else [x.strip() for x in r.commitments.lines(r.target, r.concept_text,
                                                          r.min_edits)],
        })
    return {"target": first.target, "n_targets": len(first.targets),
            "mediators": list(first.mediators), "rows": rows, "notes": list(first.notes),
            "max_edits": first.max_edits}
def _robustness_section(case: CaseFile) -> dict[str, Any] | None:
    """How sure are these conclusions: the leading states' probabilities of being equilibria
    under the declared uncertainty (table and chart), the status quo's fate, and the uncertain
    elements that move the leading states most."""
    r = case.robustness
    if r is None:
        return None
    c = case.conflict
    shown: list[int] = []
    for key in r.concepts:
        for s in r.leading(key, MAX_ROBUST_STATES):
            if s not in shown and len(shown) < MAX_ROBUST_STATES:
                shown.append(s)
    labels = [concept_label(k) for k in r.concepts]
    probs = [[float(r.equilibrium[k][s]) for k in r.concepts] for s in shown]
    names = [c.state_string(int(c.feasible[s])) for s in shown]
    rows = [{"number": s + 1, "state": name, "p": p, "view": number_view(c, s + 1)}
            for s, name, p in zip(shown, names, probs, strict=True)]
    png = None
    if rows:
        png = probability_bars_png(
            [f"{s + 1} {name}" for s, name in zip(shown, names, strict=True)],
            {lab: [p[j] for p in probs] for j, lab in enumerate(labels)},
            "Leading states under uncertain preferences")
    fate = r.status_quo()
    elements = [
        {**e, "settings": [
            {**x, "states": [{"view": string_view(c, st), "p": q}
                             for st, q in x["equilibrium_probability"].items()]}
            for x in e["settings"]]}
        for e in r.sensitivity() if e["swing"] > 0][:MAX_ROBUST_ELEMENTS]
    return {
        "profiles": r.profiles, "samples": r.samples, "exact": r.exact, "seed": r.seed,
        "labels": labels, "rows": rows,
        "chart": base64.b64encode(png).decode("ascii") if png else None,
        "status_quo": None if fate is None else {
            "state": fate["state"], "view": string_view(c, fate["state"]),
            "concepts": [{"label": concept_label(k), "p": p}
                         for k, p in fate["equilibrium_probability"].items()],
            "reaches": [{"state": s, "number": c.state_number(c.parse_state(s)), "p": p,
                         "view": string_view(c, s)}
                        for s, p in list(fate["reaches"].items())[:MAX_ROBUST_STATES]],
        },
        "sensitivity_concept": labels[0] if labels else "",
        "elements": elements,
        "uncertain": [{"dm": dm.name, "readings": [
            {"name": x.name, "probability": x.probability, "rationale": x.rationale}
            for x in dm.readings]} for dm in c.dms if dm.readings],
    }


def _deal_section(case: CaseFile) -> dict[str, Any] | None:
    """The deal's section, each phase's state in words (:func:`state_view`)."""
    if case.deal is None:
        return None
    out = deal_section(case.deal)
    for row in out["rows"]:
        row["view"] = number_view(case.conflict, row["state_number"])
    return out


#: The optional sections of a report, in order: (context key, section of the case file).
SECTIONS: tuple[tuple[str, Callable[[CaseFile], Any]], ...] = (
    ("brief", lambda case: None if case.brief is None else brief_section(case.brief)),
    ("why_status_quo", _why_status_quo),
    ("evolution", _evolution_section),
    ("coalition_analysis", _coalition_section),
    ("mediation", _mediation_section),
    ("robustness", _robustness_section),
    ("deal", lambda case: _deal_section(case)),
    ("deal_design",
     lambda case: None if case.deal_design is None else design_section(case.deal_design)),
    ("hypergame",
     lambda case: None if case.hypergame is None else hypergame_section(case.hypergame)),
    ("packages",
     lambda case: None if case.packages is None else packages_section(case.packages)),
    ("drafts", lambda case: None if case.drafts is None else drafts_section(case.drafts)),
)


__all__ = ["CONCEPT_HELP", "MAX_EQUILIBRIUM_ROWS", "MAX_STATE_ROWS", "SECTIONS", "ReportData",
           "build_report", "report_data"]
