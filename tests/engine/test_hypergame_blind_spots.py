"""Blind spots (GMCR+ misperceptions) in the engine, against the reference implementation
with the blind-spot move rule: DM j neither moves to nor from a state in its blind spots."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.model.conflict import Conflict
from strategies import conflicts


def _blind(c: Conflict, j: int, s: int) -> bool:
    return any(s & care == want for care, want in
               (c.space.pattern_bits(p) for p in c.dms[j].blind_spots))


@pytest.mark.slow
@settings(max_examples=40)
@given(conflicts(max_dms=3, max_options=4), st.data())
def test_engine_honours_blind_spots(c: Conflict, data: st.DataObject) -> None:
    n = c.n_options
    spots = data.draw(st.lists(st.lists(
        st.text("YN-", min_size=n, max_size=n).filter(lambda p: set(p) != {"-"}),
        max_size=2), min_size=len(c.dms), max_size=len(c.dms)))
    m = replace(c, dms=tuple(replace(d, blind_spots=tuple(s)) for d, s in zip(c.dms, spots,
                                                                              strict=True)))
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
