"""Re-ranking: another preference profile reuses the feasible states and the engine layouts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.stability import analyze
from detente.engine import CONCEPTS, Engine
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelError
from detente.model.preferences import (
    PayoffPreference,
    RankingPreference,
    Statement,
    StatementPreference,
)
from detente.model.statements import parse_statement

EXAMPLES = ["prisoners_dilemma", "chicken", "elmira", "cuban_missile_crisis", "syria_iraq"]


def _payoffs(c: Conflict, ranks: np.ndarray) -> dict[str, PayoffPreference]:
    return {
        dm: PayoffPreference(tuple((int(code), float(r))
                                   for code, r in zip(c.feasible, ranks[i], strict=True)))
        for i, dm in enumerate(c.dm_names)
    }


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(EXAMPLES), seed=st.integers(0, 2**32 - 1))
def test_with_ranks_equals_a_rebuilt_model(name: str, seed: int) -> None:
    """Engine.with_ranks (shared layouts) gives what a model rebuilt from scratch with those
    preferences gives, for every concept and DM."""
    c = detente.load(f"examples/{name}.yaml")
    rng = np.random.default_rng(seed)
    ranks = rng.integers(0, 4, size=(len(c.dms), c.n_states))
    base = Engine(c)
    _ = base.stable("gmr")  # a cache of the base profile must not leak into the new one
    fast = base.with_ranks(ranks)
    assert fast.layouts is base.layouts
    rebuilt = Conflict(c.name, c.options, tuple(
        d.__class__(d.name, d.options, p) for d, p in zip(c.dms, _payoffs(c, ranks).values(),
                                                           strict=True)
    ), c.constraints)
    slow = Engine(rebuilt)
    for key in CONCEPTS:
        assert (fast.stable(key) == slow.stable(key)).all(), key


def test_with_preferences_reuses_states_and_validates_only_preferences() -> None:
    c = detente.load("examples/elmira.yaml")
    _ = c.ranks
    dm = c.dm_names[0]
    stmt = StatementPreference((Statement("not " + c.option_names[0],
                                          parse_statement("not " + c.option_names[0])),))
    new = c.with_preferences({dm: stmt})
    assert new.feasible is c.feasible and new.dm_masks is c.dm_masks
    assert new.dms[0].preference is stmt and new.dms[1:] == c.dms[1:]
    assert (new.ranks[1:] == c.ranks[1:]).all()
    assert not (new.ranks[0] == c.ranks[0]).all()
    again = Conflict(c.name, c.options, new.dms, c.constraints, c.status_quo,
                     coalitions=c.coalitions)
    assert (again.ranks == new.ranks).all() and (again.feasible == new.feasible).all()
    engine = Engine(c)
    shared = engine.with_preferences(new)
    assert shared.layouts is engine.layouts
    assert analyze(new, engine=shared).to_dict() == analyze(again).to_dict()
    assert c.dms[0].preference is not stmt  # the original is untouched


def test_with_preferences_errors() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    with pytest.raises(ModelError, match="unknown decision maker 'Z'"):
        c.with_preferences({"Z": RankingPreference(((0, 1, 2, 3),))})
    with pytest.raises(ModelError, match="unknown option 'nope'"):
        c.with_preferences({"A": StatementPreference((Statement("nope",
                                                                parse_statement("nope")),))})
    with pytest.raises(ModelError, match="must cover every feasible state"):
        c.with_preferences({"A": RankingPreference(((0, 1),))})


def test_engine_rejects_mismatched_ranks_and_models() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    e = Engine(c)
    with pytest.raises(AnalysisError, match="shape"):
        e.with_ranks(np.zeros((3, 4)))
    other = detente.load("examples/chicken.yaml")
    with pytest.raises(AnalysisError, match="same options"):
        e.with_preferences(other)
    with pytest.raises(AnalysisError, match="another model"):
        analyze(other, engine=e)
