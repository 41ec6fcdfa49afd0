"""Batch evaluation over preference profiles against the plain per-profile engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.status_quo import evolve
from detente.engine import CONCEPTS, Engine, batch
from detente.engine.batch import (
    ProfileGraph,
    base_layouts,
    distinct_rows,
    evolution_batch,
    improvement_reach,
    stable_batch,
    stacked_engine,
)
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.errors import AnalysisError
from detente.model.preferences import PayoffPreference
from strategies import conflicts


def with_ranks(c: Conflict, ranks: np.ndarray) -> Conflict:
    """The same conflict with every DM's preferences replaced by payoffs = ``ranks``."""
    dms = tuple(
        DecisionMaker(dm.name, dm.options, PayoffPreference(
            tuple((int(code), float(r)) for code, r in zip(c.feasible, ranks[i], strict=True))))
        for i, dm in enumerate(c.dms)
    )
    return Conflict(c.name, c.options, dms, c.constraints, c.status_quo)


def random_profiles(c: Conflict, seed: int, count: int) -> np.ndarray:
    """The model's own ranks plus ``count - 1`` random rankings with ties (P, DMs, N)."""
    rng = np.random.default_rng(seed)
    extra = rng.integers(0, max(2, c.n_states // 2), size=(count - 1, len(c.dms), c.n_states))
    return np.concatenate([c.ranks[None].astype(np.int64), extra]).astype(np.int32)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=6), st.integers(0, 2**16), st.integers(1, 6))
def test_batch_matches_plain_engine_per_profile(c: Conflict, seed: int, count: int) -> None:
    ranks = random_profiles(c, seed, count)
    # the compiled per-profile pass; the stacked engine with one profile per chunk (a tiny
    # max_bytes) and with all of them in one chunk
    for method, max_bytes in (("compiled", 1 << 28), ("stacked", 1), ("stacked", 1 << 28)):
        out = stable_batch(c, ranks, CONCEPTS, max_bytes=max_bytes, method=method)
        for p in range(count):
            plain = Engine(with_ranks(c, ranks[p]))
            for concept in CONCEPTS:
                assert (out[concept][p] == plain.stable(concept)).all(), (concept, p)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=6), st.integers(0, 2**16))
def test_both_compiled_sim_searches_match_the_engine(c: Conflict, seed: int) -> None:
    """The compiled pass's two exact SIM searches, each forced, give the engine's SIM."""
    ranks = random_profiles(c, seed, 4)
    graph = ProfileGraph.build(c, base_layouts(c), 1 << 28)
    assert graph is not None
    for search in (1, 2):
        sim = graph.run(ranks, False, True, -1, sim_search=search)[1]
        for p in range(ranks.shape[0]):
            assert (sim[p] == Engine(with_ranks(c, ranks[p])).stable("sim")).all(), (search, p)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=6), st.integers(0, 2**16))
def test_inclusion_laws_profile_by_profile(c: Conflict, seed: int) -> None:
    out = stable_batch(c, random_profiles(c, seed, 5), CONCEPTS)
    nash, gmr, smr, seq, sim, both = (out[k] for k in CONCEPTS)
    assert not (nash & ~seq).any() and not (seq & ~gmr).any()
    assert not (nash & ~smr).any() and not (smr & ~gmr).any()
    assert not (nash & ~sim).any()
    assert (both == (seq & sim)).all()


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=6), st.integers(0, 2**16))
def test_improvement_reach_is_the_evolution_graph(c: Conflict, seed: int) -> None:
    ranks = random_profiles(c, seed, 3)
    engine = stacked_engine(c, base_layouts(c), ranks)
    start = np.zeros((3, c.n_states), dtype=bool)
    start[:, 0] = True
    reached = improvement_reach(engine, start.ravel()).reshape(3, c.n_states)
    compiled = evolution_batch(c, ranks, 0, method="compiled")
    stacked = evolution_batch(c, ranks, 0, method="stacked")
    for p in range(3):
        ev = evolve(with_ranks(c, ranks[p]), start=1, concepts=["nash"])  # state number 1
        assert set(c.feasible[reached[p]].tolist()) == set(ev.states)
        assert (compiled[p] == reached[p]).all() and (stacked[p] == reached[p]).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=0, max_size=12))
def test_distinct_rows_is_unique_in_order_of_appearance(rows: list[list[int]]) -> None:
    a = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    first, inverse = distinct_rows(a)
    assert (a[first][inverse] == a).all()
    assert len({tuple(r) for r in a[first].tolist()}) == first.size == len({tuple(r) for r in rows})
    assert first.tolist() == sorted(first.tolist())  # first appearances, in order


def test_distinct_rows_survives_hash_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_row_hash", lambda rows: np.zeros(rows.shape[0], np.int64))
    first, inverse = distinct_rows(np.array([[2, 1], [0, 1], [2, 1], [5, 5]]))
    assert first.tolist() == [0, 1, 3] and inverse.tolist() == [0, 1, 0, 2]


def test_compiled_pass_refuses_what_it_cannot_hold() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    with pytest.raises(AnalysisError, match="compiled batch pass does not cover"):
        stable_batch(c, c.ranks[None], ["seq"], max_bytes=1, method="compiled")


def test_flagship_batch_of_its_own_ranks_is_analyze() -> None:
    c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    out = stable_batch(c, np.stack([c.ranks, c.ranks]), CONCEPTS)
    result = detente.analyze(c)
    for concept in CONCEPTS:
        assert (out[concept][1] == result.stable[concept]).all()


def test_bad_ranks_are_refused() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    with pytest.raises(AnalysisError, match=r"shape \(profiles, 2, 4\)"):
        stable_batch(c, c.ranks, ["nash"])
    with pytest.raises(AnalysisError, match="not limited move L2"):
        stable_batch(c, c.ranks[None], ["L2"])
