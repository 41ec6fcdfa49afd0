"""Levelled options in every section that names options (tests/data/levels_deal.yaml): deal
tranches set levels, blind spots are patterns as states are written, a levelled guarantor's
settings are its levels, a commitment on a levelled option makes every internal bit one-way;
the writer gives them back as written and the .gmcr export stays exact; bad input gets a
located error that names options as written."""

from __future__ import annotations

import itertools
from dataclasses import replace
from itertools import pairwise, permutations
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.analyses.deal.analysis import deal_analysis
from detente.analyses.deal.design import deal_design
from detente.formats.gmcr.builder import loads_gmcr
from detente.formats.gmcr.writer import dumps_gmcr
from detente.formats.native.builder import loads
from detente.formats.native.writer import dumps
from detente.model.conflict import Conflict
from detente.model.deal import (
    MAX_GUARANTEE_SETTINGS,
    Deal,
    count_guarantee_settings,
    guarantee_settings,
    tranche_phases,
)
from detente.model.errors import ModelError
from detente.model.perceptions import blind_mask

DATA = Path(__file__).resolve().parents[1] / "data"
DEAL = DATA / "levels_deal.yaml"
TEXT = DEAL.read_text(encoding="utf-8")
#: The same model without Hamas's blind spot: the hand-worked deal and mediation answers below
#: are for the game without it (tests/engine/test_blind_spots_proposals.py checks blind spots).
SEEN = TEXT.replace("    blind_spots: [withdraw/-/full]\n", "")
assert SEEN != TEXT


def _seen() -> detente.Conflict:
    return loads(SEEN, "levels_deal.yaml")


def _error(text: str) -> str:
    with pytest.raises(ModelError) as err:
        loads(text, "m.yaml")
    return str(err.value)


# ----- tranches -----------------------------------------------------------------------------
def test_a_tranche_sets_a_level_by_name() -> None:
    c = detente.load(DEAL)
    assert c.deal is not None
    pullback, hostages = c.deal.tranches
    # corridor: reduced fixes both internal bits (thermometer code: 1, 0)
    assert pullback.values == (("corridor>=reduced", True), ("corridor>=withdraw", False))
    assert hostages.values == (("release", True),)
    assert [c.state_string(p.state) for p in c.deal.phases] == ["reduced/N/none", "reduced/Y/none"]


def test_tranche_levels_round_trip_as_written() -> None:
    c = detente.load(DEAL)
    text = dumps(c)
    assert "corridor: reduced" in text and ">=" not in text.replace(" >= ", "")
    back = loads(text)
    assert back.deal == c.deal and back.mediation == c.mediation
    assert [d.blind_spots for d in back.dms] == [d.blind_spots for d in c.dms]
    assert dumps(back) == text


@pytest.mark.parametrize(
    ("old", "new", "where", "says"),
    [
        (
            "{corridor: reduced}}",
            "{corridor: gone}}",
            "deal.tranches[0].set.corridor",
            "option 'corridor' has no level 'gone'; expected one of stay, reduced, withdraw",
        ),
        (
            "{release: Y}, after",
            "{release: maybe}, after",
            "deal.tranches[1].set.release",
            "option 'release' must be Y or N",
        ),
        (
            "{release: Y}, after",
            "{corridor: withdraw}, after",
            "deal.tranches[1].set.corridor",
            "option 'corridor' is set by tranche 'pullback' and again by tranche 'hostages'",
        ),
        (
            "{release: Y}, after",
            "{nothing: Y}, after",
            "deal.tranches[1].set.nothing",
            "unknown option 'nothing'; expected one of: corridor, release, guarantee",
        ),
        (
            "{corridor: reduced}}",
            "{corridor: withdraw}}",
            "deal.tranches[0].set",
            "state withdraw/N/none is not feasible (ruled out by infeasible[0], corridor is "
            "withdraw and guarantee is none",
        ),
    ],
)
def test_tranche_errors_are_located_and_name_options_as_written(
    old: str, new: str, where: str, says: str
) -> None:
    msg = _error(TEXT.replace(old, new))
    assert "m.yaml:" in msg and where in msg and says in msg, msg
    assert ">=" not in msg.replace(" >= ", ""), msg


def _brute_design(
    c: Conflict, concepts: list[str]
) -> list[tuple[tuple[str, ...], dict[str, bool]]]:
    """Every order of the tranches that `after` allows, analysed on its own as a phased deal
    (feasible phases and legal steps only), in the order written."""
    assert c.deal is not None and c.status_quo is not None
    out = []
    for order in permutations(c.deal.tranches):
        names = tuple(t.name for t in order)
        if any(a not in names[:k] for k, t in enumerate(order) for a in t.after):
            continue
        phases = tranche_phases(c.option_names, c.status_quo, order)
        path = [c.status_quo, *(p.state for p in phases)]
        if not all(c.is_feasible(s) for s in path[1:]) or any(
            c.space.step_problem(a, b) is not None for a, b in pairwise(path)
        ):
            continue
        r = deal_analysis(replace(c, deal=Deal("d", phases)), concepts, mediate=False)
        out.append((names, {k: r.holds(k) for k in concepts}))
    return sorted(out)


def test_design_search_over_a_levelled_tranche_agrees_with_every_order() -> None:
    """Three tranches, no `after`: 6 orders; 'withdraw' before 'guarantee' is infeasible
    (withdrawal only under a guarantee), so 3 orders remain."""
    text = SEEN.replace(
        "    - {name: pullback, set: {corridor: reduced}}\n"
        "    - {name: hostages, set: {release: Y}, after: [pullback]}\n",
        "    - {name: cover, set: {guarantee: partial}}\n"
        "    - {name: pullback, set: {corridor: withdraw}}\n"
        "    - {name: hostages, set: {release: Y}}\n",
    ).replace("  guarantors: [guarantee]\n", "")
    c = loads(text)
    concepts = ["nash", "seq"]
    r = deal_design(c, concepts, limit=0)
    brute = _brute_design(c, concepts)
    assert (r.tried, r.skipped) == (6, 3)
    assert sorted((d.order, d.holds) for d in r.designs) == brute
    for d in r.designs:
        assert all("/" in p.state and ">=" not in p.state for p in d.phases)


# ----- guarantors ---------------------------------------------------------------------------
def test_a_levelled_guarantor_is_tried_at_each_level() -> None:
    c = detente.load(DEAL)
    assert [(g.on, g.values) for g in guarantee_settings(c.space, ("guarantee", "release"))] == [
        ((), {"guarantee": "none", "release": "N"}),
        (("guarantee is partial",), {"guarantee": "partial", "release": "N"}),
        (("guarantee is full",), {"guarantee": "full", "release": "N"}),
        (("release",), {"guarantee": "none", "release": "Y"}),
        (("guarantee is partial", "release"), {"guarantee": "partial", "release": "Y"}),
        (("guarantee is full", "release"), {"guarantee": "full", "release": "Y"}),
    ]
    assert count_guarantee_settings(c.space, ("guarantee", "release")) == 6


def test_the_deal_holds_under_nash_with_a_partial_guarantee_only() -> None:
    """By hand (docstring of tests/data/levels_deal.yaml's preferences): at reduced/Y/partial
    Israel and the US have their top statements and Hamas would lose 'release iff guarantee
    >= partial' by dropping release; at reduced/N/partial Hamas's improvement is the deal's
    own next step and the US already has 'guarantee is partial'. With 'none' or 'full' the
    US moves to 'partial'."""
    c = _seen()
    r = deal_analysis(c, ["nash"], mediate=False)
    g = r.guarantees["nash"]
    assert [(s.on, s.values, [p.state for p in s.phases]) for s in g.settings] == [
        (
            ("guarantee is partial",),
            {"guarantee": "partial"},
            ["reduced/N/partial", "reduced/Y/partial"],
        ),
    ]
    assert g.settings[0].to_dict()["on"] == ["guarantee is partial"]


def test_guarantor_errors_name_options_as_written() -> None:
    msg = _error(TEXT.replace("guarantors: [guarantee]", "guarantors: [guarantee>=full]"))
    assert "deal.guarantors[0]" in msg
    assert "unknown option 'guarantee>=full'; expected one of: corridor, release, guarantee" in msg


def test_too_many_guarantee_settings_are_refused_before_trying_them() -> None:
    """13 yes/no guarantors have 8192 settings, over the limit of 4096; 5 options with 5
    levels each have 3125 settings, within it."""
    names = [f"g{k}" for k in range(13)]
    dms = "\n".join(
        f"  - name: D{k}\n    options: [{{name: g{k}}}]\n    preferences: {{statements: [g{k}]}}"
        for k in range(13)
    )
    text = (
        f"name: many\ndecision_makers:\n{dms}\nstatus_quo: {'N' * 13}\n"
        f"deal:\n  name: d\n  phases: [{{name: one, set: {{g0: Y}}}}]\n"
        f"  guarantors: [{', '.join(names[1:])}]\n"
    )
    loads(text)  # 12 guarantors: 4096 settings, allowed
    msg = _error(
        text.replace("status_quo", "infeasible: []\nstatus_quo").replace(
            f"guarantors: [{', '.join(names[1:])}]", f"guarantors: [{', '.join(names)}]"
        )
    )
    assert "13 guarantor options have 8,192 settings; at most 4,096" in msg
    assert 5**5 <= MAX_GUARANTEE_SETTINGS < 5**6


# ----- blind spots --------------------------------------------------------------------------
def test_blind_spots_are_read_and_kept_as_written() -> None:
    c = detente.load(DEAL)
    assert c.dms[1].blind_spots == ("withdraw/-/full",)
    codes = c.feasible
    want = np.array(
        [
            c.space.values(int(x))["corridor"] == "withdraw"
            and c.space.values(int(x))["guarantee"] == "full"
            for x in codes
        ]
    )
    assert want.sum() == 2
    got = blind_mask(c, 1)
    assert got is not None and got.tolist() == want.tolist()
    folded = loads(TEXT.replace("[withdraw/-/full]", "[' Withdraw/-/FULL ']"))
    assert folded.dms[1].blind_spots == ("withdraw/-/full",)


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("withdraw/-", "state pattern 'withdraw/-' must give Y, N or - for each yes/no option"),
        ("gone/-/-", "option 'corridor' has no level 'gone'"),
        ("-/-/-", "matches every state"),
    ],
)
def test_blind_spot_errors_are_located(pattern: str, says: str) -> None:
    msg = _error(TEXT.replace("[withdraw/-/full]", f"['{pattern}']"))
    assert "decision_makers[1].blind_spots[0]" in msg and says in msg, msg


def test_gmcr_export_with_levelled_sections_is_exact() -> None:
    c = detente.load(DEAL)
    back = loads_gmcr(dumps_gmcr(c))
    assert back.feasible.tolist() == c.feasible.tolist()
    assert back.ranks.tolist() == c.ranks.tolist()
    blind = blind_mask(c, 1)
    again = blind_mask(back, 1)
    assert blind is not None and again is not None and again.tolist() == blind.tolist()


# ----- commitments --------------------------------------------------------------------------
def test_a_commitment_on_a_levelled_option_makes_every_bit_one_way() -> None:
    c = detente.load(DEAL)
    corridor = c.mediation.commitments[0]
    assert (corridor.option, corridor.make) == ("corridor", "fwd")
    assert corridor.text() == "corridor made fwd (levels only rise)"
    one_way = c.with_directions({corridor.option: corridor.make}, keep_deal=False)
    bits = c.bits["corridor>=reduced"], c.bits["corridor>=withdraw"]
    assert one_way.fwd_mask == (1 << bits[0]) | (1 << bits[1])
    # levels only rise: from reduced, withdraw is legal and stay is not
    codes = {c.state_string(int(x)): int(x) for x in c.feasible}
    assert one_way.space.is_legal_move(codes["reduced/N/partial"], codes["withdraw/N/partial"])
    assert not one_way.space.is_legal_move(codes["reduced/N/partial"], codes["stay/N/partial"])
    assert c.space.is_legal_move(codes["reduced/N/partial"], codes["stay/N/partial"])


def test_mediation_with_the_levelled_commitment_equals_both_bits_made_fwd() -> None:
    """Mediation tries 'corridor made fwd'; its answer is mediation on the model with both
    internal bits of corridor made fwd by hand."""
    c = _seen()
    d = detente.mediate(c, "withdraw/Y/full", concepts=["nash"], max_edits=1).to_dict()
    tried = d["commitments"]["with_edits"][0]
    assert tried["commitments"] == [{"option": "corridor", "make": "fwd"}]
    by_hand = c.with_directions(
        {"corridor>=reduced": "fwd", "corridor>=withdraw": "fwd"}, keep_deal=False
    )
    expected = detente.mediate(by_hand, "withdraw/Y/full", concepts=["nash"], max_edits=1)
    assert tried["min_edits"] == expected.min_edits == 1
    assert "corridor>=" not in str(d)


@pytest.mark.parametrize(
    ("commitment", "where", "says"),
    [
        (
            "{option: gone, make: fwd}",
            "mediation.commitments[0].option",
            "unknown option 'gone'; expected one of: corridor, release, guarantee",
        ),
        (
            "{option: corridor>=withdraw, make: fwd}",
            "mediation.commitments[0].option",
            "unknown option 'corridor>=withdraw'",
        ),
    ],
)
def test_commitment_errors_name_options_as_written(commitment: str, where: str, says: str) -> None:
    text = TEXT.replace(
        "{option: corridor, make: fwd, rationale: A pullback that cannot be reversed.}", commitment
    )
    msg = _error(text)
    assert where in msg and says in msg, msg


def test_a_commitment_on_a_one_way_levelled_option_is_refused() -> None:
    text = TEXT.replace(
        "levels: [stay, reduced, withdraw]",
        "levels: [stay, reduced, withdraw]\n        direction: fwd",
    )
    msg = _error(text)
    assert "mediation.commitments[0].make" in msg
    assert "option 'corridor' is already irreversible in that direction" in msg


def test_level_settings_cover_the_product_of_levels() -> None:
    c = detente.load(DEAL)
    settings = guarantee_settings(c.space, ("corridor", "guarantee"))
    values = [tuple(s.values.values()) for s in settings]
    assert sorted(values) == sorted(
        itertools.product(("stay", "reduced", "withdraw"), ("none", "partial", "full"))
    )
    assert [len(s.on) for s in settings] == sorted(len(s.on) for s in settings)


def test_irreversibility_is_worded_over_levels() -> None:
    c = detente.load(DEAL).with_directions({"corridor": "fwd", "release": "fwd"}, keep_deal=False)
    codes = {c.state_string(int(x)): int(x) for x in c.feasible}
    assert c.space.step_problem(codes["reduced/N/none"], codes["stay/N/none"]) == (
        "moves corridor reduced→stay, whose levels may only rise (direction fwd)"
    )
    assert c.space.step_problem(codes["reduced/Y/none"], codes["stay/N/none"]) == (
        "undoes release, which may only go N→Y; moves corridor reduced→stay, whose levels "
        "may only rise (direction fwd)"
    )
    assert c.space.step_problem(codes["stay/N/none"], codes["withdraw/N/full"]) is None
