"""Packages: a hand-worked 2-DM model (acceptable set, Pareto set, frontier, gains, maximin,
Nash bargaining and Kalai–Smorodinsky computed by hand below), brute-force references on
random models, NegMAS as an oracle for the Pareto frontier and the Nash and Kalai–Smorodinsky
points, and the analysis contract (header, parameters, errors by parameter)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.contract import HEADER_KEYS
from detente.analyses.packages import packages
from detente.engine import Engine
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError
from detente.model.preferences import dense_ranks
from strategies import conflicts

# A controls a1, a2; B controls b. Text order a1 a2 b; code bit 0 = a1.
# code: state  (A, B) payoffs
#  0: NNN (2, 2)  status quo     4: NNY (7, 3)
#  1: YNN (1, 5)                 5: YNY (2, 6)
#  2: NYN (4, 1)                 6: NYY (6, 0)
#  3: YYN (3, 4)                 7: YYY (4, 4)
TRADE = """
name: Trade
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2}]
    preferences:
      payoffs:
        - {state: NNN, value: 2}
        - {state: YNN, value: 1}
        - {state: NYN, value: 4}
        - {state: YYN, value: 3}
        - {state: NNY, value: 7}
        - {state: YNY, value: 2}
        - {state: NYY, value: 6}
        - {state: YYY, value: 4}
  - name: B
    options: [{name: b}]
    preferences:
      payoffs:
        - {state: NNN, value: 2}
        - {state: YNN, value: 5}
        - {state: NYN, value: 1}
        - {state: YYN, value: 4}
        - {state: NNY, value: 3}
        - {state: YNY, value: 6}
        - {state: NYY, value: 0}
        - {state: YYY, value: 4}
status_quo: NNN
"""


@pytest.fixture(scope="module")
def trade() -> Conflict:
    return loads(TRADE)


def test_hand_worked_trade(trade: Conflict) -> None:
    """By hand. Acceptable (A >= 2 and B >= 2): NNN, YYN, NNY, YNY, YYY. Pareto over all
    eight states: NNY (7,3), YYY (4,4), YNY (2,6); NYY (6,0) is dominated by NNY.
    Nash equilibria: A is Nash-stable only at its best state for each b (NYN, NNY), B at
    NNY, YNY, NYN, YYN, YYY: Nash = {NYN, NNY}, of which NNY is acceptable. GMR: A's moves
    from YYY (to NNY, NYY) are sanctioned by B's toggling b (to NNN: 2, NYN: 4, both <= 4);
    from NNN, YYN and YNY A's move to NYN is not (B answers NYY, where A gets 6); B is
    GMR-stable at every acceptable state. GMR equilibria among the acceptable: NNY, YYY,
    neither dominating the other: both on the GMR frontier.
    Ranks: A's payoffs 1,2,3,4,6,7 -> ranks 0..5 (range 5); B's 0..6 are its ranks (range 6).
    Gains over NNN (A rank 1, B rank 2): NNY (4/5, 1/6), YYY (2/5, 2/6), YNY (0, 4/6),
    YYN (1/5, 2/6). Maximin under GMR: YYY (smallest 1/3 > 1/6).
    Utility gains over (2, 2): NNY (5, 1) product 5, YYY (2, 2) product 4: Nash bargaining
    NNY. Kalai–Smorodinsky: best gains A 5, B 2; normalised NNY (1, 1/2), YYY (2/5, 1):
    smallest 1/2 > 2/5: NNY."""
    r = packages(trade, ["nash", "gmr"], limit=0)
    data = r.to_dict()
    states = [p["state"] for p in data["packages"]]
    # frontier first (by smallest gain: YYY 1/3, NNY 1/6), then Pareto (YNY), then the rest
    assert states == ["YYY", "NNY", "YNY", "YYN", "NNN"]
    assert data["acceptable"] == 5 and data["pareto"] == 3
    by = {p["state"]: p for p in data["packages"]}
    assert {s for s in states if by[s]["pareto"]} == {"NNY", "YYY", "YNY"}
    assert {s for s in states if by[s]["stable"]["nash"]} == {"NNY"}
    assert {s for s in states if by[s]["frontier"]["nash"]} == {"NNY"}
    assert {s for s in states if by[s]["stable"]["gmr"]} == {"NNY", "YYY"}
    assert {s for s in states if by[s]["frontier"]["gmr"]} == {"NNY", "YYY"}
    assert by["NNY"]["gains"] == {"A": 4 / 5, "B": 1 / 6}
    assert by["YYY"]["gains"] == {"A": 2 / 5, "B": 2 / 6}
    assert by["YNY"]["gains"] == {"A": 0.0, "B": 4 / 6}
    assert by["NNN"]["gains"] == {"A": 0.0, "B": 0.0}
    assert data["maximin"]["gmr"]["state"] == "YYY"
    assert data["maximin"]["nash"]["state"] == "NNY"
    assert data["utilities"] == {"A": "payoffs", "B": "payoffs"}
    assert data["nash_bargaining"]["gmr"]["state"] == "NNY"
    assert data["nash_bargaining"]["gmr"]["product"] == 5.0
    assert data["kalai_smorodinsky"]["gmr"]["state"] == "NNY"
    assert data["concepts"]["gmr"] == {"label": "GMR", "stable": 2, "frontier": 2}
    assert "probability" not in data["packages"][0]  # certain preferences


def test_weights_give_the_cardinal_utility(trade: Conflict) -> None:
    """Weights replace payoffs for bargaining: A values a2 at 3 and b at 1, B values b at 2.
    Utility gains over NNN on the GMR frontier: NNY (1, 2) product 2; YYY (4, 2) product 8:
    Nash bargaining YYY. KS: best A 4, B 2; NNY (1/4, 1), YYY (1, 1): YYY."""
    text = TRADE.replace("  - name: B\n", "    weights: {a2: 3, b: 1}\n  - name: B\n")
    text = text.replace("status_quo: NNN", "status_quo: NNN").replace(
        "    options: [{name: b}]\n", "    options: [{name: b}]\n    weights: {b: 2}\n"
    )
    data = packages(loads(text), ["gmr"]).to_dict()
    assert data["utilities"] == {"A": "weights", "B": "weights"}
    assert data["nash_bargaining"]["gmr"]["state"] == "YYY"
    assert data["nash_bargaining"]["gmr"]["utility_gains"] == {"A": 4.0, "B": 2.0}
    assert data["kalai_smorodinsky"]["gmr"]["state"] == "YYY"


def test_against_another_reference(trade: Conflict) -> None:
    """Against YYY (4,4): acceptable = states with A >= 4 and B >= 4: only YYY itself."""
    data = packages(trade, ["gmr"], against="YYY").to_dict()
    assert [p["state"] for p in data["packages"]] == ["YYY"]
    assert data["reference"] == {"state": "YYY", "number": 8, "status_quo": False}
    assert data["parameters"] == {"against": "YYY", "limit": 20}


def test_ordinal_model_has_no_bargaining_points() -> None:
    data = packages(detente.load("examples/elmira.yaml"), ["nash"]).to_dict()
    assert data["nash_bargaining"] is None and data["kalai_smorodinsky"] is None
    assert data["utilities"] is None


def test_limit_lists_the_first_in_order_and_counts_all(trade: Conflict) -> None:
    data = packages(trade, ["nash", "gmr"], limit=2).to_dict()
    assert [p["state"] for p in data["packages"]] == ["YYY", "NNY"]
    assert data["acceptable"] == 5 and data["listed"] == 2


# ----- brute-force references on random models --------------------------------------------
def brute(model: Conflict, ref: int, key: str) -> tuple[set[int], set[int], set[int]]:
    """Acceptable, Pareto and frontier positions by the definitions, all pairs."""
    ranks = model.ranks
    n = model.n_states
    eq = Engine(model).equilibrium_mask(key)

    def dom(u: int, t: int) -> bool:
        return bool((ranks[:, u] >= ranks[:, t]).all() and (ranks[:, u] > ranks[:, t]).any())

    acc = {t for t in range(n) if (ranks[:, t] >= ranks[:, ref]).all()}
    par = {t for t in acc if not any(dom(u, t) for u in range(n))}
    held = {t for t in acc if eq[t]}
    front = {t for t in held if not any(dom(u, t) for u in held)}
    return acc, par, front


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(conflicts(max_dms=4, max_options=6), st.data())
def test_agrees_with_the_definitions(model: Conflict, data: st.DataObject) -> None:
    ref = data.draw(st.integers(0, model.n_states - 1))
    code = int(model.feasible[ref])
    r = packages(model, ["nash", "gmr"], against=model.space.text(code), limit=0)
    for key in ("nash", "gmr"):
        acc, par, front = brute(model, ref, key)
        pos = r.positions.tolist()
        assert set(pos) == acc
        assert {p for p, f in zip(pos, r.pareto.tolist(), strict=True) if f} == par
        assert {p for p, f in zip(pos, r.frontier[key].tolist(), strict=True) if f} == front
        # every frontier package is acceptable and stable; the reference is acceptable
        assert ref in acc
        assert all(r.stable[key][pos.index(p)] for p in front)
        m = r.maximin(key)
        if front:
            assert m is not None and r.positions[m] in front
            low = min(r.gains[:, pos.index(p)].min() for p in front)
            assert r.gains[:, m].min() == low
        else:
            assert m is None


@settings(max_examples=20, deadline=None)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_renaming_invariance(model: Conflict, data: st.DataObject) -> None:
    """Renaming DMs and options changes no flag, gain or choice."""
    from dataclasses import replace

    names = {o.name: f"x_{o.name}" for o in model.options}
    dms = {d.name: f"P{d.name}" for d in model.dms}
    renamed = Conflict(
        model.name,
        tuple(replace(o, name=names[o.name], dm=dms[o.dm]) for o in model.options),
        tuple(
            replace(d, name=dms[d.name], options=tuple(names[o] for o in d.options))
            for d in model.dms
        ),
        tuple(
            replace(c, conditions=tuple((names[n], v) for n, v in c.conditions))
            for c in model.constraints
        ),
    )
    ref = data.draw(st.integers(1, model.n_states))
    a = packages(model, ["nash", "gmr"], against=ref, limit=0).to_dict()
    b = packages(renamed, ["nash", "gmr"], against=ref, limit=0).to_dict()
    for key in ("packages", "maximin", "nash_bargaining", "kalai_smorodinsky"):
        assert json.dumps(a[key]).replace('"D', '"PD') == json.dumps(b[key])


# ----- NegMAS as an oracle on cardinal payoffs ---------------------------------------------


@settings(max_examples=8, deadline=None)
@given(conflicts(max_dms=4, max_options=6))
def test_negmas_agrees_on_pareto_nash_and_kalai(model: Conflict) -> None:
    _negmas_agrees(model)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(conflicts(max_dms=4, max_options=6))
def test_negmas_agrees_on_pareto_nash_and_kalai_fully(model: Conflict) -> None:
    _negmas_agrees(model)


def _negmas_agrees(model: Conflict) -> None:
    """Payoffs are the cardinal utilities; with the status quo the first state. NegMAS's
    pareto_frontier_of over all feasible payoff vectors gives the Pareto set; its nash_points
    and kalai_points, given the GMR frontier's utility gains (for Kalai–Smorodinsky
    normalised by each DM's best), contain detente's choices."""
    import negmas.preferences.ops as ops  # type: ignore[import-untyped]
    from negmas.preferences import MappingUtilityFunction  # type: ignore[import-untyped]

    util = np.stack([d.preference.scores(model.feasible, model.bits) for d in model.dms])
    r = packages(model, ["gmr"], against=1, limit=0)
    # Pareto over all feasible states (ranks and payoffs order the same)
    assert (dense_ranks(util[0]) == model.ranks[0]).all()
    # pareto_frontier_numpy: NegMAS documents its pareto_frontier_of as hanging
    front_idx = set(np.asarray(ops.pareto_frontier_numpy(util.T.astype(float))).tolist())
    # NegMAS treats equal points as one: compare the sets of payoff vectors
    ours = {tuple(util[:, p]) for p, f in zip(r.positions, r.pareto, strict=True) if f}
    theirs = {tuple(util[:, k]) for k in front_idx}
    acceptable = {tuple(util[:, p]) for p in r.positions}
    assert ours == theirs & acceptable
    cols = np.flatnonzero(r.frontier["gmr"])
    if cols.size == 0:
        assert r.nash_bargaining("gmr") is None and r.kalai_smorodinsky("gmr") is None
        return
    assert r.utility_gains is not None
    g = r.utility_gains[:, cols]
    d = g.shape[0]
    nash = r.nash_bargaining("gmr")
    if (g > 0).all(axis=0).any():
        pts = [tuple(float(x) for x in g[:, k]) for k in range(cols.size) if (g[:, k] > 0).all()]
        keep = [k for k in range(cols.size) if (g[:, k] > 0).all()]
        ranges = [(0.0, max(p[i] for p in pts)) for i in range(d)]
        hits = ops.nash_points(None, pts, ranges=ranges)
        if all(hi > 1e-12 for _, hi in ranges):
            assert nash is not None and cols.tolist().index(nash) in {keep[i] for _, i in hits}
    else:
        assert nash is None
    best = g.max(axis=1)
    live = best > 0
    ks = r.kalai_smorodinsky("gmr")
    if live.any():
        norm = g[live] / best[live, None]
        ufuns = [
            MappingUtilityFunction(lambda o: 0.0, reserved_value=0.0)
            for _ in range(int(live.sum()))
        ]
        pts = [tuple(float(x) for x in norm[:, k]) for k in range(cols.size)]
        hits = ops.kalai_points(ufuns, pts, ranges=[(0.0, 1.0)] * int(live.sum()))
        assert ks is not None and cols.tolist().index(ks) in {i for _, i in hits}
    else:
        assert ks is None


# ----- the contract -------------------------------------------------------------------------
UNCERTAIN = TRADE.replace(
    "  - name: B\n",
    """    alternatives:
      - name: greedy
        probability: 0.5
        preferences:
          payoffs:
            - {state: NNN, value: 2}
            - {state: YNN, value: 1}
            - {state: NYN, value: 9}
            - {state: YYN, value: 3}
            - {state: NNY, value: 7}
            - {state: YNY, value: 2}
            - {state: NYY, value: 6}
            - {state: YYY, value: 4}
  - name: B
""",
)


def test_probabilities_with_uncertain_preferences() -> None:
    """Half the time A prefers NYN (9) to everything: then A leaves NNY and YYY for NYN
    unless sanctioned; B answers NYN with NYY (A: 6 < 7 at NNY, but 6 > 4 at YYY), so NNY
    stays a GMR equilibrium in both profiles and YYY in the main one only (A's move from
    YYY to NYN: B answers NYY, 6 > 4)."""
    data = packages(loads(UNCERTAIN), ["gmr"], limit=0).to_dict()
    probs = {p["state"]: p["probability"]["gmr"] for p in data["packages"]}
    assert probs["NNY"] == 1.0 and probs["YYY"] == 0.5
    assert data["robustness"] == {"samples": 2, "seed": None, "exact": True}


def test_header_progress_and_engine(trade: Conflict) -> None:
    events: list[object] = []
    r = packages(trade, ["nash"], engine=Engine(trade), progress=events.append)
    data = r.to_dict()
    assert tuple(data)[: len(HEADER_KEYS)] == HEADER_KEYS
    assert list(data["concepts"]) == ["nash"]
    assert events and events[-1].step == events[-1].total  # type: ignore[attr-defined]
    with pytest.raises(detente.DetenteError, match="another model"):
        packages(trade, engine=Engine(detente.load("examples/elmira.yaml")))


@pytest.mark.parametrize(
    ("kwargs", "parameter", "message"),
    [
        ({"limit": -1}, "limit", "limit must be a whole number"),
        ({"against": "YYYY"}, "against", "against: "),
        ({"against": ""}, "against", "against must be a state number"),
        ({"against": "NYY"}, None, None),  # feasible: fine
    ],
)
def test_errors_name_the_parameter(
    trade: Conflict, kwargs: dict[str, object], parameter: str | None, message: str | None
) -> None:
    if message is None:
        packages(trade, ["nash"], **kwargs)  # type: ignore[arg-type]
        return
    with pytest.raises(ArgumentError, match=message) as info:
        packages(trade, ["nash"], **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


def test_no_status_quo_needs_a_reference() -> None:
    with pytest.raises(ArgumentError, match="no status quo") as info:
        packages(loads(TRADE.replace("status_quo: NNN", "")), ["nash"])
    assert info.value.parameter == "against"


def test_gains_are_shares_of_the_rank_range(trade: Conflict) -> None:
    r = packages(trade, ["nash"], limit=0)
    k = r.positions.tolist().index(4)  # NNY
    assert Fraction(r.gains[0, k]).limit_denominator(100) == Fraction(4, 5)


def test_cli_text_json_and_flags() -> None:
    from cli_runner import run

    path = "tests/data/trade_packages.yaml"
    out = run("packages", path, "-c", "nash", "-c", "gmr")
    assert out.exit_code == 0, out.output
    assert "5 acceptable, 3 of them Pareto-optimal" in out.output
    assert "GMR: 2 hold, 2 on the frontier; maximin YYY" in out.output
    data = json.loads(run("packages", path, "-c", "gmr", "--limit", "1", "--format", "json").stdout)
    assert [p["state"] for p in data["packages"]] == ["YYY"] and data["acceptable"] == 5
    bad = run("packages", path, "--limit", "-1")
    assert bad.exit_code == 2 and "--limit must be a whole number" in bad.stderr
    bad = run("packages", path, "--against", "9")
    assert bad.exit_code == 2 and "--against" in bad.stderr and "out of range" in bad.stderr


def test_a_request_that_does_not_fit_is_refused_first(
    trade: Conflict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detente.analyses.packages import packages_bytes

    need = packages_bytes(trade, ("nash",))
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(need - 1))
    with pytest.raises(detente.ModelTooLargeError, match="packages over 8 feasible states"):
        packages(trade, ["nash"])
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(need))
    assert packages(trade, ["nash"]).acceptable == 5
