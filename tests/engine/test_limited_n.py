"""Limited-move stability L_h for any number of DMs (engine/limited.py, docs/concepts-extended.md).

Checked against a hand-worked 3-DM example, a brute force over the game tree written straight
from the definition, the two-DM G_h where both apply, Nash at h = 1, SEQ at h = 2, and
renaming/reordering of DMs and options.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
from detente.analyses.stability import analyze
from detente.engine import Engine
from detente.engine import limited as limited_module
from detente.engine.limited import limited_move_stable, limited_move_stable_n
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.errors import ModelTooLargeError
from detente.model.preferences import PayoffPreference
from permutations import permuted
from strategies import conflicts

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _three() -> Conflict:
    """The hand-worked example of docs/concepts-extended.md: A, B, C hold a, b, c; states are
    coded a = 1, b = 2, c = 4 (0 = NNN, 1 = YNN, 3 = YYN, 5 = YNY, ...)."""
    ranks = {"A": (4, 6, 3, 8, 2, 1, 5, 7), "B": (1, 2, 5, 6, 3, 4, 7, 8),
             "C": (1, 2, 3, 4, 5, 6, 7, 8)}
    return Conflict(
        "three", (Option("a", "A"), Option("b", "B"), Option("c", "C")),
        tuple(DecisionMaker(n, (n.lower(),), PayoffPreference(tuple(
            (s, float(r)) for s, r in enumerate(ranks[n])))) for n in "ABC"),
    )


def test_hand_worked_three_dms() -> None:
    # At NNN, A gains by a (u_A 6 > 4): not Nash. With two moves, B (to YYN, which A ranks 8)
    # and C (to YNY, ranked 1) would both answer; A plans for the worse, 1 < 4: L2 stable.
    # B's move to NYN meets A's answer YYN (B ranks it 6) and C's NYY (7): the worse, 6 > 1,
    # still pays: not L2 stable for B. C's move to NNY meets only B's answer NYY (C: 7 > 1).
    r = analyze(_three(), ["nash"], horizon=2)
    assert r.stable["nash"][:, 0].tolist() == [False, False, False]
    assert r.stable["L2"][:, 0].tolist() == [True, False, False]
    # L3 for A at NNN: after YNN, B would go to YYN anticipating C's YYY (B: 8 > 2), C would go
    # to YNY anticipating the worse for A of A's NNY and B's YYY, i.e. NNY (C: 5 > 2); the worse
    # of YYY (A: 7) and NNY (A: 2) is NNY, 2 < 4: A stays.
    assert bool(analyze(_three(), ["nash"], horizon=3).stable["L3"][0, 0])


DOC = Path(__file__).resolve().parents[2] / "docs" / "concepts-extended.md"


def _doc_rows(title: str) -> dict[str, list[str]]:
    """The rows of the markdown table under ``title`` in this method's docs section."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Limited-move stability L_h for n decision makers", 1)[1]
    section = section.split("\n## ", 1)[0]
    lines = section.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"| {title} |"))
    rows: dict[str, list[str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [x.strip() for x in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_docs_example_is_the_tools_output() -> None:
    c = _three()
    ranks = _doc_rows("state")
    assert ranks["state"] == [c.state_string(int(s)) for s in c.feasible]
    for dm in c.dms:
        assert isinstance(dm.preference, PayoffPreference)
        payoff = dict(dm.preference.payoffs)
        assert [float(x) for x in ranks[dm.name]] == [payoff[int(s)] for s in c.feasible]
    results = _doc_rows("at NNN")
    assert results["at NNN"] == list(c.dm_names)
    word = {True: "yes", False: "no"}
    nash = analyze(c, ["nash"]).stable["nash"][:, 0]
    assert results["Nash = L1"] == [word[bool(x)] for x in nash]
    assert (analyze(c, ["nash"], horizon=1).stable["L1"][:, 0] == nash).all()
    for h in (2, 3):
        got = analyze(c, ["nash"], horizon=h).stable[f"L{h}"][:, 0]
        assert results[f"L{h}"] == [word[bool(x)] for x in got]


def _tree_stable(c: Conflict, horizon: int) -> np.ndarray:
    """L_h by brute force over the game tree, straight from the definition (no memo, no
    cycles): a node is (state, last mover, moves left); every DM but the last mover may move."""
    idx = {int(x): k for k, x in enumerate(c.feasible)}
    rank = c.ranks
    n_dms = len(c.dms)

    def outcome(focal: int, last: int, s: int, left: int) -> int:
        if left == 0:
            return s
        movers = []
        for j in range(n_dms):
            if j == last:
                continue
            best: tuple[int, int] | None = None
            for t in reference.reachable(c, j, int(c.feasible[s])):
                o = outcome(focal, j, idx[t], left - 1)
                if best is None or (int(rank[j, o]), -o) > best:
                    best = (int(rank[j, o]), -o)
            if best is not None and best[0] > rank[j, s]:
                movers.append(-best[1])
        if not movers:
            return s
        return min(movers, key=lambda o: (int(rank[focal, o]), o))

    return np.array([[all(rank[i, outcome(i, i, idx[t], horizon - 1)] <= rank[i, s]
                          for t in reference.reachable(c, i, int(c.feasible[s])))
                      for s in range(c.n_states)] for i in range(n_dms)])


@pytest.mark.slow
@settings(SETTINGS, max_examples=120)
@given(conflicts(min_dms=3, max_dms=4, max_options=5), st.integers(1, 3))
def test_matches_game_tree(c: Conflict, h: int) -> None:
    assert (analyze(c, ["nash"], horizon=h).stable[f"L{h}"] == _tree_stable(c, h)).all()


@pytest.mark.slow
@settings(SETTINGS, max_examples=150)
@given(conflicts(min_dms=2, max_dms=2, max_options=6), st.sampled_from([1, 2, 3, 4, 5, 9, 40]))
def test_agrees_with_two_dm_anticipation(c: Conflict, h: int) -> None:
    e = Engine(c)
    two = limited_move_stable(e.layouts, e.utilities, h)  # the two-DM G_h
    assert (limited_move_stable_n(e.layouts, e.utilities, h) == two).all()


@pytest.mark.slow
@settings(SETTINGS, max_examples=80)
@given(conflicts(min_dms=1, max_dms=5, max_options=6))
def test_reductions_and_inclusions(c: Conflict) -> None:
    e = Engine(c)
    l1, l2 = e.stable("L1"), e.stable("L2")
    assert (l1 == e.stable("nash")).all()  # one move ahead: Nash
    # L2: every move of i meets an answer i likes no better, so every UI meets a one-move
    # sanction by another DM's UI: L2 ⊆ SEQ ⊆ GMR
    assert not (l2 & ~e.stable("seq")).any()


@pytest.mark.slow
@settings(SETTINGS, max_examples=60)
@given(conflicts(min_dms=3, max_dms=4, max_options=6), st.integers(1, 6),
       st.randoms(use_true_random=False))
def test_invariant_under_renaming_and_reordering(c: Conflict, h: int, rnd: random.Random) -> None:
    # strict preferences: every tie-break is vacuous, so option order (state numbers) is free
    ranks = [rnd.sample(range(c.n_states), c.n_states) for _ in c.dms]
    c = _with_ranks(c, ranks)
    option_perm, dm_perm = list(range(c.n_options)), list(range(len(c.dms)))
    rnd.shuffle(option_perm)
    rnd.shuffle(dm_perm)
    d, recode = _renamed(c, option_perm, dm_perm)
    a = analyze(c, ["nash"], horizon=h).stable[f"L{h}"]
    b = analyze(d, ["nash"], horizon=h).stable[f"L{h}"]
    for new_i, old_i in enumerate(dm_perm):
        want = {recode(int(x)) for x in c.feasible[a[old_i]]}
        assert {int(x) for x in d.feasible[b[new_i]]} == want


def test_dm_order_is_free_even_with_ties() -> None:
    c = _three()
    c = _with_ranks(c, [[1, 1, 0, 2, 0, 1, 2, 2], [0, 1, 1, 1, 2, 0, 2, 1],
                        [2, 0, 1, 1, 0, 2, 1, 0]])
    d, recode = _renamed(c, [0, 1, 2], [2, 0, 1])
    for h in (2, 3, 5):
        a = analyze(c, ["nash"], horizon=h).stable[f"L{h}"]
        b = analyze(d, ["nash"], horizon=h).stable[f"L{h}"]
        assert (b == a[[2, 0, 1]]).all() and recode(5) == 5


@pytest.mark.slow
def test_elmira_huge_horizon_reads_the_cycle() -> None:
    import detente

    m = detente.load(reference.__file__.replace("tests/reference.py", "examples/elmira.yaml"))
    e = Engine(m)
    big = limited_move_stable_n(e.layouts, e.utilities, 1_000_001)
    period_free = [limited_move_stable_n(e.layouts, e.utilities, h) for h in range(1, 40)]
    assert any((big == x).all() for x in period_free)
    assert (analyze(m, ["nash"], horizon=5).stable["L5"] == _tree_stable(m, 5)).all()


def test_refused_before_any_step(monkeypatch: pytest.MonkeyPatch) -> None:
    e = Engine(_three())

    def boom(*_: object) -> None:
        raise AssertionError("a step ran before the refusal")

    monkeypatch.setattr(limited_module, "MAX_POSITIONS", 431)
    with monkeypatch.context() as m:
        m.setattr(limited_module, "_step", boom)
        with pytest.raises(ModelTooLargeError, match=r"L4 for 3 decision makers over 8 states "
                           r"may visit up to 432 positions of the game tree .*under 1 s.*431 "
                           r"allowed; a shorter horizon"):
            limited_move_stable_n(e.layouts, e.utilities, 4)
    monkeypatch.setattr(limited_module, "MAX_POSITIONS", 432)  # 2 x 3 x 3 x 8 x (4 - 1)
    assert limited_move_stable_n(e.layouts, e.utilities, 4).shape == (3, 8)
    monkeypatch.setattr(limited_module, "MAX_POSITIONS", 10**12)
    with pytest.raises(ModelTooLargeError, match=r"up to 2,000,000,000,000 positions .*about "
                       r"200,000 s"):  # 10**7 positions a second
        limited_module.check_size(10, 10**6, 10_001)  # the step cap: 10,000 steps


def _with_ranks(c: Conflict, ranks: list[list[int]]) -> Conflict:
    dms = tuple(DecisionMaker(dm.name, dm.options, PayoffPreference(tuple(
        (int(s), float(r[k])) for k, s in enumerate(c.feasible))))
        for dm, r in zip(c.dms, ranks, strict=True))
    return Conflict(c.name, c.options, dms, c.constraints)


def _renamed(c: Conflict, option_perm: list[int], dm_perm: list[int]):  # type: ignore[no-untyped-def]
    """The same conflict with every DM and option renamed and listed in another order."""
    return permuted(c, option_perm, dm_perm, rename=True)
