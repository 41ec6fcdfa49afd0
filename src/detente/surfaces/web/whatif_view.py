"""The what-if panel's plain data: its toggles (from :func:`~detente.analyses.whatif.elements`),
the form's fields read as a scenario and a scenario read back as the form's fields, the flip
chart's bars and the comparison of two briefs. No analysis here: the answers come from
:func:`~detente.analyses.whatif.whatif`.

Fields: ``r{i}`` the reading DM ``i`` holds (empty: uncertain, as declared); ``s{i}_{j}`` its
``j``-th statement that holds with a probability (``hold``, ``drop``, empty); ``g{i}_{k}`` its
``k``-th group in unknown order (the index of an order, empty); ``o{i}`` option ``i`` fixed
(a value, empty); ``c{i}`` declared commitment device ``i`` made (``1``). A statement or group
of a reading other than the one chosen (``main`` when none is) is ignored, as the scenario
takes a DM's other readings out.

>>> import detente
>>> from detente.analyses.whatif import elements
>>> el = elements(detente.load("tests/data/whatif_pledge.yaml"))
>>> form_to_scenario(el, {"r1": "defector", "s0_0": "drop"})
{'alternatives': {'B': 'defector'}, 'statements': {'A': {'a if b': False}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from detente.analyses.whatif import MAIN, Elements
from detente.engine.registry import concept_label
from detente.model.errors import ArgumentError

#: Longest scenario name accepted.
MAX_NAME = 100
#: Width of the flip chart's bar area (SVG user units) and the height of one bar's row.
BAR_WIDTH, ROW = 320, 28


@dataclass(frozen=True)
class Toggle:
    """One control: its field, label, choices (value, text; the first is "as declared") and,
    for a statement or group, the reading it belongs to."""

    field: str
    label: str
    choices: tuple[tuple[str, str], ...]
    reading: str | None = None
    checkbox: bool = False


@dataclass(frozen=True)
class ToggleGroup:
    """The toggles of one DM, of the guarantors, of the other options or of commitments."""

    title: str
    toggles: tuple[Toggle, ...]
    dm: int | None = None


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def panel(el: Elements) -> tuple[ToggleGroup, ...]:
    """The panel's toggles: per uncertain DM its reading, statements and groups; the deal's
    guarantors' settings; the other options' settings; the declared commitment devices."""
    out = []
    for i, d in enumerate(el.dms):
        toggles = []
        if len(d.readings) > 1:
            toggles.append(
                Toggle(
                    f"r{i}",
                    "reading",
                    (
                        ("", "uncertain (as declared)"),
                        *(
                            (r, f"{r} ({_pct(p)})")
                            for r, p in zip(d.readings, d.probabilities, strict=True)
                        ),
                    ),
                )
            )
        for j, (reading, text, p) in enumerate(d.statements):
            toggles.append(
                Toggle(
                    f"s{i}_{j}",
                    f"“{text}”",
                    (
                        ("", f"uncertain (holds {_pct(p)})"),
                        ("hold", "holds"),
                        ("drop", "does not hold"),
                    ),
                    reading,
                )
            )
        for k, g in enumerate(d.groups):
            toggles.append(
                Toggle(
                    f"g{i}_{k}",
                    "order of " + ", ".join(g.statements),
                    (
                        ("", "uncertain (any order)"),
                        *((str(n), " > ".join(o)) for n, o in enumerate(g.orders)),
                    ),
                    g.reading,
                )
            )
        out.append(ToggleGroup(d.dm, tuple(toggles), i))
    guarantors = set(el.guarantors)
    for title, pick in (("Guarantors", True), ("Other options", False)):
        toggles = [
            Toggle(f"o{i}", opt, (("", "as each proposal has it"), *((v, v) for v in values)))
            for i, (opt, values) in enumerate(el.options)
            if (opt in guarantors) == pick
        ]
        if toggles:
            out.append(ToggleGroup(title, tuple(toggles)))
    if el.commitments:
        out.append(
            ToggleGroup(
                "Commitments",
                tuple(
                    Toggle(f"c{i}", words, (("", "not made"), ("1", "made")), checkbox=True)
                    for i, (_opt, _make, words) in enumerate(el.commitments)
                ),
            )
        )
    return tuple(out)


def _value(form: Mapping[str, str], field: str, allowed: list[str]) -> str:
    v = form.get(field, "")
    if v and v not in allowed:
        raise ArgumentError(
            f"expected one of {', '.join(allowed)}, got {v[:100]!r}", parameter=field
        )
    return v


def form_to_scenario(el: Elements, form: Mapping[str, str]) -> dict[str, Any]:
    """The scenario (its JSON form) the panel's fields describe; a value no toggle offers
    is an ArgumentError naming the field."""
    alternatives: dict[str, str] = {}
    statements: dict[str, dict[str, bool]] = {}
    orders: dict[str, list[list[str]]] = {}
    for i, d in enumerate(el.dms):
        reading = _value(form, f"r{i}", list(d.readings))
        chosen = reading or MAIN
        sts = {}
        for j, (r, text, _p) in enumerate(d.statements):
            v = _value(form, f"s{i}_{j}", ["hold", "drop"])
            if v and r == chosen:
                sts[text] = v == "hold"
        ords = []
        for k, g in enumerate(d.groups):
            v = _value(form, f"g{i}_{k}", [str(n) for n in range(len(g.orders))])
            if v and g.reading == chosen:
                ords.append(list(g.orders[int(v)]))
        if reading:
            alternatives[d.dm] = reading
        if sts:
            statements[d.dm] = sts
        if ords:
            orders[d.dm] = ords
    settings = {}
    for i, (opt, values) in enumerate(el.options):
        v = _value(form, f"o{i}", list(values))
        if v:
            settings[opt] = v
    commitments = {}
    for i, (opt, make, _words) in enumerate(el.commitments):
        if _value(form, f"c{i}", ["1"]):
            commitments[opt] = make
    parts = {
        "alternatives": alternatives,
        "statements": statements,
        "orders": orders,
        "settings": settings,
        "commitments": commitments,
    }
    return {k: v for k, v in parts.items() if v}


def scenario_to_form(el: Elements, scenario: Mapping[str, Any]) -> dict[str, str]:
    """The panel's fields showing ``scenario`` (what no toggle offers is left out: the brief
    shown is still the scenario's own)."""
    form: dict[str, str] = {}
    alts = scenario.get("alternatives", {})
    sts = scenario.get("statements", {})
    ords = scenario.get("orders", {})
    for i, d in enumerate(el.dms):
        reading = alts.get(d.dm, "")
        if reading in d.readings:
            form[f"r{i}"] = reading
        chosen = reading or MAIN
        for j, (r, text, _p) in enumerate(d.statements):
            held = sts.get(d.dm, {}).get(text)
            if r == chosen and isinstance(held, bool):
                form[f"s{i}_{j}"] = "hold" if held else "drop"
        for k, g in enumerate(d.groups):
            for order in ords.get(d.dm, []):
                if g.reading == chosen and tuple(order) in g.orders:
                    form[f"g{i}_{k}"] = str(g.orders.index(tuple(order)))
    settings = scenario.get("settings", {})
    for i, (opt, values) in enumerate(el.options):
        if settings.get(opt) in values:
            form[f"o{i}"] = settings[opt]
    commitments = scenario.get("commitments", {})
    for i, (opt, make, _words) in enumerate(el.commitments):
        if commitments.get(opt) == make:
            form[f"c{i}"] = "1"
    return form


def scenario_name(value: str) -> str:
    """A scenario's name from a form: stripped, 1 to :data:`MAX_NAME` printable characters."""
    name = value.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise ArgumentError(
            f"a scenario's name is 1 to {MAX_NAME} printable characters, got "
            f"{len(name):,} characters",
            parameter="name",
        )
    return name


def flip_chart(brief: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per proposal with flips (the brief's JSON): one bar per single assumption that flips
    its verdict, as long as its probability, with what it flips (SVG geometry)."""
    charts = []
    for p in brief["proposals"]:
        if not p["flips"]:
            continue
        bars = []
        for n, f in enumerate(p["flips"]):
            flipped = ", ".join(f"{v} under {concept_label(c)}" for c, v in f["verdict"].items())
            bars.append(
                {
                    "y": n * ROW,
                    "width": max(1.0, BAR_WIDTH * f["probability"]),
                    "label": f"{f['dm']}: {f['element']} = {f['setting']}",
                    "text": f"{_pct(f['probability'])}: {flipped}",
                    "breaks": "breaks" in f["verdict"].values(),
                }
            )
        charts.append(
            {
                "name": p["name"],
                "kind": p["kind"],
                "bars": bars,
                "height": len(bars) * ROW,
                "bar_width": BAR_WIDTH,
            }
        )
    return charts


def compare(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Two briefs' proposals side by side: per proposal and concept both verdicts (None where
    a brief lacks it), their probabilities, and whether the verdicts differ."""

    def by_name(brief: Mapping[str, Any]) -> dict[str, Any]:
        return {p["name"]: p for p in brief["proposals"]}

    pa, pb = by_name(a), by_name(b)
    names = list(pa) + [n for n in pb if n not in pa]
    concepts = list(a["concepts"]) + [c for c in b["concepts"] if c not in a["concepts"]]
    rows = []
    for name in names:
        sides = (pa.get(name), pb.get(name))
        cells = []
        for c in concepts:
            verdicts = [None if s is None else s["verdict"].get(c) for s in sides]
            probs = [
                None if s is None or s["probability"] is None else s["probability"].get(c)
                for s in sides
            ]
            cells.append(
                {
                    "concept": concept_label(c),
                    "a": verdicts[0],
                    "b": verdicts[1],
                    "pa": probs[0],
                    "pb": probs[1],
                    "differs": verdicts[0] != verdicts[1],
                }
            )
        kind = next(s["kind"] for s in sides if s is not None)
        rows.append(
            {
                "name": name,
                "kind": kind,
                "cells": cells,
                "differs": any(cell["differs"] for cell in cells),
            }
        )
    return rows


__all__ = [
    "MAX_NAME",
    "Toggle",
    "ToggleGroup",
    "compare",
    "flip_chart",
    "form_to_scenario",
    "panel",
    "scenario_name",
    "scenario_to_form",
]
