"""The bundled example models: every one loads, and the textbook ones reproduce the
published equilibria (PRODUCT.md table) under the reference implementation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import detente
from detente.model.conflict import Conflict
from reference import equilibria, improvements

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


def test_examples_exist() -> None:
    names = {p.name for p in ALL_EXAMPLES}
    assert {
        "prisoners_dilemma.yaml", "chicken.yaml", "elmira.yaml",
        "cuban_missile_crisis.yaml", "syria_iraq.yaml",
    } <= names


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=[p.stem for p in ALL_EXAMPLES])
def test_example_loads(path: Path) -> None:
    c = detente.load(path)
    assert c.n_states >= 1
    assert c.name
    assert c.sources, f"{path.name}: cite the source of the model"
    if c.status_quo is not None:
        assert c.is_feasible(c.status_quo)


# ----- published results ---------------------------------------------------------------
def _by_number(c: Conflict, code: int) -> object:
    return c.state_number(code)


def _by_string(c: Conflict, code: int) -> object:
    return c.state_string(code)


# Elmira: the source's states 1-8 are single option combinations; its state 9 ("UR
# abandons", other options irrelevant) is the four combinations with abandon = Y, which
# the model file keeps as tied states (see the comment at the top of elmira.yaml).
ELMIRA_NUMBERS = {
    "NYNNN": 1, "YYNNN": 2, "NNYNN": 3, "YNYNN": 4,
    "NYNNY": 5, "YYNNY": 6, "NNYNY": 7, "YNYNY": 8,
}


def _elmira_number(c: Conflict, code: int) -> object:
    s = c.state_string(code)
    return 9 if s[3] == "Y" else ELMIRA_NUMBERS[s]


Label = Callable[[Conflict, int], object]
PUBLISHED: dict[str, tuple[Label, dict[str, set[object]]]] = {
    # CC = NN, DD = YY (option: "defects").
    "prisoners_dilemma": (
        _by_string,
        {"nash": {"YY"}, "gmr": {"NN", "YY"}, "smr": {"NN", "YY"}, "seq": {"NN", "YY"}},
    ),
    # Option: "drives straight"; asymmetric states YN and NY, mutual swerve NN.
    "chicken": (
        _by_string,
        {
            "nash": {"YN", "NY"}, "gmr": {"YN", "NY", "NN"}, "smr": {"YN", "NY", "NN"},
            "seq": {"YN", "NY"},
        },
    ),
    "elmira": (
        _elmira_number,
        {
            "nash": {5, 8, 9}, "gmr": {1, 4, 5, 8, 9}, "smr": {1, 4, 5, 8, 9},
            "seq": {5, 8, 9},
        },
    ),
    "cuban_missile_crisis": (
        _by_number,
        {
            "nash": {6}, "gmr": {1, 2, 3, 5, 6, 7, 8}, "smr": {1, 2, 3, 5, 6, 7, 8},
            "seq": {5, 6, 7},
        },
    ),
    "syria_iraq": (
        _by_number,
        {"nash": {6}, "gmr": {1, 6}, "smr": {6}, "seq": {6}},
    ),
}

SOURCE_STATES = {"elmira": 9, "cuban_missile_crisis": 12, "syria_iraq": 6,
                 "prisoners_dilemma": 4, "chicken": 4}


@pytest.mark.parametrize("stem", sorted(PUBLISHED))
def test_published_equilibria(stem: str) -> None:
    c = detente.load(EXAMPLES / f"{stem}.yaml")
    label, expected = PUBLISHED[stem]
    assert len({label(c, int(s)) for s in c.feasible}) == SOURCE_STATES[stem]
    eq = equilibria(c)
    for concept, states in expected.items():
        got = {label(c, s) for s in eq[concept]}
        assert got == states, f"{stem} {concept}: got {sorted(map(str, got))}"


@pytest.mark.parametrize("stem", ["cuban_missile_crisis", "syria_iraq"])
def test_state_numbering_is_the_decimal_coding(stem: str) -> None:
    # Numbered in increasing code order, as in the source's decimal coding.
    c = detente.load(EXAMPLES / f"{stem}.yaml")
    assert [c.state_number(int(x)) for x in c.feasible] == list(range(1, c.n_states + 1))
    if stem == "cuban_missile_crisis":
        assert [int(x) for x in c.feasible] == list(range(12))
    else:
        assert [int(x) for x in c.feasible] == [0, 1, 2, 4, 5, 6]


def test_elmira_abandon_states_behave_as_one() -> None:
    # The four "abandon" combinations stand for the source's single state 9: every DM
    # ranks them equal, and every concept finds them stable together or not at all.
    c = detente.load(EXAMPLES / "elmira.yaml")
    abandon = [int(s) for s in c.feasible if c.state_string(int(s))[3] == "Y"]
    assert len(abandon) == 4
    idx = c.index_of(abandon)
    for i in range(len(c.dms)):
        assert len({int(r) for r in c.ranks[i, idx]}) == 1
    for concept, states in equilibria(c).items():
        assert len({s in states for s in abandon}) == 1, concept


def test_elmira_status_quo_and_coalition() -> None:
    c = detente.load(EXAMPLES / "elmira.yaml")
    assert c.status_quo is not None
    assert _elmira_number(c, c.status_quo) == 1
    assert c.coalitions == (("MoE", "UR"),)
    # From state 1 the only unilateral improvement is LG insisting (to 5), and 5 is a Nash
    # equilibrium: the conflict stops there.
    frontier, seen = [c.status_quo], {c.status_quo}
    while frontier:
        s = frontier.pop()
        for i in range(len(c.dms)):
            for t in improvements(c, i, s) - seen:
                seen.add(t)
                frontier.append(t)
    assert {_elmira_number(c, s) for s in seen} == {1, 5}
    # The joint move 5 -> 8 (MoE modifies, UR accepts) is legal and both members prefer it.
    s5, s8 = c.parse_state("NYNNY"), c.parse_state("YNYNY")
    moe, ur = c.dm_index("MoE"), c.dm_index("UR")
    for i in (moe, ur):
        assert c.ranks[i, c.index_of(s8)[0]] > c.ranks[i, c.index_of(s5)[0]]
    assert c.options[c.bits["modify"]].direction == "fwd"  # N -> Y: allowed
    assert c.options[c.bits["delay"]].direction == "back"  # Y -> N: allowed
