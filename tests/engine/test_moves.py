"""One move enumerator, one sanction function, one option-change type, one set of views."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import detente
import reference
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.moves import (
    OptionChange,
    joint_move,
    option_changes,
    signed_text,
    unilateral_move,
)
from detente.analyses.stability import analyze
from detente.engine import Engine
from detente.engine.coalition import coalition_min
from detente.engine.moves import reach_max
from detente.engine.sanctions import best_escape, worst_sanction
from detente.engine.single import MoveIndex, path_to
from detente.model.conflict import Conflict
from strategies import conflicts

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@SETTINGS
@given(conflicts(max_dms=4, max_options=6))
def test_move_index_matches_the_reference(c: Conflict) -> None:
    """R_j, R_j⁺ and R_H (with a legal path to each state) agree with the definitions."""
    idx = Engine(c).move_index()
    feasible = c.feasible.tolist()
    for pos, code in enumerate(feasible):
        for j in range(len(c.dms)):
            assert {feasible[t] for t in idx.reach(j, pos)} == reference.reachable(c, j, code)
            assert ({feasible[t] for t in idx.improve(j, pos)}
                    == reference.improvements(c, j, code))
        for size in (2, len(c.dms)):
            for members in itertools.combinations(range(len(c.dms)), size):
                if size < 2:
                    continue
                parents = idx.coalition_reach(list(members), pos)
                want = reference.coalition_reach(c, list(members), code, False)
                assert {feasible[t] for t in parents} - {code} == want - {code}
                for t in parents:
                    steps = path_to(parents, t)
                    assert all(a[0] != b[0] for a, b in itertools.pairwise(steps))
                    assert (steps[0][1] if steps else t) == pos
                    assert all(s2[2] in idx.reach(s2[0], s2[1]) for s2 in steps)


@pytest.mark.slow
@SETTINGS
@given(conflicts(max_dms=4, max_options=6))
def test_one_sanction_function_serves_dms_and_coalitions(c: Conflict) -> None:
    e = Engine(c)
    lays, us = e.layouts, e.utilities
    n = len(c.dms)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        assert (best_escape(lays, us, i, [i]) == reach_max(lays[i], us[i])).all()
        # for one mover the coalition form of the escape is the same number
        assert (best_escape(lays, us, i, [i])
                == -coalition_min(lays, us, [i], -us[i])).all()
        for kind in ("gmr", "seq", "smr"):
            assert (e.worst_sanction(i, kind)
                    == worst_sanction(lays, us, i, kind, others, [i])).all()
    everyone = list(range(n))
    assert np.isinf(worst_sanction(lays, us, 0, "gmr", [], everyone)).all()


def test_option_change_is_one_type() -> None:
    c = detente.load("examples/elmira.yaml")
    a, b = int(c.feasible[0]), int(c.feasible[-1])
    changes = option_changes(c, a, b)
    assert changes and all(isinstance(ch, OptionChange) for ch in changes)
    assert {ch.option for ch in changes} == {
        c.option_names[k] for k in range(c.n_options) if (a ^ b) >> k & 1}
    ch = changes[0]
    assert str(ch) == f"{ch.option} {ch.before}→{ch.after}"
    assert ch.to_dict() == {"option": ch.option, "dm": ch.dm, "from": ch.before, "to": ch.after}
    assert "dm" not in ch.to_dict(owner=False)
    assert signed_text(changes).split() == [
        ("+" if x.after == "Y" else "−") + x.option for x in changes]
    m = unilateral_move(c, 0, 0, 1)
    jm = joint_move(c, ("MoE",), m.source.code, m.target.code,
                    [("MoE", m.source.code, m.target.code)])
    assert jm.steps[0].changes == m.changes and jm.changes == m.changes
    assert jm.to_dict()["steps"][0]["changes"][0]["dm"] == c.options[0].dm


def test_equilibrium_views_are_shared_and_consistent() -> None:
    c = detente.load("examples/elmira.yaml")
    results = [analyze(c, ["nash", "gmr"]), coalition_analysis(c, concepts=["nash", "gmr"])]
    for r in results:
        for key in ("nash", "gmr"):
            codes, numbers, states = (r.equilibrium_codes(key), r.equilibrium_numbers(key),
                                      r.equilibrium_states(key))
            assert codes == r.equilibria(key) and numbers == r.equilibria_numbers(key)
            assert states == r.equilibria_strings(key)
            assert numbers == [c.state_number(x) for x in codes]
            assert states == [c.state_string(x) for x in codes]
            for dm in c.dm_names:
                assert (r.stable_numbers(key, dm)
                        == [c.state_number(x) for x in r.stable_codes(key, dm)])
                assert set(numbers) <= set(r.stable_numbers(key, dm))
            frame = r.stability_frame(key)
            assert list(frame.columns) == list(c.dm_names) and len(frame) == c.n_states
    assert results[0].stable_for("nash", "MoE") == results[0].stable_codes("nash", "MoE")


def test_analyses_share_the_engine_move_index() -> None:
    c = detente.load("examples/elmira.yaml")
    e = Engine(c)
    res = coalition_analysis(c, engine=e)
    assert res.moves is e.move_index()
    assert isinstance(e.move_index(), MoveIndex)
    assert e.with_ranks(c.ranks).move_index() is not e.move_index()
