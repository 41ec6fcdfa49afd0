"""Strength of preference (Hamouda, Kilgour & Hipel 2004): strong and weak stability.

A hand-worked Prisoner's Dilemma, the engine against a brute force written from the definitions
(``reference.strength_stable``, which reads strong preference off the model as written), the
inclusion laws, the reductions to the classic concepts and renaming invariance.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
from detente.engine import Engine
from detente.engine.registry import CLASSIC, STRENGTH, Family, get_concept, parse_concepts
from detente.engine.strength import strong_floor
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.errors import AnalysisError
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement
from strategies import conflicts
from strategies_families import strength_conflicts

KEYS = tuple(c.key for c in STRENGTH)
_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])

#: The Prisoner's Dilemma (examples/prisoners_dilemma.yaml) with strength: A strongly
#: prefers NN (and YN) to mutual defection; B strongly prefers only its temptation NY.
PD = (Path(__file__).resolve().parents[1] / "data" / "strength_pd.yaml").read_text(
    encoding="utf-8")


def test_hand_worked_prisoners_dilemma() -> None:
    """States by position: NN, YN, NY, YY. At NN, A's defection (to YN) is answered by B's
    (YY), which A strongly disprefers to NN: strongly stable for A. B's defection (to NY) is
    answered by A's (YY), which B only mildly disprefers to NN (same tier): weakly stable for
    B. So NN is a GMR equilibrium but not a strong GMR one; YY (no UI for anyone) is strong."""
    e = Engine(loads(PD))
    assert e.stable("gmr").astype(int).tolist() == [[1, 1, 0, 1], [1, 0, 1, 1]]
    assert e.stable("strong_gmr").astype(int).tolist() == [[1, 1, 0, 1], [0, 0, 1, 1]]
    assert e.stable("weak_gmr").astype(int).tolist() == [[0, 0, 0, 0], [1, 0, 0, 0]]
    assert e.equilibrium_mask("gmr").tolist() == [True, False, False, True]
    assert e.equilibrium_mask("strong_gmr").tolist() == [False, False, False, True]
    for base in ("smr", "seq"):  # one option each: SMR and SEQ sanction as GMR does here
        assert (e.stable(f"strong_{base}") == e.stable("strong_gmr")).all()
        assert (e.stable(f"weak_{base}") == e.stable("weak_gmr")).all()


def test_strong_floor_is_the_least_payoff_of_a_higher_tier() -> None:
    u = np.array([3.0, 0.0, 5.0, 1.0, 4.0])
    tiers = np.array([1, 0, 2, 0, 1])
    assert strong_floor(u, tiers).tolist() == [5.0, 3.0, np.inf, 3.0, 5.0]
    with pytest.raises(AnalysisError, match="do not coarsen"):
        strong_floor(np.array([0.0, 1.0]), np.array([1, 0]))


# ---- random models with strength -----------------------------------------------------------
@st.composite
def statement_conflicts(draw: st.DrawFn) -> Conflict:
    """A random conflict whose DMs rank by 1-4 literal statements, the first k strong."""
    c = draw(conflicts(max_dms=3, max_options=5))
    dms = []
    for dm in c.dms:
        texts = [("not " if draw(st.booleans()) else "") + draw(st.sampled_from(c.option_names))
                 for _ in range(draw(st.integers(1, 4)))]
        k = draw(st.integers(0, len(texts)))
        sts = tuple(Statement(t, parse_statement(t), strong=j < k) for j, t in enumerate(texts))
        dms.append(replace(dm, preference=StatementPreference(sts)))
    return replace(c, dms=tuple(dms))


def brute(c: Conflict, key: str) -> np.ndarray:
    return np.array([[reference.stable(c, key, i, int(s)) for s in c.feasible]
                     for i in range(len(c.dms))])


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts())
def test_engine_matches_the_brute_force(c: Conflict) -> None:
    e = Engine(c)
    for key in KEYS:
        np.testing.assert_array_equal(e.stable(key), brute(c, key), err_msg=key)


def test_engine_matches_the_brute_force_on_statements() -> None:
    """Statements: the first statement two states differ on decides, strong or mild."""
    text = """
name: three
decision_makers:
  - name: A
    options: [{name: a}]
    preferences:
      statements: [{statement: not b, strong: true}, a, {statement: c, rationale: r}]
  - name: B
    options: [{name: b}]
    preferences: {statements: [{statement: b iff c, strong: true}, {statement: not a,
                  strong: true}, b]}
  - name: C
    options: [{name: c}]
    preferences: {statements: [c, a]}
"""
    c = loads(text)
    e = Engine(c)
    for key in KEYS:
        np.testing.assert_array_equal(e.stable(key), brute(c, key), err_msg=key)
    assert e.stable("weak_gmr").any() and e.stable("strong_gmr").any()


@pytest.mark.slow
@_SETTINGS
@given(c=statement_conflicts())
def test_engine_matches_the_brute_force_on_random_statements(c: Conflict) -> None:
    e = Engine(c)
    for key in KEYS:
        np.testing.assert_array_equal(e.stable(key), brute(c, key), err_msg=key)


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts())
def test_inclusion_laws(c: Conflict) -> None:
    """Nash ⊆ strong X ⊆ X, weak X = X minus strong X; strong SEQ, strong SMR ⊆ strong GMR."""
    e = Engine(c)
    nash = e.stable("nash")
    for concept in STRENGTH:
        assert concept.refines is not None
        classic, got = e.stable(concept.refines), e.stable(concept.key)
        if concept.strength == "strong":
            assert not (nash & ~got).any() and not (got & ~classic).any(), concept.key
        else:
            strong = e.stable(f"strong_{concept.refines}")
            np.testing.assert_array_equal(got, classic & ~strong)
    for small in ("strong_seq", "strong_smr"):
        assert not (e.stable(small) & ~e.stable("strong_gmr")).any()


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts(marks="none"))
def test_no_strong_preference_leaves_only_the_states_without_improvements(c: Conflict) -> None:
    e = Engine(c)
    for concept in STRENGTH:
        want = e.stable("nash") if concept.strength == "strong" else (
            e.stable(concept.refines or "") & ~e.stable("nash"))
        np.testing.assert_array_equal(e.stable(concept.key), want, err_msg=concept.key)


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts(strict=True, marks="all"))
def test_every_preference_strong_gives_the_classic_concept(c: Conflict) -> None:
    """Strict rankings, every boundary strong: strong X = X, weak X empty."""
    e = Engine(c)
    for concept in STRENGTH:
        want = (e.stable(concept.refines or "") if concept.strength == "strong"
                else np.zeros_like(e.stable("nash")))
        np.testing.assert_array_equal(e.stable(concept.key), want, err_msg=concept.key)


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts())
def test_renaming_and_reordering_dms_permutes_the_rows(c: Conflict) -> None:
    order = list(range(len(c.dms)))[::-1]
    new = {dm.name: f"X{k}" for k, dm in enumerate(c.dms)}
    options = tuple(replace(o, dm=new[o.dm]) for o in c.options)
    dms = tuple(DecisionMaker(new[c.dms[k].name], c.dms[k].options, c.dms[k].preference)
                for k in order)
    other = Conflict("renamed", options, dms, c.constraints)
    for key in KEYS:
        np.testing.assert_array_equal(Engine(other).stable(key), Engine(c).stable(key)[order])


# ---- registry ------------------------------------------------------------------------------
def test_the_registry_names_and_gates_the_strength_concepts() -> None:
    assert get_concept("Strong-GMR").key == "strong_gmr"
    assert get_concept("weak_seq").label == "weak SEQ"
    takes = CLASSIC | {Family.STRENGTH}
    assert parse_concepts(["strong_gmr", "gmr"], families=takes) == ("strong_gmr", "gmr")
    with pytest.raises(AnalysisError, match="strength of preference"):
        parse_concepts(["strong_gmr"])
