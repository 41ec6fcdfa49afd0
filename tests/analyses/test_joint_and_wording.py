"""Coalition sections list only joint moves no member could make alone; an explanation says
once what holds under every concept (hand-worked)."""

from __future__ import annotations

import numpy as np

import detente
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.coalitions.joint import joint_counts, joint_improvements, needs_coalition
from detente.analyses.explain import explain
from detente.analyses.explain.wording import collapse_verdicts
from detente.formats.native import loads

# A owns a1 and a2, B owns b. Each likes every option taken; the coalition A + B can move
# from NNN to YYN (A alone: a1 and a2 together), to NNY (B alone) and to YNY (both).
THREE = """
name: three options
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2}]
    preferences: {statements: [b, a1, a2]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [a1, a2, b]}
coalitions: [[A, B]]
"""


def test_a_joint_move_one_member_could_make_alone_is_not_listed() -> None:
    m = loads(THREE)
    co = coalition_analysis(m)
    every = co.improvement_numbers(["A", "B"], "NNN")
    joint = [mv.target.state for mv in joint_improvements(co, ["A", "B"], 1)]
    # by hand: every improvement of A+B from NNN changes options of both A and B except the
    # moves within A's options (YNN, NYN, YYN) and B's (NNY): those are left out
    states = [m.state_string(int(m.feasible[n - 1])) for n in every]
    assert sorted(joint) == sorted(s for s in states if s[2] == "Y" and s[:2] != "NN")
    assert "YYN" in states and "YYN" not in joint
    assert "NNY" in states and "NNY" not in joint
    assert joint and all(s[2] == "Y" and "Y" in s[:2] for s in joint)
    # the counts per state agree with the lists
    counts = joint_counts(co, 0)
    for s in range(m.n_states):
        assert counts[s] == len(joint_improvements(co, ["A", "B"], s + 1))


def test_needs_coalition_by_brute_force_over_the_flagship_pairs() -> None:
    m = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    members = [m.dm_index("Israel"), m.dm_index("United_States")]
    rng = np.random.default_rng(0)
    targets = rng.integers(0, m.n_states, size=200)
    got = needs_coalition(m, members, 164, targets)
    for t, g in zip(targets.tolist(), got.tolist(), strict=True):
        diff = int(m.feasible[t]) ^ int(m.feasible[164])
        owners = {o.dm for k, o in enumerate(m.options) if diff >> k & 1}
        assert g == (len(owners & {"Israel", "United_States"}) >= 2)


def test_an_explanation_says_once_what_holds_under_every_concept() -> None:
    m = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    e = explain(m, "NYYNNNNNYNY")  # state 805: a Nash equilibrium, stable for all
    for d in e.dms:
        groups = collapse_verdicts(d.verdicts)
        if not d.improvements:
            assert len(groups) == 1
            assert groups[0][1] == "every concept (Nash, GMR, SMR, SEQ, SIM, SEQ&SIM)"
            assert len(groups[0][0]) == 6
    # a DM with improvements: each concept keeps its own line (its reasons differ)
    pd = detente.load("examples/prisoners_dilemma.yaml")
    d = explain(pd, "NN").dms[0]
    assert d.improvements
    groups = collapse_verdicts(d.verdicts)
    assert [g[1] for g in groups] == [v.label for v in d.verdicts]


def test_cli_explain_prints_the_shared_sentence_once() -> None:
    from cli_runner import run

    res = run("explain", "tests/data/ceasefire_2024_coarse.yaml", "NYYNNNNNYNY", "--dm", "Israel")
    assert res.exit_code == 0
    assert res.stdout.count("Israel has no unilateral improvement from state 805") == 1
    assert (
        "Israel holds to new demands; Israeli offensive goes on; US forces deployed; "
        "Iran strikes" in res.stdout
    )
