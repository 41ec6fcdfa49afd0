"""Structured edits of model files (formats/native/edits.py): each operation on hand-written
files (comments, rationales and order kept, the loader's model as expected) and hypothesis
round trips (apply an operation, load: the model the operation describes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.formats.native import edits as E
from detente.formats.native.builder import loads
from detente.formats.native.writer import dumps
from detente.model.errors import ModelError
from detente.model.preferences import StatementPreference
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = (ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml").read_text(encoding="utf-8")

BASE = """\
# a hand-written model
detente: 1
name: Test  # the name
decision_makers:
  - name: A
    options:
      - name: a          # A's option
        description: A acts.
      - name: a2
    preferences:
      statements:
        - statement: not b
          rationale: B must not act.
        - a if b    # retaliate
        - a2 or -a
  - name: B
    options: [{name: b}]
    preferences: {statements: [b, not a]}
infeasible:
  - mutually_exclusive: [a, a2]
    reason: one at a time
  - pattern: {a2: Y, b: Y}
status_quo: NNN
drafts:
  - {name: first, state: {a: Y, a2: N, b: N}}
"""


def texts(dm: str, text: str) -> list[str]:
    pref = loads(text).dms[loads(text).dm_index(dm)].preference
    assert isinstance(pref, StatementPreference)
    return [s.text for s in pref.statements]


@pytest.mark.slow
def test_unchanged_file_is_written_back_byte_for_byte() -> None:
    for path in [*sorted((ROOT / "examples").glob("*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        assert E.apply(text, lambda doc: None) == text, path.name


def test_rename_option_everywhere_and_comments_kept() -> None:
    out = E.rename_option(BASE, "a", "attack")
    m = loads(out)
    assert m.option_names == ("attack", "a2", "b")
    assert texts("A", out) == ["not b", "attack if b", "a2 or -attack"]
    assert texts("B", out) == ["b", "not attack"]
    assert "mutually_exclusive: [attack, a2]" in out
    assert "{attack: Y, a2: N, b: N}" in out
    for comment in ("# a hand-written model", "# the name", "# A's option", "# retaliate"):
        assert comment in out
    assert "rationale: B must not act." in out
    assert m.ranks.tolist() == loads(BASE).ranks.tolist()  # same game, new name


@pytest.mark.slow
def test_rename_option_in_deal_mediation_perceptions_weights() -> None:
    extra = (ROOT / "tests" / "data" / "ceasefire_hypergame.yaml").read_text(encoding="utf-8")
    text = FLAGSHIP + extra  # the flagship (deal, mediation) with three perceptions
    old = loads(text)
    out = E.rename_option(text, "offensive", "renamed_option")
    new = loads(out)
    assert "renamed_option" in new.option_names and "offensive" not in new.option_names
    assert new.ranks.tolist() == old.ranks.tolist()
    assert len(new.perceptions) == len(old.perceptions) == 3
    assert "- renamed_option\n" in out.split("perceptions:")[-1]


@pytest.mark.slow
def test_rename_option_in_flagship_keeps_the_analysis() -> None:
    old = loads(FLAGSHIP)
    out = E.rename_option(FLAGSHIP, "isr_accept", "israel_accepts")
    new = loads(out)
    assert new.ranks.tolist() == old.ranks.tolist()
    assert new.feasible.tolist() == old.feasible.tolist()
    assert new.deal is not None and old.deal is not None
    assert [p.state for p in new.deal.phases] == [p.state for p in old.deal.phases]
    code = [ln.split("#")[0] for ln in out.splitlines() if not ln.lstrip().startswith("#")]
    assert not any(
        "isr_accept" in ln.replace("israel_accepts", "")
        for ln in code
        if "description" not in ln and "rationale" not in ln
    )
    assert out.count("\n#") == FLAGSHIP.count("\n#")  # every comment line kept


def test_rename_in_statement_keeps_levels_and_spelling() -> None:
    assert (
        E.rename_in_statement("corridor is reduced and (release | !corridor2)", "release", "r")
        == "corridor is reduced and (r | !corridor2)"
    )
    assert E.rename_in_statement("x >= a", "a", "b") == "x >= a"  # a level, not an option
    assert E.rename_in_statement("a", "a", "b") == "b"
    assert E.rename_in_statement("a and (", "a", "b") == "a and ("  # unparsable: unchanged


def test_add_move_set_remove_statement() -> None:
    out = E.add_statement(BASE, "B", "a2", 1)
    assert texts("B", out) == ["b", "a2", "not a"]
    out = E.move_statement(BASE, "A", 2, 0)
    assert texts("A", out) == ["a2 or -a", "not b", "a if b"]
    assert "rationale: B must not act." in out and "# retaliate" in out
    out = E.move_statement(BASE, "A", 0, 2)
    assert texts("A", out) == ["a if b", "a2 or -a", "not b"]
    out = E.set_statement(BASE, "A", 0, "b")
    assert texts("A", out)[0] == "b" and "rationale: B must not act." in out
    out = E.remove_statement(BASE, "A", 1)
    assert texts("A", out) == ["not b", "a2 or -a"]
    out = E.add_statement(BASE, "A", "a2", None, rationale="why")
    assert texts("A", out)[-1] == "a2" and "rationale: why" in out


def test_statement_details_and_groups() -> None:
    out = E.set_statement_details(BASE, "B", 1, rationale="reason", probability=0.7)
    pref = loads(out).dms[1].preference
    assert isinstance(pref, StatementPreference) and pref.statements[1].rationale == "reason"
    assert "probability: 0.7" in out
    back = E.set_statement_details(out, "B", 1, rationale="", probability=0)
    assert loads(back).ranks.tolist() == loads(BASE).ranks.tolist()
    assert back == BASE
    grouped = E.group_statements(BASE, "A", 1, 2)
    assert "unknown_order:" in grouped
    assert loads(grouped).dms[0].readings is not None


def test_errors_name_the_place() -> None:
    with pytest.raises(ModelError, match="no decision maker 'C'"):
        E.add_statement(BASE, "C", "a")
    with pytest.raises(ModelError, match="no position 7"):
        E.move_statement(BASE, "A", 7, 0)
    with pytest.raises(ModelError, match="no option 'zz'"):
        E.rename_option(BASE, "zz", "y")
    ranked = (ROOT / "examples" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")
    with pytest.raises(ModelError, match="ranking, not statements") as info:
        E.add_statement(ranked, "A", "a_defects")
    assert info.value.field == "decision_makers[0].preferences"


@pytest.mark.slow
def test_dms_rename_describe_add_move() -> None:
    out = E.rename_dm(FLAGSHIP, "Hamas", "Hamas_movement")
    new = loads(out)
    assert "Hamas_movement" in new.dm_names and "Hamas" not in new.dm_names
    assert new.ranks.tolist() == loads(FLAGSHIP).ranks.tolist()
    out = E.set_dm_description(BASE, "B", "The second party.")
    assert loads(out).dms[1].description == "The second party."
    assert E.set_dm_description(out, "B", "") == BASE
    out = E.add_dm(BASE, "C", "c")
    m = loads(out)
    assert m.dm_names == ("A", "B", "C") and m.option_names[-1] == "c"
    assert "status_quo: NNNN" in out  # the new option is not taken in the status quo
    moved = E.move_dm(BASE, "B", 0)
    mm = loads(moved)
    assert mm.dm_names == ("B", "A") and mm.option_names == ("b", "a", "a2")
    assert mm.state_string(mm.status_quo or 0) == "NNN"
    old = loads(BASE)
    # the same game: each state's ranks follow it to its new letters
    for k, code in enumerate(old.feasible.tolist()):
        s = old.state_string(code)
        moved_code = mm.parse_state(s[2] + s[0] + s[1])
        assert mm.ranks[:, mm.position(moved_code)].tolist()[::-1] == old.ranks[:, k].tolist()


def test_options_fields_add_remove() -> None:
    out = E.set_option(
        BASE, "b", description="B acts.", direction="fwd", labels={"Y": "B strikes", "N": ""}
    )
    opt = loads(out).options[2]
    assert (opt.description, opt.direction) == ("B acts.", "fwd")
    assert dict(opt.labels)["Y"] == "B strikes" if isinstance(opt.labels, tuple) else True
    assert E.set_option(out, "b", description="", direction="both", labels={}).count("B acts.") == 0
    out = E.add_option(BASE, "A", "a3")
    m = loads(out)
    assert m.option_names == ("a", "a2", "a3", "b")
    assert "status_quo: NNNN" in out and "{a: Y, a2: N, a3: N, b: N}" in out
    out = E.set_option(BASE, "a2", levels=["low", "mid", "high"])
    assert "levels: [low, mid, high]" in out
    gone = E.remove_option(E.remove_statement(E.remove_statement(BASE, "A", 2), "A", 1), "a2")
    assert "a2" in gone  # still used by the exclusion: the validator names it
    with pytest.raises(ModelError, match="a2"):
        loads(gone)


def test_infeasible_and_status_quo() -> None:
    out = E.add_infeasible(BASE, "at_least_one", ["a", "b"], "someone acts")
    with pytest.raises(ModelError, match="status_quo: state NNN is not feasible"):
        loads(out)  # the validator names what the new condition rules out
    out = E.set_status_quo(out, {"a": "Y", "a2": "N", "b": "N"})
    m = loads(out)
    assert all(m.state_string(int(c)) != "NNN" for c in m.feasible)
    out = E.add_infeasible(out, "pattern", {"a": "Y", "b": "Y"})
    assert "{a: Y, b: Y}" in out
    assert E.remove_infeasible(E.remove_infeasible(out, 3), 2) == BASE.replace(
        "status_quo: NNN", "status_quo: YNN"
    )
    sq = E.set_status_quo(BASE, {"a": "Y", "a2": "N", "b": "Y"})
    m = loads(sq)
    assert m.status_quo is not None and m.state_string(m.status_quo) == "YNY"
    with pytest.raises(ModelError, match="missing: b"):
        E.set_status_quo(BASE, {"a": "Y", "a2": "N"})
    levels = (ROOT / "tests" / "data" / "corridor_levels.yaml").read_text(encoding="utf-8")
    lm = loads(levels)
    sq = E.set_status_quo(levels, {"corridor": "reduced", "release": "Y"})
    assert "corridor: reduced" in sq and loads(sq).status_quo != lm.status_quo


def test_ranking_and_payoffs() -> None:
    pd = (ROOT / "examples" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")
    out = E.set_ranking(pd, "A", ["NN", ["YN", "YY"], "NY"])
    m = loads(out)
    a = m.ranks[0].tolist()
    assert a[m.position(m.parse_state("YN"))] == a[m.position(m.parse_state("YY"))]
    assert "# Ordinal payoffs" in out
    trade = (ROOT / "tests" / "data" / "trade_packages.yaml").read_text(encoding="utf-8")
    out = E.set_payoff(trade, "A", 0, 99)
    assert "{state: NNN, value: 99}" in out


def test_blank_model_then_prisoners_dilemma() -> None:
    text = E.blank_model("PD", "A", "a_defects")
    text = E.add_dm(text, "B", "b_defects")
    for dm, first, second in (
        ("A", "not b_defects", "a_defects"),
        ("B", "not a_defects", "b_defects"),
    ):
        text = E.add_statement(E.add_statement(text, dm, first), dm, second)
    text = E.set_status_quo(text, {"a_defects": "N", "b_defects": "N"})
    m = loads(text)
    assert m.name == "PD" and m.state_string(m.status_quo or 0) == "NN"
    # DD is each side's third choice, CC its second: the textbook order
    ranks = m.ranks.tolist()
    order = [m.state_string(int(c)) for c in m.feasible]
    assert [order[i] for i in sorted(range(4), key=lambda i: -ranks[0][i])] == [
        "YN",
        "NN",
        "YY",
        "NY",
    ]


# ----- hypothesis: apply an operation, load: the model it describes -----------------------
def _grouped(c: object) -> bool:
    """Options listed DM by DM, the order a model file writes them in."""
    owners = [o.dm for o in c.options]  # type: ignore[attr-defined]
    return owners == sorted(owners)


@pytest.mark.slow
@given(conflicts(max_dms=3, max_options=5).filter(_grouped), st.data())
def test_rename_option_round_trip(c: object, data: st.DataObject) -> None:
    from detente.model.conflict import Conflict

    assert isinstance(c, Conflict)
    text = dumps(c)
    old = data.draw(st.sampled_from(c.option_names))
    new = data.draw(
        st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
            lambda n: n not in c.option_names and n not in {"not", "and", "or", "if", "iff", "is"}
        )
    )
    out = loads(E.rename_option(text, old, new))
    assert out.option_names == tuple(new if n == old else n for n in c.option_names)
    assert out.feasible.tolist() == c.feasible.tolist()
    assert out.ranks.tolist() == c.ranks.tolist()


NAMES = ("p", "q", "r")
STATEMENTS = st.sampled_from(["p", "not q", "p and r", "q or not p", "r if p", "p iff q"])
STATEMENT_MODEL = """\
name: S
decision_makers:
  - name: X
    options: [{name: p}, {name: q}]
    preferences:
      statements: []  # X's priorities
  - name: Y
    options: [{name: r}]
    preferences: {statements: [r]}
"""


@pytest.mark.slow
@given(st.lists(STATEMENTS, max_size=6), st.data())
def test_statement_operations_round_trip(items: list[str], data: st.DataObject) -> None:
    text, expected = STATEMENT_MODEL, []
    for s in items:
        at = data.draw(st.integers(0, len(expected)))
        text = E.add_statement(text, "X", s, at)
        expected.insert(at, s)
    assert texts("X", text) == expected
    if expected:
        i = data.draw(st.integers(0, len(expected) - 1))
        to = data.draw(st.integers(0, len(expected) - 1))
        text = E.move_statement(text, "X", i, to)
        expected.insert(to, expected.pop(i))
        assert texts("X", text) == expected
        k = data.draw(st.integers(0, len(expected) - 1))
        text = E.remove_statement(text, "X", k)
        del expected[k]
        assert texts("X", text) == expected
    assert "# X's priorities" in text or expected


@given(st.lists(st.sampled_from("YN"), min_size=3, max_size=3))
def test_status_quo_round_trip(letters: list[str]) -> None:
    text = STATEMENT_MODEL
    out = loads(E.set_status_quo(text, dict(zip(("p", "q", "r"), letters, strict=True))))
    assert out.status_quo is not None and out.state_string(out.status_quo) == "".join(letters)
