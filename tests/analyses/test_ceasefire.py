"""The flagship example, examples/ceasefire_2024.yaml (the August 2024 Gaza cease-fire talks).

Checks the model's structure against what docs/case-study-ceasefire.md says about it, and
asserts every analysis result the case study quotes, so that the document and the tool cannot
drift apart.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest

import detente
from detente.analyses.coalitions import MoveGraph, coalition_analysis
from detente.analyses.stability import StabilityResult
from detente.analyses.status_quo import evolve
from detente.model.conflict import Conflict
from detente.model.preferences import StatementPreference

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "ceasefire_2024.yaml"
CASE_STUDY = ROOT / "docs" / "case-study-ceasefire.md"

OPTIONS = (
    "isr_accept", "isr_new_demands", "offensive", "release_prisoners",
    "ham_accept", "release_hostages",
    "us_press_israel", "us_guarantee", "us_deploy",
    "qe_press_hamas",
    "iran_strike",
)
STATUS_QUO = "NYYNNNNNYNN"
# The deal on the bridging proposal, carried out: both accept, the exchange done, no offensive,
# Iran holding its fire; the mediators' options vary.
DEAL_GUARANTEED = "YNNYYYNYYNN"   # state 277: with the US guarantee and US forces deployed
DEAL_PLAIN = "YNNYYYNNYNN"        # state 197: no guarantee, no pressure, forces deployed
DEAL_PRESSED = "YNNYYYYNYNN"      # state 237: US pressure on Israel, no guarantee, deployed
WAR = "NYYNNNNNYNY"               # the status quo after an Iranian strike


@pytest.fixture(scope="module")
def model() -> Conflict:
    return detente.load(MODEL)


@pytest.fixture(scope="module")
def result(model: Conflict) -> StabilityResult:
    return detente.analyze(model)


def _stable_for(result: StabilityResult, concept: str, state: str) -> dict[str, bool]:
    c = result.conflict
    i = c.state_number(c.parse_state(state)) - 1
    return {dm: bool(result.stable[concept][k, i]) for k, dm in enumerate(c.dm_names)}


def _reorder(model: Conflict, dm: str, order: list[int]) -> Conflict:
    i = model.dm_index(dm)
    d = model.dms[i]
    assert isinstance(d.preference, StatementPreference)
    st = d.preference.statements
    pref = replace(d.preference, statements=tuple(st[k] for k in order))
    dms = list(model.dms)
    dms[i] = replace(d, preference=pref)
    return replace(model, dms=tuple(dms))


# ----- the model ----------------------------------------------------------------------------
def test_decision_makers_and_options(model: Conflict) -> None:
    assert model.dm_names == ("Israel", "Hamas", "United_States", "Qatar_Egypt", "Iran")
    assert model.option_names == OPTIONS
    owners = {o.name: o.dm for o in model.options}
    assert owners["isr_accept"] == owners["offensive"] == "Israel"
    assert owners["release_prisoners"] == owners["isr_new_demands"] == "Israel"
    assert owners["ham_accept"] == owners["release_hostages"] == "Hamas"
    assert owners["us_deploy"] == owners["us_guarantee"] == "United_States"
    assert owners["qe_press_hamas"] == "Qatar_Egypt"
    assert owners["iran_strike"] == "Iran"
    assert model.n_states == 1280
    assert all(o.description for o in model.options)
    assert all(d.description for d in model.dms)


def test_irreversible_options_are_fwd(model: Conflict) -> None:
    directions = {o.name: o.direction for o in model.options}
    assert {n for n, d in directions.items() if d == "fwd"} == {
        "release_hostages", "release_prisoners", "iran_strike",
    }
    assert "back" not in directions.values()


def test_every_statement_has_a_rationale(model: Conflict) -> None:
    for d in model.dms:
        assert isinstance(d.preference, StatementPreference), d.name
        assert d.preference.statements, d.name
        for st in d.preference.statements:
            assert st.rationale.strip(), f"{d.name}: {st.text!r} has no rationale"
    # Hamas's and Iran's priorities are modelling assumptions, and say so.
    for name in ("Hamas", "Iran"):
        pref = model.dms[model.dm_index(name)].preference
        assert isinstance(pref, StatementPreference)
        assert all(st.rationale.startswith("Assumption") for st in pref.statements)


def test_key_priorities_from_the_report(model: Conflict) -> None:
    def texts(dm: str) -> list[str]:
        pref = model.dms[model.dm_index(dm)].preference
        assert isinstance(pref, StatementPreference)
        return [st.text for st in pref.statements]

    israel = texts("Israel")
    # Israel will not accept a permanent cease-fire and wants to fight on if Hamas stalls.
    assert "offensive iff not ham_accept" in israel
    assert israel.index("not us_guarantee") < israel.index("release_hostages")
    assert israel.index("isr_new_demands") < israel.index("release_hostages")
    # The US wants the deal to keep Iran from striking, and the hostages home.
    assert texts("United_States")[:2] == ["not iran_strike", "release_hostages"]
    assert texts("Qatar_Egypt")[0] == "isr_accept and ham_accept"


def test_every_infeasibility_has_a_reason(model: Conflict) -> None:
    assert len(model.constraints) >= 2
    assert all(getattr(con, "reason", "").strip() for con in model.constraints)
    # Both accept-and-demand and accept-and-fight are ruled out for Israel.
    for s in ("YYNNNNNNNNN", "YNYNNNNNNNN", "YYYNNNNNNNN"):
        code = sum(1 << k for k, ch in enumerate(s) if ch == "Y")
        assert not model.is_feasible(code), s


def test_sources_cite_the_report_and_the_framework(model: Conflict) -> None:
    text = " ".join(model.sources)
    assert "(NOTUS, 2024)" in text
    assert "The Pressure Is On for the U.S. to Actually Broker a Cease-Fire Deal" in text
    assert "31 May 2024" in text


def test_status_quo_is_august_2024(model: Conflict) -> None:
    assert model.status_quo is not None
    assert model.is_feasible(model.status_quo)
    sq = dict(zip(model.option_names, model.state_string(model.status_quo), strict=True))
    assert sq == {
        "isr_accept": "N",          # no one has accepted the bridging proposal yet
        "isr_new_demands": "Y",     # the prime minister's new demands are on the table
        "offensive": "Y",           # Israeli strikes in Gaza continue
        "release_prisoners": "N",   # no exchange has taken place
        "ham_accept": "N",
        "release_hostages": "N",    # hostages, Americans among them, are still held
        "us_press_israel": "N",
        "us_guarantee": "N",        # no deal, so no guarantee in force
        "us_deploy": "Y",           # the Defense Department moved more assets to the region
        "qe_press_hamas": "N",
        "iran_strike": "N",         # Iran has not (yet) retaliated
    }
    assert model.status_quo_rationale
    assert {frozenset(c) for c in model.coalitions} >= {
        frozenset({"United_States", "Qatar_Egypt"}), frozenset({"Israel", "United_States"}),
    }


# ----- the results quoted in the case study ------------------------------------------------
def test_equilibrium_counts(result: StabilityResult) -> None:
    counts = {k: len(result.equilibria(k)) for k in result.concepts}
    assert counts == {"nash": 4, "gmr": 752, "smr": 276, "seq": 348, "sim": 112, "seq_sim": 52}


def test_nash_equilibria_are_war_with_an_iranian_strike(result: StabilityResult) -> None:
    assert result.equilibria_strings("nash") == [
        "NYYNNNNNYNY", "NYYYNNNNYNY", "NYYNNYNNYNY", "NYYYNYNNYNY",
    ]
    assert result.equilibria_numbers("nash") == [805, 810, 825, 830]


def test_seq_sim_equilibria(result: StabilityResult) -> None:
    eq = result.equilibria_strings("seq_sim")
    war = [s for s in eq if s.startswith("NYY")]
    deal = [s for s in eq if not s.startswith("NYY")]
    assert war == result.equilibria_strings("nash")
    assert len(deal) == 48
    # Every other SEQ&SIM equilibrium: both accept, no offensive, and no US guarantee.
    assert all(s[0:3] == "YNN" and s[4] == "Y" and s[7] == "N" for s in deal)


def test_deal_states(result: StabilityResult) -> None:
    c = result.conflict
    deals = {c.state_string(int(x)) for x in c.matching("YNNYYY----N")}
    assert len(deals) == 16
    for concept, expected in {
        "nash": 0, "gmr": 16, "smr": 8, "seq": 16, "sim": 6, "seq_sim": 6,
    }.items():
        assert len(deals & set(result.equilibria_strings(concept))) == expected, concept
    # With the guarantee: GMR and SEQ, not Nash (Israel, US), not SMR or SIM (Israel).
    g = {k: _stable_for(result, k, DEAL_GUARANTEED) for k in result.concepts}
    assert [dm for dm, ok in g["nash"].items() if not ok] == ["Israel", "United_States"]
    assert all(g["gmr"].values()) and all(g["seq"].values())
    assert [dm for dm, ok in g["smr"].items() if not ok] == ["Israel"]
    assert [dm for dm, ok in g["sim"].items() if not ok] == ["Israel"]
    # Without it: SMR too; under SIM only if the US is pressing Israel.
    p = {k: _stable_for(result, k, DEAL_PLAIN) for k in result.concepts}
    assert all(p["smr"].values()) and all(p["seq"].values())
    assert [dm for dm, ok in p["sim"].items() if not ok] == ["Israel"]
    assert all(_stable_for(result, "seq_sim", DEAL_PRESSED).values())


def test_what_breaks_the_deal(model: Conflict) -> None:
    from detente.analyses.explain import explain

    ex = explain(model, DEAL_GUARANTEED).to_dict()
    by_dm = {d["dm"]: d for d in ex["dms"]}
    israel = [m["to"]["state"] for m in by_dm["Israel"]["improvements"]]
    us = [m["to"]["state"] for m in by_dm["United_States"]["improvements"]]
    assert israel == ["NYNYYYNYYNN"]   # drop acceptance for the new demands
    assert us == ["YNNYYYNNYNN"]       # drop the guarantee once the hostages are out
    assert by_dm["Hamas"]["improvements"] == []


def test_status_quo_moves(model: Conflict, result: StabilityResult) -> None:
    sq = _stable_for(result, "nash", STATUS_QUO)
    assert [dm for dm, ok in sq.items() if not ok] == ["Iran"]
    for concept in ("gmr", "smr"):
        assert all(_stable_for(result, concept, STATUS_QUO).values())
    for concept in ("seq", "sim", "seq_sim"):
        assert [dm for dm, ok in _stable_for(result, concept, STATUS_QUO).items()
                if not ok] == ["Iran"]
    for coalitions in (False, True, [list(model.dm_names)]):
        ev = evolve(model, coalitions=coalitions, concepts=["nash"])
        assert ev.reachable_numbers() == [165, 805]
        assert ev.final_numbers() == [805]
        assert model.state_string(int(model.feasible[804])) == WAR


def test_no_coalition_improves_on_the_status_quo(model: Conflict) -> None:
    graph = MoveGraph(model)
    sq = model.state_number(model.parse_state(STATUS_QUO)) - 1
    n = len(model.dm_names)
    for k in range(2, n + 1):
        for h in combinations(range(n), k):
            assert graph.coalition_improvements(h, sq) == [], h


@pytest.mark.slow
def test_sensitivity_to_israels_order(model: Conflict, result: StabilityResult) -> None:
    hostages_over_demands = _reorder(model, "Israel", [0, 1, 2, 4, 3, 5, 6, 7])
    hostages_over_guarantee = _reorder(model, "Israel", [0, 1, 4, 2, 3, 5, 6, 7])
    trio = ["Israel", "Hamas", "United_States"]
    for variant, jumps in ((hostages_over_demands, 0), (hostages_over_guarantee, 16)):
        r = detente.analyze(variant)
        for k in result.concepts:
            assert r.equilibria(k) == result.equilibria(k), k
        ca = coalition_analysis(variant, [trio], concepts=["nash"])
        found = ca.improvement_numbers(trio, STATUS_QUO)
        assert len(found) == jumps
    ca = coalition_analysis(hostages_over_guarantee, [trio], concepts=["nash"])
    assert 277 in ca.improvement_numbers(trio, STATUS_QUO)
    ev = evolve(hostages_over_guarantee, coalitions=[trio], concepts=["nash"])
    assert [model.state_string(int(model.feasible[n - 1])) for n in ev.final_numbers()] == [
        "NYYYNYNNYNY",
    ]


def test_case_study_quotes_these_results() -> None:
    text = CASE_STUDY.read_text(encoding="utf-8")
    for fragment in (
        "Nash: 4 equilibria — states 805, 810, 825, 830",
        "GMR: 752 equilibria",
        "SEQ&SIM: 52 equilibria",
        "state 805 NYYNNNNNYNY — 1 move",
        "NYNYYYNYYNN",
        "(NOTUS, 2024)",
    ):
        assert fragment in text, fragment
