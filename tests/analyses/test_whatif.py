"""What-if (analyses/whatif): a scenario edits the model, and the brief of the edited model is
checked against verdicts worked by hand, against brute force on the engine, against the deal
analysis's guarantee settings, and against ``detente brief --scenario``."""

from __future__ import annotations

import json
from itertools import permutations
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import detente
from cli_runner import run
from detente.analyses.deal import deal_analysis
from detente.analyses.requests import WhatIfRequest
from detente.analyses.whatif import (
    apply_scenario,
    elements,
    parse_scenario,
    permutation_index,
    whatif,
)
from detente.engine import Engine
from detente.model.errors import ArgumentError
from detente.model.uncertainty import _nth_permutation

ROOT = Path(__file__).resolve().parents[2]
PLEDGE = ROOT / "tests" / "data" / "whatif_pledge.yaml"
FLAGSHIP = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"


@pytest.fixture(scope="module")
def pledge() -> detente.Conflict:
    return detente.load(PLEDGE)


def _nash(b: object, name: str = "pledge") -> str:
    return b.proposal(name).verdict["nash"]  # type: ignore[attr-defined, no-any-return]


def test_pledge_by_hand(pledge: detente.Conflict) -> None:
    """The draft YY under Nash. A compares YY with NY: 'a if b' is true at YY, false at NY, so
    A keeps the pledge while that statement holds (p 0.75); without it 'not a' makes A renege.
    B compares YY with YN: with 'b if a' first B keeps it, with 'not b' first (p 0.5) or the
    reading 'defector' (p 0.4: only 'not b') B reneges. As written it holds; P = 0.75 · 0.6 ·
    0.5 = 0.225. Each of the three assumptions alone breaks it."""
    b = whatif(pledge, {})
    assert _nash(b) == "holds"
    assert b.proposal("pledge").probability == pytest.approx({"nash": 0.225})
    assert {(f.dm, f.setting) for f in b.proposal("pledge").flips} == {
        ("A", "does not hold"),
        ("B", "defector"),
        ("B", "not b > b if a"),
    }
    # Each assumption set by the scenario: the verdict the flip announced.
    assert _nash(whatif(pledge, {"alternatives": {"B": "defector"}})) == "breaks"
    assert _nash(whatif(pledge, {"statements": {"A": {"a if b": False}}})) == "breaks"
    assert _nash(whatif(pledge, {"orders": {"B": [["not b", "b if a"]]}})) == "breaks"
    assert _nash(whatif(pledge, {"orders": {"B": [["b if a", "not b"]]}})) == "holds"
    # B fixed at its main reading in the written order: only A's statement is uncertain.
    fixed = whatif(pledge, {"alternatives": {"B": "main"}})
    assert fixed.proposal("pledge").probability == pytest.approx({"nash": 0.75})
    assert {f.dm for f in fixed.proposal("pledge").flips} == {"A"}
    # Both fixed: no uncertainty left.
    certain = whatif(pledge, {"alternatives": {"B": "main"}, "statements": {"A": {"a if b": True}}})
    assert certain.proposal("pledge").probability is None and certain.profiles == 0


def test_setting_moves_the_draft(pledge: detente.Conflict) -> None:
    """b fixed at N: the draft becomes YN. A compares YN with NN: 'a if b' holds in both, then
    'not a' makes A renege; so it breaks under Nash."""
    edited = apply_scenario(pledge, {"settings": {"b": "N"}})
    assert [edited.state_string(c) for c in edited.drafts[0].codes] == ["YN"]
    assert edited.state_string(edited.status_quo or 0) == "NN"
    assert _nash(whatif(pledge, {"settings": {"b": "N"}})) == "breaks"


SCENARIOS = st.fixed_dictionaries(
    {},
    optional={
        "alternatives": st.fixed_dictionaries(
            {}, optional={"B": st.sampled_from(["main", "defector"]), "A": st.just("main")}
        ),
        "statements": st.fixed_dictionaries(
            {}, optional={"A": st.fixed_dictionaries({"a if b": st.booleans()})}
        ),
        "orders": st.fixed_dictionaries(
            {}, optional={"B": st.sampled_from([[["b if a", "not b"]], [["not b", "b if a"]]])}
        ),
        "settings": st.fixed_dictionaries(
            {}, optional={"a": st.sampled_from(["Y", "N"]), "b": st.sampled_from(["Y", "N"])}
        ),
        "commitments": st.fixed_dictionaries({}, optional={"a": st.sampled_from(["fwd", "back"])}),
    },
)


@pytest.mark.slow
@given(SCENARIOS)
def test_verdict_equals_brute_force(scenario: dict[str, object]) -> None:
    """The what-if verdict is the engine's Nash stability of the edited draft state, and the
    edited preferences are the reading realised by hand (statement list as chosen)."""
    model = detente.load(PLEDGE)
    try:
        edited = apply_scenario(model, scenario)
    except ArgumentError as exc:  # an order given for the reading without the group
        assert exc.parameter == "orders.B"
        assert scenario["alternatives"]["B"] == "defector"  # type: ignore[index]
        return
    code = edited.drafts[0].codes[0]
    expected = bool(Engine(edited).stable("nash")[:, edited.position(code)].all())
    assert _nash(whatif(model, scenario)) == ("holds" if expected else "breaks")
    settings = scenario.get("settings", {})
    assert isinstance(settings, dict)
    want = "".join(settings.get(o, "Y") for o in ("a", "b"))
    assert edited.state_string(code) == want
    fixed = {
        *scenario.get("alternatives", {}),
        *scenario.get("statements", {}),  # type: ignore[misc]
        *scenario.get("orders", {}),
    }
    for dm in edited.dms:
        assert (dm.readings == ()) == (dm.name in fixed)
    b = next(d for d in edited.dms if d.name == "B")
    if "B" in fixed:
        alt = scenario.get("alternatives", {}).get("B", "main")  # type: ignore[attr-defined]
        orders = scenario.get("orders", {}).get("B", [["b if a", "not b"]])  # type: ignore[attr-defined]
        texts = ["not b"] if alt == "defector" else orders[0]
        assert [s.text for s in b.preference.statements] == texts  # type: ignore[attr-defined]


def test_flagship_guarantee_setting_equals_the_deal_analysis() -> None:
    """Setting every guarantor to Y gives the deal the verdict the deal analysis gives that
    guarantee setting: it holds under C exactly when the setting is among the working ones."""
    c = detente.load(FLAGSHIP)
    assert c.deal is not None
    guarantors = c.deal.guarantors
    d = deal_analysis(c, ("nash", "smr", "seq", "sim"), mediate=False)
    b = whatif(c, {"settings": {g: "Y" for g in guarantors}}, ("nash", "smr", "seq", "sim"))
    for concept in ("nash", "smr", "seq", "sim"):
        g = d.guarantees[concept]
        working = [s.values for s in g.settings]
        assert len(working) < 10  # the list is complete (the deal analysis lists up to 10)
        all_on = {name: "Y" for name in guarantors} in working
        assert (b.proposals[0].verdict[concept] == "holds") == all_on, concept


@pytest.mark.slow
def test_flagship_alternative_flips_as_the_brief_says() -> None:
    """Each flip the brief lists for a reading is the verdict of the what-if that sets it."""
    c = detente.load(FLAGSHIP)
    base = whatif(c, {})
    eng = Engine(c)
    for p in base.proposals:
        for f in p.flips:
            if f.element != "reading":
                continue
            b = whatif(c, {"alternatives": {f.dm: f.setting}}, engine=eng)
            for concept, now in f.verdict.items():
                assert b.proposal(p.name).verdict[concept] == now


def test_commitment_changes_directions_and_drops_the_device(pledge: detente.Conflict) -> None:
    edited = apply_scenario(pledge, {"commitments": {"b": "back"}})
    assert [o.direction for o in edited.options] == ["both", "back"]
    assert pledge.options[1].direction == "both"


@pytest.mark.parametrize(
    ("scenario", "parameter", "words"),
    [
        ({"alternatives": {"Q": "main"}}, "alternatives.Q", "unknown decision maker 'Q'"),
        ({"alternatives": {"B": "hawk"}}, "alternatives.B", "expected one of: main, defector"),
        ({"alternatives": {"A": "other"}}, "alternatives.A", "expected one of: main"),
        ({"statements": {"A": {"not a": False}}}, "statements.A", "a if b"),
        ({"statements": {"A": {"a if b": "no"}}}, "statements.A", "true or false"),
        ({"orders": {"B": [["b if a", "b"]]}}, "orders.B", "no group in unknown order"),
        ({"orders": {"B": "b if a"}}, "orders.B", "list of orders"),
        ({"settings": {"c": "Y"}}, "settings.c", "unknown option 'c'; expected one of: a, b"),
        ({"settings": {"a": "yes"}}, "settings.a", "one of N, Y"),
        ({"commitments": {"a": "up"}}, "commitments.a", "fwd, back"),
        ({"weather": {}}, "weather", "unknown section"),
        ({"settings": {"a" * 1001: "Y"}}, "settings", "at most 1,000"),
        ({"settings": {f"o{k}": "Y" for k in range(257)}}, "settings", "257 entries"),
        ([1], "scenario", "expected an object"),
    ],
)
def test_located_errors(
    pledge: detente.Conflict, scenario: object, parameter: str, words: str
) -> None:
    with pytest.raises(ArgumentError) as info:
        apply_scenario(pledge, scenario)
    assert info.value.parameter == parameter
    assert words in info.value.message


def test_infeasible_setting_is_refused() -> None:
    """Flagship: a setting that makes a deal phase infeasible is refused, naming settings."""
    c = detente.load(FLAGSHIP)
    bad = [
        o
        for o in c.space.column_names
        if _refused(c, {"settings": {o: "N"}}) or _refused(c, {"settings": {o: "Y"}})
    ]
    for o in bad:
        for v in ("Y", "N"):
            try:
                apply_scenario(c, {"settings": {o: v}})
            except ArgumentError as exc:
                assert exc.parameter == "settings" and o in exc.message


def _refused(c: detente.Conflict, s: dict[str, object]) -> bool:
    try:
        apply_scenario(c, s)
    except ArgumentError:
        return True
    return False


def test_elements_list_every_uncertain_element() -> None:
    e = elements(detente.load(PLEDGE))
    assert [(d.dm, d.readings) for d in e.dms] == [("A", ("main",)), ("B", ("main", "defector"))]
    assert e.dms[0].statements == (("main", "a if b", 0.75),)
    assert e.dms[1].groups[0].orders == (("b if a", "not b"), ("not b", "b if a"))


@given(st.permutations(list(range(5))))
def test_permutation_index_inverts_nth_permutation(perm: list[int]) -> None:
    assert _nth_permutation(5, permutation_index(perm)) == tuple(perm)
    assert list(permutations(range(5))).index(tuple(perm)) == permutation_index(perm)


def test_scenario_round_trip() -> None:
    s = {
        "alternatives": {"B": "defector"},
        "orders": {"B": [["not b", "b if a"]]},
        "settings": {"a": "Y"},
        "statements": {"A": {"a if b": False}},
        "commitments": {"a": "fwd"},
    }
    assert parse_scenario(s).to_dict() == s
    assert WhatIfRequest(s).scenario == parse_scenario(s)


def test_cli_scenario_equals_whatif(tmp_path: Path) -> None:
    """``detente brief --scenario F --no-fixes --format json`` is the what-if's JSON."""
    scenario = {"alternatives": {"B": "defector"}, "settings": {"a": "Y"}}
    f = tmp_path / "s.json"
    f.write_text(json.dumps(scenario))
    out = run("brief", PLEDGE, "--scenario", f, "--no-fixes", "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == whatif(detente.load(PLEDGE), scenario).to_dict()
    assert json.loads(out.stdout)["proposals"][0]["verdict"] == {"nash": "breaks"}


def test_cli_scenario_errors(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text('{"settings": {"z": "Y"}}')
    out = run("brief", PLEDGE, "--scenario", f)
    assert out.exit_code == 2
    assert "settings.z: unknown option 'z'" in out.stderr and "Traceback" not in out.stderr
    f.write_text("{")
    out = run("brief", PLEDGE, "--scenario", f)
    assert out.exit_code == 2 and "not JSON" in out.stderr
