"""Coalition analysis: against a direct implementation, hand-worked cases, Elmira, the CLI."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
from cli_runner import run
from detente.analyses.coalitions import analysis as coalitions_module
from detente.analyses.coalitions import coalition_analysis, every_coalition
from detente.analyses.stability import analyze
from detente.formats import load_model
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.errors import AnalysisError, ModelError
from detente.model.preferences import PayoffPreference
from strategies import coalitions as coalitions_of
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[2]
ELMIRA = ROOT / "examples" / "elmira.yaml"
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ----- a direct implementation, straight from the definitions ----------------------------------
class Direct:
    """Coalition analysis by enumeration, on top of ``tests/reference.py`` (memoised)."""

    def __init__(self, c: Conflict) -> None:
        self.c = c
        self.n = len(c.dms)
        self.pay = {(i, s): reference.u(c, i, s) for i in range(self.n)
                    for s in reference.feasible_states(c)}
        self._reach: dict[tuple[tuple[int, ...], int, bool], set[int]] = {}

    def u(self, i: int, s: int) -> int:
        return self.pay[(i, s)]

    def reach(self, members: list[int], s: int, improving: bool = False) -> set[int]:
        key = (tuple(members), s, improving)
        if key not in self._reach:
            self._reach[key] = reference.coalition_reach(self.c, members, s, improving)
        return self._reach[key]

    def improvements(self, members: list[int], s: int) -> set[int]:
        """R_H⁺⁺(s): coalitional moves every member strictly prefers (codes)."""
        return {t for t in self.reach(members, s)
                if all(self.u(j, t) > self.u(j, s) for j in members)}

    def stable_against(self, concept: str, i: int, members: list[int], s: int) -> bool:
        """Stable for member i against H's improvements (sanctions by N∖H, judged by i)."""
        us = self.u(i, s)
        comp = [j for j in range(self.n) if j not in members]
        for s1 in self.improvements(members, s):
            if concept == "nash":
                return False
            sanctions = self.reach(comp, s1, concept == "seq") if comp else set()
            if concept in ("gmr", "seq"):
                ok = any(self.u(i, s2) <= us for s2 in sanctions)
            else:  # smr: the coalition's counter-moves from s2 must not help i either
                ok = any(
                    self.u(i, s2) <= us
                    and all(self.u(i, s3) <= us for s3 in self.reach(members, s2))
                    for s2 in sanctions
                )
            if not ok:
                return False
        return True

    def stable(self, concept: str, i: int, s: int, coalitions: list[list[int]]) -> bool:
        """Coalition stability for DM i: alone ({i}) and against every coalition with i."""
        if not reference.stable(self.c, concept, i, s):
            return False
        return all(self.stable_against(concept, i, h, s) for h in coalitions if i in h)


def _members(c: Conflict, key: tuple[str, ...]) -> list[int]:
    return [c.dm_index(n) for n in key]


@pytest.mark.slow
@SETTINGS
@given(conflicts(max_dms=4, max_options=6), st.data())
def test_matches_direct_implementation(c: Conflict, data: st.DataObject) -> None:
    n = len(c.dms)
    coalitions = data.draw(st.lists(coalitions_of(c), min_size=1, max_size=2))
    res = coalition_analysis(c, coalitions)
    states = reference.feasible_states(c)
    ref = Direct(c)
    for h, key in enumerate(res.coalitions):
        members = _members(c, key)
        for k, s in enumerate(states):
            want = ref.improvements(members, s)
            got = {c.parse_state(m["to"]["state"]) for m in res.improvements(key, k + 1)}
            assert got == want
            assert res.n_improvements[h, k] == len(want)
    chosen = [_members(c, key) for key in res.coalitions]
    for concept in res.concepts:
        for i in range(n):
            for k, s in enumerate(states):
                assert res.stable[concept][i, k] == ref.stable(concept, i, s, chosen), (
                    concept, i, c.state_string(s))
        for key in res.coalitions:
            members = _members(c, key)
            table = res.stable_against(concept, key)
            for m, i in enumerate(members):
                for k, s in enumerate(states):
                    assert table[m, k] == ref.stable_against(concept, i, members, s)


@pytest.mark.slow
@SETTINGS
@given(conflicts(max_dms=4, max_options=6))
def test_sequences_are_legal_and_concepts_nest(c: Conflict) -> None:
    res = coalition_analysis(c, all_coalitions=True)
    noncoop = analyze(c, ["nash", "gmr", "smr", "seq"])
    for key in res.coalitions:
        members = _members(c, key)
        for k in range(c.n_states):
            for move in res.improvements(key, k + 1):
                steps = move["steps"]
                assert steps[0]["from"] == move["from"] and steps[-1]["to"] == move["to"]
                for a, b in itertools.pairwise(steps):
                    assert a["to"] == b["from"] and a["dm"] != b["dm"]
                for step in steps:
                    j = c.dm_index(step["dm"])
                    assert j in members
                    src, dst = (c.parse_state(step[x]["state"]) for x in ("from", "to"))
                    assert dst in reference.reachable(c, j, src)
    st_ = res.stable
    assert not (st_["nash"] & ~st_["seq"]).any()
    assert not (st_["seq"] & ~st_["gmr"]).any()
    assert not (st_["nash"] & ~st_["smr"]).any()
    assert not (st_["smr"] & ~st_["gmr"]).any()
    for concept in res.concepts:  # coalitions only remove stability
        assert not (st_[concept] & ~noncoop.stable[concept]).any()


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=6))
def test_state_by_state_search_matches_dense_groups(c: Conflict) -> None:
    dense = coalition_analysis(c, all_coalitions=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coalitions_module, "DENSE_GROUP", 0)  # every group searched per state
        searched = coalition_analysis(c, all_coalitions=True)
    assert (dense.n_improvements == searched.n_improvements).all()
    for concept in dense.concepts:
        assert (dense.stable[concept] == searched.stable[concept]).all()
        for key in dense.coalitions:
            assert (dense.against[concept][key] == searched.against[concept][key]).all()


# ----- hand-worked cases ---------------------------------------------------------------------
def prisoners() -> Conflict:
    # bit 0: A defects, bit 1: B defects. States 1 CC, 2 A defects, 3 B defects, 4 DD.
    return Conflict(
        name="PD",
        options=(Option("a_defects", "A"), Option("b_defects", "B")),
        dms=(
            DecisionMaker("A", ("a_defects",), PayoffPreference(((0, 3), (1, 4), (2, 1), (3, 2)))),
            DecisionMaker("B", ("b_defects",), PayoffPreference(((0, 3), (1, 1), (2, 4), (3, 2)))),
        ),
    )


def test_prisoners_dilemma_by_hand() -> None:
    c = prisoners()
    res = coalition_analysis(c, [["B", "A"]])
    assert res.coalitions == (("A", "B"),)
    # From DD both prefer CC; the only coalitional improvement anywhere. A moves first (model
    # order in the search): A stops defecting (4 -> 3), then B (3 -> 1).
    assert [m["to"]["number"] for k in range(1, 5) for m in res.improvements(("A", "B"), k)] == [1]
    (move,) = res.improvements(("A", "B"), 4)
    assert [(s["dm"], s["from"]["number"], s["to"]["number"]) for s in move["steps"]] == [
        ("A", 4, 3), ("B", 3, 1)]
    assert move["changes"] == [
        {"option": "a_defects", "dm": "A", "from": "Y", "to": "N"},
        {"option": "b_defects", "dm": "B", "from": "Y", "to": "N"},
    ]
    # No one is left to sanction the grand coalition: DD falls; CC stays GMR/SMR-stable.
    assert res.equilibria_numbers("nash") == []
    assert res.equilibria_numbers("gmr") == [1]
    assert res.equilibria_numbers("smr") == [1]
    # B's sanction of A's defection from CC is an improvement for B, so CC is CSEQ too.
    assert res.equilibria_numbers("seq") == [1]
    # For A: CC (sanctioned by B), and A defecting alone (A's best; B's gain there is no
    # joint gain); at 3 A's move to DD is unsanctioned, and DD falls to the joint move.
    assert res.stable_numbers("gmr", "A") == [1, 2]


def test_three_party_sanction_by_the_complement() -> None:
    # A and B each hold one option, C one. A+B gain by both switching on (from NNN to YYN),
    # and C can answer by switching on too (YYY), which A dislikes but B does not.
    opts = (Option("a", "A"), Option("b", "B"), Option("c", "C"))
    pay = {  # code: (A, B, C)
        0: (2, 2, 5), 1: (1, 1, 1), 2: (1, 1, 1), 3: (5, 5, 1),
        4: (0, 0, 0), 5: (0, 0, 0), 6: (0, 0, 0), 7: (0, 3, 2),
    }
    dms = tuple(
        DecisionMaker(name, (name.lower(),),
                      PayoffPreference(tuple((code, p[i]) for code, p in pay.items())))
        for i, name in enumerate("ABC")
    )
    c = Conflict("three", opts, dms)
    res = coalition_analysis(c, [["A", "B"]])
    assert res.improvement_numbers(("A", "B"), "NNN") == [4]  # YYN is state 4
    # C's sanction YYY: A ends below NNN (0 <= 2), B does not (3 > 2).
    table = res.stable_against("gmr", ("A", "B"))
    assert bool(table[0, 0]) and not bool(table[1, 0])
    assert not res.stable["nash"][0, 0] and not res.stable["nash"][1, 0]
    # SEQ: C's move to YYY is an improvement for C (2 > 1), so the sanction stands for A.
    assert bool(res.stable_against("seq", ("A", "B"))[0, 0])


# ----- Elmira --------------------------------------------------------------------------------
# detente numbering (examples/elmira.yaml): source 1 = 1, source 5 = 7, source 6 = 8,
# source 8 = 10, source 9 = 5, 6, 11, 12.
def test_elmira_moe_and_ur_move_jointly_from_source_5_to_8() -> None:
    c = load_model(ELMIRA)
    res = coalition_analysis(c)  # the model's coalition: MoE + UR
    assert res.coalitions == (("MoE", "UR"),)
    assert res.improvement_numbers(("MoE", "UR"), 7) == [10]
    (move,) = res.improvements(("MoE", "UR"), "NYNNY")
    assert [(s["dm"], s["from"]["state"], s["to"]["state"]) for s in move["steps"]] == [
        ("MoE", "NYNNY", "YYNNY"), ("UR", "YYNNY", "YNYNY")]
    # Every coalitional improvement of MoE + UR, by state number.
    found = {k: res.improvement_numbers(("MoE", "UR"), k) for k in range(1, 13)}
    assert {k: v for k, v in found.items() if v} == {2: [4], 7: [10], 8: [10]}
    # Source 5 (detente 7) was a Nash equilibrium; the joint move breaks it, and LG's only
    # reply from 10 (to 4, YNYNN) leaves both members better off than at 7: no sanction.
    assert res.equilibria_numbers("nash") == [5, 6, 10, 11, 12]
    assert res.equilibria_numbers("seq") == [5, 6, 10, 11, 12]
    assert res.equilibria_numbers("gmr") == [1, 4, 5, 6, 10, 11, 12]
    assert res.equilibria_numbers("smr") == [1, 4, 5, 6, 10, 11, 12]
    assert 7 not in res.stable_numbers("gmr", "MoE") and 7 not in res.stable_numbers("gmr", "UR")
    assert 7 in res.stable_numbers("gmr", "LG")


def test_elmira_views_and_json() -> None:
    res = coalition_analysis(load_model(ELMIRA), concepts=["cnash", "gmr"])
    assert res.concepts == ("nash", "gmr")
    df = res.frame()
    assert list(df.columns) == ["state", "improvements MoE+UR", "CNash", "CGMR"]
    assert df.loc[7, "improvements MoE+UR"] == 1 and not df.loc[7, "CNash"]
    imp = res.improvements_frame()
    assert imp["moves"].tolist() == ["UR 2→4", "MoE 7→8 then UR 8→10", "UR 8→10"]
    assert res.stability_frame("gmr").loc["NYNNY"].tolist() == [False, False, True]
    data = json.loads(json.dumps(res.to_dict()))
    (coalition,) = data["coalitions"]
    assert coalition["members"] == ["MoE", "UR"]
    assert [(m["from"], m["to"]) for m in coalition["improvements"]] == [(2, 4), (7, 10), (8, 10)]
    assert coalition["improvements"][1] == {"from": 7, "to": 10, "path": [7, 8, 10],
                                            "movers": [0, 1], "joint_only": True}
    # MoE 7→8, then UR 8→10: modify (MoE) and delay, accept (UR) change, so it needs both;
    # 2→4 and 8→10 change UR's options only (UR could make them alone), as the text says
    assert [m["joint_only"] for m in coalition["improvements"]] == [False, True, False]
    assert (coalition["n_joint_only"], coalition["n_member_alone"]) == (1, 2)
    assert coalition["n_improvements"] == 3 and data["page"]["n_improvements"] == 3
    assert data["states"] == {"2": "YYNNN", "4": "YNYNN", "7": "NYNNY", "8": "YYNNY",
                              "10": "YNYNY"}
    assert [e["number"] for e in data["concepts"]["nash"]["equilibria"]] == [5, 6, 10, 11, 12]


# ----- errors and limits ------------------------------------------------------------------
def test_bad_coalitions_are_clear_errors() -> None:
    c = load_model(ELMIRA)
    with pytest.raises(ModelError, match="unknown decision maker 'XX'"):
        coalition_analysis(c, [["MoE", "XX"]])
    with pytest.raises(AnalysisError, match="two or more distinct"):
        coalition_analysis(c, [["MoE"]])
    with pytest.raises(AnalysisError, match="two or more distinct"):
        coalition_analysis(c, [["MoE", "MoE"]])
    with pytest.raises(AnalysisError, match="not both"):
        coalition_analysis(c, [["MoE", "UR"]], all_coalitions=True)
    with pytest.raises(AnalysisError, match="unknown coalition concept"):
        coalition_analysis(c, concepts=["sim"])
    res = coalition_analysis(c)
    with pytest.raises(AnalysisError, match="was not analysed"):
        res.improvements(["UR", "LG"], 1)


def test_all_coalitions() -> None:
    c = load_model(ELMIRA)
    assert every_coalition(c) == (
        ("MoE", "UR"), ("MoE", "LG"), ("UR", "LG"), ("MoE", "UR", "LG"))


def test_too_many_coalitions_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coalitions_module, "MAX_COALITIONS", 3)
    with pytest.raises(AnalysisError, match="3 decision makers form 4 coalitions"):
        coalition_analysis(load_model(ELMIRA), all_coalitions=True)


def test_work_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coalitions_module, "MAX_WORK", 10)
    with pytest.raises(AnalysisError, match="pairs of states"):
        coalition_analysis(load_model(ELMIRA))


# ----- command line -----------------------------------------------------------------------


def test_cli_text() -> None:
    result = run("coalitions", ELMIRA)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Coalitions: MoE+UR" in out
    assert "7 NYNNY → 10 YNYNY" in out and "MoE 7→8, then UR 8→10" in out
    assert "CNash equilibria: 5, 6, 10, 11, 12" in out
    assert "CGMR equilibria: 1, 4, 5, 6, 10, 11, 12" in out


def test_cli_json_and_options() -> None:
    result = run("coalitions", ELMIRA, "--coalition", "UR,LG", "--concept", "gmr",
                  "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [h["members"] for h in data["coalitions"]] == [["UR", "LG"]]
    assert list(data["concepts"]) == ["gmr"]
    result = run("coalitions", ELMIRA, "--all", "--format", "json")
    assert len(json.loads(result.stdout)["coalitions"]) == 4


def test_cli_errors(write_model: Any) -> None:
    for args, fragment in [
        (["--coalition", "MoE,XX"], "unknown decision maker 'XX'"),
        (["--coalition", "MoE"], "two or more distinct"),
        (["--all", "--coalition", "MoE,UR"], "not both"),
        (["--concept", "bogus"], "unknown coalition concept"),
    ]:
        result = run("coalitions", ELMIRA, *args)
        assert result.exit_code == 2, result.stdout
        assert fragment in result.stderr and "Traceback" not in result.stderr
    plain = write_model(ELMIRA.read_text(encoding="utf-8").replace(
        "coalitions: [[MoE, UR]]", ""))
    result = run("coalitions", plain)
    assert result.exit_code == 2 and "names no coalitions" in result.stderr


def test_cli_help_has_an_example() -> None:
    result = run("coalitions", "--help")
    assert result.exit_code == 0 and "Example: detente coalitions" in result.stdout


# ----- names with surrounding spaces (issue 16, item 7) ------------------------------------
SPACED = """\
name: Spaces
decision_makers:
  - name: ' A '
    options: [{name: a_defects}]
    preferences: {statements: [not b_defects, a_defects]}
  - name: B
    options: [{name: b_defects}]
    preferences: {statements: [not a_defects, b_defects]}
status_quo: NN
coalitions: [[' A ', B]]
"""


def test_dm_lookup_ignores_surrounding_spaces_on_either_side() -> None:
    from types import SimpleNamespace

    from detente.analyses.coalitions import dm_position

    model: Any = SimpleNamespace(dm_names=(" A ", "B", "C", " C"))
    assert [dm_position(model, n) for n in (" A ", "A", "A ", "B", " B\t", "C", " C")] == [
        0, 0, 0, 1, 1, 2, 3]
    with pytest.raises(ModelError, match=r"unknown decision maker 'C '; expected one of: "
                                         r"' A ', B, C, ' C'"):
        dm_position(model, "C ")  # two DMs match loosely: refused, never a guess
    with pytest.raises(ModelError, match="unknown decision maker 'X'"):
        dm_position(model, "X")
    # the command line splits only: the lookup above decides about spaces, in one place
    from detente.surfaces.cli.output import split_coalitions

    assert split_coalitions(["A, B", " C ,, "]) == [["A", " B"], [" C "]]
    assert [dm_position(model, n) for n in split_coalitions([" C, A"])[0]] == [3, 0]


def test_cli_coalition_names_with_spaces_around_them() -> None:
    """Names typed with spaces around them find the DM in coalitions and in evolve alike."""
    result = run("coalitions", ELMIRA, "--coalition", " MoE , UR ", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [h["members"] for h in json.loads(result.stdout)["coalitions"]] == [["MoE", "UR"]]
    result = run("evolve", ELMIRA, "--coalition", "MoE,  UR", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["coalitions"] == [["MoE", "UR"]]


def test_cli_accepts_a_dm_name_with_spaces_wherever_it_validates(
    write_model: Any, tmp_path: Path
) -> None:
    """The fuzzer's case: a DM named ' A ' validated, but coalitions, evolve --coalitions and
    report refused it ("unknown decision maker 'A'"). Whatever validation decides about such a
    name, every command must agree with it: either all refuse it, or all accept it."""
    path = write_model(SPACED)
    checked = run("validate", path)
    commands = [
        ["coalitions", path, "--format", "json"],
        ["coalitions", path, "--coalition", " A , B", "--format", "json"],
        ["coalitions", path, "--coalition", "A,B", "--format", "json"],
        ["evolve", path, "--coalitions", "--format", "json"],
        ["evolve", path, "--coalition", "A,B", "--format", "json"],
        ["report", path, "-o", tmp_path / "r.md", "-c", "nash"],
    ]
    for args in commands:
        result = run(*args)
        assert "Traceback" not in result.stderr
        if checked.exit_code != 0:  # refused at validation: refused the same way everywhere
            assert result.exit_code == 2 and "decision maker" in result.stderr, args
            continue
        assert result.exit_code == 0, (args, result.stderr)
        if args[0] == "coalitions":
            data = json.loads(result.stdout)
            assert [h["members"] for h in data["coalitions"]] == [data["dms"]]


# ----- the JSON: compact, streamed, sized and paged (issue 16, item 7) ----------------------
@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def _needs_two_members(c: Conflict, members: tuple[str, ...], a: str, b: str) -> bool:
    """Brute force: the options that differ between two Y/N strings belong to two or more of
    the members (no member could make the change alone)."""
    owners = {c.options[k].dm for k in range(len(a)) if a[k] != b[k]}
    assert owners <= set(members)
    return len(owners) >= 2


@pytest.mark.slow
@given(conflicts(max_dms=4, max_options=6), st.data())
def test_json_stream_pages_and_estimate_agree_with_the_moves(
    c: Conflict, data: st.DataObject
) -> None:
    """The streamed text parses to ``to_dict()``; each improvement is the one
    ``improvement_moves`` gives (same path, same movers, same Y/N strings); pages split the
    answer without loss; the estimate counts exactly and sizes within a factor of 2."""
    from detente.analyses.coalitions.output import iter_json

    res = coalition_analysis(c, all_coalitions=True)
    whole = res.to_dict()
    text = "".join(iter_json(res))
    assert json.loads(text) == whole
    for h, key in zip(whole["coalitions"], res.coalitions, strict=True):
        moves = [m for k in range(c.n_states) for m in res.improvement_moves(key, k + 1)]
        assert h["n_improvements"] == len(moves) == len(h["improvements"])
        for got, want in zip(h["improvements"], moves, strict=True):
            assert got["from"] == want.source.number and got["to"] == want.target.number
            assert got["path"] == [st.source.number for st in want.steps] + [got["to"]]
            assert [whole["dms"][j] for j in got["movers"]] == [st.dm for st in want.steps]
            assert all(whole["states"][str(x)] == c.state_string(int(c.feasible[x - 1]))
                       for x in got["path"])
            assert got["joint_only"] == _needs_two_members(
                c, key, whole["states"][str(got["from"])], whole["states"][str(got["to"])])
        assert h["n_joint_only"] == sum(m["joint_only"] for m in h["improvements"])
        assert h["n_joint_only"] + h["n_member_alone"] == h["n_improvements"]
    size = res.estimate()
    assert size.improvements == whole["page"]["n_improvements"]
    assert size.bytes / 2 <= len(text.encode()) <= size.bytes * 2 or size.bytes < 10_000
    # pages: every improvement and every stable state exactly once, in order
    limit = data.draw(st.integers(1, max(1, c.n_states)))
    pages = [res.to_dict(offset, limit) for offset in range(0, c.n_states, limit)]
    assert [json.loads("".join(iter_json(res, p["page"]["offset"], limit))) for p in pages] \
        == pages
    for h, key in enumerate(res.coalitions):
        assert [m for p in pages for m in p["coalitions"][h]["improvements"]] == \
            whole["coalitions"][h]["improvements"]
        for k in res.concepts:
            for dm in key:
                assert [x for p in pages for x in p["coalitions"][h]["stable_against"][k][dm]] \
                    == whole["coalitions"][h]["stable_against"][k][dm]
    for k in res.concepts:
        assert [e for p in pages for e in p["concepts"][k]["equilibria"]] == \
            whole["concepts"][k]["equilibria"]
    assert sum(p["page"]["n_improvements"] for p in pages) == size.improvements


def test_page_arguments_are_checked() -> None:
    from detente.analyses.coalitions.output import check_size
    from detente.model.errors import ArgumentError

    res = coalition_analysis(load_model(ELMIRA))
    page = res.to_dict(offset=6, limit=2)
    assert page["page"] == {"offset": 6, "limit": 2, "first": 7, "last": 8, "n_improvements": 2}
    assert [e["number"] for e in page["concepts"]["nash"]["equilibria"]] == []
    assert page["concepts"]["gmr"]["stable_for"]["LG"] == [7, 8]
    assert res.to_dict(offset=12)["page"]["n_improvements"] == 0  # the empty page at the end
    for offset, limit, fragment in [(-1, None, "offset must be a whole number from 0 to 12"),
                                    (13, None, "offset must be"), (True, None, "offset must"),
                                    (0, 0, "limit must be a whole number of states, 1 or more"),
                                    (0, 2.5, "limit must")]:
        with pytest.raises(ArgumentError, match=fragment):
            res.to_dict(offset, limit)  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match=r"states 1 to 12 would answer about 0\.0 MB "
                                            r"\(3 coalitional improvements; limit 0\.0 MB\): "
                                            r"ask for fewer states at a time \(limit 1 from "
                                            r"offset 0 fits\)"):
        check_size(res, max_bytes=100)
    assert check_size(res, 6, 2, max_bytes=10_000).improvements == 2


def _assert_fits(res: Any, offset: int, max_bytes: int) -> int:
    """``limit_that_fits`` is the longest page from ``offset`` within ``max_bytes``."""
    from detente.analyses.coalitions.output import limit_that_fits

    fits = limit_that_fits(res, offset, max_bytes=max_bytes)
    left = res.conflict.n_states - offset
    assert 0 <= fits <= left and (fits >= 1 or left == 0)
    if fits > 1:
        assert res.estimate(offset, fits).bytes <= max_bytes
    if fits < left:
        assert res.estimate(offset, fits + 1).bytes > max_bytes
    return fits


def test_limit_that_fits() -> None:
    res = coalition_analysis(load_model(ELMIRA), all_coalitions=True)
    whole = res.estimate().bytes
    assert _assert_fits(res, 0, whole) == 12 and _assert_fits(res, 12, whole) == 0
    for budget in (1, whole // 3, whole // 2, whole - 1):
        for offset in range(13):
            _assert_fits(res, offset, budget)


@pytest.mark.slow
def test_cli_json_pages_and_streams() -> None:
    whole = json.loads(run("coalitions", ELMIRA, "--format", "json").stdout)
    result = run("coalitions", ELMIRA, "--format", "json", "--offset", "6", "--limit", "2")
    assert result.exit_code == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["page"]["first"] == 7 and page["page"]["last"] == 8
    assert page["coalitions"][0]["improvements"] == whole["coalitions"][0]["improvements"][1:]
    text = run("coalitions", ELMIRA, "--offset", "6", "-n", "2").stdout
    assert "States 7 to 8 of 12" in text and "MoE 7→8, then UR 8→10" in text
    assert "2 YYNNN" not in text
    result = run("coalitions", ELMIRA, "--offset", "13")
    assert result.exit_code == 2 and "--offset 13 is past the last state" in result.stderr
    result = run("coalitions", ELMIRA, "--limit", "-1")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_flagship_all_coalitions_json_is_compact() -> None:
    """The fuzzer's case: `coalitions --all --format json` on the flagship wrote 484 MB (55 s,
    4.3 GB). One page of it now: 26 coalitions, states 1 to 40, in about a hundred kB, the
    size the estimate gives before anything is built; the whole answer is estimated at
    about 22 MB (docs/coalitions.md has the measured run). The joint moves no member could
    make alone, as docs/coalitions.md counts them (docs/scripts/coalitions_json.py)."""
    from detente.analyses.coalitions.joint import joint_counts
    from detente.analyses.coalitions.output import iter_json

    res = coalition_analysis(load_model(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"),
                             all_coalitions=True, concepts=["nash"])
    assert len(res.coalitions) == 26 and res.estimate().improvements == 193_196
    assert res.estimate().bytes < 25_000_000
    size = res.estimate(0, 40)
    text = "".join(iter_json(res, 0, 40))
    data = json.loads(text)
    assert data["page"]["n_improvements"] == size.improvements == sum(
        len(h["improvements"]) for h in data["coalitions"])
    assert size.bytes / 1.5 < len(text.encode()) < size.bytes * 1.5
    assert all(1 <= m["from"] <= 40 for h in data["coalitions"] for m in h["improvements"])
    assert [h["n_joint_only"] for h in data["coalitions"]] == [
        int(joint_counts(res, k)[:40].sum()) for k in range(len(res.coalitions))]
    joint = sum(int(joint_counts(res, k).sum()) for k in range(len(res.coalitions)))
    doc = " ".join((ROOT / "docs" / "coalitions.md").read_text(encoding="utf-8").split())
    assert f"193,196 improvements: {joint:,} joint only, {193_196 - joint:,} a member" in doc
    fits = _assert_fits(res, 0, 1_000_000)  # pages sized by their own states
    assert 10 < fits < 1280 and _assert_fits(res, 600, 1_000_000) > 10
