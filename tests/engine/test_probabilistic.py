"""Probabilistic stability (Rêgo & dos Santos 2015): α-Nash, (α,β)-GMR, (α,β)-SMR, (α,β,γ)-SEQ.

A hand-worked two-DM case, a brute force written from the definitions over the enumerated
variants (pairwise probabilities summed variant by variant, reach by breadth-first search),
the reduction to the classic concepts without uncertainty, the inclusion laws in α, β, γ and
between the concepts, and invariance under renaming the DMs and reordering the states' codes.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.engine import Engine
from detente.engine.probabilistic import (
    MAX_PAIRS,
    all_probabilities,
    dm_distribution,
    preference_probabilities,
    probabilistic_stable,
)
from detente.engine.registry import (
    CLASSIC,
    Family,
    get_concept,
    parse_concepts,
    probabilistic,
)
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.uncertainty import readings_of
from strategies import conflicts
from strategies_families import uncertain_conflicts as uncertain

_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
LEVELS = st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.75, 0.8, 1.0])


# ---- uncertain models ------------------------------------------------------------------------
def brute_probabilities(c: Conflict, i: int) -> dict[tuple[int, int], float]:
    """P_i(a ≻ b) by summing over DM i's variants, pair by pair (codes)."""
    dm = c.dms[i]
    out: dict[tuple[int, int], float] = {}
    codes = [int(x) for x in c.feasible]
    for r in readings_of(dm.preference, dm.readings):
        for v in r.variants():
            score = dict(zip(codes, v.preference.scores(c.feasible, c.bits).tolist(),
                             strict=True))
            for a, b in product(codes, codes):
                out[a, b] = out.get((a, b), 0.0) + v.probability * (score[a] > score[b])
    return out


def brute_stable(c: Conflict, key: str, i: int, s: int) -> bool:
    """Stability of state code ``s`` for DM ``i`` straight from the definitions."""
    concept = get_concept(key)
    assert concept.levels is not None
    probs = [brute_probabilities(c, j) for j in range(len(c.dms))]
    p = probs[i]
    alpha = concept.levels[0]
    uis = [s1 for s1 in reference.reachable(c, i, s) if p[s1, s] > alpha + 1e-12]
    if concept.sanction is None:
        return not uis
    beta = concept.levels[1]
    gamma = concept.levels[2] if len(concept.levels) > 2 else None
    others = [j for j in range(len(c.dms)) if j != i]

    def step(j: int, x: int) -> set[int]:
        moves = reference.reachable(c, j, x)
        return moves if gamma is None else {y for y in moves if probs[j][y, x] > gamma + 1e-12}

    def reach(s1: int) -> set[int]:
        return reference.sequence_reach(others, s1, step)

    def sanction(s2: int) -> bool:
        if p[s2, s] > beta + 1e-12:
            return False
        if concept.sanction == "smr":
            return all(p[s3, s] <= beta + 1e-12 for s3 in reference.reachable(c, i, s2))
        return True

    return all(any(sanction(s2) for s2 in reach(s1)) for s1 in uis)


def keys_at(alpha: float, beta: float, gamma: float) -> list[str]:
    return [f"nash@{alpha}", f"gmr@{alpha}/{beta}", f"smr@{alpha}/{beta}",
            f"seq@{alpha}/{beta}/{gamma}"]


# ---- keys ------------------------------------------------------------------------------------
def test_keys_labels_and_refusals() -> None:
    takes = CLASSIC | {Family.PROBABILISTIC}
    assert parse_concepts(["GMR@.8/.3", "seq@0.5", "nash"], families=takes) == (
        "gmr@0.8/0.3", "seq@0.5/0.5/0.5", "nash")
    assert get_concept("seq@0.8/0.3/0.5").label == "(0.8,0.3,0.5)-SEQ"
    assert get_concept("nash@1").label == "1-Nash"
    assert probabilistic("smr", [0.5]).levels == (0.5, 0.5)
    for bad, says in [("gmr@0.8/0.3/0.1", "1 to 2"), ("nash@1.5", "between 0 and 1"),
                      ("sim@0.5", "no probabilistic version"), ("gmr@x", "must be numbers"),
                      ("seq_sim@0.5", "no probabilistic version")]:
        with pytest.raises(AnalysisError, match=says):
            get_concept(bad)
    with pytest.raises(AnalysisError, match="probabilistic concept"):
        parse_concepts(["gmr@0.5"])  # an analysis that judges one profile at a time


# ---- hand-worked -----------------------------------------------------------------------------
HAND = (Path(__file__).resolve().parents[1] / "data" / "probabilistic_hand.yaml").read_text(
    encoding="utf-8")


def test_hand_worked_two_dms() -> None:
    """States (A's a, B's b): 1 NN, 2 YN, 3 NY, 4 YY. A prefers YN > NN > YY > NY (0.7) or
    NN > YN > NY > YY (0.3): P_A(YN ≻ NN) = 0.7, P_A(NN ≻ YN) = 0.3, P_A(YY ≻ NY) = 0.7,
    P_A(NY ≻ YY) = 0.3. B is certain: NY > YY > NN > YN.

    A at NN: its move to YN is an α-UI for α < 0.7. B answers from YN by YY (B moves b), which
    A prefers to NN with probability 0 (both orders put NN above YY): a sanction at any β.
    A at YN: its move to NN (P 0.3) is an α-UI for α < 0.3; B answers from NN by NY, which A
    prefers to YN with probability 0: sanctioned. A at NY: its move to YY (P 0.7) meets B's
    answer YN, which A prefers to NY in both orders (P 1 > β): unsanctioned for β < 1. A at
    YY: its move to NY (P 0.3) meets B's answer NN, P_A(NN ≻ YY) = 1: unsanctioned, so YY is
    (α,β)-GMR for A only when α ≥ 0.3. 0.5-Nash for A holds at YN (NN has P 0.3 ≤ 0.5) and at
    YY (NY has P 0.3), not at NN nor NY (P 0.7).
    B: NN → NY and YN → YY are certain improvements; NY and YY are stable for B at any α < 1.
    """
    c = loads(HAND)
    p, exact = all_probabilities(c)
    assert exact
    assert p[0][1, 0] == pytest.approx(0.7) and p[0][0, 1] == pytest.approx(0.3)
    assert p[0][3, 2] == pytest.approx(0.7) and p[0][2, 3] == pytest.approx(0.3)
    nash = probabilistic_stable(c, "nash@0.5")
    assert nash.tolist() == [[False, True, False, True], [False, False, True, True]]
    assert probabilistic_stable(c, "nash@0.2")[0].tolist() == [False] * 4  # 0.3 > 0.2
    assert probabilistic_stable(c, "nash@0.7")[0].tolist() == [True] * 4  # nothing above 0.7
    gmr = probabilistic_stable(c, "gmr@0.2/0.2")
    assert gmr[0].tolist() == [True, True, False, False]
    assert gmr[1].tolist() == [False, False, True, True]  # B alone: a Nash condition
    assert probabilistic_stable(c, "gmr@0.5/0.5")[0].tolist() == [True, True, False, True]
    assert probabilistic_stable(c, "gmr@0.2/1")[0].tolist() == [True] * 4  # all sanctions
    # SEQ: from YN, B's move to YY is a certain improvement for B: a credible sanction
    assert probabilistic_stable(c, "seq@0.2/0.2/0.5")[0].tolist() == [True, True, False, False]
    assert Engine(c).equilibrium_mask("gmr@0.5/0.5").tolist() == [False, False, False, True]
    assert Engine(c).equilibrium_mask("gmr@0.2/0.2").tolist() == [False] * 4


# ---- brute force -----------------------------------------------------------------------------
@pytest.mark.slow
@_SETTINGS
@given(c=uncertain(), alpha=LEVELS, beta=LEVELS, gamma=LEVELS)
def test_matches_the_definitions(c: Conflict, alpha: float, beta: float, gamma: float) -> None:
    for key in keys_at(alpha, beta, gamma):
        got = probabilistic_stable(c, key)
        want = [[brute_stable(c, key, i, int(s)) for s in c.feasible]
                for i in range(len(c.dms))]
        assert got.tolist() == want, key


@_SETTINGS
@given(c=uncertain(max_dms=2, max_options=3))
def test_probabilities_match_the_variants(c: Conflict) -> None:
    codes = [int(x) for x in c.feasible]
    for i, p in enumerate(all_probabilities(c)[0]):
        brute = brute_probabilities(c, i)
        for (x, a), (y, b) in product(enumerate(codes), enumerate(codes)):
            assert p[x, y] == pytest.approx(brute[a, b])


def test_sampled_probabilities_estimate_the_exact_ones() -> None:
    c = detente.load("examples/black_sea_grain_2022.yaml")
    for j in range(len(c.dms)):
        exact = dm_distribution(c, j)
        if exact.weights.size == 1:  # a DM without uncertainty: its own ranks
            assert (exact.ranks[0] == c.ranks[j]).all()
            continue
        drawn = dm_distribution(c, j, exact_limit=0, samples=4000, seed=1)
        assert exact.exact and not drawn.exact
        pe = preference_probabilities(exact.ranks, exact.weights)
        ps = preference_probabilities(drawn.ranks, drawn.weights)
        assert np.abs(pe - ps).max() < 0.05  # 4,000 draws: standard error at most 0.008


# ---- reduction and inclusion laws ------------------------------------------------------------
@pytest.mark.slow
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5), alpha=st.sampled_from([0.0, 0.3, 0.5, 0.99]),
       beta=st.sampled_from([0.0, 0.5, 0.99]), gamma=st.sampled_from([0.0, 0.5, 0.99]))
def test_without_uncertainty_they_are_the_classic_concepts(
    c: Conflict, alpha: float, beta: float, gamma: float
) -> None:
    e = Engine(c)
    for key in keys_at(alpha, beta, gamma):
        base = key.split("@")[0]
        np.testing.assert_array_equal(probabilistic_stable(c, key), e.stable(base))


@pytest.mark.slow
@_SETTINGS
@given(c=uncertain(), a=LEVELS, a2=LEVELS, b=LEVELS, b2=LEVELS, g=LEVELS, g2=LEVELS)
def test_inclusion_laws(c: Conflict, a: float, a2: float, b: float, b2: float, g: float,
                        g2: float) -> None:
    """Fewer α-UIs (larger α) and more sanctions (larger β, smaller γ) keep every stable state
    stable; Nash ⊆ SMR ⊆ GMR and Nash ⊆ SEQ ⊆ GMR at the same levels (γ's moves ⊆ any moves)."""
    (a, a2), (b, b2), (g2, g) = sorted((a, a2)), sorted((b, b2)), sorted((g, g2))
    for low, high in [(f"nash@{a}", f"nash@{a2}"), (f"gmr@{a}/{b}", f"gmr@{a2}/{b2}"),
                      (f"smr@{a}/{b}", f"smr@{a2}/{b2}"),
                      (f"seq@{a}/{b}/{g}", f"seq@{a2}/{b2}/{g2}")]:
        lo, hi = probabilistic_stable(c, low), probabilistic_stable(c, high)
        assert not (lo & ~hi).any(), (low, high)
    nash, gmr, smr, seq = (probabilistic_stable(c, k) for k in keys_at(a, b, g))
    for small, big in [(nash, smr), (smr, gmr), (nash, seq), (seq, gmr)]:
        assert not (small & ~big).any()


# ---- invariance ------------------------------------------------------------------------------
@pytest.mark.slow
@_SETTINGS
@given(c=uncertain(), data=st.data())
def test_renaming_and_reordering_dms_changes_nothing(c: Conflict, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(c.dms))))
    name = {dm.name: f"X{k}" for k, dm in enumerate(c.dms)}
    options = tuple(replace(o, dm=name[o.dm]) for o in c.options)
    renamed = Conflict("renamed", options,
                       tuple(replace(c.dms[j], name=name[c.dms[j].name]) for j in order),
                       c.constraints)
    for key in keys_at(0.25, 0.5, 0.25):
        np.testing.assert_array_equal(probabilistic_stable(renamed, key),
                                      probabilistic_stable(c, key)[list(order)])


def test_too_many_pairs_is_refused_with_an_estimate() -> None:
    c = detente.load("examples/elmira.yaml")
    big = replace(c, name="big")
    n = int((MAX_PAIRS // len(c.dms)) ** 0.5) + 1
    fake = type("Fake", (), {"n_states": n, "dms": c.dms, "name": big.name})()
    from detente.engine.probabilistic import check_size

    with pytest.raises(AnalysisError, match=r"pairs, about .* beyond"):
        check_size(fake, get_concept("gmr@0.5"))  # type: ignore[arg-type]


def test_beyond_the_memory_budget_is_refused_with_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.engine.probabilistic import check_size

    c = detente.load("examples/elmira.yaml")
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "1KiB")
    with pytest.raises(AnalysisError, match=r"memory budget of 1.0 KiB \(DETENTE_MAX_MEMORY\)"):
        check_size(c, get_concept("gmr@0.5"))
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "1GiB")
    check_size(c, get_concept("gmr@0.5"))


def test_the_flagship_is_within_the_limits() -> None:
    from detente.engine.probabilistic import check_size, dense_bytes

    c = detente.load("examples/ceasefire_2024.yaml")
    check_size(c, get_concept("seq@0.5/0.5/0.5"))  # does not raise
    assert dense_bytes(c) < 2**30


@pytest.mark.slow
def test_on_the_flagship_alpha_nash_grows_with_alpha() -> None:
    c = detente.load("examples/ceasefire_2024.yaml")
    low, half, high = (probabilistic_stable(c, f"nash@{a}") for a in ("0", "0.5", "0.99"))
    # a higher α makes fewer moves α-UIs, so more states stable, for every DM
    assert (low <= half).all() and (half <= high).all()
    assert (low < high).any() and half.shape == (len(c.dms), c.n_states)


@pytest.mark.parametrize("key", ["gmr@0.5", "gmr_a", "L3"])
def test_analyze_refuses_a_key_too_large_before_computing_any(
        monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    from detente.engine import limited, unknown
    from detente.engine import probabilistic as probabilistic_module
    from detente.model.errors import DetenteError

    monkeypatch.setattr(probabilistic_module, "MAX_PAIRS", 3)
    monkeypatch.setattr(unknown, "MAX_STATES", 3)
    monkeypatch.setattr(limited, "MAX_POSITIONS", 3)
    computed: list[str] = []
    plain = Engine.stable
    monkeypatch.setattr(Engine, "stable",
                        lambda self, k: computed.append(k) or plain(self, k))
    c = detente.load("examples/elmira.yaml")  # three DMs
    with pytest.raises(DetenteError):
        detente.analyze(c, ["nash", "gmr", key])
    assert computed == []


@pytest.mark.slow
def test_the_docs_flagship_benchmark_counts_are_the_tools() -> None:
    """docs/concepts-extended.md pastes bench_probabilistic.py's output on the flagship: the
    equilibrium counts of its Nash, GMR and SMR rows (which share the others' reach; a SEQ row
    builds its own, 5 s each) are what the engine gives."""
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "concepts-extended.md").read_text(
        encoding="utf-8")
    block = page[page.index("Gaza cease-fire talks, August 2024: 2,880 states"):]
    rows = re.findall(r"^ +(\S+@\S+): [\d.]+ s, (\d+) equilibria$", block[:block.index("```")],
                      re.M)
    assert len(rows) == 6
    c = detente.load("examples/ceasefire_2024.yaml")
    for key, count in rows:
        if not key.startswith("seq@"):
            assert int(probabilistic_stable(c, key).all(axis=0).sum()) == int(count), key
