"""The native file's weights: and drafts: sections: read, written back, and refused with
located errors (file, line, field, what was expected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.formats.native import loads
from detente.formats.native.writer import dumps
from detente.model.errors import ModelError

BASE = """name: W
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [a]}
    weights: {a: 3, b: -1.5}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b]}
status_quo: NN
drafts:
  - {name: first, state: Y-, rationale: A moves first}
  - {name: second, state: 4}
  - {name: third, state: {a: N, b: Y}}
"""


def test_read_and_round_trip() -> None:
    m = loads(BASE)
    assert m.dms[0].weights is not None and m.dms[0].weights.points == (("a", 3.0), ("b", -1.5))
    assert m.dms[1].weights is None
    assert [(d.name, d.state, d.codes) for d in m.drafts] == [
        ("first", "Y-", (1, 3)),
        ("second", "YY", (3,)),
        ("third", "NY", (2,)),
    ]
    assert m.drafts[0].rationale == "A moves first"
    again = loads(dumps(m))
    assert again.drafts == m.drafts and again.dms == m.dms
    u = m.dms[0].weights.utility(m.feasible, m.bits)
    assert u.tolist() == [0.0, 3.0, -1.5, 1.5]


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [
        (
            "weights: {a: 3, b: -1.5}",
            "weights: {a: 3, c: 1}",
            "decision_makers[0].weights.c",
            6,
            "unknown option 'c'; expected one of: a, b",
        ),
        (
            "weights: {a: 3, b: -1.5}",
            "weights: {a: yes}",
            "decision_makers[0].weights.a",
            6,
            "expected a number or a mapping of levels to points",
        ),
        ("state: Y-, rationale", "state: YYY, rationale", "drafts[0].state", 12, "YYY"),
        (
            "{name: second, state: 4}",
            "{name: second, state: 9}",
            "drafts[1].state",
            13,
            "state number 9 is out of range 1..4",
        ),
        (
            "{name: second, state: 4}",
            "{name: first, state: 4}",
            "drafts[1].name",
            13,
            "draft name 'first' is used twice",
        ),
        (
            "{name: second, state: 4}",
            "{name: second}",
            "drafts[1].state",
            13,
            "required field 'state' is missing",
        ),
        (
            "{name: second, state: 4}",
            "{name: second, state: 4, why: x}",
            "drafts[1].why",
            13,
            "unknown field 'why'",
        ),
    ],
)
def test_located_errors(old: str, new: str, field: str, line: int, message: str) -> None:
    with pytest.raises(ModelError) as info:
        loads(BASE.replace(old, new), source="w.yaml")
    err = info.value
    assert err.field == field and err.line == line and err.source == "w.yaml"
    assert message in err.message


def test_infeasible_draft_names_its_condition() -> None:
    text = BASE + "infeasible:\n  - {pattern: YY, reason: not both}\n"
    with pytest.raises(ModelError, match=r"not feasible.*not both") as info:
        loads(text.replace("{name: second, state: 4}", "{name: second, state: YY}"))
    assert info.value.field == "drafts[1].state"


LEVELS = (Path(__file__).resolve().parents[1] / "data" / "corridor_levels.yaml").read_text(
    encoding="utf-8"
)
LEVEL_WEIGHTS = LEVELS.replace(
    "  - name: Hamas\n",
    """    weights: {corridor: {reduced: 2, withdraw: 5}, release: 4}
  - name: Hamas
    weights: {corridor: {stay: 1, withdraw: 6}, release: -3}
""",
)


def test_points_per_level() -> None:
    """Utility = the points of the level the option takes plus those of the options taken;
    a level not listed counts 0 (Hamas: stay 1, reduced 0, withdraw 6, shifted by the lowest
    level's points, which changes no gain)."""
    m = loads(LEVEL_WEIGHTS)
    texts = [m.space.text(int(c)) for c in m.feasible]
    israel = m.dms[0].weights.utility(m.feasible, m.bits)  # type: ignore[union-attr]
    hamas = m.dms[1].weights.utility(m.feasible, m.bits)  # type: ignore[union-attr]
    assert dict(zip(texts, israel.tolist(), strict=True)) == {
        "stay/N": 0.0,
        "reduced/N": 2.0,
        "withdraw/N": 5.0,
        "stay/Y": 4.0,
        "reduced/Y": 6.0,
        "withdraw/Y": 9.0,
    }
    assert dict(zip(texts, hamas.tolist(), strict=True)) == {
        "stay/N": 0.0,
        "reduced/N": -1.0,
        "withdraw/N": 5.0,
        "stay/Y": -3.0,
        "reduced/Y": -4.0,
        "withdraw/Y": 2.0,
    }
    again = loads(dumps(m))
    assert again.dms == m.dms
    assert "reduced: -1.0" in dumps(m) and "withdraw: 5.0" in dumps(m)


@pytest.mark.parametrize(
    ("weights", "field", "message"),
    [
        (
            "{corridor: 3}",
            "decision_makers[0].weights.corridor",
            "option 'corridor' has levels (stay, reduced, withdraw); expected points per level",
        ),
        (
            "{corridor: {far: 1}}",
            "decision_makers[0].weights.corridor.far",
            "unknown level 'far' of 'corridor'; expected one of: stay, reduced, withdraw",
        ),
        (
            "{release: {Y: 1}}",
            "decision_makers[0].weights.release",
            "option 'release' has no levels; expected a number of points",
        ),
        (
            "{nope: 1}",
            "decision_makers[0].weights.nope",
            "unknown option 'nope'; expected one of: corridor, release",
        ),
    ],
)
def test_level_weight_errors(weights: str, field: str, message: str) -> None:
    text = LEVEL_WEIGHTS.replace("{corridor: {reduced: 2, withdraw: 5}, release: 4}", weights)
    with pytest.raises(ModelError) as info:
        loads(text, source="c.yaml")
    assert info.value.field == field and info.value.message.startswith(message)
