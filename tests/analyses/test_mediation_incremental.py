"""The mediation search's shortcuts against the plain computations they replace.

* growing edit budgets (``SpaceBuilder``, the edit lists' extended levels) give exactly the
  classes of a fresh build per budget, whatever order the budgets are asked in;
* the ranking keys equal exactly when two rows order their columns alike (dense ranks);
* a commitment set's check for the model's profile answers alike by the local checks and by
  the committed model's forward engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.mediation import commitments as cm
from detente.analyses.mediation.analysis import resolve_targets
from detente.analyses.mediation.edits import _levels, edit_lists
from detente.analyses.mediation.local import LocalChecks
from detente.analyses.mediation.search import (
    Space,
    SpaceBuilder,
    _list_arrays,
    _rank_keys,
    _scores,
    build_space,
)
from detente.engine import Engine
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.mediation import Commitment

COARSE = "tests/data/ceasefire_2024_coarse.yaml"
CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
TOY = loads('''
name: Toy exchange
decision_makers:
  - name: A
    options: [{name: a}, {name: a2, direction: fwd}]
    preferences: {statements: [b, not a2, a if b, not a]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [a, not b, a2 and b]}
mediation:
  candidates:
    A: [{statement: a2 iff b}]
    B: [{statement: b if a}]
''')


def _same(a: Space, b: Space) -> None:
    assert a.lists == b.lists
    assert a.reached == b.reached
    assert a.klass.tolist() == b.klass.tolist()
    assert a.bits.tolist() == b.bits.tolist()
    assert a.cost.tolist() == b.cost.tolist()
    assert a.members == b.members


def _fresh(c: Conflict, local: LocalChecks, j: int, k: int, full_order: bool) -> Space:
    """The classes built from nothing: edit lists enumerated again, a new builder."""
    _levels.cache_clear()
    _list_arrays.cache_clear()
    return build_space(c, local, j, k, True, full_order=full_order)


@pytest.mark.parametrize("full_order", [False, True])
def test_growing_budgets_equal_fresh_builds(full_order: bool) -> None:
    """A toy with a candidate each: budgets asked out of order (2, 1, 3)."""
    c = TOY
    local = LocalChecks(c, [0, c.n_states - 1], ("seq", "sim"))
    for j in range(len(c.dms)):
        builder = SpaceBuilder(c, local, j, full_order=full_order)
        for k in (2, 1, 3):
            _same(builder.space(k), _fresh(c, local, j, k, full_order))


@pytest.mark.slow
@pytest.mark.parametrize("concept", ["seq", "sim"])
def test_growing_budgets_on_the_flagship(concept: str) -> None:
    """The coarse flagship's deal pattern (16 states): every DM, budgets 1, 2, 3 in turn."""
    c = detente.load(COARSE)
    local = LocalChecks(c, resolve_targets(c, "YNNYYY----N"), (concept,))
    for j in range(len(c.dms)):
        builder = SpaceBuilder(c, local, j)
        for k in (1, 2, 3):
            _same(builder.space(k), _fresh(c, local, j, k, False))


def test_edit_list_levels_extend_the_previous_budget() -> None:
    """The lists within k - 1 edits are the first of those within k, with the same paths,
    and a budget asked first equals one grown to."""
    grown = [dict(edit_lists(4, 2, k)) for k in range(4)]
    for k in range(1, 4):
        before = list(grown[k - 1].items())
        assert list(grown[k].items())[: len(before)] == before
    _levels.cache_clear()
    assert list(edit_lists(4, 2, 3).items()) == list(grown[3].items())


def test_edit_lists_beyond_the_limit_name_the_budget_asked(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Over the list limit at a lower level than asked (the enumeration's own guard, behind
    the exact count), the refusal names the budget asked."""
    import detente.analyses.mediation.edits as edits

    monkeypatch.setattr(edits, "MAX_LISTS", 20)
    monkeypatch.setattr(edits, "check_lists", lambda *a, **k: 0)  # enumerate regardless
    _levels.cache_clear()
    assert len(_levels(4, 0, 1)[0]) <= 20 and _levels(4, 0, 2)[2] is not None
    for k in (3, 2):
        with pytest.raises(AnalysisError, match=f"within {k} edits"):
            edit_lists(4, 0, k, who="A")
    _levels.cache_clear()


def _dense(rows: np.ndarray) -> list[list[int]]:
    return [np.unique(r, return_inverse=True)[1].ravel().tolist() for r in rows]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(0, 5), st.integers(0, 2**32 - 1))
def test_rank_keys_equal_exactly_for_equal_orders(n_rows: int, n_cols: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 3, (n_rows, n_cols)).astype(np.uint16)
    keys = [r.tobytes() for r in _rank_keys(score)]
    dense = _dense(score)
    for a in range(n_rows):
        for b in range(n_rows):
            assert (keys[a] == keys[b]) == (dense[a] == dense[b])


def test_scores_order_columns_like_the_statement_priorities() -> None:
    """Padded lists: the first statement decides, the next breaks its ties, and so on."""
    truth = np.array([[1, 0, 1, 0], [1, 1, 0, 0]])  # statements 0, 1 over four patterns
    ids = np.array([[0, 1], [1, 0], [1, 2]])  # (0, 1), (1, 0), (1) padded with 2
    for width in (2, 20, 60):  # uint16, float and Python-integer scores
        padded = np.concatenate([ids, np.full((3, width - 2), 2)], axis=1)
        got = _scores(truth, padded, width)
        assert _dense(got) == [[3, 1, 2, 0], [3, 2, 1, 0], [1, 1, 0, 0]]


@pytest.mark.slow
def test_commitment_check_by_engine_equals_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three commitments on the coarse flagship (those of benchmarks/bench_mediation.py), a
    spread of target states, each concept: the local checks (threshold never reached) and
    the engine (always) agree."""
    c = detente.load(COARSE)
    for option, make in (("us_guarantee", "fwd"), ("offensive", "back"), ("isr_accept", "fwd")):
        d = cm.committed(c, (Commitment(option, make),))  # type: ignore[arg-type]
        engine = Engine(d)
        for concept in CONCEPTS:
            for s in range(0, d.n_states, 97):
                monkeypatch.setattr(cm, "ENGINE_WORK_PER_STATE", 10**9)
                local = cm.holds_at(d, [s], (concept,))
                monkeypatch.setattr(cm, "ENGINE_WORK_PER_STATE", -1)
                assert cm.holds_at(d, [s], (concept,), engine=engine) == local
