"""Hand-worked cases for the reference implementation in ``tests/reference.py``.

Every expected set below was worked out by hand from the definitions in PRODUCT.md; the
reasoning is in the comments. States are written as Y/N strings (one letter per option in
model order) and converted to codes with ``Conflict.parse_state``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from detente.formats.native import loads
from detente.model.conflict import Conflict
from reference import (
    CONCEPTS,
    coalition_reach,
    equilibria,
    improvements,
    reachable,
    stable,
    stable_sets,
)


def codes(c: Conflict, states: Iterable[str]) -> frozenset[int]:
    return frozenset(c.parse_state(s) for s in states)


def strings(c: Conflict, states: Iterable[int]) -> set[str]:
    return {c.state_string(s) for s in states}


def two_by_two(rank_a: list[str], rank_b: list[str], dir_a: str = "both",
               dir_b: str = "both", extra: str = "") -> Conflict:
    """A 2-DM conflict, one option each (a = bit 0, b = bit 1), explicit rankings."""
    return loads(
        f"""
name: two by two
decision_makers:
  - name: A
    options: [{{name: a, direction: {dir_a}}}]
    preferences: {{ranking: {rank_a}}}
  - name: B
    options: [{{name: b, direction: {dir_b}}}]
    preferences: {{ranking: {rank_b}}}
{extra}
"""
    )


# Prisoner's Dilemma: a/b = "defects". A: YN > NN > YY > NY; B symmetric.
PD = (["YN", "NN", "YY", "NY"], ["NY", "NN", "YY", "YN"])
# Chicken: a/b = "drives straight". A: YN > NN > NY > YY; B symmetric.
CHICKEN = (["YN", "NN", "NY", "YY"], ["NY", "NN", "YN", "YY"])


# ----- moves ---------------------------------------------------------------------------
def test_reachable_and_improvements_prisoners_dilemma() -> None:
    c = two_by_two(*PD)
    a, b = 0, 1
    assert strings(c, reachable(c, a, c.parse_state("NN"))) == {"YN"}
    assert strings(c, reachable(c, b, c.parse_state("NN"))) == {"NY"}
    assert strings(c, reachable(c, a, c.parse_state("YY"))) == {"NY"}
    # A gains by defecting whatever B does, never by going back to cooperating.
    assert strings(c, improvements(c, a, c.parse_state("NN"))) == {"YN"}
    assert strings(c, improvements(c, a, c.parse_state("NY"))) == {"YY"}
    assert improvements(c, a, c.parse_state("YN")) == set()
    assert improvements(c, a, c.parse_state("YY")) == set()


def test_irreversible_option_limits_moves() -> None:
    # a may only be taken (fwd), b may only be dropped (back).
    c = two_by_two(*PD, dir_a="fwd", dir_b="back")
    a, b = 0, 1
    assert strings(c, reachable(c, a, c.parse_state("NN"))) == {"YN"}
    assert reachable(c, a, c.parse_state("YN")) == set()  # cannot undo a
    assert reachable(c, b, c.parse_state("NN")) == set()  # cannot take b
    assert strings(c, reachable(c, b, c.parse_state("NY"))) == {"NN"}


def test_infeasible_states_block_moves() -> None:
    c = two_by_two(
        ["YN", "NN", "NY"], ["NY", "NN", "YN"],
        extra="infeasible: [{pattern: YY, reason: not both}]",
    )
    assert c.n_states == 3
    assert reachable(c, 0, c.parse_state("NY")) == set()  # YY is infeasible
    assert strings(c, reachable(c, 0, c.parse_state("NN"))) == {"YN"}


# ----- two decision makers: each concept by hand --------------------------------------
def test_prisoners_dilemma_by_hand() -> None:
    c = two_by_two(*PD)
    sets = stable_sets(c)
    # A is Nash-stable where it already defects (YN, YY). At NN its move to YN is
    # sanctioned by B defecting to YY (worse for A than NN), and that sanction is also
    # B's improvement (SEQ); from YY A can only go to NY, worse still (SMR). At NN a
    # simultaneous defection by B (NN -> NY is B's UI) turns A's move into YY (SIM).
    # At NY, A's move to YY can only be answered by B going to YN, which A likes: unstable.
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert strings(c, sets[concept]["A"]) == {"NN", "YN", "YY"}, concept
        assert strings(c, sets[concept]["B"]) == {"NN", "NY", "YY"}, concept
    assert strings(c, sets["nash"]["A"]) == {"YN", "YY"}
    assert strings(c, sets["nash"]["B"]) == {"NY", "YY"}
    eq = equilibria(c)
    assert strings(c, eq["nash"]) == {"YY"}
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert strings(c, eq[concept]) == {"NN", "YY"}, concept


def test_smr_differs_from_gmr() -> None:
    # A: YN > NY > NN > YY.  B: NN > YN > NY > YY.
    # At NN, A's UI to YN is sanctioned by B's move to YY (GMR), but from YY A escapes to
    # NY, which it prefers to NN: not SMR. B's move YN -> YY is not an improvement for B,
    # so not SEQ either; B has no UI from NN, so not SIM.
    c = two_by_two(["YN", "NY", "NN", "YY"], ["NN", "YN", "NY", "YY"])
    sets = stable_sets(c)
    assert strings(c, sets["nash"]["A"]) == {"YN", "NY"}
    assert strings(c, sets["gmr"]["A"]) == {"NN", "YN", "NY"}
    for concept in ("smr", "seq", "sim", "seq_sim"):
        assert strings(c, sets[concept]["A"]) == {"YN", "NY"}, concept
    # B: top at NN; at YN its only move (to YY) is worse; NY and YY are escaped by A.
    for concept in CONCEPTS:
        assert strings(c, sets[concept]["B"]) == {"NN", "YN"}, concept
    eq = equilibria(c)
    assert strings(c, eq["gmr"]) == {"NN", "YN"}
    for concept in ("nash", "smr", "seq", "sim", "seq_sim"):
        assert strings(c, eq[concept]) == {"YN"}, concept


def test_sim_differs_from_seq_in_chicken() -> None:
    c = two_by_two(*CHICKEN)
    eq = equilibria(c)
    # Nash: the two asymmetric outcomes. At mutual swerve (NN), A's UI to YN is answered
    # by B going straight to YY (a crash): a GMR sanction, and A's only move from YY is to
    # NY, still worse than NN (SMR). But B's move YN -> YY hurts B, so it is no SEQ
    # sanction. Under SIM B, which would itself gain by going straight from NN (NN -> NY),
    # does so at the same time, and the joint outcome YY deters A.
    assert strings(c, eq["nash"]) == {"YN", "NY"}
    assert strings(c, eq["gmr"]) == {"NN", "YN", "NY"}
    assert strings(c, eq["smr"]) == {"NN", "YN", "NY"}
    assert strings(c, eq["seq"]) == {"YN", "NY"}
    assert strings(c, eq["sim"]) == {"NN", "YN", "NY"}
    assert strings(c, eq["seq_sim"]) == {"YN", "NY"}  # both, not either
    assert stable(c, "sim", 0, c.parse_state("NN"))
    assert not stable(c, "seq", 0, c.parse_state("NN"))


def test_irreversible_option_removes_a_sanction() -> None:
    # Chicken where B can only stop driving straight (b: back, Y -> N). At NN, B can no
    # longer answer A's UI by going straight, so mutual swerve loses its GMR/SMR stability.
    # At YY, B's UI to YN (back move, allowed) is answered by A only with NN, which B
    # prefers to YY, so YY stays unstable for B.
    c = two_by_two(*CHICKEN, dir_b="back")
    eq = equilibria(c)
    for concept in CONCEPTS:
        assert strings(c, eq[concept]) == {"YN", "NY"}, concept
    assert not stable(c, "gmr", 0, c.parse_state("NN"))
    # Same conflict without the irreversibility: NN is GMR-stable for A.
    assert stable(c=two_by_two(*CHICKEN), concept="gmr", i=0, s=0)


def test_infeasible_joint_outcome_is_no_sim_sanction() -> None:
    # a and b cannot both be taken. A: YN > NN > NY; B: NY > NN > YN.
    # At NN, A's UI is YN; B's only response from YN would be YY (infeasible), so there is
    # no GMR sanction; under SIM, B's own UI from NN (to NY) combined with A's move gives
    # YY, infeasible, so no SIM sanction either. Both NY and YN are Nash for both
    # (A cannot move from NY at all; YN is A's best).
    c = two_by_two(
        ["YN", "NN", "NY"], ["NY", "NN", "YN"],
        extra="infeasible: [{pattern: YY, reason: not both}]",
    )
    eq = equilibria(c)
    for concept in CONCEPTS:
        assert strings(c, eq[concept]) == {"YN", "NY"}, concept
    assert not stable(c, "sim", 0, c.parse_state("NN"))
    assert not stable(c, "gmr", 0, c.parse_state("NN"))


# ----- three decision makers: coalition reach -----------------------------------------
THREE = """
name: three
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [not b2, a]}
  - name: B
    options: [{name: b1}, {name: b2}]
    preferences: {statements: [b1, b2]}
  - name: C
    options: [{name: c}]
    preferences: {statements: [c]}
infeasible:
  - {pattern: {c: Y, b1: N}, reason: C can act only after B's first step}
  - {pattern: {b2: Y, c: N}, reason: B's second step needs C's action}
"""


def test_coalition_reach_needs_a_member_to_move_twice() -> None:
    # Options a, b1, b2, c (bits 0..3). From YNNN (A has just taken a), the group {B, C}
    # can only go B: b1 (YYNN), then C: c (YYNY), then B again: b2 (YYYY). C cannot move
    # first (c needs b1) and B cannot take b2 before c.
    c = loads(THREE)
    s1 = c.parse_state("YNNN")
    reach = coalition_reach(c, [1, 2], s1)
    assert strings(c, reach) == {"YYNN", "YYNY", "YYYY"}
    # Every step above is also an improvement for its mover.
    assert strings(c, coalition_reach(c, [1, 2], s1, improving=True)) == {
        "YYNN", "YYNY", "YYYY"
    }
    # A single member alone gets only one step.
    assert strings(c, coalition_reach(c, [1], s1)) == {"YYNN"}
    assert coalition_reach(c, [2], s1) == set()


def test_three_dm_stability_uses_the_double_move() -> None:
    # A (statements: not b2, then a) gains by taking a at NNNN. Only the three-step
    # response B, C, B reaches a state with b2 (YYYY), which A ranks below NNNN; every
    # step is an improvement for its mover, so the sanction counts for GMR and SEQ. From
    # YYYY A can only drop a (to NYYY), still with b2: SMR holds too. Under SIM, B and C
    # respond in one step from NNNN: B's UIs there are b1 (YNNN -> YYNN: a state without
    # b2) and nothing reaches b2 (infeasible without c), so there is no SIM sanction.
    c = loads(THREE)
    s = c.parse_state("NNNN")
    assert not stable(c, "nash", 0, s)
    assert stable(c, "gmr", 0, s)
    assert stable(c, "smr", 0, s)
    assert stable(c, "seq", 0, s)
    assert not stable(c, "sim", 0, s)
    assert not stable(c, "seq_sim", 0, s)


def test_stable_sets_and_equilibria_shapes() -> None:
    c = two_by_two(*PD)
    sets = stable_sets(c)
    assert set(sets) == set(CONCEPTS)
    for per_dm in sets.values():
        assert set(per_dm) == {"A", "B"}
    eq = equilibria(c)
    for concept in CONCEPTS:
        assert eq[concept] == sets[concept]["A"] & sets[concept]["B"]


def test_unknown_concept_is_rejected() -> None:
    c = two_by_two(*PD)
    with pytest.raises(ValueError, match="unknown concept"):
        stable(c, "l2", 0, 0)


@pytest.mark.parametrize(
    "conflict",
    [two_by_two(*PD), two_by_two(*CHICKEN), two_by_two(*CHICKEN, dir_b="back"), loads(THREE)],
)
def test_known_inclusions(conflict: Conflict) -> None:
    # Nash ⊆ SEQ ⊆ GMR and Nash ⊆ SMR ⊆ GMR, for every DM; SEQ&SIM = SEQ ∩ SIM.
    sets = stable_sets(conflict)
    for dm in conflict.dm_names:
        assert sets["nash"][dm] <= sets["seq"][dm] <= sets["gmr"][dm]
        assert sets["nash"][dm] <= sets["smr"][dm] <= sets["gmr"][dm]
        assert sets["nash"][dm] <= sets["sim"][dm]
        assert sets["seq_sim"][dm] == sets["seq"][dm] & sets["sim"][dm]
