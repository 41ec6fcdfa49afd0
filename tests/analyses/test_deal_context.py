"""The deal's "holds" test reads the engine per DM (no full ``analyze`` up front): it must
answer exactly as when every DM's stability under every concept is computed first."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.deal.context import DealContext
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from strategies import conflicts

DATA = Path(__file__).resolve().parents[1] / "data"
CONCEPTS = parse_concepts(None)


def _answers(c: Conflict, pairs: list[tuple[int, int | None]], eager: bool
             ) -> dict[tuple[int, int | None, str], tuple[bool, tuple[tuple[int, int], ...]]]:
    ctx = DealContext(c, CONCEPTS, Engine(c))
    if eager:
        _ = ctx.result  # every DM's stability computed before any question
    return {(a, b, k): (ctx.holds(a, b, k), ctx.undeterred(a, k))
            for a, b in pairs for k in CONCEPTS}


def test_lazy_holds_equal_eager_on_a_deal_with_a_commitment() -> None:
    c = detente.load(DATA / "guarantee_commitment_deal.yaml")
    assert c.deal is not None
    codes = [int(x) for x in c.feasible]
    pairs = [(a, b) for a in codes for b in [None, *codes[:3]]]
    lazy = _answers(c, pairs, eager=False)
    assert lazy == _answers(c, pairs, eager=True)
    # a hand-checked case: some phase state does not hold as written under Nash
    assert any(not lazy[(ph.state, None, "nash")][0] for ph in c.deal.phases)


def test_a_lazy_context_computes_stability_only_when_asked() -> None:
    c = detente.load(DATA / "guarantee_commitment_deal.yaml")
    ctx = DealContext(c, CONCEPTS, Engine(c))
    ctx.holds(int(c.feasible[0]), None, "seq")
    assert ctx._result is None
    assert ctx.result.stable["seq"].shape == (len(c.dms), c.n_states)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=conflicts(max_dms=3, max_options=5), data=st.data())
def test_lazy_holds_equal_eager(c: Conflict, data: st.DataObject) -> None:
    codes = [int(x) for x in c.feasible]
    a = data.draw(st.sampled_from(codes))
    b = data.draw(st.one_of(st.none(), st.sampled_from(codes)))
    assert _answers(c, [(a, b)], eager=False) == _answers(c, [(a, b)], eager=True)
