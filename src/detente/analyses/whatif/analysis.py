"""What-if: the brief of the model edited by a scenario (:mod:`.scenario`).

What a scenario's parts mean, precisely:

* ``alternatives`` / ``statements`` / ``orders`` (preferences): a DM named in any of them is
  taken as *certain*: its preferences become one variant of one reading — the reading named in
  ``alternatives`` (``"main"``: the main preferences; default main), each maybe-statement of
  that reading held or dropped as ``statements`` says, each group in unknown order in the
  order ``orders`` gives (a group is named by its statements), every element not given at its
  written setting (held; the order as written) — and its declared uncertainty is dropped, so
  the brief's probabilities and flips range over the other DMs' uncertainty only.
* ``settings`` (an option fixed at a value): every proposal on the table is taken with that
  option at that value — each deal phase (a deal with tranches: the status quo holds the
  value and no tranche changes the option), the mediation target (the option fixed in its
  pattern), each draft, and the status quo. This is how the deal analysis applies a guarantee
  setting (its phases with the guarantor's options in force): the states and moves of the
  model do not change, so a DM may still move the option away, and the verdict says whether
  it would. A setting that makes a phase, the status quo, the target or a draft infeasible
  is refused, naming the option.
* ``commitments`` (a commitment device made): the option may afterwards only move ``fwd``
  (N→Y) or ``back`` (Y→N), as ``mediation: commitments:`` declares devices; the move graph
  changes, never the preferences, and a commitment made is no longer listed as a device to
  make.

>>> import detente
>>> c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
>>> b = whatif(c, {"alternatives": {"Hamas": "hardline"}})
>>> b.proposals[0].verdict["seq"], b.proposals[0].verdict["smr"]
('breaks', 'breaks')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace

from detente.analyses import arguments
from detente.analyses.brief import BriefResult, brief
from detente.analyses.contract import Progress
from detente.analyses.whatif.scenario import Scenario, parse_scenario
from detente.engine import Engine
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.deal import Deal, DealError, Phase, Tranche
from detente.model.drafts import Draft
from detente.model.errors import ArgumentError, ModelError
from detente.model.mediation import MediationSection
from detente.model.preferences import Preference
from detente.model.states import Column, Direction
from detente.model.uncertainty import Reading, readings_of

#: Name of a DM's main reading in ``alternatives``.
MAIN = "main"


def whatif(
    model: Conflict,
    scenario: object,
    concepts: Iterable[str] | None = None,
    *,
    engine: Engine | None = None,
    samples: int = 1_000,
    seed: int = 0,
    fixes: bool = False,
    progress: Progress | None = None,
) -> BriefResult:
    """The brief (:func:`~detente.analyses.brief.brief`) of ``model`` edited by ``scenario``
    (a :class:`Scenario` or its JSON form). ``engine``: one built for ``model``; its layouts
    are reused when the scenario leaves the move graph alone (alternatives, statements,
    orders, settings). Without ``fixes`` (the default: the live what-if) no mediation search
    runs; the answer equals ``detente brief --scenario FILE --no-fixes`` on the same file."""
    arguments.model(model)
    edited = apply_scenario(model, scenario)
    eng = None
    if engine is not None:
        if engine.conflict is not model:
            raise ArgumentError("the engine was built for another model", parameter="engine")
        if engine.conflict.same_states(edited):
            eng = engine.with_preferences(edited)
    return brief(
        edited, concepts, engine=eng, samples=samples, seed=seed, fixes=fixes, progress=progress
    )


def apply_scenario(model: Conflict, scenario: object) -> Conflict:
    """``model`` edited by ``scenario`` (see the module doc for what each part means);
    unknown DMs, readings, statements, groups, options or values are an ArgumentError naming
    the field (``alternatives.Hamas``, ``settings.us_guarantee``)."""
    arguments.model(model)
    s = parse_scenario(scenario)
    if s.empty:
        return model
    dms = _preferences(model, s)
    sq, deal, mediation, drafts = _settings(model, s)
    made = _commitments(model, s)
    if made:
        mediation = replace(
            mediation,
            commitments=tuple(
                cm for cm in mediation.commitments if (cm.option, cm.make) not in made.items()
            ),
        )
    try:
        edited = replace(
            model, dms=dms, status_quo=sq, deal=deal, mediation=mediation, drafts=drafts
        )
    except ModelError as exc:  # a setting the model's own rules refuse
        names = ", ".join(f"{o} {v}" for o, v in s.settings)
        raise ArgumentError(f"with {names}: {exc}", parameter="settings") from exc
    if made:
        bits: dict[str, Direction] = {}
        columns = {col.name: col for col in model.space.columns}
        for option, way in made.items():
            for b in columns[option].bits:
                bits[model.option_names[b]] = "fwd" if way == "fwd" else "back"
        try:
            edited = edited.with_directions(bits)
        except DealError as exc:
            raise ArgumentError(
                f"the deal would break irreversibility: {exc}", parameter="commitments"
            ) from exc
    return edited


# ----- preferences ---------------------------------------------------------------------------
def _preferences(model: Conflict, s: Scenario) -> tuple[DecisionMaker, ...]:
    fixed = s.fixed_dms()
    names = model.dm_names
    for who in fixed:
        if who not in names:
            where = next(
                f"{sec}.{who}"
                for sec, part in (
                    ("alternatives", s.alternatives),
                    ("statements", s.statements),
                    ("orders", s.orders),
                )
                if who in dict(part)
            )
            raise ArgumentError(
                f"unknown decision maker {who!r}; expected one of: {', '.join(names)}",
                parameter=where,
            )
    alts = dict(s.alternatives)
    sts = dict(s.statements)
    ords = dict(s.orders)
    out = []
    for dm in model.dms:
        if dm.name not in fixed:
            out.append(dm)
            continue
        reading = _reading(dm, alts.get(dm.name, MAIN))
        pref = _realise(dm.name, reading, sts.get(dm.name, ()), ords.get(dm.name, ()))
        out.append(replace(dm, preference=pref, readings=()))
    return tuple(out)


def _reading(dm: DecisionMaker, name: str) -> Reading:
    readings = readings_of(dm.preference, dm.readings)
    if name == MAIN:
        return readings[0]
    for r in readings:
        if r.name == name:
            return r
    known = [MAIN, *(r.name for r in readings[1:])]
    raise ArgumentError(
        f"{dm.name} has no reading {name!r}; expected one of: {', '.join(known)}",
        parameter=f"alternatives.{dm.name}",
    )


def _realise(
    dm: str,
    r: Reading,
    statements: tuple[tuple[str, bool], ...],
    orders: tuple[tuple[str, ...], ...],
) -> Preference:
    sts = r.statements
    choice = [1] * len(r.maybe) + [0] * len(r.groups)
    maybe = {sts[pos].text: k for k, (pos, _) in enumerate(r.maybe)}
    for text, holds in statements:
        if text not in maybe:
            raise ArgumentError(
                f"{dm}'s reading {r.name!r} has no statement {text!r} that holds with a "
                f"probability; expected one of: {', '.join(maybe) or '(none)'}",
                parameter=f"statements.{dm}",
            )
        choice[maybe[text]] = int(holds)
    blocks = [tuple(s.text for s in sts[a : a + n]) for a, n in r.groups]
    for order in orders:
        hit = [g for g, block in enumerate(blocks) if sorted(block) == sorted(order)]
        if not hit:
            shown = "; ".join(", ".join(b) for b in blocks) or "(none)"
            raise ArgumentError(
                f"{dm}'s reading {r.name!r} has no group in unknown order of exactly "
                f"{', '.join(order)}; its groups: {shown}",
                parameter=f"orders.{dm}",
            )
        g = hit[0]
        choice[len(r.maybe) + g] = permutation_index([blocks[g].index(t) for t in order])
    return r.realise(tuple(choice))


def permutation_index(perm: list[int]) -> int:
    """The index of ``perm`` among the permutations of range(n) in ``itertools.permutations``
    order (the Lehmer code; ``Reading.realise`` takes it back).

    >>> from itertools import permutations
    >>> [permutation_index(list(p)) for p in permutations(range(3))]
    [0, 1, 2, 3, 4, 5]
    """
    n = len(perm)
    return sum(
        sum(1 for later in perm[k + 1 :] if later < v) * math.factorial(n - 1 - k)
        for k, v in enumerate(perm)
    )


# ----- settings ------------------------------------------------------------------------------
def _column(model: Conflict, option: str, where: str) -> Column:
    for col in model.space.columns:
        if col.name == option:
            return col
    raise ArgumentError(
        f"unknown option {option!r}; expected one of: {', '.join(model.space.column_names)}",
        parameter=where,
    )


def _settings(
    model: Conflict, s: Scenario
) -> tuple[int | None, Deal | None, MediationSection, tuple[Draft, ...]]:
    """The status quo, deal, mediation section and drafts with the settings applied."""
    if not s.settings:
        return model.status_quo, model.deal, model.mediation, model.drafts
    clear = value = 0
    for option, v in s.settings:
        where = f"settings.{option}"
        col = _column(model, option, where)
        allowed = col.values
        if v not in allowed:
            raise ArgumentError(
                f"{option} takes one of {', '.join(allowed)}, got {v!r}", parameter=where
            )
        clear |= col.mask
        value |= col.code_bits(v)
    names = ", ".join(f"{o} {v}" for o, v in s.settings)

    def put(code: int, what: str) -> int:
        new = (code & ~clear) | value
        if not model.is_feasible(new):
            raise ArgumentError(
                f"with {names}, {what} would be the infeasible state {model.state_string(new)}",
                parameter="settings",
            )
        return new

    sq = None if model.status_quo is None else put(model.status_quo, "the status quo")
    deal = None if model.deal is None else _deal(model.deal, model, clear, put)
    mediation = model.mediation
    target = model.mediation.target
    if target is not None:
        care, want = model.space.pattern_bits(target)
        care, want = care | clear, (want & ~clear) | value
        text = model.space.pattern_text(care, want)
        if not (model.feasible & care == want).any():
            raise ArgumentError(
                f"with {names}, the mediation target {text} matches no feasible state",
                parameter="settings",
            )
        mediation = replace(model.mediation, target=text)
    drafts = []
    for d in model.drafts:
        codes = sorted({(c & ~clear) | value for c in d.codes})
        codes = [c for c in codes if model.is_feasible(c)]
        if not codes:
            raise ArgumentError(
                f"with {names}, the draft {d.name!r} matches no feasible state",
                parameter="settings",
            )
        if d.is_pattern:
            care, want = model.space.pattern_bits(d.state)
            state = model.space.pattern_text(care | clear, (want & ~clear) | value)
        else:
            state = model.state_string(codes[0])
        drafts.append(Draft(d.name, state, tuple(codes), d.rationale))
    return sq, deal, mediation, tuple(drafts)


def _deal(deal: Deal, model: Conflict, clear: int, put: Callable[[int, str], int]) -> Deal:
    phases = tuple(
        Phase(ph.name, put(ph.state, f"the deal's phase {ph.name!r}"), ph.rationale)
        for ph in deal.phases
    )
    tranches = tuple(
        Tranche(
            t.name,
            tuple((o, v) for o, v in t.values if not (1 << model.bits[o]) & clear),
            t.after,
            t.rationale,
        )
        for t in deal.tranches
    )
    return replace(deal, phases=phases, tranches=tranches)


# ----- commitments ---------------------------------------------------------------------------
def _commitments(model: Conflict, s: Scenario) -> dict[str, str]:
    made: dict[str, str] = {}
    for option, way in s.commitments:
        where = f"commitments.{option}"
        col = _column(model, option, where)
        have = {model.options[b].direction for b in col.bits}
        if have != {"both"}:
            raise ArgumentError(
                f"{option} is already one-way ({', '.join(sorted(have))}); a commitment makes "
                "a reversible option one-way",
                parameter=where,
            )
        made[option] = way
    return made


__all__ = ["MAIN", "apply_scenario", "permutation_index", "whatif"]
