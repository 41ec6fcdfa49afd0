"""One coalition reach (MoveIndex.coalition_search) and one reach by improvements: the local
checks' R_{N-i}, the coalition paths and the evolution (compiled and stacked batch passes) all
agree with it and with the brute-force reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import reference
from detente.engine.batch import evolution_batch
from detente.engine.local_checks import LocalChecks
from detente.engine.single import MoveIndex, Parents
from detente.model.conflict import Conflict
from strategies import conflicts

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _plain_bfs(idx: MoveIndex, members: list[int], pos: int) -> Parents:
    """Breadth-first search letting a member move twice in a row (what coalition_reach did
    before it used the one search): its parent links must not change."""
    parent: Parents = {pos: (-1, -1)}
    frontier = [pos]
    while frontier:
        nxt = []
        for x in frontier:
            for j in members:
                for t in idx.reach(j, x).tolist():
                    if t not in parent:
                        parent[t] = (x, j)
                        nxt.append(t)
        frontier = nxt
    return parent


@pytest.mark.slow
@SETTINGS
@given(c=conflicts(max_dms=4, max_options=6))
def test_coalition_search_is_the_reference_reach(c: Conflict) -> None:
    idx = MoveIndex(c)
    dms = range(len(c.dms))
    for size in range(1, len(c.dms) + 1):
        for members in itertools.combinations(dms, size):
            for pos, code in enumerate(c.feasible.tolist()):
                for improving in (False, True):
                    parents, reached = idx.coalition_search(members, pos, improving=improving)
                    want = reference.coalition_reach(c, list(members), code, improving)
                    assert {int(c.feasible[x]) for x in reached} == want
                    assert set(parents) == set(reached) | {pos}
                assert idx.coalition_reach(list(members), pos) == _plain_bfs(
                    idx, list(members), pos)


def test_a_lone_mover_does_not_return_by_hand() -> None:
    """One DM, one option: from N it reaches Y, and not N again (no move twice in a row)."""
    from detente.model.conflict import DecisionMaker, Option
    from detente.model.preferences import StatementPreference

    c = Conflict("one", (Option("x", "A"),),
                 (DecisionMaker("A", ("x",), StatementPreference(())),), ())
    idx = MoveIndex(c)
    assert idx.coalition_search([0], 0)[1] == [1]
    assert idx.coalition_reach([0], 0) == {0: (-1, -1), 1: (0, 0)}


@SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_local_checks_group_reach_is_the_reference(c: Conflict) -> None:
    local = LocalChecks(c, [], ("nash",))
    for i in range(len(c.dms)):
        others = [j for j in range(len(c.dms)) if j != i]
        for t, code in enumerate(c.feasible.tolist()):
            want = reference.coalition_reach(c, others, code) if others else set()
            assert {int(c.feasible[x]) for x in local.group_reach(i, t)} == want


@pytest.mark.slow
@SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_reach_by_improvements_is_one_definition(c: Conflict) -> None:
    """The evolution from every start: MoveIndex.improvement_reach, the compiled per-profile
    pass and the stacked engine's row passes give the same states."""
    idx = MoveIndex(c)
    ranks = np.stack([c.ranks, c.ranks[:, ::-1]])
    for start in range(c.n_states):
        want = np.zeros(c.n_states, dtype=bool)
        want[list(idx.improvement_reach(start))] = True
        flipped = MoveIndex(c, ranks=ranks[1])
        want2 = np.zeros(c.n_states, dtype=bool)
        want2[list(flipped.improvement_reach(start))] = True
        for method in ("compiled", "stacked"):
            got = evolution_batch(c, ranks, start, method=method)  # type: ignore[arg-type]
            assert got[0].tolist() == want.tolist(), method
            assert got[1].tolist() == want2.tolist(), method
