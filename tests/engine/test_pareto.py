"""The skyline against a brute-force all-pairs Pareto filter, on random rank vectors with
ties, in one to six columns (the 1-D, 2-D sweep and sort-filter paths)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from detente.engine import pareto
from detente.engine.pareto import dominates, skyline


def brute_pareto(points: np.ndarray) -> np.ndarray:
    """O(N²): a row is kept when no row is >= it everywhere and > somewhere."""
    n = points.shape[0]
    out = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if j != i and dominates(points[j], points[i]):
                out[i] = False
                break
    return out


@pytest.mark.slow
@given(
    st.integers(1, 6).flatmap(
        lambda d: hnp.arrays(
            np.int32, st.tuples(st.integers(0, 40), st.just(d)), elements=st.integers(0, 4)
        )
    )
)
def test_skyline_agrees_with_all_pairs(points: np.ndarray) -> None:
    assert skyline(points).tolist() == brute_pareto(points).tolist()


def test_small_blocks_and_chunks_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several blocks and skyline chunks (tiny sizes) give the same answer as one."""
    rng = np.random.default_rng(7)
    points = rng.integers(0, 9, size=(600, 4))
    want = brute_pareto(points)
    monkeypatch.setattr(pareto, "BLOCK_ROWS", 16)
    monkeypatch.setattr(pareto, "CHUNK_CELLS", 64)
    monkeypatch.setattr(pareto, "PRUNERS", 2)
    assert skyline(points).tolist() == want.tolist()


def test_hand_worked_cases() -> None:
    # equal undominated points are both kept; a dominated copy is dropped with its twin
    pts = np.array([[3, 1, 1], [1, 3, 1], [1, 3, 1], [1, 1, 1], [1, 1, 3], [0, 0, 0]])
    assert skyline(pts).tolist() == [True, True, True, False, True, False]
    # an anti-correlated 2-D front keeps every point
    line = np.stack([np.arange(50), np.arange(50)[::-1]], axis=1)
    assert skyline(line).all()
    assert skyline(np.zeros((0, 3))).tolist() == []
    assert skyline(np.array([[2], [5], [5], [1]])).tolist() == [False, True, True, False]
