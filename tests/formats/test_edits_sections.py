"""Structured edits of the later sections (formats/native/edits.py): deal phases and
tranches, guarantors, the mediation target, concepts and commitments, perceptions, drafts,
alternative readings and unknown-order groups, weights. Each on a hand-written file (its
comments kept, the text written as expected, the loader's model as expected), and hypothesis
round trips over random tranches and drafts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.formats.native import edits as E
from detente.formats.native.builder import loads
from detente.model.errors import ModelError
from detente.model.preferences import StatementPreference

BASE = """\
# a hand-written model
detente: 1
name: Test  # the name
decision_makers:
  - name: A
    options:
      - name: a          # A's option
      - name: a2
    preferences:
      statements:
        - not b   # first
        - a
        - a2
  - name: B
    options: [{name: b}, {name: lv, levels: [low, mid, high]}]
    preferences: {statements: [b, not a]}
infeasible:
  - mutually_exclusive: [a, a2]
    reason: one at a time
status_quo: {a: N, a2: N, b: N, lv: low}
"""
COMMENTS = ("# a hand-written model", "# the name", "# A's option", "# first")


def _code(values: dict[str, str]) -> int:
    """The state ``values`` names in BASE (through the status quo the loader resolves)."""
    sq = loads(E.set_status_quo(BASE, values)).status_quo
    assert sq is not None
    return sq


def _kept(text: str) -> None:
    for comment in COMMENTS:
        assert comment in text


def test_tranches_and_guarantors() -> None:
    text = E.add_tranche(BASE, "truce", {"a": "Y", "a2": "-", "lv": "mid"}, rationale="first")
    text = E.add_tranche(text, "exchange", {"b": "Y"}, after=["truce"])
    text = E.set_guarantors(text, ["a2"])
    _kept(text)
    assert text.endswith(
        "deal:\n  name: deal\n  tranches:\n"
        "    - name: truce\n      rationale: first\n      set: {a: Y, lv: mid}\n"
        "    - name: exchange\n      set: {b: Y}\n      after: [truce]\n"
        "  guarantors: [a2]\n"
    )
    deal = loads(text).deal
    assert deal is not None and deal.guarantors == ("a2",)
    assert [t.name for t in deal.tranches] == ["truce", "exchange"]
    assert deal.tranches[1].after == ("truce",)
    c = loads(text)
    # the phases: the status quo with the tranches taken in turn
    assert [c.state_string(p.state) for p in deal.phases] == [
        c.state_string(_code({"a": "Y", "a2": "N", "b": "N", "lv": "mid"})),
        c.state_string(_code({"a": "Y", "a2": "N", "b": "Y", "lv": "mid"})),
    ]
    text = E.remove_deal_step(text, 0)
    assert "truce\n" not in text.split("deal:")[1].split("after")[0]
    assert "deal:" not in E.remove_deal_step(text, 0)  # the last one takes the deal


def test_phases_and_a_deal_holds_one_kind() -> None:
    text = E.add_phase(BASE, "one", {"a": "Y"}, rationale="start", deal="plan")
    text = E.add_phase(text, "two", {"b": "Y", "lv": "high"})
    deal = loads(text).deal
    assert deal is not None and deal.name == "plan"
    assert [p.name for p in deal.phases] == ["one", "two"]
    with pytest.raises(ModelError) as err:
        E.add_tranche(text, "t", {"a": "Y"})
    assert err.value.field == "deal.phases" and "not both" in err.value.message
    with pytest.raises(ModelError) as err:
        E.set_guarantors(BASE, ["a"])
    assert err.value.field == "deal"
    with pytest.raises(ModelError) as err:
        E.add_tranche(BASE, "t", {"zz": "Y"})
    assert err.value.field == "deal.tranches[0].set" and "'zz'" in err.value.message


def test_mediation_target_concepts_commitments() -> None:
    plain = BASE.replace(", {name: lv, levels: [low, mid, high]}", "").replace(", lv: low", "")
    text = E.set_mediation_target(plain, {"a": "Y", "a2": "-", "b": "N"})
    text = E.set_concepts(text, ["nash", "seq"])
    text = E.add_commitment(text, "b", "fwd", "a guarantee")
    assert text.endswith(
        "mediation:\n  target: Y-N\n  concepts: [nash, seq]\n  commitments:\n"
        "    - option: b\n      make: fwd\n      rationale: a guarantee\n"
    )
    m = loads(text).mediation
    assert m.target == "Y-N" and m.concepts == ("nash", "seq")
    assert [(x.option, x.make) for x in m.commitments] == [("b", "fwd")]
    text = E.remove_commitment(E.set_concepts(text, []), 0)
    assert "commitments" not in text and "concepts" not in text and "target: Y-N" in text
    assert "mediation" not in E.set_mediation_target(text, {"a": "-", "a2": "-", "b": "-"})
    with pytest.raises(ModelError) as err:  # a pattern cannot hold a level
        E.set_mediation_target(BASE, {"a": "Y", "lv": "mid"})
    assert err.value.field == "mediation.target" and "lv" in err.value.message
    with pytest.raises(ModelError) as err:
        E.add_commitment(plain, "b", "sideways")
    assert err.value.field == "mediation.commitments"


def test_perceptions() -> None:
    text = E.add_perception(BASE, "A", about="B", statements=["not b", "a"], rationale="why")
    text = E.add_perception(text, "B", unaware_of=["a2"])
    _kept(text)
    assert text.endswith(
        "perceptions:\n  - perceiver: A\n    about: B\n    rationale: why\n"
        "    preferences: {statements: [not b, a]}\n"
        "  - perceiver: B\n    unaware_of: [a2]\n"
    )
    p = loads(text).perceptions
    assert p[0].about == "B" and isinstance(p[0].preference, StatementPreference)
    assert [s.text for s in p[0].preference.statements] == ["not b", "a"]
    assert p[1].unaware_of == ("a2",)
    assert "perceptions" not in E.remove_perception(E.remove_perception(text, 1), 0)
    with pytest.raises(ModelError) as err:
        E.add_perception(BASE, "A")
    assert err.value.field == "perceptions[0]"
    with pytest.raises(ModelError) as err:
        E.add_perception(BASE, "Nobody", unaware_of=["a"])
    assert err.value.field == "decision_makers"


def test_drafts() -> None:
    text = E.add_draft(BASE, "first", {"a": "Y", "a2": "N", "b": "N", "lv": "mid"}, "opening")
    text = E.add_draft(text, "second", {"a": "N", "a2": "N", "b": "Y", "lv": "high"})
    _kept(text)
    assert "drafts:\n  - name: first\n    state: {a: Y, a2: N, b: N, lv: mid}\n" in text
    c = loads(text)
    assert [d.name for d in c.drafts] == ["first", "second"]
    assert c.drafts[0].codes == (_code({"a": "Y", "a2": "N", "b": "N", "lv": "mid"}),)
    assert [d.name for d in loads(E.remove_draft(text, 0)).drafts] == ["second"]
    with pytest.raises(ModelError) as err:  # a pattern over levels: refused, located
        E.add_draft(BASE, "p", {"a": "Y", "a2": "-", "b": "N", "lv": "mid"})
    assert err.value.field == "drafts[0].state"


def test_alternatives_groups_weights() -> None:
    text = E.add_alternative(BASE, "A", "hawk", 0.25, ["a", "not b"], "a harder line")
    text = E.group_statements(text, "A", 1, 2)
    text = E.set_statement_details(text, "A", 0, probability=0.8)
    text = E.set_weights(text, "B", {"b": 2, "lv": {"mid": 1, "high": 3.5, "low": 0}})
    _kept(text)
    assert "    weights:\n      b: 2\n      lv: {mid: 1, high: 3.5}\n" in text
    dm = loads(text).dms[0]
    assert [(r.name, r.probability) for r in dm.readings] == [("main", 0.75), ("hawk", 0.25)]
    assert dm.readings[0].groups == ((1, 2),) and dm.readings[0].maybe == ((0, 0.8),)
    w = loads(text).dms[1].weights
    assert w is not None
    text = E.ungroup_statements(text, "A", 1)
    assert loads(text).dms[0].readings[0].groups == ()
    text = E.remove_alternative(E.set_weights(text, "B", {}), "A", 0)
    assert "alternatives" not in text and "weights" not in text
    with pytest.raises(ModelError) as err:
        E.ungroup_statements(text, "A", 0)
    assert "not an unknown-order group" in err.value.message
    with pytest.raises(ModelError) as err:
        E.set_weights(BASE, "A", {"zz": 1})
    assert err.value.field == "decision_makers[0].weights"


# ----- hypothesis: random tranches and drafts, loaded --------------------------------------
FOUR = """\
name: Four  # no infeasibility: every state is one
decision_makers:
  - name: X
    options: [{name: p}, {name: q}]
    preferences: {statements: [p]}
  - name: Y
    options: [{name: r}, {name: s}]
    preferences: {statements: [not r]}
status_quo: NNNN
"""
OPTS = ("p", "q", "r", "s")


@pytest.mark.slow
@given(st.data())
def test_tranches_round_trip(data: st.DataObject) -> None:
    owner = data.draw(st.lists(st.integers(0, 3), min_size=4, max_size=4))  # option → tranche
    values = data.draw(st.lists(st.sampled_from("YN"), min_size=4, max_size=4))
    used = sorted(set(owner))
    for t in used:  # a tranche changes something: its first option is taken
        values[owner.index(t)] = "Y"
    text, expected = FOUR, []
    for k, t in enumerate(used):
        picked = {o: (values[i] if owner[i] == t else "-") for i, o in enumerate(OPTS)}
        after = data.draw(
            st.lists(st.sampled_from([f"t{u}" for u in used[:k]]), unique=True)
            if k
            else st.just([])
        )
        text = E.add_tranche(text, f"t{t}", picked, after)
        expected.append(
            (f"t{t}", tuple((o, v == "Y") for o, v in picked.items() if v != "-"), tuple(after))
        )
    assert "# no infeasibility" in text
    deal = loads(text).deal
    assert deal is not None
    assert [(t.name, t.values, t.after) for t in deal.tranches] == expected
    code = 0  # brute force: the status quo with each tranche's values set in turn
    for t, phase in zip(deal.tranches, deal.phases, strict=True):
        for o, yes in t.values:
            code = code | (1 << OPTS.index(o)) if yes else code & ~(1 << OPTS.index(o))
        assert phase.state == code


@pytest.mark.slow
@given(st.lists(st.lists(st.sampled_from("YN-"), min_size=4, max_size=4), max_size=4))
def test_drafts_round_trip(drafts: list[list[str]]) -> None:
    text = FOUR
    kept = [d for d in drafts if set(d) != {"-"}]
    for k, d in enumerate(kept):
        text = E.add_draft(text, f"d{k}", dict(zip(OPTS, d, strict=True)))
    out = loads(text).drafts
    assert [d.name for d in out] == [f"d{k}" for k in range(len(kept))]
    for d, letters in zip(out, kept, strict=True):
        matching = [
            sum(1 << i for i, bit in enumerate(bits) if bit)
            for bits in itertools.product((0, 1), repeat=4)
            if all(v == "-" or (v == "Y") == bool(b) for v, b in zip(letters, bits, strict=True))
        ]
        assert list(d.codes) == sorted(matching)
