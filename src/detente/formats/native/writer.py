"""Writing the native YAML model file: a :class:`~detente.model.conflict.Conflict` → YAML text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from detente.formats.files import write_atomic
from detente.formats.native.unknown import write_unknown
from detente.model.conflict import (
    Conflict,
)
from detente.model.deal import Deal, Tranche
from detente.model.errors import ModelError
from detente.model.feasibility import AtLeastOne, Constraint, MutuallyExclusive
from detente.model.levels import LevelledOption
from detente.model.mediation import MediationSection
from detente.model.perceptions import Perception
from detente.model.preferences import (
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
)
from detente.model.states import letter
from detente.model.strength import STRONG_MARK
from detente.model.uncertainty import Reading


# ----- writing --------------------------------------------------------------------------
def to_spec(c: Conflict) -> dict[str, Any]:
    """The native-file data of a model (plain dicts and lists, file order kept)."""
    out: dict[str, Any] = {"detente": 1, "name": c.name}
    if c.description:
        out["description"] = c.description
    if c.sources:
        out["sources"] = list(c.sources)
    by_name = {o.name: o for o in c.options}
    dms = []
    for dm in c.dms:
        d: dict[str, Any] = {"name": dm.name}
        if dm.description:
            d["description"] = dm.description
        opts = []
        for name in dm.options:
            o = by_name[name]
            lv = _levelled_at(c, name)
            if lv is _INNER:
                continue  # a levelled option's later bit: written once, at its first bit
            od: dict[str, Any] = {"name": o.name if lv is None else lv.name}
            if o.description:
                od["description"] = o.description
            if o.direction != "both":
                od["direction"] = o.direction
            if lv is not None:
                od["levels"] = list(lv.levels)
            labels = o.labels if lv is None else lv.labels
            if labels:
                od["labels"] = dict(labels)
            opts.append(od)
        d["options"] = opts
        if dm.readings:
            main = dm.readings[0]
            d["preferences"] = _pref_spec(c, dm.preference, main)
            alts = [
                {"name": r.name, "probability": r.probability,
                 **({"rationale": r.rationale} if r.rationale else {}),
                 "preferences": _pref_spec(c, r.preference, r)}
                for r in dm.readings[1:]
            ]
            if alts:
                d["alternatives"] = alts
        else:
            d["preferences"] = _pref_spec(c, dm.preference)
        write_unknown(c, dm, d["preferences"])
        if dm.blind_spots:
            d["blind_spots"] = list(dm.blind_spots)
        if dm.weights is not None:
            d["weights"] = dm.weights.as_written(c.levels)
        dms.append(d)
    out["decision_makers"] = dms
    if c.constraints:
        out["infeasible"] = [_constraint_spec(c, con) for con in c.constraints]
    if c.status_quo is not None:
        out["status_quo"] = c.state_string(c.status_quo)
    if c.status_quo_rationale:
        out["status_quo_rationale"] = c.status_quo_rationale
    if c.coalitions:
        out["coalitions"] = [list(x) for x in c.coalitions]
    if c.deal is not None:
        out["deal"] = _deal_spec(c, c.deal)
    if not c.mediation.empty:
        out["mediation"] = _mediation_spec(c.mediation)
    if c.perceptions:
        out["perceptions"] = [_perception_spec(c, p) for p in c.perceptions]
    if c.drafts:
        out["drafts"] = [{"name": d.name, "state": d.state,
                          **({"rationale": d.rationale} if d.rationale else {})}
                         for d in c.drafts]
    return out


def _perception_spec(c: Conflict, p: Perception) -> dict[str, Any]:
    d: dict[str, Any] = {"perceiver": p.perceiver}
    if p.about is not None and p.preference is not None:
        d["about"] = p.about
        d["preferences"] = _pref_spec(c, p.preference)
    else:
        d["unaware_of"] = list(p.unaware_of)
    if p.rationale:
        d["rationale"] = p.rationale
    return d


def _mediation_spec(m: MediationSection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.mediators:
        out["mediators"] = list(m.mediators)
    if m.candidates:
        cands: dict[str, list[Any]] = {}
        for cand in m.candidates:
            s = cand.statement
            cands.setdefault(cand.dm, []).append(
                {"statement": s.text, "rationale": s.rationale} if s.rationale else s.text
            )
        out["candidates"] = cands
    if m.target is not None:
        out["target"] = m.target
    if m.concepts:
        out["concepts"] = list(m.concepts)
    if m.commitments:
        out["commitments"] = [
            {"option": x.option, "make": x.make, **({"rationale": x.rationale}
                                                    if x.rationale else {})}
            for x in m.commitments
        ]
    return out


def _deal_spec(c: Conflict, deal: Deal) -> dict[str, Any]:
    d: dict[str, Any] = {"name": deal.name}
    if deal.description:
        d["description"] = deal.description
    if deal.tranches:
        d["tranches"] = [_tranche_spec(c, t) for t in deal.tranches]
    else:
        phases = []
        for ph in deal.phases:
            p: dict[str, Any] = {"name": ph.name, "state": c.state_string(ph.state)}
            if ph.rationale:
                p["rationale"] = ph.rationale
            phases.append(p)
        d["phases"] = phases
    if deal.guarantors:
        d["guarantors"] = list(deal.guarantors)
    return d


def _tranche_spec(c: Conflict, t: Tranche) -> dict[str, Any]:
    care = sum(1 << c.bits[o] for o, _ in t.values)
    want = sum(1 << c.bits[o] for o, v in t.values if v)
    d: dict[str, Any] = {"name": t.name, "set": c.space.assigned(care, want)}
    if t.after:
        d["after"] = list(t.after)
    if t.rationale:
        d["rationale"] = t.rationale
    return d


def _pref_spec(c: Conflict, pref: Preference, reading: Reading | None = None) -> dict[str, Any]:
    if isinstance(pref, StatementPreference):
        maybe = dict(reading.maybe) if reading else {}
        groups = dict(reading.groups) if reading else {}
        items: list[Any] = []
        k = 0
        sts = pref.statements
        while k < len(sts):
            if k in groups:
                size = groups[k]
                items.append({"unknown_order": [_statement_item(s) for s in sts[k : k + size]]})
                k += size
                continue
            item: str | dict[str, Any] = _statement_item(sts[k])
            if k in maybe:
                item = {"statement": sts[k].text, **({"rationale": sts[k].rationale}
                        if sts[k].rationale else {}), "probability": maybe[k],
                        **({"strong": True} if sts[k].strong else {})}
            items.append(item)
            k += 1
        return {"statements": items}
    if isinstance(pref, RankingPreference):
        ranking: list[Any] = []
        for k, t in enumerate(pref.tiers):
            ranking.extend([STRONG_MARK] * pref.strong_breaks.count(k))
            ranking.append(c.state_string(t[0]) if len(t) == 1
                           else [c.state_string(x) for x in t])
        return {"ranking": ranking}
    return {"payoffs": [{"state": c.state_string(s), "value": v} for s, v in pref.payoffs]}


def _statement_item(s: Statement) -> str | dict[str, Any]:
    if not (s.rationale or s.strong):
        return s.text
    return {"statement": s.text, **({"rationale": s.rationale} if s.rationale else {}),
            **({"strong": True} if s.strong else {})}


#: Marks an internal bit of a levelled option other than its first (see :func:`_levelled_at`).
_INNER = LevelledOption("_", "_", ("_", "_"))


def _levelled_at(c: Conflict, name: str) -> LevelledOption | None:
    """The levelled option whose first internal bit is ``name``, :data:`_INNER` for its other
    bits, ``None`` for a yes/no option."""
    for lv in c.levels:
        if name in lv.bit_names:
            return lv if name == lv.bit_names[0] else _INNER
    return None


def _pattern_values(c: Conflict, conditions: tuple[tuple[str, bool], ...]) -> dict[str, str]:
    """A pattern's conditions as option → Y/N or level name (levelled options' bits back to
    the level they pin)."""
    out: dict[str, str] = {}
    owner = {b: lv for lv in c.levels for b in lv.bit_names}
    grouped: dict[str, dict[str, bool]] = {}
    for name, value in conditions:
        if name in owner:
            grouped.setdefault(owner[name].name, {})[name] = value
            out.setdefault(owner[name].name, "")
        else:
            out[name] = letter(value)
    for lv in c.levels:
        if lv.name in grouped:
            level = lv.level_of_pin(grouped[lv.name])
            if level is None:
                raise ModelError(
                    f"an infeasibility pattern tests {lv.name!r} in a way no level name says "
                    f"({', '.join(f'{n}={letter(v)}' for n, v in grouped[lv.name].items())}); "
                    "expected conditions that pin one level")
            out[lv.name] = level
    return out


def _constraint_spec(c: Conflict, con: Constraint) -> dict[str, Any]:
    d: dict[str, Any]
    if isinstance(con, MutuallyExclusive):
        d = {"mutually_exclusive": list(con.members)}
    elif isinstance(con, AtLeastOne):
        d = {"at_least_one": list(con.members)}
    else:
        d = {"pattern": _pattern_values(c, con.conditions)}
    if con.reason:
        d["reason"] = con.reason
    return d


def dumps(c: Conflict) -> str:
    """Native YAML text of a model."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump(to_spec(c), buf)
    return buf.getvalue()


def dump(c: Conflict, path: str | Path) -> None:
    """Write a model as a native YAML file (atomically)."""
    write_atomic(path, dumps(c))


__all__ = ["dump", "dumps", "to_spec"]
