"""Blind spots (GMCR+ misperceptions) in the engine, against the reference implementation
with the blind-spot move rule: DM j neither moves to nor from a state in its blind spots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.model.conflict import Conflict
from strategies import conflicts


def _blind(c: Conflict, j: int, s: int) -> bool:
    return any(
        s & care == want for care, want in (c.space.pattern_bits(p) for p in c.dms[j].blind_spots)
    )


def test_hand_worked_blind_spot() -> None:
    """tests/data/hypergame_sanction.yaml with B blind to YN (attack, no retaliation): B can
    no longer move YY -> YN, so YY becomes Nash-stable for B; A's Nash-stable states are YN
    and YY (its ranks: YN 3, NN 2, YY 1, NY 0), B's NN, YN (it cannot move) and YY."""
    c = detente.load(Path(__file__).resolve().parents[1] / "data" / "hypergame_sanction.yaml")
    m = replace(c, dms=(c.dms[0], replace(c.dms[1], blind_spots=("YN",))))
    assert detente.analyze(c, ["nash"]).equilibrium_states("nash") == ["YN"]
    assert detente.analyze(m, ["nash"]).equilibrium_states("nash") == ["YN", "YY"]


@pytest.mark.slow
@settings(max_examples=40)
@given(conflicts(max_dms=3, max_options=4), st.data())
def test_engine_honours_blind_spots(c: Conflict, data: st.DataObject) -> None:
    n = c.n_options
    spots = data.draw(
        st.lists(
            st.lists(
                st.text("YN-", min_size=n, max_size=n).filter(lambda p: set(p) != {"-"}), max_size=2
            ),
            min_size=len(c.dms),
            max_size=len(c.dms),
        )
    )
    m = replace(
        c, dms=tuple(replace(d, blind_spots=tuple(s)) for d, s in zip(c.dms, spots, strict=True))
    )
    plain = reference.reachable

    def reachable(model: Conflict, i: int, s: int) -> set[int]:
        if _blind(model, i, s):
            return set()
        return {t for t in plain(model, i, s) if not _blind(model, i, t)}

    result = detente.analyze(m)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reference, "reachable", reachable)
        for k in reference.CONCEPTS:
            for i in range(len(m.dms)):
                want = [reference.stable(m, k, i, int(s)) for s in m.feasible]
                assert result.stable[k][i].tolist() == want, (k, i)
