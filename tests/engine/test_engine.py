"""The fast engine agrees with the reference implementation, and obeys the known laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
from detente.analyses.stability import analyze
from detente.engine import CONCEPTS, Engine
from detente.engine.simultaneous import sim_stable
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.preferences import PayoffPreference
from permutations import permuted
from strategies import conflicts

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def engine_sets(c: Conflict) -> dict[str, dict[str, frozenset[int]]]:
    e = Engine(c)
    return {
        concept: {
            dm: frozenset(int(x) for x in c.feasible[e.stable_for(concept, i)])
            for i, dm in enumerate(c.dm_names)
        }
        for concept in CONCEPTS
    }


@pytest.mark.slow
@SETTINGS
@given(conflicts())
def test_engine_matches_reference(c: Conflict) -> None:
    assert engine_sets(c) == reference.stable_sets(c)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts(max_dms=4, max_options=4))
def test_engine_matches_reference_many_small(c: Conflict) -> None:
    assert engine_sets(c) == reference.stable_sets(c)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(conflicts(max_dms=3, max_options=6, irreversible=False))
def test_engine_matches_reference_reversible(c: Conflict) -> None:
    assert engine_sets(c) == reference.stable_sets(c)


@pytest.mark.slow
@SETTINGS
@given(conflicts())
def test_inclusion_laws(c: Conflict) -> None:
    e = Engine(c)
    for i in range(len(c.dms)):
        nash, gmr, smr, seq = (e.stable_for(k, i) for k in ("nash", "gmr", "smr", "seq"))
        sim, both = e.stable_for("sim", i), e.stable_for("seq_sim", i)
        assert not (nash & ~seq).any()
        assert not (seq & ~gmr).any()
        assert not (nash & ~smr).any()
        assert not (smr & ~gmr).any()
        assert not (nash & ~sim).any()
        assert (both == (seq & sim)).all()


def _permuted(c: Conflict, option_perm: list[int], dm_perm: list[int]) -> Conflict:
    """The same conflict with options and DMs listed in another order."""
    return permuted(c, option_perm, dm_perm)  # type: ignore[return-value]


@pytest.mark.slow
@SETTINGS
@given(conflicts(max_dms=4, max_options=6), st.randoms(use_true_random=False))
def test_invariant_under_reordering(c: Conflict, rnd) -> None:  # type: ignore[no-untyped-def]
    option_perm = list(range(c.n_options))
    dm_perm = list(range(len(c.dms)))
    rnd.shuffle(option_perm)
    rnd.shuffle(dm_perm)
    d, recode = _permuted(c, option_perm, dm_perm)  # type: ignore[misc]
    a, b = engine_sets(c), engine_sets(d)
    for concept in CONCEPTS:
        for dm in c.dm_names:
            assert b[concept][dm] == frozenset(recode(s) for s in a[concept][dm])


def test_prisoners_dilemma_by_hand() -> None:
    # C = N, D = Y; payoffs 4 > 3 > 2 > 1: temptation, reward, punishment, sucker
    pay_a = ((0, 3.0), (1, 4.0), (2, 1.0), (3, 2.0))
    pay_b = ((0, 3.0), (1, 1.0), (2, 4.0), (3, 2.0))
    c = Conflict(
        "PD", (Option("a", "A"), Option("b", "B")),
        (DecisionMaker("A", ("a",), PayoffPreference(pay_a)),
         DecisionMaker("B", ("b",), PayoffPreference(pay_b))),
    )
    r = analyze(c)
    assert r.equilibria_strings("nash") == ["YY"]
    for concept in ("gmr", "smr", "seq", "sim", "seq_sim"):
        assert r.equilibria_strings(concept) == ["NN", "YY"]


def _limited_reference(c: Conflict, horizon: int) -> np.ndarray:
    """G_h straight from the recursive definition (see engine/limited.py)."""
    n = c.n_states
    idx = {int(x): k for k, x in enumerate(c.feasible)}

    def g(i: int, s: int, h: int) -> int:
        if h == 0:
            return s
        j = 1 - i
        best: tuple[int, int] | None = None
        for t in sorted(reference.reachable(c, i, int(c.feasible[s]))):
            out = g(j, idx[t], h - 1)
            key = (int(c.ranks[i, out]), -out)
            if best is None or key > best:
                best = key
        if best is not None and best[0] > c.ranks[i, s]:
            return -best[1]
        return s

    return np.array([[g(i, s, horizon) == s for s in range(n)] for i in (0, 1)])


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(conflicts(min_dms=2, max_dms=2, max_options=5), st.integers(1, 4))
def test_limited_move_matches_reference(c: Conflict, h: int) -> None:
    r = analyze(c, ["nash"], horizon=h)
    assert (r.stable[f"L{h}"] == _limited_reference(c, h)).all()


def test_limited_move_any_number_of_dms() -> None:
    # three DMs with the same payoffs (the state code): each gains by its own Y and nobody
    # answers a move to Y with anything the mover minds, so L2 = Nash = {YYY}; tests of the
    # n-DM definition: tests/engine/test_limited_n.py
    c = Conflict(
        "three", (Option("a", "A"), Option("b", "B"), Option("c", "C")),
        tuple(DecisionMaker(n, (o,), PayoffPreference(tuple((s, float(s)) for s in range(8))))
              for n, o in (("A", "a"), ("B", "b"), ("C", "c"))),
    )
    r = analyze(c, ["nash"], horizon=2)
    assert r.equilibria_strings("L2") == r.equilibria_strings("nash") == ["YYY"]


EXAMPLES = sorted(__import__("pathlib").Path(__file__).resolve().parents[2].glob("examples/*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_engine_matches_reference_on_examples(path) -> None:  # type: ignore[no-untyped-def]
    import detente

    c = detente.load(path)
    if c.n_states > 64:
        # the reference is exponential in the number of DMs; check the laws instead
        e = Engine(c)
        for i in range(len(c.dms)):
            nash, gmr, smr, seq = (e.stable_for(k, i) for k in ("nash", "gmr", "smr", "seq"))
            assert not (nash & ~seq).any() and not (seq & ~gmr).any()
            assert not (nash & ~smr).any() and not (smr & ~gmr).any()
        return
    assert engine_sets(c) == reference.stable_sets(c)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_both_sim_searches_match_reference(c: Conflict) -> None:
    """SIM's two exact searches per (state, UI) pair, each forced, give the reference's
    answer (the engine takes the cheaper per pair)."""
    e = Engine(c)
    want = reference.stable_sets(c)["sim"]
    for search in ("responses", "candidates"):
        for i, dm in enumerate(c.dm_names):
            got = sim_stable(e.sim_grid, e.utilities, i, e.stable_for("nash", i), search)
            assert frozenset(int(x) for x in c.feasible[got]) == want[dm], (search, dm)


@pytest.mark.slow
def test_threaded_paths_agree_with_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """DMs in parallel threads and SIM chunks in parallel give the serial results."""
    import detente
    import detente.engine.concepts as concepts_module
    import detente.engine.simultaneous as sim_module

    c = detente.load(EXAMPLES[0].parent.parent / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    monkeypatch.setenv("DETENTE_WORKERS", "1")
    serial = {k: Engine(c).stable(k) for k in CONCEPTS}
    monkeypatch.setenv("DETENTE_WORKERS", "3")
    monkeypatch.setattr(concepts_module, "_PARALLEL_STATES", 1)
    monkeypatch.setattr(sim_module, "_STATES_PER_TASK", 64)
    assert sim_module.worker_count() == 3
    threaded = {k: Engine(c).stable(k) for k in CONCEPTS}
    for k in CONCEPTS:
        assert (serial[k] == threaded[k]).all(), k
    assert serial["sim"].any() and not serial["sim"].all()  # a non-trivial comparison
