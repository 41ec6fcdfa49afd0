"""First-level hypergames: a hand-worked case, properties, and a brute-force reference.

Hand-worked case (tests/data/hypergame_sanction.yaml). A controls ``attack``, B controls
``retaliate``; states are written attack-retaliate. Ranks, 3 = best:

=====  ======  ======  =================
state  A       B       B as A sees it
=====  ======  ======  =================
NN     2       3       3
YN     3       2       1
NY     0       1       0
YY     1       0       2
=====  ======  ======  =================

Moves: A toggles the first letter (NN↔YN, NY↔YY), B the second (NN↔NY, YN↔YY).

True game (B's view: B has no misperception).
Nash, A: NN→YN improves (3>2), NY→YY improves (1>0); YN, YY stable → {YN, YY}.
Nash, B: NY→NN (3>1), YY→YN (2>0) improve; NN, YN stable → {NN, YN}. Equilibria {YN}.
SEQ, A at NN: UI to YN; B's UIs from YN: YY? 0<2, none → unsanctioned, unstable. A at NY:
UI to YY; B's UI from YY is YN, which A ranks 3 > 0 → unsanctioned. A: {YN, YY}.
SEQ, B at NY: UI to NN; A's UI from NN is YN, which B ranks 2 > 1 → unstable; at YY: UI to YN,
A has no UI from YN → unstable. B: {NN, YN}. SEQ equilibria {YN}.

A's view (B ranked NN 3, YY 2, YN 1, NY 0).
SEQ, A at NN: UI to YN; B's UI from YN to YY (2>1), A ranks YY 1 ≤ 2 → sanctioned: NN is
stable for A *in A's view only* (the misperceived sanction). A at NY: UI to YY; B has no UI
from YY (1<2) → unstable. A: {NN, YN, YY}; Nash for A unchanged {YN, YY}.
B in A's view: Nash: YN→YY (2>1) and NY→NN improve → {NN, YY}; SEQ: at YN, UI to YY, A has no
UI from YY → unstable; at NY, UI to NN, A's UI to YN which B (as seen) ranks 1 > 0 → unstable
→ {NN, YY}. A's view equilibria: Nash {YY}, SEQ {NN, YY}.

Hypergame (A's row from A's view, B's from B's): Nash {YN, YY} ∩ {NN, YN} = {YN};
SEQ {NN, YN, YY} ∩ {NN, YN} = {NN, YN}. Surprises: YY, expected by A (Nash and SEQ).
Correction (tell A what B wants): A's row becomes the true one, SEQ equilibria {YN}: with
target NN (no attack), the target holds under SEQ now and not after the correction.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.analyses.hypergame import hypergame, view_conflict
from detente.engine.batch import stable_batch
from detente.engine.move_limits import conflict_layouts
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError
from detente.model.perceptions import Perception
from hypergame_models import with_perceptions as _with_perceptions
from strategies import conflicts

DATA = Path(__file__).resolve().parents[1] / "data"
ALL = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")


@pytest.fixture(scope="module")
def sanction() -> Conflict:
    return detente.load(DATA / "hypergame_sanction.yaml")


def test_hand_worked_views_and_hypergame(sanction: Conflict) -> None:
    r = hypergame(sanction, ["nash", "seq"], target="NN")
    d = r.to_dict()
    assert d["views"] == {
        "A": {"nash": ["YY"], "seq": ["NN", "YY"]},
        "B": {"nash": ["YN"], "seq": ["YN"]},
    }
    assert d["equilibria"] == {"nash": ["YN"], "seq": ["NN", "YN"]}
    assert d["surprises"] == {c: [{"state": "YY", "expected_by": ["A"]}] for c in ("nash", "seq")}
    # NN is stable for A only in A's own view (B's view has the true B)
    nn = sanction.position(sanction.parse_state("NN"))
    assert r.views["seq"][0, 0, nn] and not r.views["seq"][1, 0, nn]


def test_hand_worked_correction_and_target(sanction: Conflict) -> None:
    d = hypergame(sanction, ["seq"], target="NN").to_dict()
    assert d["target_reached"] is True
    (fix,) = d["corrections"]
    assert (fix["perceiver"], fix["about"], fix["option"]) == ("A", "B", None)
    assert fix["equilibria"] == {"seq": ["YN"]}
    assert fix["target_reached"] is False
    assert fix["advice"] == "tell A what B really wants"


def test_header_and_json_shape(sanction: Conflict) -> None:
    d = hypergame(sanction).to_dict()
    assert list(d)[:6] == [
        "model",
        "options",
        "decision_makers",
        "concepts",
        "parameters",
        "detente_version",
    ]
    assert d["concepts"] == list(ALL)
    assert set(d["views"]["A"]) == set(ALL)
    assert d["target_reached"] is None and d["corrections"][0]["target_reached"] is None


def test_unawareness_freezes_the_option(sanction: Conflict) -> None:
    """A unaware of ``retaliate``: in A's view B cannot move at all, so every state is Nash
    for B there, and A's view equilibria are A's own Nash-stable states {YN, YY}."""
    m = replace(sanction, perceptions=(Perception("A", unaware_of=("retaliate",)),))
    r = hypergame(m, ["nash", "gmr"])
    assert r.to_dict()["views"]["A"] == {"nash": ["YN", "YY"], "gmr": ["YN", "YY"]}
    # GMR at NN for A: with B frozen, A's UI to YN cannot be sanctioned (true game: it can)
    nn = m.position(m.parse_state("NN"))
    assert not r.views["gmr"][0, 0, nn]
    assert detente.analyze(m, ["gmr"]).stable["gmr"][0, nn]
    (fix,) = r.corrections
    assert fix.correction.option == "retaliate"
    assert fix.perceiver_stable["gmr"][nn]  # once told, A sees the sanction again


def test_refusals(sanction: Conflict) -> None:
    with pytest.raises(ArgumentError) as info:
        hypergame(sanction, target="YYY")
    assert info.value.parameter == "target"
    with pytest.raises(AnalysisError, match="unknown solution concept"):
        hypergame(sanction, ["L2"])
    with pytest.raises(ArgumentError):
        hypergame("not a model")  # type: ignore[arg-type]


# ----- properties --------------------------------------------------------------------------
@settings(max_examples=5)
@given(conflicts(max_dms=3, max_options=5))
def test_no_perceptions_is_analyze(c: Conflict) -> None:
    _no_perceptions_is_analyze(c)


@pytest.mark.slow
@settings(max_examples=25)
@given(conflicts(max_dms=3, max_options=5))
def test_no_perceptions_is_analyze_fully(c: Conflict) -> None:
    _no_perceptions_is_analyze(c)


def _no_perceptions_is_analyze(c: Conflict) -> None:
    r = hypergame(c)
    a = detente.analyze(c)
    for k in ALL:
        assert r.equilibrium_codes(k) == a.equilibrium_codes(k)
        assert not r.surprises(k)


@settings(max_examples=25)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_nash_ignores_perceived_preferences(c: Conflict, data: st.DataObject) -> None:
    m = _with_perceptions(c, data, unaware=False)
    assert hypergame(m, ["nash"]).equilibrium_codes("nash") == detente.analyze(
        c, ["nash"]
    ).equilibrium_codes("nash")


@settings(max_examples=5)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_true_perceptions_change_nothing(c: Conflict, data: st.DataObject) -> None:
    _true_perceptions_change_nothing(c, data)


@pytest.mark.slow
@settings(max_examples=25)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_true_perceptions_change_nothing_fully(c: Conflict, data: st.DataObject) -> None:
    _true_perceptions_change_nothing(c, data)


def _true_perceptions_change_nothing(c: Conflict, data: st.DataObject) -> None:
    """Perceptions equal to the truth: every view and the hypergame are the game itself."""
    i, j = data.draw(st.lists(st.integers(0, len(c.dms) - 1), min_size=2, max_size=2, unique=True))
    m = replace(
        c,
        perceptions=(
            Perception(c.dm_names[i], about=c.dm_names[j], preference=c.dms[j].preference),
        ),
    )
    r, a = hypergame(m), detente.analyze(c)
    for k in ALL:
        assert r.equilibrium_codes(k) == a.equilibrium_codes(k)
        assert r.view_equilibria(i, k).tolist() == a.equilibrium_mask(k).tolist()
        assert r.corrected_equilibria(0, k).tolist() == a.equilibrium_mask(k).tolist()


@pytest.mark.slow
@settings(max_examples=20)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_renaming_decision_makers_changes_nothing(c: Conflict, data: st.DataObject) -> None:
    m = _with_perceptions(c, data)
    new = {n: f"X{k}_{n}" for k, n in enumerate(m.dm_names)}
    renamed = replace(
        m,
        options=tuple(replace(o, dm=new[o.dm]) for o in m.options),
        dms=tuple(replace(d, name=new[d.name]) for d in m.dms),
        perceptions=tuple(
            replace(p, perceiver=new[p.perceiver], about=None if p.about is None else new[p.about])
            for p in m.perceptions
        ),
    )
    r1, r2 = hypergame(m).to_dict(), hypergame(renamed).to_dict()
    assert r1["equilibria"] == r2["equilibria"]
    assert [r1["views"][n] for n in m.dm_names] == [r2["views"][new[n]] for n in m.dm_names]
    assert [c1["equilibria"] for c1 in r1["corrections"]] == [
        c2["equilibria"] for c2 in r2["corrections"]
    ]


def _reference_view(m: Conflict, i: int) -> dict[str, np.ndarray]:
    """concept -> (DMs, N) stability in DM i's view, by the reference implementation on the
    view's own conflict (built around each state: unaware options fixed there)."""
    out = {k: np.zeros((len(m.dms), m.n_states), dtype=bool) for k in ALL}
    for pos, code in enumerate(m.feasible.tolist()):
        v = view_conflict(m, m.dm_names[i], int(code))
        for k in ALL:
            for j in range(len(m.dms)):
                out[k][j, pos] = reference.stable(v, k, j, int(code))
    return out


@pytest.mark.slow
@settings(max_examples=30)
@given(conflicts(max_dms=3, max_options=4), st.data())
def test_batch_path_matches_brute_force(c: Conflict, data: st.DataObject) -> None:
    m = _with_perceptions(c, data)
    r = hypergame(m)
    for i in range(len(m.dms)):
        ref = _reference_view(m, i)
        for k in ALL:
            assert r.views[k][i].tolist() == ref[k].tolist(), (k, i)
    for fix in r.corrections:
        p = fix.correction
        kept = tuple(
            q
            if q.perceiver != p.perceiver or q.about is not None
            else replace(q, unaware_of=tuple(o for o in q.unaware_of if o != p.option))
            for q in m.perceptions
            if not (q.perceiver == p.perceiver and q.about is not None and q.about == p.about)
        )
        fixed = replace(m, perceptions=tuple(q for q in kept if q.about or q.unaware_of))
        i = m.dm_index(p.perceiver)
        ref = _reference_view(fixed, i)
        for k in ALL:
            assert fix.perceiver_stable[k].tolist() == ref[k][i].tolist(), (k, p)


def test_one_batch_per_move_graph(sanction: Conflict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Views and corrections are evaluated together, one stable_batch call per distinct set of
    hidden options (not one analysis per view)."""
    from detente.analyses.hypergame import analysis

    m = replace(
        sanction, perceptions=(*sanction.perceptions, Perception("B", unaware_of=("attack",)))
    )
    calls: list[int] = []

    def spy(model: Conflict, ranks: np.ndarray, *args: object, **kw: object) -> object:
        calls.append(ranks.shape[0])
        return stable_batch(model, ranks, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "stable_batch", spy)
    hypergame(m)
    # hidden sets: {} for A's view, A's correction, B's correction; {attack} for B's view
    assert sorted(calls) == [1, 3]


def test_view_conflict_needs_state_under_unawareness(sanction: Conflict) -> None:
    m = replace(sanction, perceptions=(Perception("A", unaware_of=("retaliate",)),))
    with pytest.raises(AnalysisError, match="unaware of retaliate"):
        view_conflict(m, "A")
    v = view_conflict(m, "A", m.parse_state("NY"))
    assert [v.state_string(int(s)) for s in v.feasible] == ["NY", "YY"]


def test_layouts_hide_options_from_movers(sanction: Conflict) -> None:
    lays = conflict_layouts(sanction, hidden=1 << sanction.bits["retaliate"])
    assert lays[1].width == 1 and lays[0].width == 2


def test_flagship_with_three_perceptions() -> None:
    """The benchmark's model (tests/data/ceasefire_hypergame.yaml on the flagship): three
    perceptions, three single corrections, two move graphs (Hamas is unaware of an option)."""
    import sys

    sys.path.insert(0, str(DATA.parents[1] / "benchmarks"))
    from bench_hypergame import flagship_with_perceptions

    m = flagship_with_perceptions()
    r = hypergame(m, ["nash"])
    assert len(m.perceptions) == 3 and len(r.corrections) == 3
    assert r.corrections[2].correction.option == "us_guarantee"
    # Nash ignores perceived preferences; the unaware option changes only Hamas's view
    assert r.equilibrium_codes("nash") == detente.analyze(m, ["nash"]).equilibrium_codes("nash")


def test_unaware_of_a_levelled_option_hides_all_its_levels() -> None:
    """``unaware_of`` names options as written: a levelled option hides every internal bit,
    and an unknown name is refused with the written names (never 'x>=level')."""
    import fuzzing
    from detente.formats.native.builder import loads
    from detente.model.errors import ModelError
    from detente.model.perceptions import hidden_mask

    doc = fuzzing.synthetic_negotiation()
    model = loads(fuzzing.dump_doc(doc), source="neg.yaml")
    g = [b for name, b in model.bits.items() if name.startswith("guarantee")]
    assert len(g) == 2
    assert hidden_mask(model, "I") == sum(1 << b for b in g)
    view = view_conflict(model, "I", state=int(model.status_quo or 0))
    # guarantee held at 'none' in I's view: corridor cannot reach 'withdraw' (infeasible then).
    assert view.n_states == 4 and model.n_states == 16
    doc["perceptions"][1]["unaware_of"] = ["guarantees"]
    with pytest.raises(ModelError) as err:
        loads(fuzzing.dump_doc(doc), source="neg.yaml")
    assert "corridor, release, guarantee" in str(err.value) and ">=" not in str(err.value)
