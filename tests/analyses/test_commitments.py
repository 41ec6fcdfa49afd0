"""Commitment devices (``mediation: commitments:``): loading, the minimal sets of
:func:`detente.mediate` (hand-worked, against a brute force over full analyses, and the
flagship's observation), their combination with priority edits, and deal repairs."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from detente.formats.native import dumps, loads
from detente.model.errors import ModelError
from detente.model.mediation import Commitment

# Two DMs. A holds a guarantee g and most wants B to act (x), then to drop the guarantee;
# B acts exactly while the guarantee stands (x iff g). States are "gx" (option order).
#
# Nash at YY: A drops the guarantee (YY -> NY: x still holds, "not g" now holds too) -> not
#   stable; with g made fwd A has no move at all, and B's only move (YY -> YN) breaks
#   "x iff g" -> YY is a Nash equilibrium. Equilibria of the committed model: NN (A: NN -> YN
#   loses "not g"; B: NN -> NY breaks "x iff g") and YY -> 2.
# SEQ at YY: A's drop (-> NY) is met by B's improvement NY -> NN ("x iff g" holds again), and
#   A ranks NN below YY (x, its first statement, is lost) -> already stable: min 0.
# Nash at YN: B improves to YY (x iff g), A improves to NN (not g) -> both must be blocked:
#   {g fwd, x back}, min 2 (one solution).
# Nash at NY: B improves to NN by dropping x (Y -> N); only "x back" is declared, which allows
#   exactly that drop -> no set works: min null.
GUARANTEE = """
name: Guarantee
decision_makers:
  - name: A
    options: [{name: g}]
    preferences: {statements: [x, not g]}
  - name: B
    options: [{name: x}]
    preferences: {statements: [x iff g]}
mediation:
  commitments:
    - {option: g, make: fwd, rationale: A ratified guarantee cannot be withdrawn.}
    - {option: x, make: back}
"""


# ----- loading --------------------------------------------------------------------------------
def test_commitments_load_and_round_trip() -> None:
    c = loads(GUARANTEE)
    assert c.mediation.commitments == (
        Commitment("g", "fwd", "A ratified guarantee cannot be withdrawn."),
        Commitment("x", "back"),
    )
    again = loads(dumps(c))
    assert again.mediation.commitments == c.mediation.commitments


def _with_commitments(lines: str, directions: str = "") -> str:
    head = GUARANTEE.split("mediation:")[0]
    if directions:
        head = head.replace("options: [{name: g}]", f"options: [{{name: g, {directions}}}]")
    return head + "mediation:\n  commitments:\n" + lines


@pytest.mark.parametrize(("lines", "directions", "line", "field", "fragment"), [
    ("    - {option: nope, make: fwd}\n", "", 12, "mediation.commitments[0].option",
     "unknown option 'nope'; expected one of: g, x"),
    ("    - {option: g, make: fwd}\n", "direction: fwd", 12, "mediation.commitments[0].make",
     "already irreversible in that direction (direction fwd)"),
    ("    - {option: g, make: back}\n", "direction: fwd", 12, "mediation.commitments[0].option",
     "already irreversible (direction fwd)"),
    ("    - {option: g, make: fwd}\n    - {option: g, make: fwd}\n", "", 13,
     "mediation.commitments[1].make", "declared twice"),
    ("    - {option: g, make: sideways}\n", "", 12, "mediation.commitments[0].make",
     "fwd"),
    ("    - {option: g}\n", "", 12, "mediation.commitments[0]", "make"),
])
def test_bad_commitments_are_refused_at_load_with_their_place(
    lines: str, directions: str, line: int, field: str, fragment: str
) -> None:
    with pytest.raises(ModelError) as info:
        loads(_with_commitments(lines, directions), source="m.yaml")
    e = info.value
    assert e.line == line, str(e)
    assert e.field is not None and e.field.startswith(field), str(e)
    assert fragment in str(e)
    assert "Traceback" not in str(e)


def test_a_conflict_built_in_python_checks_its_commitments_too() -> None:
    c = loads(GUARANTEE)
    bad = replace(c.mediation, commitments=(Commitment("g", "fwd"), Commitment("zz", "back")))
    with pytest.raises(ModelError, match=r"commitments\[2\]\.option: unknown option 'zz'"):
        replace(c, mediation=bad)


def test_with_directions_changes_moves_only() -> None:
    c = loads(GUARANTEE)
    one_way = c.with_directions({"g": "fwd"})
    assert one_way.feasible is c.feasible
    assert (one_way.ranks == c.ranks).all()
    assert one_way.options[0].direction == "fwd" and c.options[0].direction == "both"
    assert not one_way.space.is_legal_move(0b11, 0b10)  # YY -> NY drops g
    assert c.space.is_legal_move(0b11, 0b10)
    with pytest.raises(ModelError, match="unknown option 'q'"):
        c.with_directions({"q": "fwd"})


def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for k in range(n + 1) for s in combinations(range(n), k)]
