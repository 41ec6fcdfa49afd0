"""Drafts: the hand-worked trade model (tests/data/trade_packages.yaml; payoffs in
tests/analyses/test_packages.py), a brute-force reference for the nearest improvements on
random models, the command line and the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from cli_runner import run
from detente.analyses.contract import HEADER_KEYS
from detente.analyses.drafts import MAX_NEAREST, drafts, option_changes
from detente.engine import Engine
from detente.model.conflict import Conflict
from detente.model.drafts import Draft
from detente.model.errors import AnalysisError, ArgumentError
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[2]
TRADE = ROOT / "tests" / "data" / "trade_packages.yaml"


@pytest.fixture(scope="module")
def trade() -> Conflict:
    return detente.load(TRADE)


def test_hand_worked_drafts(trade: Conflict) -> None:
    """First draft YYN (A 3, B 4): nobody vetoes it against NNN (2, 2). It breaks for A
    under Nash and GMR (A moves to NYN, 4 > 3; B answers NYY where A gets 6). Every DM likes
    at least as much only YYN itself and YYY (4, 4); YYY is a GMR equilibrium one change
    away, and not a Nash one (A moves to NNY): no Nash improvement.
    Second draft --Y matches NNY, YNY, NYY, YYY; NNY holds under both concepts, YYY under
    GMR only, YNY under neither, NYY under neither and B vetoes it (0 < 2): best first NNY,
    YYY, YNY, NYY. From NYY (6, 0) the nearest improvement under both is NNY (7, 3), one
    change."""
    r = drafts(trade, ["nash", "gmr"])
    first, second = r.drafts
    s = first.states[0]
    assert (first.name, first.written, first.matching) == ("first", "YYN", 1)
    assert s.vetoes == () and s.holds == {"nash": False, "gmr": False}
    assert s.breaks_for == {"nash": ("A",), "gmr": ("A",)}
    assert s.nearest == {"nash": (), "gmr": (("YYY", 1),)}
    assert [x.state for x in second.states] == ["NNY", "YYY", "YNY", "NYY"]
    assert second.matching == 4
    by = {x.state: x for x in second.states}
    assert by["NNY"].nearest["gmr"] == (("NNY", 0),)  # it holds: no change needed
    assert by["NYY"].vetoes == ("B",)
    assert by["NYY"].breaks_for == {"nash": ("A", "B"), "gmr": ("B",)}
    assert by["NYY"].nearest == {"nash": (("NNY", 1),), "gmr": (("NNY", 1),)}
    data = r.to_dict()
    assert tuple(data)[: len(HEADER_KEYS)] == HEADER_KEYS
    assert data["reference"] == {"state": "NNN", "number": 1, "status_quo": True}
    assert data["drafts"][0]["states"][0]["nearest"]["gmr"] == {
        "changes": 1,
        "count": 1,
        "states": ["YYY"],
    }


def test_no_reference_no_vetoes(trade: Conflict) -> None:
    from dataclasses import replace

    r = drafts(replace(trade, status_quo=None), ["nash"])
    assert r.reference is None and r.drafts[0].states[0].vetoes is None
    r = drafts(trade, ["nash"], against="YYY")  # A 4, B 4: YYN (3, 4) is vetoed by A
    assert r.drafts[0].states[0].vetoes == ("A",)


def test_refusals(trade: Conflict) -> None:
    from dataclasses import replace

    with pytest.raises(AnalysisError, match="has no drafts"):
        drafts(replace(trade, drafts=()))
    with pytest.raises(ArgumentError) as info:
        drafts(trade, against="YY")
    assert info.value.parameter == "against"
    with pytest.raises(detente.DetenteError, match="another model"):
        drafts(trade, engine=Engine(detente.load(ROOT / "examples" / "elmira.yaml")))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(conflicts(max_dms=4, max_options=6), st.data())
def test_nearest_improvements_agree_with_brute_force(model: Conflict, data: st.DataObject) -> None:
    """All pairs: the C-equilibria every DM likes at least as much as the draft state, at
    the fewest differing option values."""
    from dataclasses import replace

    pos = data.draw(st.integers(0, model.n_states - 1))
    code = int(model.feasible[pos])
    m = replace(model, drafts=(Draft("d", model.space.text(code), (code,)),))
    r = drafts(m, ["nash", "gmr"]).drafts[0].states[0]
    ranks = m.ranks
    for key in ("nash", "gmr"):
        eq = Engine(m).equilibrium_mask(key)
        cands = [
            t
            for t in range(m.n_states)
            if eq[t] and all(ranks[i, t] >= ranks[i, pos] for i in range(len(m.dms)))
        ]
        dist = {t: bin(int(m.feasible[t]) ^ code).count("1") for t in cands}
        best = min(dist.values()) if dist else None
        want = [m.space.text(int(m.feasible[t])) for t in cands if dist[t] == best]
        assert [s for s, _ in r.nearest[key]] == want[:MAX_NEAREST]
        assert r.nearest_count[key] == len(want)
        assert all(k == best for _, k in r.nearest[key])
        assert r.holds[key] == bool(eq[pos])
        assert (r.nearest[key][:1] == ((m.space.text(code), 0),)) == bool(eq[pos])


def test_option_changes_count_options() -> None:
    m = detente.load(ROOT / "examples" / "elmira.yaml")
    got = option_changes(m, m.feasible, int(m.feasible[0]))
    want = [bin(int(c) ^ int(m.feasible[0])).count("1") for c in m.feasible]
    assert got.tolist() == want


def test_cli_text_and_json() -> None:
    out = run("drafts", TRADE, "-c", "gmr")
    assert out.exit_code == 0, out.output
    assert "breaks for A; nearest improvement at 1 change: YYY" in out.output
    out = run("drafts", TRADE, "-c", "gmr", "--format", "json")
    data = json.loads(out.stdout)
    assert [d["name"] for d in data["drafts"]] == ["first", "second"]
    out = run("drafts", TRADE, "--against", "YY")
    assert out.exit_code == 2 and "--against" in out.stderr


def test_a_levelled_option_counts_once() -> None:
    """tests/data/corridor_levels.yaml: corridor stay/reduced/withdraw is two internal bits;
    stay/N → withdraw/N changes one option (both bits), withdraw/Y two."""
    m = detente.load(ROOT / "tests" / "data" / "corridor_levels.yaml")
    texts = [m.space.text(int(c)) for c in m.feasible]
    changes = option_changes(m, m.feasible, int(m.feasible[0])).tolist()
    assert dict(zip(texts, changes, strict=True)) == {
        "stay/N": 0,
        "reduced/N": 1,
        "withdraw/N": 1,
        "stay/Y": 1,
        "reduced/Y": 2,
        "withdraw/Y": 2,
    }
