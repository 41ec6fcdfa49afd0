"""The engine against the matrix method of the NUAA GMCR system (tests/reference_matrix.py):
the sixteen unknown-preference concepts, the strong and weak ones and the classic four they
refine, on random models with unknown pairs or ``>>`` marks, and on the hand-worked models.

The one place the two differ is pinned: NUAA zeroes the diagonal of the others' reach M_{N−i},
detente's R_{N−i}(s1) holds s1 when the others can return to it (docs/concepts-extended.md,
"Unknown preferences"); it matters in variant c only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import reference_matrix
from detente.engine import Engine
from detente.engine.registry import STRENGTH_CONCEPTS, UNKNOWN_KEYS
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict
from strategies_families import strength_conflicts, unknown_conflicts

_SETTINGS = settings(max_examples=60, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DATA = Path(__file__).resolve().parents[1] / "data"
CLASSIC = ("nash", "gmr", "smr", "seq")

#: Three DMs, one option each (A a, B b, C c; states as a, b, c). A cannot compare NNN with
#: YNN and ranks YYN, YNY, YYY above NNN. From NNN, A's one move (to YNN) is uncertain; the
#: others reach YYN, YNY, YYY from YNN and, by b, c, b, c, YNN itself. Only YNN lies in
#: Φ^{≃,U}(NNN): detente counts the return as a sanction (GMR_c, SMR_c stable), NUAA's
#: zeroed diagonal does not.
RETURN = """\
name: the others return to s1
decision_makers:
  - name: A
    options: [{name: a}]
    preferences:
      ranking: [YYN, YNY, YYY, NNN, YNN, NYN, NNY, NYY]
      unknown: [[NNN, YNN]]
  - name: B
    options: [{name: b}]
    preferences:
      ranking: [NNN, YNN, NYN, YYN, NNY, YNY, NYY, YYY]
  - name: C
    options: [{name: c}]
    preferences:
      ranking: [NNN, YNN, NYN, YYN, NNY, YNY, NYY, YYY]
"""


def check_unknown(c: Conflict) -> None:
    """Every unknown-preference concept: the engine is the matrix method with detente's
    R_{N−i}; with NUAA's zeroed diagonal too, except in variant c."""
    engine = Engine(c)
    for key in UNKNOWN_KEYS:
        got = engine.stable(key)
        np.testing.assert_array_equal(
            got, reference_matrix.unknown_table(c, key, zero_reach_diagonal=False), err_msg=key)
        if not key.endswith("_c"):
            np.testing.assert_array_equal(got, reference_matrix.unknown_table(c, key),
                                          err_msg=key)


def check_strength(c: Conflict) -> None:
    """Every strength concept and the classic four: the engine is the matrix method."""
    engine = Engine(c)
    for key in (*STRENGTH_CONCEPTS, *CLASSIC):
        np.testing.assert_array_equal(engine.stable(key), reference_matrix.strength_table(c, key),
                                      err_msg=key)


def test_the_hand_worked_models() -> None:
    check_unknown(loads((DATA / "unknown_hand.yaml").read_text(encoding="utf-8")))
    check_strength(loads((DATA / "strength_pd.yaml").read_text(encoding="utf-8")))


def test_the_others_returning_to_s1_is_the_pinned_difference() -> None:
    c = loads(RETURN)
    # SMR_c also differs at YNN: A's uncertain move to NNN meets the others' return to NNN,
    # from which A's one move leads back to YNN itself, no escape
    for key, where in (("gmr_c", ["NNN"]), ("smr_c", ["NNN", "YNN"])):
        detente = Engine(c).stable(key)
        np.testing.assert_array_equal(
            detente, reference_matrix.unknown_table(c, key, zero_reach_diagonal=False))
        nuaa = reference_matrix.unknown_table(c, key)
        differ = np.argwhere(detente != nuaa).tolist()
        assert differ == [[0, c.space.position(c.space.parse(s))] for s in where], key
        assert detente[0, c.space.position(c.space.parse("NNN"))]
    nnn = c.space.position(c.space.parse("NNN"))
    for key in ("gmr_a", "seq_c"):  # YNN is no end in a; B and C never gain in SEQ
        assert not Engine(c).stable(key)[0, nnn]
        assert not reference_matrix.unknown_table(c, key)[0, nnn]


def test_the_recurrence_stops_within_nuaas_edge_bound() -> None:
    c = loads(RETURN)
    steps = reference_matrix.transitions(c)
    reach, rounds = reference_matrix.group_reach(steps[1:], zero_diagonal=False)
    assert rounds <= reference_matrix.edge_bound(steps)
    row = reach[c.space.position(c.space.parse("YNN"))]  # B and C keep a = Y, YNN included
    assert row.tolist() == [int(c.space.text(code)[0] == "Y") for code in c.feasible]


@pytest.mark.slow
@_SETTINGS
@given(c=unknown_conflicts(max_options=5))
def test_unknown_preferences_match_the_matrix_method(c: Conflict) -> None:
    check_unknown(c)
    steps = reference_matrix.transitions(c)
    for i in range(len(c.dms)):  # NUAA runs the recurrence as many rounds as there are edges
        _, rounds = reference_matrix.group_reach([m for j, m in enumerate(steps) if j != i])
        assert rounds <= reference_matrix.edge_bound(steps)


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts())
def test_strength_matches_the_matrix_method(c: Conflict) -> None:
    check_strength(c)
