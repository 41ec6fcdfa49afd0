"""The GMCR+ ``.gmcr`` reader and writer: fixtures, round trips and every error message."""

from __future__ import annotations

import copy
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from detente.formats import load_model, save_model
from detente.formats.gmcr import dump_gmcr, dumps_gmcr, load_gmcr, loads_gmcr, omissions
from detente.model.conflict import Conflict, DecisionMaker, Option, enumerate_feasible
from detente.model.errors import ModelError
from detente.model.feasibility import AtLeastOne, Constraint, InfeasiblePattern, MutuallyExclusive
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
    dense_ranks,
)
from detente.model.statements import Binary, Expr, Lit, Not, parse_statement

DATA = Path(__file__).resolve().parents[1] / "data" / "gmcr"


# ----- helpers ---------------------------------------------------------------------------
def canonical_ranks(c: Conflict) -> dict[str, dict[frozenset[str], int]]:
    """Each DM's rank of each feasible state, states named by the options taken."""
    out: dict[str, dict[frozenset[str], int]] = {}
    for i, dm in enumerate(c.dms):
        out[dm.name] = {
            frozenset(n for n in c.option_names if int(code) >> c.bits[n] & 1): int(r)
            for code, r in zip(c.feasible, c.ranks[i], strict=True)
        }
    return out


def assert_same_model(a: Conflict, b: Conflict) -> None:
    """Same options (by name), DMs, feasible states and ranks, whatever the option order."""
    assert {o.name: (o.dm, o.direction) for o in a.options} == {
        o.name: (o.dm, o.direction) for o in b.options
    }
    assert [(d.name, d.options) for d in a.dms] == [(d.name, d.options) for d in b.dms]
    assert canonical_ranks(a) == canonical_ranks(b)
    assert a.coalitions == b.coalitions


def gmcr_semantics(data: dict[str, Any]) -> tuple[list[int], list[list[int]]]:
    """An independent reading of a GMCR+ file, as GMCR-py computes it: feasible state codes
    (option k of the DM-grouped order = bit k) and each DM's payoff per state number."""
    order = [k for dm in data["decisionMakers"] for k in dm["options"]]
    bit = {k: b for b, k in enumerate(order)}

    def holds(cond: Any, code: int) -> bool:
        if isinstance(cond, dict):
            return any(holds(m, code) for m in cond["members"])
        return all((code >> bit[k] & 1) == (v == "Y") for k, v in cond)

    feasible = [
        s for s in range(1 << len(order)) if not any(holds(c, s) for c in data["infeasibles"])
    ]
    payoffs = []
    for dm in data["decisionMakers"]:
        if data["useManualPreferenceRanking"]:
            pay = [0] * len(feasible)
            for pos, entry in enumerate(dm["preferenceRanking"]):
                for number in entry if isinstance(entry, list) else [entry]:
                    pay[number - 1] = len(feasible) - pos
        else:
            n = len(dm["preferences"])
            pay = [
                sum(2 ** (n - 1 - k) for k, p in enumerate(dm["preferences"]) if holds(p, s))
                for s in feasible
            ]
        payoffs.append(pay)
    return feasible, payoffs


def same_order(xs: list[int], ys: list[int]) -> bool:
    """Whether two payoff lists order (and tie) the states the same way."""
    return bool(np.array_equal(dense_ranks(np.array(xs)), dense_ranks(np.array(ys))))


def stmt(text: str) -> Statement:
    return Statement(text, parse_statement(text))


def error_of(data: Any, source: str = "bad.gmcr") -> ModelError:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(ModelError) as info:
        loads_gmcr(text, source=source)
    return info.value


BASE: dict[str, Any] = {
    "options": [
        {"name": "a", "permittedDirection": "both"},
        {"name": "b", "permittedDirection": "both"},
    ],
    "decisionMakers": [
        {"name": "A", "options": [0], "preferences": [[[0, "Y"]]]},
        {"name": "B", "options": [1], "preferences": [[[1, "Y"], [0, "N"]]]},
    ],
    "infeasibles": [],
    "useManualPreferenceRanking": False,
}


def base(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def with_dm(k: int, **changes: Any) -> dict[str, Any]:
    data = base()
    data["decisionMakers"][k].update(changes)
    return data


def manual(rank_a: Any, rank_b: Any = (1, 2, 3, 4)) -> dict[str, Any]:
    data = base(useManualPreferenceRanking=True)
    data["decisionMakers"][0]["preferenceRanking"] = rank_a
    data["decisionMakers"][1]["preferenceRanking"] = list(rank_b)
    return data


# ----- fixtures --------------------------------------------------------------------------
def test_prisoners_fixture() -> None:
    c = load_gmcr(DATA / "prisoners.gmcr")
    assert c.name == "prisoners"
    assert c.option_names == ("A_defects", "B_defects")
    assert c.options[0].description == "A defects"
    assert [d.name for d in c.dms] == ["Prisoner A", "Prisoner B"]
    pref = c.dms[0].preference
    assert isinstance(pref, StatementPreference)
    assert [s.text for s in pref.statements] == ["not B_defects", "A_defects"]
    # States CC, DC, CD, DD (bit 0 = A defects): A likes DC best, then CC, DD, CD.
    assert c.feasible.tolist() == [0, 1, 2, 3]
    assert c.ranks.tolist() == [[2, 3, 0, 1], [2, 0, 3, 1]]
    assert c.coalitions == ()  # all singletons
    assert c.source_file == str(DATA / "prisoners.gmcr")


def test_legacy_preference_vectors_with_ties_and_renamed_options() -> None:
    c = load_gmcr(DATA / "legacy_vectors.gmcr")
    assert c.option_names == ("Full", "Reduced", "Legal_Challenge", "IJC_Full")
    assert [o.direction for o in c.options] == ["both", "both", "fwd", "back"]
    assert c.options[3].description == "Full"
    assert c.n_states == 12
    us = c.dms[0].preference
    assert isinstance(us, RankingPreference)
    # State numbers 1..12 are the feasible codes in increasing order: 0, 1, 2, 4, 5, ...
    assert us.tiers[:3] == ((1,), (0, 2), (4,))
    assert c.ranks[0].tolist() == [9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    assert c.ranks[1].tolist() == [0] * 9 + [1] * 3
    # An all-tied ranking that the (empty) conditions reproduce stays a statement preference.
    assert c.dms[2].preference == StatementPreference(())


def test_compound_conditions_regrouped_options_and_coalitions() -> None:
    c = load_gmcr(DATA / "compound.gmcr")
    # Syria lists option 1 before option 0: GMCR numbers states in DM-grouped order.
    assert c.option_names == ("release_water", "escalate", "attack", "mediate")
    assert [o.direction for o in c.options] == ["back", "both", "fwd", "both"]
    syria = c.dms[0].preference
    assert isinstance(syria, StatementPreference)
    assert [s.text for s in syria.statements] == [
        "(release_water and not attack) or mediate", "not escalate",
    ]
    # Compound infeasible = two patterns: escalate without release_water; attack and mediate.
    assert c.constraints == (
        InfeasiblePattern((("release_water", False), ("escalate", True))),
        InfeasiblePattern((("attack", True), ("mediate", True))),
    )
    assert c.n_states == 9
    assert c.coalitions == (("Syria", "Mediator"),)
    feasible, payoffs = gmcr_semantics(json.loads((DATA / "compound.gmcr").read_text()))
    assert len(feasible) == c.n_states
    for i in range(3):
        assert same_order(payoffs[i], c.ranks[i].tolist())


def test_misperceptions_are_read_as_blind_spots() -> None:
    """GMCR+ per-DM misperceptions become that DM's blind spots (tests/formats/
    test_hypergame_format.py checks the move rule and the round trip)."""
    c = load_gmcr(DATA / "misperceptions.gmcr")
    assert [d.blind_spots for d in c.dms] == [(), ("YN",)]


@pytest.mark.parametrize("name", ["prisoners", "legacy_vectors", "compound"])
def test_gmcr_model_gmcr_round_trip(name: str) -> None:
    first = load_gmcr(DATA / f"{name}.gmcr")
    text = dumps_gmcr(first)
    second = loads_gmcr(text)
    assert first.option_names == second.option_names  # grouped order is kept
    assert first.feasible.tolist() == second.feasible.tolist()
    assert first.ranks.tolist() == second.ranks.tolist()
    assert [d.preference for d in first.dms] == [d.preference for d in second.dms]
    assert first.constraints == second.constraints
    assert first.coalitions == second.coalitions
    assert dumps_gmcr(second) == text


def test_dispatch_by_suffix(tmp_path: Path) -> None:
    c = load_model(DATA / "compound.gmcr")
    for suffix in (".gmcr", ".json"):
        path = tmp_path / f"out{suffix}"
        save_model(c, path)
        again = load_model(path)
        assert again.name == "compound"
        assert again.ranks.tolist() == c.ranks.tolist()


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.gmcr"
    path.write_text("\ufeff" + json.dumps(BASE), encoding="utf-8")
    assert load_gmcr(path).n_states == 4


def test_name_and_description_keys() -> None:
    c = loads_gmcr(json.dumps(base(name="Toy", description="A toy.")))
    assert (c.name, c.description) == ("Toy", "A toy.")
    assert loads_gmcr(json.dumps(BASE)).name == "GMCR+ conflict"


def test_ignored_keys_are_accepted() -> None:
    data = base(program="gmcr-py", version="0.3.13", coalitionsFull=[], nodes=[])
    data["decisionMakers"][0]["payoffs"] = [1, 2, 1, 2]
    assert loads_gmcr(json.dumps(data)).n_states == 4


def test_manual_ranking_ignored_when_flag_is_false() -> None:
    data = with_dm(0, preferenceRanking=[1, 2, 3, 4])
    pref = loads_gmcr(json.dumps(data)).dms[0].preference
    assert isinstance(pref, StatementPreference)


def test_manual_ranking_agreeing_with_conditions_keeps_statements() -> None:
    # A prefers a (bit 0): states 2 and 4 (codes 1, 3) first, tied.
    # B's condition (b and not a) puts state 3 (code 2) alone on top; its ranking does not.
    c = loads_gmcr(json.dumps(manual([[2, 4], [1, 3]], [[1], [4, 2, 3]])))
    assert isinstance(c.dms[0].preference, StatementPreference)
    b = c.dms[1].preference
    assert isinstance(b, RankingPreference)
    assert b.tiers == ((0,), (1, 2, 3))


def test_name_clashes_get_unique_identifiers() -> None:
    data = base(options=[{"name": "or"}, {"name": "2 go"}, {"name": ""}, {"name": "Ölpreis"}])
    data["decisionMakers"] = [
        {"name": "A", "options": [0, 1], "preferences": []},
        {"name": "B", "options": [2, 3], "preferences": []},
    ]
    c = loads_gmcr(json.dumps(data))
    assert c.option_names == ("or_", "option_2_2_go", "option_3", "Olpreis")
    data["options"] = [{"name": "x"}, {"name": "x"}, {"name": "x"}, {"name": "B x"}]
    data["decisionMakers"][0]["options"] = [0, 1, 2]
    data["decisionMakers"][1]["options"] = [3]
    c = loads_gmcr(json.dumps(data))
    assert c.option_names == ("x", "A_x", "A_x_2", "B_x")
    assert [o.description for o in c.options] == ["", "x", "x", "B x"]


# ----- writing ---------------------------------------------------------------------------
def small(
    *statements: str,
    extra: Preference | None = None,
    constraints: tuple[Constraint, ...] = (MutuallyExclusive(("a", "b")), AtLeastOne(("a", "c"))),
) -> Conflict:
    """Options a, b (DM A; b fwd-only) and c (DM B, back-only); feasible: a, c, ac, bc."""
    return Conflict(
        name="small",
        options=(Option("a", "A"), Option("b", "A", "fwd"), Option("c", "B", "back")),
        dms=(
            DecisionMaker("A", ("a", "b"), StatementPreference(tuple(map(stmt, statements)))),
            DecisionMaker("B", ("c",), extra or StatementPreference((stmt("c"),))),
        ),
        constraints=constraints,
    )


def test_export_expands_constraints_and_writes_directions() -> None:
    c = small("a", constraints=(MutuallyExclusive(("a", "b", "c")), AtLeastOne(("a", "c"))))
    data = json.loads(dumps_gmcr(c))
    assert data["infeasibles"] == [
        [[0, "Y"], [1, "Y"]], [[0, "Y"], [2, "Y"]], [[1, "Y"], [2, "Y"]], [[0, "N"], [2, "N"]],
    ]
    assert [o["permittedDirection"] for o in data["options"]] == ["both", "fwd", "back"]
    assert data["useManualPreferenceRanking"] is False


def test_export_writes_or_if_iff_as_compound_conditions() -> None:
    c = small("a if b", "not (a and c)", "a iff c", "b or not b", "a and not a")
    data = json.loads(dumps_gmcr(c))
    prefs = data["decisionMakers"][0]["preferences"]
    assert prefs == [
        {"compound": True, "members": [[[0, "Y"]], [[1, "N"]]]},
        {"compound": True, "members": [[[0, "N"]], [[2, "N"]]]},
        {"compound": True, "members": [[[0, "N"], [2, "N"]], [[0, "Y"], [2, "Y"]]]},
    ]  # the tautology and the contradiction do not affect the ranking and are left out
    assert data["useManualPreferenceRanking"] is False
    again = loads_gmcr(json.dumps(data))
    assert_same_model(c, again)
    feasible, payoffs = gmcr_semantics(data)
    assert feasible == c.feasible.tolist()
    assert same_order(payoffs[0], c.ranks[0].tolist())


def test_ranking_preference_makes_the_file_use_manual_rankings() -> None:
    c = small("a", extra=PayoffPreference(((1, 0.5), (4, 2.0), (5, 2.0), (6, 1.0))))
    data = json.loads(dumps_gmcr(c))
    assert data["useManualPreferenceRanking"] is True
    assert data["useManualPreferenceVectors"] is True
    assert data["decisionMakers"][0]["preferences"] == [[[0, "Y"]]]  # still written
    assert data["decisionMakers"][1]["preferenceRanking"] == [[2, 3], 4, 1]
    again = loads_gmcr(json.dumps(data))
    assert isinstance(again.dms[0].preference, StatementPreference)
    assert isinstance(again.dms[1].preference, RankingPreference)
    assert_same_model(c, again)


def test_too_complex_statement_falls_back_to_a_ranking() -> None:
    names = [f"x{k}" for k in range(8)]
    parity = stmt(" iff ".join(names))
    c = Conflict(
        name="parity",
        options=tuple(Option(n, "A") for n in names),
        dms=(DecisionMaker("A", tuple(names), StatementPreference((parity, stmt("x0")))),),
    )
    data = json.loads(dumps_gmcr(c))
    assert data["useManualPreferenceRanking"] is True
    assert data["decisionMakers"][0]["preferences"] == []
    assert len(data["decisionMakers"][0]["preferenceRanking"]) == 4
    assert_same_model(c, loads_gmcr(json.dumps(data)))


def test_export_groups_options_by_decision_maker() -> None:
    c = Conflict(
        name="interleaved",
        options=(Option("p", "P"), Option("q", "Q"), Option("r", "P")),
        dms=(
            DecisionMaker("P", ("r", "p"), StatementPreference((stmt("r and not q"),))),
            DecisionMaker("Q", ("q",), RankingPreference(((2, 6), (0, 1, 4, 5)))),
        ),
        constraints=(InfeasiblePattern((("p", True), ("q", True))),),
        coalitions=(("P", "Q"),),
    )
    data = json.loads(dumps_gmcr(c))
    assert [o["name"] for o in data["options"]] == ["r", "p", "q"]
    assert data["infeasibles"] == [[[1, "Y"], [2, "Y"]]]
    assert data["decisionMakers"][0]["preferences"] == [[[0, "Y"], [2, "N"]]]
    assert data["coalitions"] == [[0, 1]]
    again = loads_gmcr(json.dumps(data))
    assert again.option_names == ("r", "p", "q")
    assert_same_model(c, again)
    feasible, payoffs = gmcr_semantics(data)
    assert len(feasible) == c.n_states
    assert same_order(payoffs[1], [canonical_ranks(c)["Q"][s] for s in _named(data, feasible)])


def _named(data: dict[str, Any], codes: list[int]) -> list[frozenset[str]]:
    names = [data["options"][k]["name"] for dm in data["decisionMakers"] for k in dm["options"]]
    return [frozenset(n for b, n in enumerate(names) if s >> b & 1) for s in codes]


def test_overlapping_coalitions_are_left_out_and_named(tmp_path: Path) -> None:
    c = Conflict(
        name="overlap",
        options=(Option("a", "A"), Option("b", "B"), Option("c", "C")),
        dms=tuple(
            DecisionMaker(n, (n.lower(),), StatementPreference(())) for n in ("A", "B", "C")
        ),
        coalitions=(("A", "B"), ("B", "C")),
    )
    assert json.loads(dumps_gmcr(c))["coalitions"] == [[0, 1], 2]
    assert omissions(c) == [
        "the coalition B + C (it overlaps an earlier one; the file holds one partition of the "
        "decision makers)",
        "the wording of the preference statements (written as conditions)",
    ]
    path = tmp_path / "x.gmcr"
    dump_gmcr(c, path)
    assert loads_gmcr(path.read_text(encoding="utf-8")).coalitions == (("A", "B"),)
    assert [p.name for p in tmp_path.iterdir()] == ["x.gmcr"]  # no temporary file left


# ----- model -> gmcr -> model property ----------------------------------------------------
@st.composite
def expressions(draw: st.DrawFn, names: list[str]) -> Expr:
    leaf = st.sampled_from(names).map(Lit)
    tree = st.recursive(
        leaf,
        lambda sub: st.one_of(
            sub.map(Not),
            st.builds(Binary, sub, sub, st.sampled_from(["and", "or", "if", "iff"])),
        ),
        max_leaves=5,
    )
    return draw(tree)


def _constraint(draw: st.DrawFn, names: list[str]) -> Constraint:
    kind = draw(st.sampled_from(["pattern", "mutex", "at_least_one"]))
    members = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    if kind == "pattern":
        return InfeasiblePattern(tuple((m, draw(st.booleans())) for m in members))
    if kind == "mutex":
        return MutuallyExclusive(tuple(members))
    return AtLeastOne(tuple(members))


def _preference(draw: st.DrawFn, names: list[str], feasible: list[int]) -> Preference:
    kind = draw(st.sampled_from(["statements", "statements", "ranking", "payoffs"]))
    if kind == "statements":
        exprs = draw(st.lists(expressions(names), max_size=4))
        return StatementPreference(tuple(Statement(str(e), e) for e in exprs))
    if kind == "ranking":
        order = draw(st.permutations(feasible))
        cuts = sorted(draw(st.sets(st.integers(1, max(len(order) - 1, 1)))))
        bounds = [0, *[x for x in cuts if x < len(order)], len(order)]
        return RankingPreference(
            tuple(tuple(order[i:j]) for i, j in pairwise(bounds) if i < j)
        )
    values = draw(st.lists(st.integers(0, 3), min_size=len(feasible), max_size=len(feasible)))
    return PayoffPreference(tuple(zip(feasible, map(float, values), strict=True)))


@st.composite
def conflicts(draw: st.DrawFn) -> Conflict:
    n_dms = draw(st.integers(1, 4))
    n_opts = draw(st.integers(1, 6))
    dm_names = [f"D{i}" for i in range(n_dms)]
    names = [f"o{k}" for k in range(n_opts)]
    n_dms = min(n_dms, n_opts)  # every decision maker controls at least one option
    dm_names = dm_names[:n_dms]
    owner = list(range(n_dms)) + [draw(st.integers(0, n_dms - 1)) for _ in names[n_dms:]]
    owner = draw(st.permutations(owner))
    order = draw(st.permutations(range(n_opts)))
    options = tuple(
        Option(names[k], dm_names[owner[k]], draw(st.sampled_from(["both", "fwd", "back"])))
        for k in order
    )
    constraints = tuple(_constraint(draw, names) for _ in range(draw(st.integers(0, 3))))
    bits = {o.name: b for b, o in enumerate(options)}
    try:
        feasible = enumerate_feasible(n_opts, constraints, bits, n_dms).tolist()
    except ModelError:
        assume(False)
    dms = tuple(
        DecisionMaker(
            dm_names[i],
            tuple(draw(st.permutations([n for n, o in zip(names, owner, strict=True) if o == i]))),
            _preference(draw, names, feasible),
        )
        for i in range(n_dms)
    )
    groups = [draw(st.integers(0, n_dms - 1)) for _ in dm_names]
    coalitions = tuple(
        tuple(n for n, g in zip(dm_names, groups, strict=True) if g == label)
        for label in sorted(set(groups))
        if groups.count(label) > 1
    )
    return Conflict("random", options, dms, constraints, coalitions=coalitions)


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_model_gmcr_model_preserves_states_and_ranks(c: Conflict) -> None:
    text = dumps_gmcr(c)
    data = json.loads(text)
    again = loads_gmcr(text)
    assert_same_model(c, again)
    assert again.n_states == c.n_states
    for before, after in zip(c.dms, again.dms, strict=True):
        if isinstance(before.preference, StatementPreference):
            assert isinstance(after.preference, StatementPreference)
    # What GMCR+ itself would compute from the file agrees with the model.
    feasible, payoffs = gmcr_semantics(data)
    named = _named(data, feasible)
    ranks = canonical_ranks(c)
    assert set(named) == set(ranks[c.dms[0].name])
    for i, dm in enumerate(c.dms):
        assert same_order(payoffs[i], [ranks[dm.name][s] for s in named])
    # Writing the re-read model gives the same file (the option order is now grouped).
    assert dumps_gmcr(loads_gmcr(dumps_gmcr(again))) == dumps_gmcr(again)


# ----- errors ----------------------------------------------------------------------------
def test_bad_json_gives_line_and_column() -> None:
    err = error_of('{\n  "options": [\n    {"name": "a",}\n  ]\n}')
    assert err.message.startswith("not valid JSON: Expecting property name")
    assert (err.line, err.column) == (3, 18)
    assert str(err).startswith("bad.gmcr:3:18: not valid JSON")


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read the file"):
        load_gmcr(tmp_path / "missing.gmcr")
    path = tmp_path / "latin1.gmcr"
    path.write_bytes(b'{"options": [{"name": "\xe9"}]}')
    with pytest.raises(ModelError, match="not UTF-8") as info:
        load_gmcr(path)
    assert info.value.source == str(path)


def _rank_data(rank: Any) -> dict[str, Any]:
    return manual(rank)


ERRORS: list[tuple[Any, str | None, str]] = [
    ("[1, 2]", None, "expected a GMCR+ conflict with options and decisionMakers (a JSON object)"),
    ({"decisionMakers": []}, None, "required key 'options' is missing"),
    (base(stateOrder=[]), None, "unsupported top-level key 'stateOrder'; detente reads"),
    (base(misperceptions=[]), "misperceptions", "misperceptions belong to a decision maker"),
    (base(options={"a": 1}), "options", "expected a list of options, got {\"a\": 1}"),
    (base(options=["a", "b"]), "options[0]", "expected an option"),
    (base(options=[{"name": "a", "image": "x.png"}, {"name": "b"}]), "options[0]",
     "unsupported key 'image'; expected only: name, permittedDirection"),
    (base(options=[{"name": "a"}, {"permittedDirection": "both"}]), "options[1]",
     "required key 'name' is missing"),
    (base(options=[{"name": 7}, {"name": "b"}]), "options[0].name",
     "expected the option name (a string), got 7"),
    (base(options=[{"name": "a"}, {"name": "b", "permittedDirection": "forward"}]),
     "options[1].permittedDirection",
     'permittedDirection must be one of both, fwd, back; got "forward"'),
    (base(decisionMakers="A"), "decisionMakers", "expected a list of decision makers"),
    (with_dm(1, reachability=[]), "decisionMakers[1]", "unsupported key 'reachability'"),
    (base(decisionMakers=[{"options": [0, 1]}]), "decisionMakers[0]",
     "required key 'name' is missing"),
    (with_dm(0, name=["A"]), "decisionMakers[0].name",
     "expected the decision maker's name (a string)"),
    (with_dm(0, name="  "), "decisionMakers[0].name", "the decision maker's name is empty"),
    (with_dm(1, name="A"), "decisionMakers[1].name", "duplicate decision maker name 'A'"),
    (with_dm(0, options=[5]), "decisionMakers[0].options[0]",
     "option index 5 is out of range; the file has 2 options (indices 0..1)"),
    (with_dm(0, options=["0"]), "decisionMakers[0].options[0]",
     'expected a 0-based option index (an integer), got "0"'),
    (with_dm(0, options=[True]), "decisionMakers[0].options[0]",
     "expected a 0-based option index (an integer), got true"),
    (with_dm(1, options=[0, 1]), "decisionMakers[1].options[0]",
     "option 0 ('a') is already controlled by decisionMakers[0] ('A')"),
    (with_dm(0, options=[0, 0]), "decisionMakers[0].options[1]",
     "option 0 ('a') is already controlled by this decision maker"),
    (with_dm(1, options=[]), "options[1]", "option 1 ('b') is controlled by no decision maker"),
    (base(useManualPreferenceRanking="yes"), "useManualPreferenceRanking",
     'expected true or false, got "yes"'),
    (base(useManualPreferenceVectors=True), None,
     "useManualPreferenceRanking and useManualPreferenceVectors disagree"),
    (base(infeasibles={}), "infeasibles", "expected a list of conditions, got {}"),
    (base(infeasibles=["YY"]), "infeasibles[0]", 'expected a condition (a list of'),
    (base(infeasibles=[[[0, "Y", 1]]]), "infeasibles[0][0]",
     'expected a pair [option index, "Y" or "N"], got [0, "Y", 1]'),
    (base(infeasibles=[[[0, "yes"]]]), "infeasibles[0][0][1]", 'expected "Y" or "N", got "yes"'),
    (base(infeasibles=[[[9, "Y"]]]), "infeasibles[0][0][0]", "option index 9 is out of range"),
    (base(infeasibles=[[[0, "Y"], [0, "N"]]]), "infeasibles[0][1]",
     "option 0 ('a') appears twice in one condition"),
    (base(infeasibles=[[]]), "infeasibles[0]", "empty condition"),
    (base(infeasibles=[{"compound": True}]), "infeasibles[0]",
     "compound condition without 'members'"),
    (base(infeasibles=[{"compound": True, "members": [], "x": 1}]), "infeasibles[0]",
     "unsupported key 'x'; expected only: compound, members"),
    (base(infeasibles=[{"compound": True, "members": []}]), "infeasibles[0].members",
     "compound condition with no members"),
    (base(infeasibles=[{"members": [[[0, "Y"]], [[0, "N"]]]}]), "infeasibles",
     "the infeasibility conditions rule out every state"),
    (with_dm(1, preferences=[[[1, "Y"]], [[0, "Q"]]]), "decisionMakers[1].preferences[1][0][1]",
     'expected "Y" or "N", got "Q"'),
    (with_dm(1, preferences={"a": "Y"}), "decisionMakers[1].preferences",
     "expected a list of conditions"),
    (base(useManualPreferenceRanking=True), "decisionMakers[0]",
     "uses manual rankings (useManualPreferenceRanking is true) but this decision maker has no "
     "preferenceRanking"),
    (_rank_data("1234"), "decisionMakers[0].preferenceRanking",
     "expected a list of feasible state numbers"),
    (_rank_data([1, 2, "3", 4]), "decisionMakers[0].preferenceRanking[2]",
     'expected a state number (an integer) or a list of them (a tie), got "3"'),
    (_rank_data([1, [2, 5], 3, 4]), "decisionMakers[0].preferenceRanking[1][1]",
     "state number 5 is out of range; the conflict has 4 feasible states (1..4)"),
    (_rank_data([0, 1, 2, 3, 4]), "decisionMakers[0].preferenceRanking[0]",
     "state number 0 is out of range; the conflict has 4 feasible states (1..4)"),
    (_rank_data([1, 2, -3, 4]), "decisionMakers[0].preferenceRanking[2]",
     "state number -3 is out of range; the conflict has 4 feasible states (1..4)"),
    (_rank_data([1, 2, [3, 2], 4]), "decisionMakers[0].preferenceRanking[2][1]",
     "state 2 appears more than once in the ranking"),
    (_rank_data([1, [], 2, 3, 4]), "decisionMakers[0].preferenceRanking[1]", "empty tie"),
    (_rank_data([4, 1]), "decisionMakers[0].preferenceRanking",
     "the ranking must list every feasible state (1..4); missing 2, 3"),
    (base(coalitions=[0, 2]), "coalitions[1]",
     "expected a 0-based decision maker index (0..1) or a list of them, got 2"),
    (base(coalitions=[[0, 1], 1]), "coalitions[1]", "decision maker 1 ('B') is in two coalitions"),
    (base(coalitions=[0]), "coalitions",
     "coalitions must list every decision maker exactly once (alone or in a coalition); "
     "missing 1 ('B')"),
    (base(coalitions={"0": 1}), "coalitions", "expected a list of decision maker indices"),
    (base(name=3), "name", "expected the conflict's name (a string), got 3"),
]


@pytest.mark.parametrize(("data", "field", "message"), ERRORS)
def test_error_messages(data: Any, field: str | None, message: str) -> None:
    err = error_of(data)
    assert message in err.message
    assert err.field == field
    assert err.source == "bad.gmcr"
    assert str(err).startswith("bad.gmcr: " + (f"{field}: " if field else ""))


def test_ranking_keys_that_disagree() -> None:
    data = manual([1, 2, 3, 4])
    data["decisionMakers"][0]["preferenceVector"] = [4, 3, 2, 1]
    err = error_of(data)
    assert err.field == "decisionMakers[0]"
    assert "preferenceRanking and preferenceVector disagree" in err.message


def test_too_many_statements_is_located() -> None:
    data = with_dm(0, preferences=[[[0, "Y"]]] * 63)
    err = error_of(data)
    assert err.field == "decisionMakers[0].preferences"
    assert "at most 62 statements" in err.message


def test_no_raw_exception_escapes_on_junk() -> None:
    junk: list[Any] = [
        "null", "3", '""', {"options": None, "decisionMakers": None},
        base(options=[None]), with_dm(0, options=None), with_dm(0, preferences=[None]),
        with_dm(0, preferences=[[None]]), with_dm(0, preferences=[[[None, None]]]),
        base(infeasibles=[{"members": None}]), base(infeasibles=[{"members": [None]}]),
        _rank_data(None), _rank_data([[None]]), base(coalitions=[[None]]),
        base(decisionMakers=[]), base(options=[], decisionMakers=[]), "[" * 100000,
    ]
    for item in junk:
        with pytest.raises(ModelError):
            loads_gmcr(item if isinstance(item, str) else json.dumps(item))


def test_gmcr_semantics_helper_matches_fixture() -> None:
    data = json.loads((DATA / "prisoners.gmcr").read_text())
    feasible, payoffs = gmcr_semantics(data)
    assert feasible == [0, 1, 2, 3]
    assert payoffs == [[2, 3, 0, 1], [2, 0, 3, 1]]
    assert np.array_equal(load_gmcr(DATA / "prisoners.gmcr").ranks, np.array(payoffs))
