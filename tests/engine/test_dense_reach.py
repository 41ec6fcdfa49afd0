"""The dense reach shared by the unknown-preference and probabilistic concepts
(engine/dense_reach.py): the bit-packed product with a move graph is the boolean matrix
product, and a group's reach is what a breadth-first search over (state, last mover) finds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from detente.engine.dense_reach import edges_of, group_reach, through


def _matrix(data: st.DataObject, rows: int, cols: int) -> np.ndarray:
    cells = data.draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols))
    return np.array(cells, dtype=bool).reshape(rows, cols)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_through_is_the_boolean_matrix_product(data: st.DataObject) -> None:
    m = data.draw(st.integers(1, 7))
    n = data.draw(st.sampled_from([1, 5, 63, 64, 65, 130]))  # across 64-bit words
    a = _matrix(data, m, n)
    b = np.zeros((n, n), dtype=bool)
    for u, v in data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                                   max_size=40)):
        b[u, v] = True
    want = (a.astype(int) @ b.astype(int)) > 0
    np.testing.assert_array_equal(through(a, edges_of(b)), want)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_group_reach_is_the_breadth_first_reach(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 9))
    members = data.draw(st.integers(1, 3))
    steps = [_matrix(data, n, n) & ~np.eye(n, dtype=bool) for _ in range(members)]
    got = group_reach([edges_of(x) for x in steps], n)
    for s in range(n):
        want = reference.sequence_reach(
            range(members), s, lambda j, x: {int(t) for t in np.flatnonzero(steps[j][x])})
        assert set(np.flatnonzero(got[s]).tolist()) == want
