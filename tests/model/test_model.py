"""The conflict model: feasibility, preferences → ranks, state references, validation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.model import (
    AtLeastOne,
    Conflict,
    Constraint,
    DecisionMaker,
    InfeasiblePattern,
    ModelError,
    MutuallyExclusive,
    Option,
    PayoffPreference,
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
    parse_statement,
)
from detente.model.preferences import dense_ranks


def statements(*texts: str) -> StatementPreference:
    return StatementPreference(tuple(Statement(t, parse_statement(t)) for t in texts))


def make(
    n: int,
    constraints: Sequence[Constraint] = (),
    prefs: Sequence[Preference] | None = None,
    owners: Sequence[int] | None = None,
    **kw: object,
) -> Conflict:
    """Options o0..o{n-1}; DM Dk owns the options with owner k (default: one DM owns all)."""
    owners = list(owners) if owners is not None else [0] * n
    n_dms = max(owners) + 1
    options = tuple(Option(f"o{k}", f"D{owners[k]}") for k in range(n))
    if prefs is None:
        prefs = [statements("o0")] * n_dms
    dms = tuple(
        DecisionMaker(f"D{i}", tuple(f"o{k}" for k in range(n) if owners[k] == i), prefs[i])
        for i in range(n_dms)
    )
    return Conflict("test", options, dms, tuple(constraints), **kw)  # type: ignore[arg-type]


# ----- feasibility against brute force -----------------------------------------------------
def brute_feasible(n: int, constraints: Sequence[Constraint]) -> list[int]:
    out = []
    for code in range(1 << n):
        value = {f"o{k}": bool(code >> k & 1) for k in range(n)}
        ok = True
        for con in constraints:
            if isinstance(con, InfeasiblePattern):
                ok &= not all(value[name] == want for name, want in con.conditions)
            elif isinstance(con, MutuallyExclusive):
                ok &= sum(value[m] for m in con.members) <= 1
            else:
                ok &= any(value[m] for m in con.members)
        if ok:
            out.append(code)
    return out


@st.composite
def constraint_sets(draw: st.DrawFn) -> tuple[int, list[Constraint]]:
    n = draw(st.integers(1, 7))
    names = st.lists(st.sampled_from([f"o{k}" for k in range(n)]), min_size=1, max_size=n,
                     unique=True)
    cons: list[Constraint] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["pattern", "mutex", "atleast"]))
        members = tuple(draw(names))
        if kind == "pattern":
            cons.append(InfeasiblePattern(tuple((m, draw(st.booleans())) for m in members)))
        elif kind == "mutex":
            cons.append(MutuallyExclusive(members))
        else:
            cons.append(AtLeastOne(members))
    return n, cons


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(constraint_sets())
def test_feasible_states_match_brute_force(case: tuple[int, list[Constraint]]) -> None:
    n, cons = case
    expected = brute_feasible(n, cons)
    if not expected:
        with pytest.raises(ModelError, match="rule out every state"):
            make(n, cons)
        return
    c = make(n, cons)
    assert c.feasible.dtype == np.int64
    assert c.feasible.tolist() == expected
    assert c.n_states == len(expected)
    for code in range(1 << n):
        assert c.is_feasible(code) == (code in expected)


def test_constraint_kinds_by_hand() -> None:
    # o0 and o1 exclusive; at least one of o1, o2; never o0 and not o2
    c = make(3, [
        MutuallyExclusive(("o0", "o1")),
        AtLeastOne(("o1", "o2")),
        InfeasiblePattern((("o0", True), ("o2", False))),
    ])
    assert [c.state_string(x) for x in c.feasible] == ["NYN", "NNY", "YNY", "NYY"]
    assert c.constraints[0].describe() == "at most one of o0, o1"
    assert c.constraints[1].describe() == "at least one of o1, o2"
    assert c.constraints[2].describe() == "o0 and not o2"


def test_empty_feasible_set_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        make(2, [AtLeastOne(("o0",)), InfeasiblePattern((("o0", True),))])
    assert err.value.message == (
        "the infeasibility conditions rule out every state; expected at least one feasible state"
    )


# ----- ranks from prioritised statements -----------------------------------------------------
@st.composite
def statement_prefs(draw: st.DrawFn) -> tuple[int, list[str]]:
    n = draw(st.integers(1, 5))
    lits = [f"o{k}" for k in range(n)] + [f"not o{k}" for k in range(n)]
    texts = []
    for _ in range(draw(st.integers(1, 6))):
        parts = draw(st.lists(st.sampled_from(lits), min_size=1, max_size=3))
        texts.append(draw(st.sampled_from([" and ", " or ", " iff "])).join(parts)
                     if len(parts) > 1 else parts[0])
    return n, texts


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(statement_prefs())
def test_statement_ranking_is_lexicographic_with_ties(case: tuple[int, list[str]]) -> None:
    n, texts = case
    c = make(n, prefs=[statements(*texts)])
    bits = {f"o{k}": k for k in range(n)}
    sat = {
        int(code): tuple(bool(parse_statement(t).evaluate(np.array([code]), bits)[0])
                         for t in texts)
        for code in c.feasible
    }
    ranks = dict(zip(c.feasible.tolist(), c.ranks[0].tolist(), strict=True))
    for s, t in ((s, t) for s in sat for t in sat):
        # Tuples of booleans compare lexicographically: the first statement decides first.
        assert (ranks[s] > ranks[t]) == (sat[s] > sat[t])
        assert (ranks[s] == ranks[t]) == (sat[s] == sat[t])
    # dense: ranks are 0..k-1
    assert sorted(set(ranks.values())) == list(range(len(set(sat.values()))))


def test_most_important_statement_outweighs_all_others_together() -> None:
    c = make(4, prefs=[statements("o0", "o1", "o2", "o3")])
    best_without_first = c.ranks[0][c.index_of(0b1110)][0]
    worst_with_first = c.ranks[0][c.index_of(0b0001)][0]
    assert worst_with_first > best_without_first
    # 16 distinct satisfaction patterns: a strict order, the state code read backwards
    order = sorted(range(16), key=lambda code: c.ranks[0][code])
    assert order == sorted(range(16), key=lambda code: int(f"{code:04b}"[::-1], 2))


def test_equal_satisfaction_ties() -> None:
    # only o0 matters; o1 is irrelevant, so states differing only in o1 tie
    c = make(2, prefs=[statements("o0", "o0 or not o0")])
    assert c.ranks[0].tolist() == [0, 1, 0, 1]
    assert c.ranks.dtype == np.int32


# ----- explicit rankings and payoffs --------------------------------------------------------
def test_ranking_with_ties() -> None:
    pref = RankingPreference(((3,), (0, 1), (2,)))  # YY best; NN ~ YN; NY worst
    c = make(2, prefs=[pref])
    assert c.ranks[0].tolist() == [1, 1, 0, 2]


def test_payoffs_give_dense_ranks_with_ties() -> None:
    pref = PayoffPreference(((0, 10.0), (1, -2.5), (2, 10.0), (3, 7)))
    c = make(2, prefs=[pref])
    assert c.ranks[0].tolist() == [2, 0, 2, 1]


def test_dense_ranks() -> None:
    assert dense_ranks(np.array([3, 3, 3])).tolist() == [0, 0, 0]
    assert dense_ranks(np.array([-1.0, 5.0, 2.0, 5.0])).tolist() == [0, 2, 1, 2]


@pytest.mark.parametrize(
    ("pref", "message"),
    [
        (RankingPreference(((0,), (1,), (2,))), "ranking must cover every feasible state; "
                                                 "missing YY"),
        (RankingPreference(((0, 1), (2, 3), (1,))), "ranking lists state YN more than once"),
        (PayoffPreference(((0, 1.0), (1, 1.0), (2, 1.0))), "payoffs must cover every feasible "
                                                           "state; missing YY"),
    ],
)
def test_rankings_and_payoffs_must_cover_each_state_once(pref: Preference, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        make(2, prefs=[pref])


def test_ranking_listing_an_infeasible_state() -> None:
    pref = RankingPreference(((0,), (1,), (2,), (3,)))
    with pytest.raises(ModelError, match="ranking lists infeasible state YY"):
        make(2, [InfeasiblePattern((("o0", True), ("o1", True)))], prefs=[pref])


def test_missing_states_are_summarised() -> None:
    with pytest.raises(ModelError, match=r"missing NNN, YNN, NYN, YYN, NNY and 3 more"):
        make(3, prefs=[RankingPreference(())])


# ----- state references ---------------------------------------------------------------------
@pytest.fixture
def three() -> Conflict:
    # feasible: every state but YY- (o0 and o1 together)
    return make(3, [MutuallyExclusive(("o0", "o1"))], owners=[0, 1, 1],
                prefs=[statements("o0"), statements("o1")])


def test_state_strings_and_numbers(three: Conflict) -> None:
    assert three.feasible.tolist() == [0, 1, 2, 4, 5, 6]
    assert three.state_string(5) == "YNY"
    assert [three.state_number(int(x)) for x in three.feasible] == [1, 2, 3, 4, 5, 6]
    assert three.parse_state("NYY") == 6
    assert three.parse_state(" nyy ") == 6
    assert three.parse_state(4) == 4  # 4th feasible state = code 4 (NNY)
    assert three.parse_state("5") == 5
    assert three.parse_state({"o0": "Y", "o1": "N", "o2": True}) == 5
    assert three.matching("--Y").tolist() == [4, 5, 6]
    assert three.matching("N--").tolist() == [0, 2, 4, 6]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("YYN", "state YYN is not feasible"),
        (7, "state number 7 is out of range 1..6"),
        (0, "state number 0 is out of range 1..6"),
        ("YN", "state pattern 'YN' must have one of Y, N or - for each of the 3 options "
               "(o0, o1, o2)"),
        ("Y-N", "must give Y or N for every option, not '-'"),
        ("YXN", "must have one of Y, N or -"),
        ({"o0": "Y", "o1": "N"}, "state is missing options: o2"),
        ({"o0": "Y", "o1": "N", "o2": "N", "zz": "Y"}, "unknown option 'zz'"),
        ({"o0": "maybe", "o1": "N", "o2": "N"}, "option 'o0' must be Y or N, got 'maybe'"),
        (True, "expected a state, got True"),
        (2.5, "expected a state (Y/N string, number or mapping)"),
    ],
)
def test_bad_state_references(three: Conflict, ref: object, message: str) -> None:
    with pytest.raises(ModelError) as err:
        three.parse_state(ref)  # type: ignore[arg-type]
    assert message in err.value.message


def test_index_of_refuses_infeasible(three: Conflict) -> None:
    assert three.index_of(np.array([0, 6])).tolist() == [0, 5]
    with pytest.raises(ModelError, match="state YYN is not feasible"):
        three.index_of(3)


def test_masks_and_directions() -> None:
    c = Conflict(
        "dirs",
        (Option("a", "A", "fwd"), Option("b", "B", "back"), Option("c", "A")),
        (DecisionMaker("A", ("a", "c"), statements("a")), DecisionMaker("B", ("b",),
                                                                        statements("b"))),
    )
    assert c.dm_masks.tolist() == [0b101, 0b010]
    assert (c.fwd_mask, c.back_mask) == (0b001, 0b010)
    assert c.dm_index("B") == 1
    with pytest.raises(ModelError, match="unknown decision maker 'C'; expected one of: A, B"):
        c.dm_index("C")


# ----- validation of directly built models --------------------------------------------------
def dm(name: str, opts: tuple[str, ...], pref: Preference | None = None) -> DecisionMaker:
    return DecisionMaker(name, opts, pref or statements(opts[0]))


@pytest.mark.parametrize(
    ("options", "dms", "extra", "message"),
    [
        ((Option("a", "A"), Option("b", "B")), (dm("A", ("a", "b")), dm("B", ("b",))), {},
         "option 'b' says it belongs to 'B', not 'A'"),
        ((Option("a", "A"), Option("b", "A")), (dm("A", ("a", "b")), dm("B", ("b",))), {},
         "option 'b' is controlled by two decision makers: 'A' and 'B'; expected exactly one"),
        ((Option("a", "A"), Option("b", "A")), (dm("A", ("a",)),), {},
         "option 'b' is controlled by no decision maker"),
        ((Option("a", "A"), Option("a", "A")), (dm("A", ("a",)),), {},
         "duplicate option name 'a'"),
        ((Option("a", "A"),), (dm("A", ("a",)), dm("A", ("a",))), {},
         "duplicate decision maker name 'A'"),
        ((Option("a", "A"),), (dm("A", ("a", "zz")),), {},
         "decision maker 'A' controls unknown option 'zz'"),
        ((Option("2a", "A"),), (dm("A", ("2a",), PayoffPreference(((0, 0), (1, 1)))),), {},
         "option name '2a' is not a valid"),
        ((Option("or", "A"),), (dm("A", ("or",), PayoffPreference(((0, 0), (1, 1)))),), {},
         "option name 'or' is not a valid"),
        ((Option("a", "A", "up"),), (dm("A", ("a",)),), {},  # type: ignore[arg-type]
         "direction must be both, fwd or back"),
        ((), (), {}, "the model has no options; expected at least one"),
        ((Option("a", "A"),), (), {}, "the model has no decision makers; expected at least one"),
        ((Option("a", "A"),), (dm("A", ("a",), statements("a or b")),), {},
         "decision maker 'A': unknown option 'b' in statement 'a or b'"),
        ((Option("a", "A"),), (dm("A", ("a",)),),
         {"constraints": (MutuallyExclusive(("a", "q")),)},
         "infeasibility condition names unknown option 'q'"),
        ((Option("a", "A"),), (dm("A", ("a",)),), {"coalitions": (("A",),)},
         "coalition ['A'] needs two or more distinct members"),
        ((Option("a", "A"), Option("b", "B")), (dm("A", ("a",)), dm("B", ("b",))),
         {"coalitions": (("A", "C"),)}, "coalition names unknown decision maker 'C'"),
        ((Option("a", "A"),), (dm("A", ("a",)),),
         {"constraints": (InfeasiblePattern((("a", True),)),), "status_quo": 1},
         "status quo Y is not feasible"),
        ((Option("a", "A"),), (dm("A", ("a",), statements(*["a"] * 63)),), {},
         "at most 62 statements"),
    ],
)
def test_invalid_models_are_refused(
    options: tuple[Option, ...], dms: tuple[DecisionMaker, ...], extra: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ModelError) as err:
        Conflict("bad", options, dms, **extra)  # type: ignore[arg-type]
    assert message in err.value.message


def test_conflicts_are_immutable_values() -> None:
    a = make(2, [MutuallyExclusive(("o0", "o1"))])
    b = make(2, [MutuallyExclusive(("o0", "o1"))])
    assert a == b
    with pytest.raises(AttributeError):
        a.name = "other"  # type: ignore[misc]
