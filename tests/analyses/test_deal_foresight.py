"""Deals with foresight: backward induction along the deal (docs/deals.md).

The collateral example (tests/data/collateral_deal.yaml) is worked by hand below. Options in
order: a_first, a_second (A, both fwd), b_releases (B, fwd); status quo NNN.
  A: b_releases > a_second if b_releases > not a_first > not a_second
  B: a_second > a_first > not b_releases
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from cli_runner import run
from detente.analyses.deal import deal_analysis
from detente.model import Conflict, DecisionMaker
from detente.model.deal import Deal, Phase
from detente.model.preferences import PayoffPreference
from strategies import deals
from strategies_deals import tranche_deals

ROOT = Path(__file__).resolve().parents[2]
COLLATERAL = ROOT / "tests" / "data" / "collateral_deal.yaml"
HOSTAGES = ROOT / "tests" / "data" / "hostage_tranches_deal.yaml"
EXCHANGE = ROOT / "tests" / "data" / "exchange_deal.yaml"


@pytest.fixture(scope="module")
def collateral() -> Conflict:
    return detente.load(COLLATERAL)


def _states(c: Conflict, *texts: str) -> tuple[Phase, ...]:
    return tuple(Phase(f"p{k}", c.space.parse_code(t)) for k, t in enumerate(texts))


def _movers(r: Any) -> list[list[tuple[str, bool, bool]]]:
    assert r.foresight is not None
    return [[(m.dm, m.proceeds, m.myopic) for m in s.movers] for s in r.foresight.steps]


# ----- the hand-worked example -----------------------------------------------------------
def test_collateral_held_back_makes_the_earlier_step_self_enforcing(collateral: Conflict) -> None:
    r = deal_analysis(collateral, ["nash"], mediate=False)
    f = r.foresight
    assert f is not None
    # phases (state text: a_first a_second b_releases): first YNN, release YNY, second YYY
    assert [p.state.state for p in r.phases] == ["YNN", "YNY", "YYY"]
    # step 3 (A releases a_second): stall YNY vs O_3 = YYY. A: both satisfy b_releases;
    #   YYY satisfies "a_second if b_releases", YNY does not -> A proceeds. O_2 = YYY.
    # step 2 (B releases): stall YNN vs O_2 = YYY. B: YYY has a_second, YNN not -> proceeds.
    #   Myopically (vs s_2 = YNY): neither has a_second, both a_first, YNN keeps
    #   "not b_releases" -> B would rather stall. O_1 = YYY.
    # step 1 (A releases a_first): stall NNN vs O_1 = YYY. A: YYY has b_releases -> proceeds.
    #   Myopically (vs YNN): neither has b_releases, both satisfy the conditional, NNN keeps
    #   "not a_first" -> A would rather stall. O_0 = YYY = s_3: the deal completes.
    assert _movers(r) == [[("A", True, False)], [("B", True, False)], [("A", True, True)]]
    assert [o.state for o in f.outcome] == ["YYY", "YYY", "YYY", "YYY"]
    assert [s.ahead.state for s in f.steps] == ["YYY", "YYY", "YYY"]
    assert [None if m.stall is None else m.stall.state for s in f.steps for m in s.movers] == [
        "NNN",
        "YNN",
        "YNY",
    ]
    assert (f.completes, f.unravels_at) == (True, None)
    assert (f.myopic_completes, f.myopic_stalls_at) == (False, 1)


def test_without_collateral_the_deal_unravels(collateral: Conflict) -> None:
    assert collateral.deal is not None
    both_first = Deal("no collateral", _states(collateral, "YYN", "YYY"))
    r = deal_analysis(replace(collateral, deal=both_first), ["nash"], mediate=False)
    f = r.foresight
    assert f is not None
    # step 2 (B releases): stall YYN vs O_2 = YYY: B has both tranches either way and keeps
    #   "not b_releases" by stalling -> B does not proceed; O_1 = YYN (no other mover).
    # step 1 (A releases both): stall NNN vs O_1 = YYN: neither has b_releases, both satisfy
    #   the conditional, NNN keeps "not a_first" -> A does not proceed; O_0 = NNN.
    assert _movers(r) == [[("A", False, False)], [("B", False, False)]]
    assert [o.state for o in f.outcome] == ["NNN", "YYN", "YYY"]
    assert (f.completes, f.unravels_at) == (False, 1)


def test_a_guarantee_setting_says_whether_the_deal_completes() -> None:
    """The exchange of tests/analyses/test_deal.py: with g_guarantee in force (NNY, YNY), G
    moves in step 1 (it sets the guarantee) and would myopically rather stall (NNN keeps
    "not g_guarantee"), but looking ahead YNY has a_releases, which G ranks higher: it
    proceeds, and so do B (NYY breaks its first priority) and A; the deal completes."""
    r = deal_analysis(detente.load(EXCHANGE), ["seq"], mediate=False)
    (setting,) = r.guarantees["seq"].settings
    assert setting.on == ("g_guarantee",) and setting.stalls == ("G before cease-fire",)
    assert setting.completes is True
    assert r.to_dict()["guarantees"]["seq"]["settings"][0]["completes"] is True
    # as written (no guarantee) it completes too, myopically and looking ahead
    assert r.foresight is not None and r.foresight.completes and r.foresight.myopic_completes


# ----- the flagship observation --------------------------------------------------
def test_flagship_second_hostage_tranche_makes_israel_proceed() -> None:
    """With a second hostage tranche released only after Israel's prisoner release, Israel
    myopically would rather stall its release, and looking ahead it proceeds."""
    c = detente.load(HOSTAGES)
    r = deal_analysis(c, ["seq"], mediate=False)
    f = r.foresight
    assert f is not None
    step = f.steps[2]
    assert (step.source, step.target) == ("hostages released", "prisoners released")
    (israel,) = step.movers
    assert (israel.dm, israel.myopic, israel.proceeds) == ("Israel", False, True)
    assert r.steps[2].stalling == ("Israel",)  # the myopic step verdict agrees
    # by the ranks: complete deal > stall > the prisoners-released phase, for Israel
    i = c.dm_index("Israel")
    assert israel.stall is not None and step.ahead.code == r.phases[3].state.code

    def rank(code: int) -> int:
        return int(c.ranks[i][c.position(code)])

    assert rank(r.phases[3].state.code) > rank(israel.stall.code) > rank(r.phases[2].state.code)
    # Hamas, without a guarantee, holds back its first tranche: the deal unravels at step 2
    assert [(m.dm, m.proceeds) for m in f.steps[1].movers] == [("Hamas", False)]
    assert (f.completes, f.unravels_at) == (False, 2)


# ----- command line -----------------------------------------------------------------------
def test_cli_json_has_the_foresight() -> None:
    out = run("deal", COLLATERAL, "-c", "nash", "--format", "json")
    assert out.exit_code == 0, out.output
    f = json.loads(out.stdout)["foresight"]
    assert set(f) == {"outcome", "steps", "completes", "unravels_at", "myopic"}
    assert f["outcome"][0] == {"number": 8, "state": "YYY"}
    assert f["steps"][1] == {
        "step": 2,
        "from": "first",
        "to": "release",
        "ahead": {"number": 8, "state": "YYY"},
        "movers": [
            {"dm": "B", "proceeds": True, "stall": {"number": 2, "state": "YNN"}, "myopic": False}
        ],
    }
    assert (f["completes"], f["unravels_at"]) == (True, None)
    assert f["myopic"] == {"completes": False, "stalls_at": 1}


def test_cli_text_says_who_moves_because_of_what_follows(tmp_path: Path) -> None:
    out = run("deal", COLLATERAL, "-c", "nash")
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "B takes its step into 'release' because of what follows" in text
    assert "With foresight the deal completes; myopically it stalls at step 1" in text
    bad = tmp_path / "m.yaml"
    bad.write_text(
        COLLATERAL.read_text(encoding="utf-8").split("deal:")[0]
        + (
            "deal:\n  name: d\n  phases:\n    - {name: both, set: {a_first: Y, a_second: Y}}\n"
            "    - {name: release, set: {b_releases: Y}}\n"
        ),
        encoding="utf-8",
    )
    out = run("deal", bad, "-c", "nash")
    text = " ".join(out.stdout.split())
    assert "B holds back its step into 'release'" in text
    assert "With foresight the deal unravels at step 1 (status quo → both)" in text


# ----- a brute-force reference and properties ----------------------------------------------
def _reference(c: Conflict, path: list[int]) -> tuple[list[int], list[list[bool]]]:
    """Backward induction straight from the definition, by option names and DM names."""

    def better(dm: int, x: int, y: int) -> bool:
        return bool(c.ranks[dm][c.position(x)] > c.ranks[dm][c.position(y)])

    def changed(dm: int, a: int, b: int) -> list[int]:
        return [
            c.bits[o] for o in c.dms[dm].options if (a >> c.bits[o] & 1) != (b >> c.bits[o] & 1)
        ]

    m = len(path) - 1
    outcome = [0] * (m + 1)
    outcome[m] = path[m]
    verdicts: list[list[bool]] = [[] for _ in range(m)]
    for k in range(m, 0, -1):
        a, b = path[k - 1], path[k]
        movers = [i for i in range(len(c.dms)) if changed(i, a, b)]
        proceeds = []
        for i in movers:
            stall = a
            for j in movers:
                if j != i:
                    for bit in changed(j, a, b):
                        stall ^= 1 << bit
            proceeds.append(not (c.is_feasible(stall) and better(i, stall, outcome[k])))
        verdicts[k - 1] = proceeds
        if all(proceeds):
            outcome[k - 1] = outcome[k]
        else:
            partial = a
            for i, ok in zip(movers, proceeds, strict=True):
                if ok:
                    for bit in changed(i, a, b):
                        partial ^= 1 << bit
            outcome[k - 1] = partial if c.is_feasible(partial) else a
    return outcome, verdicts


def _path(c: Conflict) -> list[int]:
    assert c.deal is not None
    sq = [] if c.status_quo is None else [c.status_quo]
    return sq + [p.state for p in c.deal.phases]


PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
@PROPERTY
@given(deals(max_phases=4))
def test_engine_agrees_with_the_brute_force_reference(c: Conflict) -> None:
    r = deal_analysis(c, ["nash"], mediate=False)
    f = r.foresight
    assert f is not None
    outcome, verdicts = _reference(c, _path(c))
    assert [o.code for o in f.outcome] == outcome
    assert [[m.proceeds for m in s.movers] for s in f.steps] == verdicts
    assert f.completes == (outcome[0] == outcome[-1])
    first = next((k for k, v in enumerate(verdicts, 1) if not all(v)), None)
    assert f.unravels_at == first
    # myopic is today's step verdict
    assert [[not m.myopic for m in s.movers] for s in f.steps] == [
        [bool(m.prefers_stalling) for m in s.movers] for s in r.steps
    ][len(r.steps) - len(f.steps) :]


@pytest.mark.slow
@PROPERTY
@given(tranche_deals())
def test_never_completes_when_a_mover_refuses_the_last_step(c: Conflict) -> None:
    """On a deal where every option changes at most once (tranches), completing means every
    mover proceeds, and a refused last step means it does not complete."""
    f = deal_analysis(c, ["nash"], mediate=False).foresight
    assert f is not None
    everyone = all(m.proceeds for s in f.steps for m in s.movers)
    assert f.completes == everyone
    if not all(m.proceeds for m in f.steps[-1].movers):
        assert not f.completes and f.outcome[-2].code != f.outcome[-1].code


def _renamed(c: Conflict, dm_order: list[int]) -> Conflict:
    """Every DM and option renamed, DMs listed in another order (the options follow their
    DMs, so the option order changes too); states recoded."""
    opt = {o.name: f"x_{o.name}" for o in c.options}
    new_options = tuple(
        replace(o, name=opt[o.name], dm=f"who_{o.dm}")
        for i in dm_order
        for o in c.options
        if o.dm == c.dms[i].name
    )
    bit = {o.name: k for k, o in enumerate(new_options)}

    def recode(code: int) -> int:
        return sum(1 << bit[opt[o.name]] for k, o in enumerate(c.options) if code >> k & 1)

    dms = []
    for i in dm_order:
        dm = c.dms[i]
        assert isinstance(dm.preference, PayoffPreference)
        dms.append(
            DecisionMaker(
                f"who_{dm.name}",
                tuple(opt[o] for o in dm.options),
                PayoffPreference(tuple((recode(s), v) for s, v in dm.preference.payoffs)),
            )
        )
    cons = tuple(
        replace(x, conditions=tuple((opt[n], v) for n, v in x.conditions)) for x in c.constraints
    )
    assert c.deal is not None
    phases = tuple(replace(p, state=recode(p.state)) for p in c.deal.phases)
    return Conflict(
        c.name,
        new_options,
        tuple(dms),
        cons,
        status_quo=None if c.status_quo is None else recode(c.status_quo),
        deal=Deal("d", phases),
    )


@pytest.mark.slow
@PROPERTY
@given(deals(max_phases=4), st.randoms(use_true_random=False))
def test_foresight_does_not_depend_on_names_or_order(c: Conflict, rnd: Any) -> None:
    order = list(range(len(c.dms)))
    rnd.shuffle(order)
    other = _renamed(c, order)
    f = deal_analysis(c, ["nash"], mediate=False).foresight
    g = deal_analysis(other, ["nash"], mediate=False).foresight
    assert f is not None and g is not None
    assert (f.completes, f.unravels_at, f.myopic_stalls_at) == (
        g.completes,
        g.unravels_at,
        g.myopic_stalls_at,
    )
    assert [[(m.dm, m.proceeds, m.myopic) for m in s.movers] for s in f.steps] == [
        [
            (m.dm.removeprefix("who_"), m.proceeds, m.myopic)
            for m in sorted(s.movers, key=lambda m: c.dm_names.index(m.dm.removeprefix("who_")))
        ]
        for s in g.steps
    ]
    assert [o.code for o in f.outcome] == [_back(c, other, o.code) for o in g.outcome]


def _back(c: Conflict, other: Conflict, code: int) -> int:
    """``other``'s state ``code`` as a code of ``c`` (options matched by name)."""
    return sum(
        1 << c.bits[o.name.removeprefix("x_")] for k, o in enumerate(other.options) if code >> k & 1
    )


@pytest.mark.slow
def test_report_says_who_moves_because_of_what_follows(tmp_path: Path) -> None:
    out = run("report", HOSTAGES, "-c", "seq", "-o", tmp_path / "r.md")
    assert out.exit_code == 0, out.output
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "Israel takes its step into 'prisoners released' because of what follows" in text
    assert "Hamas holds back its step into 'hostages released'" in text
    assert "Looking ahead, the deal unravels at step 2" in text
