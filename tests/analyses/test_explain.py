"""``detente explain``: per-state explanations — hand-checked cases, agreement with the engine
and the reference implementation (hypothesis), and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
import reference as ref
from cli_runner import run
from detente.analyses.explain import ExplainError, Explanation, Sanction, explain
from detente.engine import CONCEPTS, Engine
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.errors import DetenteError
from detente.model.preferences import PayoffPreference
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[2]
PD = ROOT / "examples" / "prisoners_dilemma.yaml"
ELMIRA = ROOT / "examples" / "elmira.yaml"


@pytest.fixture(scope="module")
def pd() -> Conflict:
    return detente.load(PD)


@pytest.fixture(scope="module")
def elmira() -> Conflict:
    return detente.load(ELMIRA)


def _path(s: Sanction | None) -> list[tuple[str, int, int]]:
    assert s is not None
    return [(m.dm, m.source.number, m.target.number) for m in s.moves]


# ----- Prisoner's Dilemma (1 = NN, 2 = YN, 3 = NY, 4 = YY) ----------------------------------
def test_pd_mutual_cooperation_is_deterred_by_the_other_defecting(pd: Conflict) -> None:
    e = explain(pd, "NN")
    a = e.dm("A")
    assert [(m.target.number, m.change_text) for m in a.improvements] == [(2, "a_defects N→Y")]
    assert not e.stable("A", "nash")
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert e.stable("A", concept), concept
        assert e.stable("B", concept), concept
    gmr = a.verdict("gmr").checks[0]
    assert _path(gmr.sanction) == [("B", 2, 4)]
    assert gmr.reason == (
        "A would gain by moving to state 2 (a_defects N→Y), but B can respond by "
        "b_defects N→Y, reaching state 4, which A likes less than state 1."
    )
    smr = a.verdict("smr").checks[0].sanction
    assert smr is not None and smr.reply is not None and smr.reply.number == 3
    sim = a.verdict("sim").checks[0].simultaneous
    assert _path(sim) == [("B", 1, 3)] and sim is not None and sim.outcome.number == 4


def test_pd_mutual_defection_is_nash(pd: Conflict) -> None:
    e = explain(pd, 4)
    for d in e.dms:
        assert d.improvements == ()
        assert all(v.stable for v in d.verdicts)
        assert "no unilateral improvement from state 4" in d.verdict("gmr").summary


def test_pd_unsanctioned_improvement_says_why(pd: Conflict) -> None:
    # At YN (A defects, B is the sucker) B gains by defecting; A's only move from YY is back
    # to NY, B's favourite: no sanction.
    e = explain(pd, "YN", dms=["B"], concepts=["gmr", "seq"])
    check = e.dm("B").verdict("gmr").checks[0]
    assert not check.sanctioned and check.sanction is None
    assert "no sanction: A cannot reach from state 4" in check.reason
    assert not e.stable("B", "gmr") and not e.stable("B", "seq")


# ----- Elmira (detente numbering; see the comments in examples/elmira.yaml) -----------------
def test_elmira_state_1_lg_is_deterred_by_moe_modifying(elmira: Conflict) -> None:
    # Source state 1 = detente 1 (NYNNN). LG's only UI: insist -> detente 7 (source 5). MoE
    # then modifies the order -> detente 8 (source 6), which LG ranks 6th, below source 1
    # (4th); from there LG's only move is back to detente 2 (source 2, 8th). So GMR and SMR
    # stable. Neither MoE nor UR has an improvement from detente 7, so SEQ fails; and from
    # state 1 the others have no improvements at all, so SIM fails.
    e = explain(elmira, 1, dms=["LG"])
    lg = e.dm("LG")
    assert lg.rank == 4
    assert [(m.target.number, m.change_text) for m in lg.improvements] == [(7, "insist N→Y")]
    verdicts = {v.concept: v.stable for v in lg.verdicts}
    assert verdicts == {"nash": False, "gmr": True, "smr": True, "seq": False, "sim": False,
                        "seq_sim": False}
    assert _path(lg.verdict("gmr").checks[0].sanction) == [("MoE", 7, 8)]
    smr = lg.verdict("smr").checks[0].sanction
    assert _path(smr) == [("MoE", 7, 8)] and smr is not None
    assert smr.reply is not None and smr.reply.number == 2
    seq = lg.verdict("seq").checks[0]
    assert seq.sanction is None
    assert "no sanction: the others cannot, by moves that each improve" in seq.reason
    assert lg.verdict("sim").checks[0].simultaneous is None


def test_elmira_state_2_lg_is_deterred_by_ur_abandoning(elmira: Conflict) -> None:
    # Detente 2 = YYNNN (source 2). LG insists -> 8 (YYNNY, source 6), UR's worst state, so
    # abandoning (delay Y->N, abandon N->Y -> detente 12) is an improvement for UR and a
    # sanction under GMR and SEQ; MoE cannot move (modify is irreversible).
    e = explain(elmira, "YYNNN", dms=["LG"])
    check = e.dm("LG").verdict("seq").checks[0]
    assert _path(check.sanction) == [("UR", 8, 12)]
    assert check.sanction is not None
    assert [str(ch) for ch in check.sanction.moves[0].changes] == ["delay Y→N", "abandon N→Y"]
    assert "UR can respond with an improvement of its own" in check.reason
    assert e.stable("LG", "gmr") and e.stable("LG", "seq")


def test_elmira_equilibria_match_the_published_ones(elmira: Conflict) -> None:
    # Published (source numbering): GMR {1, 4, 5, 8, 9}, SEQ {5, 8, 9}; in detente numbers
    # source 5 = 7, 8 = 10, 9 = {5, 6, 11, 12}.
    gmr = [n for n in range(1, 13) if all(explain(elmira, n, concepts=["gmr"]).stable(d, "gmr")
                                          for d in elmira.dm_names)]
    seq = [n for n in range(1, 13) if all(explain(elmira, n, concepts=["seq"]).stable(d, "seq")
                                          for d in elmira.dm_names)]
    assert gmr == [1, 4, 5, 6, 7, 10, 11, 12]
    assert seq == [5, 6, 7, 10, 11, 12]


def test_two_step_sanction_alternates_movers() -> None:
    # Three DMs with one option each. A gains by any change except the state where all three
    # options are taken; only B and C together can get there: a two-move sanction.
    opts = (Option("a", "A"), Option("b", "B"), Option("c", "C"))
    codes = range(8)
    pay_a = tuple((x, 0.0 if x == 7 else 1.0 if x == 0 else 2.0) for x in codes)
    pay_bc = tuple((x, float(bin(x).count("1"))) for x in codes)  # more options taken = better
    model = Conflict("three", opts, (
        DecisionMaker("A", ("a",), PayoffPreference(pay_a)),
        DecisionMaker("B", ("b",), PayoffPreference(pay_bc)),
        DecisionMaker("C", ("c",), PayoffPreference(pay_bc)),
    ))
    e = explain(model, "NNN", dms=["A"])
    for concept in ("gmr", "seq"):
        s = e.dm("A").verdict(concept).checks[0].sanction
        assert _path(s) == [("B", 2, 4), ("C", 4, 8)], concept
    # SMR: from YYY A escapes to NYY, which it likes better than NNN.
    assert not e.stable("A", "smr")
    assert "from which A cannot move to something it likes better" in (
        e.dm("A").verdict("smr").checks[0].reason)
    reason = e.dm("A").verdict("seq").checks[0].reason
    assert "then C by c N→Y (to state 8), reaching state 8" in reason
    sim = e.dm("A").verdict("sim").checks[0].simultaneous
    assert sim is not None and {m.dm for m in sim.moves} == {"B", "C"}
    assert sim.outcome.number == 8
    assert all(v.stable for v in e.dm("A").verdicts if v.concept not in ("nash", "smr"))


# ----- agreement with the engine and the reference ------------------------------------------
def _check_legal(c: Conflict, e: Explanation) -> None:
    s = e.state.code
    for d in e.dms:
        i = c.dm_index(d.dm)
        us = ref.u(c, i, s)
        assert {m.target.code for m in d.improvements} == ref.improvements(c, i, s)
        for v in d.verdicts:
            for check in v.checks:
                assert check.improvement.dm == d.dm
                if v.concept in ("gmr", "smr", "seq", "seq_sim") and check.sanction:
                    san = check.sanction
                    here, last = check.improvement.target.code, d.dm
                    assert san.moves
                    for m in san.moves:
                        j = c.dm_index(m.dm)
                        assert m.dm != d.dm and m.dm != last
                        assert m.source.code == here
                        legal = (ref.improvements(c, j, here)
                                 if v.concept in ("seq", "seq_sim") else ref.reachable(c, j, here))
                        assert m.target.code in legal
                        here, last = m.target.code, m.dm
                    assert san.outcome.code == here
                    assert ref.u(c, i, here) <= us
                    if v.concept == "smr":
                        assert all(ref.u(c, i, t) <= us for t in ref.reachable(c, i, here))
                if v.concept in ("sim", "seq_sim") and check.simultaneous:
                    joint = check.improvement.target.code
                    for m in check.simultaneous.moves:
                        j = c.dm_index(m.dm)
                        assert m.source.code == s
                        assert m.target.code in ref.improvements(c, j, s)
                        mask = int(c.dm_masks[j])
                        joint = (joint & ~mask) | (m.target.code & mask)
                    assert joint == check.simultaneous.outcome.code
                    assert c.is_feasible(joint) and ref.u(c, i, joint) <= us
                if check.sanctioned:
                    assert v.concept != "nash"


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=conflicts(max_dms=4, max_options=6), data=st.data())
def test_explanation_agrees_with_engine_and_paths_are_legal(
    c: Conflict, data: st.DataObject
) -> None:
    pos = data.draw(st.integers(0, c.n_states - 1))
    e = explain(c, pos + 1)
    engine = Engine(c)
    for i, dm in enumerate(c.dm_names):
        for concept in CONCEPTS:
            assert e.stable(dm, concept) == bool(engine.stable_for(concept, i)[pos]), (
                dm, concept)
    _check_legal(c, e)


# ----- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "fragment"),
    [
        ("YY", "has 2 letters; expected a state number 1..12 or a Y/N string of 5 letters"),
        ("YXNNN", "letters other than Y and N"),
        ("13", "state number 13 is out of range; expected a state number 1..12"),
        ("0", "out of range"),
        ("-2", "out of range"),
        ("YYYYY", "not feasible (required: at most one of delay, accept, abandon"),
    ],
)
def test_bad_states(elmira: Conflict, state: str, fragment: str) -> None:
    with pytest.raises(ExplainError, match=None) as info:
        explain(elmira, state)
    assert fragment in str(info.value)
    assert isinstance(info.value, DetenteError)


def test_bad_dm_and_concept(elmira: Conflict) -> None:
    with pytest.raises(ExplainError, match="unknown decision maker 'X'; expected one of: MoE"):
        explain(elmira, 1, dms=["X"])
    with pytest.raises(ExplainError, match="unknown solution concept 'foo'; expected one of"):
        explain(elmira, 1, concepts=["foo"])
    assert explain(elmira, 1, concepts=["SEQ&SIM"]).concepts == ("seq_sim",)


# ----- command line -------------------------------------------------------------------------


def test_cli_text() -> None:
    result = run("explain", ELMIRA, "1", "--dm", "LG")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "state 1 (NYNNN)" in out
    assert "→ state 7 (NYNNY): LG: insist N→Y" in out
    assert "✓ GMR: stable" in out and "✗ SEQ: unstable" in out and "✗ Nash: unstable" in out
    assert "but MoE can respond by modify N→Y, reaching state 8, which LG likes less than " \
        "state 1." in out
    assert "MoE" not in out.split("LG —")[0]  # only LG explained


def test_cli_text_all_dms_and_concept_filter() -> None:
    result = run("explain", PD, "NN", "-c", "gmr", "--concept", "sim")
    assert result.exit_code == 0
    assert "A —" in result.stdout and "B —" in result.stdout
    assert "GMR" in result.stdout and "SIM" in result.stdout and "SEQ" not in result.stdout


def test_cli_json() -> None:
    result = run("explain", ELMIRA, "YYNNN", "--dm", "LG", "--concept", "seq", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["state"] == {"number": 2, "state": "YYNNN"}
    assert data["stable"] == {"LG": {"seq": True}}
    lg = data["dms"][0]
    assert lg["improvements"][0]["to"] == {"number": 8, "state": "YYNNY"}
    check = lg["concepts"]["seq"]["improvements"][0]
    assert check["sanctioned"] is True
    assert check["sanction"]["moves"] == [{
        "dm": "UR",
        "from": {"number": 8, "state": "YYNNY"},
        "to": {"number": 12, "state": "YNNYY"},
        "changes": [{"option": "delay", "from": "Y", "to": "N"},
                    {"option": "abandon", "from": "N", "to": "Y"}],
    }]
    assert "simultaneous" not in check


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("YYYYY",), "is not feasible"),
        (("99",), "out of range"),
        (("YN",), "expected a state number 1..12"),
        (("1", "--dm", "Nobody"), "unknown decision maker 'Nobody'"),
        (("1", "--concept", "nope"), "unknown solution concept 'nope'"),
    ],
)
def test_cli_errors(args: tuple[str, ...], fragment: str) -> None:
    result = run("explain", ELMIRA, *args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_missing_file(tmp_path: Path) -> None:
    result = run("explain", tmp_path / "none.yaml", "1")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_cli_help() -> None:
    result = run("explain", "--help")
    assert result.exit_code == 0
    assert "Example: detente explain" in result.stdout
    assert "explain" in run("--help").stdout


# ----- resolve_states: one state or a pattern, decided by the state space --------------------
def test_resolve_states_by_hand_on_elmira() -> None:
    from detente.analyses.explain.analysis import resolve_states
    from detente.model.errors import AnalysisError

    c = detente.load("examples/elmira.yaml")
    # modify N, accept Y: states 3 (NNYNN) and 9 (NNYNY) of `detente show`
    assert resolve_states(c, "N-Y--") == [2, 8]
    assert resolve_states(c, " N-Y-- ") == [2, 8]
    assert resolve_states(c, 3) == [2] and resolve_states(c, "3") == [2]
    assert resolve_states(c, "NNYNY") == [8]
    assert resolve_states(c, "-----") == list(range(12))
    # a number with a sign is a number, not a pattern
    with pytest.raises(ExplainError, match="state number -3 is out of range; expected"):
        resolve_states(c, "-3")
    with pytest.raises(AnalysisError, match="pattern 'Y-YY-' matches no feasible state"):
        resolve_states(c, "Y-YY-")
    with pytest.raises(DetenteError, match="state pattern 'N-X--' must have one of Y, N or -"):
        resolve_states(c, "N-X--")
    with pytest.raises(ExplainError, match="state NNNNN is not feasible"):
        resolve_states(c, "NNNNN")


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_resolve_states_matches_a_letter_by_letter_reading(data: st.DataObject) -> None:
    from detente.analyses.explain.analysis import resolve_states
    from detente.model.errors import AnalysisError

    c = data.draw(conflicts(max_dms=3, max_options=5))
    pattern = "".join(data.draw(st.lists(st.sampled_from("YN-"), min_size=c.n_options,
                                         max_size=c.n_options)))
    expected = [
        p for p, code in enumerate(c.feasible.tolist())
        if all(ch == "-" or (ch == "Y") == bool(code >> k & 1) for k, ch in enumerate(pattern))
    ]
    if "-" not in pattern:  # a whole state: itself when feasible
        assert len(expected) <= 1
    if expected:
        assert resolve_states(c, pattern) == expected
    else:
        with pytest.raises(AnalysisError):
            resolve_states(c, pattern)
