"""Stability with unknown preferences (Li, Hipel, Kilgour & Fang 2004; engine/unknown.py):
a hand-worked model, the brute-force reference (tests/reference_unknown.py) on random models
with unknown pairs, the inclusion laws, the reduction to the classic concepts when nothing is
unknown, renaming invariance and the size refusal."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
import reference_unknown
from detente.engine import Engine
from detente.engine import unknown as unknown_engine
from detente.engine.registry import UNKNOWN, UNKNOWN_KEYS, get_concept
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict, Option
from detente.model.errors import AnalysisError, ModelError
from detente.model.unknown import UnknownPreference
from strategies import conflicts
from strategies_families import unknown_conflicts

_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BASES = ("nash", "gmr", "smr", "seq")

ROOT = Path(__file__).resolve().parents[2]
#: The hand-worked model of docs/concepts-extended.md: A holds a, B holds b; states NN=1,
#: YN=2, NY=3, YY=4. A ranks YY > NY > NN > YN but cannot compare YN with NN nor with NY;
#: B ranks NY > YY > YN > NN. Moves: A 1<->2 and 3<->4, B 1<->3 and 2<->4.
HAND = (ROOT / "tests" / "data" / "unknown_hand.yaml").read_text(encoding="utf-8")
#: A's stability, worked by hand from the definitions (states 1-4; a and c deter A's
#: improvements and uncertain moves, b and d its improvements only; a and b sanction into
#: states A likes no better, c and d also into states it cannot compare with the start):
#: 1 (NN): A's only move, to YN, is unknown: no move in b, d; in a, c B answers YN -> YY,
#:   which A prefers to NN: no sanction anywhere.
#: 2 (YN): A's move to NN is unknown: no move in b, d; in a, c B answers NN -> NY (a move B
#:   gains by), NY unknown against YN: a sanction in c only (GMR_c, SEQ_c); SMR_c fails, as A
#:   escapes NY -> YY, which it prefers to YN.
#: 3 (NY): A's move to YY is an improvement in every variant; B answers YY -> YN (not a gain
#:   for B, so never for SEQ), YN unknown against NY: a sanction in c, d (GMR, SMR: from YN
#:   A reaches only NN, below NY).
#: 4 (YY): A's only move is to a worse state: stable everywhere.
HAND_A = {
    "nash": {"a": [0, 0, 0, 1], "b": [1, 1, 0, 1], "c": [0, 0, 0, 1], "d": [1, 1, 0, 1]},
    "gmr": {"a": [0, 0, 0, 1], "b": [1, 1, 0, 1], "c": [0, 1, 1, 1], "d": [1, 1, 1, 1]},
    "smr": {"a": [0, 0, 0, 1], "b": [1, 1, 0, 1], "c": [0, 0, 1, 1], "d": [1, 1, 1, 1]},
    "seq": {"a": [0, 0, 0, 1], "b": [1, 1, 0, 1], "c": [0, 1, 0, 1], "d": [1, 1, 0, 1]},
}
#: B (no unknown pair): from NN and YN its improvement is answered by A with a state B
#: prefers to the start; from NY and YY it has no improvement.
HAND_B = [0, 0, 1, 1]


def test_the_hand_worked_model() -> None:
    c = loads(HAND)
    engine = Engine(c)
    for base, rows in HAND_A.items():
        for variant in "abcd":
            key = f"{base}_{variant}"
            want = rows[variant]
            np.testing.assert_array_equal(engine.stable(key)[0], np.array(want, dtype=bool),
                                          err_msg=key)
            np.testing.assert_array_equal(engine.stable(key)[1], np.array(HAND_B, dtype=bool),
                                          err_msg=key)
            np.testing.assert_array_equal(engine.stable(key), reference_unknown.table(c, key))


def test_the_registry_names_sixteen_concepts_as_the_paper() -> None:
    assert len(UNKNOWN) == 16
    assert [c.label for c in UNKNOWN[:5]] == ["Nash_a", "Nash_b", "Nash_c", "Nash_d", "GMR_a"]
    c = get_concept("SEQ_d")
    assert (c.key, c.sanction, c.unknown.moves, c.unknown.ends) == ("seq_d", "seq", False, True)  # type: ignore[union-attr]


def test_the_variant_letters_follow_the_nuaa_gmcr_system() -> None:
    """Which moves each variant deters and where its sanctions may end, as the NUAA GMCR
    system (the implementation of the matrix representation that issue 24 names) computes
    them: github.com/callMeBigKing/nuaagmcrr, testGMCR/App_Code/Ustability.cs (and the same in
    UncertainStability.cs and HybridStability.cs) at commit b1838a0, where Nash_a, GMR_a,
    SMR_a, SEQ_a and the c ones multiply by J^{+,U} (the focal DM's improvements and uncertain
    moves) and the b and d ones by J^+; a and b test the sanction against P^{-,=} (no better),
    c and d against P^{-,=,U} (no better or unknown); SEQ's sanctioners move in M^{+,U}_{N-i}
    in all four."""
    want = {"a": (True, False), "b": (False, False), "c": (True, True), "d": (False, True)}
    for base in BASES:
        for v, (moves, ends) in want.items():
            rule = get_concept(f"{base}_{v}").unknown
            assert rule is not None and (rule.moves, rule.ends) == (moves, ends), (base, v)


# ---- random models with unknown pairs ------------------------------------------------------
@pytest.mark.slow
@_SETTINGS
@given(c=unknown_conflicts())
def test_the_engine_matches_the_brute_force_reference(c: Conflict) -> None:
    engine = Engine(c)
    for key in UNKNOWN_KEYS:
        np.testing.assert_array_equal(engine.stable(key), reference_unknown.table(c, key),
                                      err_msg=key)


def _tables(c: Conflict) -> dict[str, np.ndarray]:
    engine = Engine(c)
    return {key: engine.stable(key) for key in (*UNKNOWN_KEYS, *BASES)}


def _within(small: np.ndarray, large: np.ndarray) -> bool:
    return not (small & ~large).any()


@pytest.mark.slow
@_SETTINGS
@given(c=unknown_conflicts(max_options=5))
def test_inclusion_laws(c: Conflict) -> None:
    t = _tables(c)
    for base in BASES:
        a, b, cc, d = (t[f"{base}_{v}"] for v in "abcd")
        # a is the strictest, d the loosest: a ⊆ b ⊆ d and a ⊆ c ⊆ d
        assert _within(a, b) and _within(b, d) and _within(a, cc) and _within(cc, d), base
        # the classic concept on the preferences as written lies between a and d
        if base != "seq":  # SEQ_a lets the others sanction by uncertain moves too
            assert _within(a, t[base]), base
        assert _within(t[base], d), base
    for v in "abcd":  # Nash ⊆ SEQ ⊆ GMR and Nash ⊆ SMR ⊆ GMR within a variant
        n, g, sm, sq = (t[f"{base}_{v}"] for base in BASES)
        assert _within(n, sq) and _within(sq, g) and _within(n, sm) and _within(sm, g), v
    # Nash has no sanction: c is a, d is b
    np.testing.assert_array_equal(t["nash_c"], t["nash_a"])
    np.testing.assert_array_equal(t["nash_d"], t["nash_b"])


@pytest.mark.slow
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_nothing_unknown_gives_the_classic_concepts(c: Conflict) -> None:
    engine = Engine(c)
    for key in UNKNOWN_KEYS:
        base = get_concept(key)
        classic = next(k for k in BASES if get_concept(k).sanction == base.sanction)
        np.testing.assert_array_equal(engine.stable(key), engine.stable(classic), err_msg=key)


@pytest.mark.slow
@_SETTINGS
@given(c=unknown_conflicts(), data=st.data())
def test_renaming_and_reordering_permutes_the_rows(c: Conflict, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(c.dms))))
    new_dm = {dm.name: f"X{k}" for k, dm in enumerate(c.dms)}
    options = tuple(Option(o.name, new_dm[o.dm], o.direction) for o in c.options)
    dms = tuple(replace(c.dms[k], name=new_dm[c.dms[k].name]) for k in order)
    other = Conflict("renamed", options, dms, c.constraints)
    for key in ("nash_b", "gmr_c", "smr_d", "seq_d", "seq_a"):
        np.testing.assert_array_equal(Engine(other).stable(key), Engine(c).stable(key)[order])


# ---- refusals ----------------------------------------------------------------------------
def test_a_model_too_big_is_refused_with_an_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unknown_engine, "MAX_STATES", 3)
    with pytest.raises(AnalysisError, match=r"4 feasible states, about .*B of dense relations"):
        Engine(loads(HAND)).stable("gmr_a")


def test_beyond_the_memory_budget_is_refused_with_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "1KiB")
    with pytest.raises(AnalysisError, match=r"memory budget of 1.0 KiB \(DETENTE_MAX_MEMORY\)"):
        Engine(loads(HAND)).stable("gmr_a")


@pytest.mark.slow
def test_the_flagship_without_unknown_pairs_gives_the_classic_concepts() -> None:
    c = detente.load("examples/ceasefire_2024.yaml")
    e = Engine(c)
    for key, classic in (("nash_a", "nash"), ("gmr_d", "gmr")):
        np.testing.assert_array_equal(e.stable(key), e.stable(classic))


def test_other_analyses_refuse_the_concepts_by_name() -> None:
    with pytest.raises(AnalysisError,
                       match=r"GMR_a.*analyze, explain, the status quo's evolution"):
        detente.mediate(loads(HAND), "YY", ["gmr_a"])


@pytest.mark.parametrize(("edit", "where"), [
    ("      unknown: [[NN]]\n", "decision_makers[0].preferences.unknown[0]"),
    ("      unknown: [[NN, XX]]\n", "decision_makers[0].preferences.unknown[0][1]"),
])
def test_a_bad_group_is_refused_where_it_is(edit: str, where: str) -> None:
    text = HAND.replace("      unknown: [[NN, YN], [NY, YN]]\n", edit)
    with pytest.raises(ModelError) as info:
        loads(text)
    assert where in str(info.value)


def test_unknown_pairs_outside_a_dms_own_preferences_are_refused() -> None:
    text = HAND + """\
perceptions:
  - perceiver: A
    about: B
    preferences:
      ranking: [NY, YY, YN, NN]
      unknown: [[NY, YY]]
"""
    with pytest.raises(ModelError, match="unknown pairs in a perception") as info:
        loads(text)
    assert "perceptions[0].preferences.unknown" in str(info.value)


def test_python_models_are_checked() -> None:
    c = loads(HAND)
    bad = replace(c.dms[0], unknown=UnknownPreference(((0,),)))
    with pytest.raises(ModelError, match="group 1"):
        Conflict("x", c.options, (bad, c.dms[1]))
    bad = replace(c.dms[0], unknown=UnknownPreference((), (3,)))
    with pytest.raises(ModelError, match="need preferences given as statements"):
        Conflict("x", c.options, (bad, c.dms[1]))


def test_unknown_statements_are_read_and_written_back() -> None:
    from detente.formats.native.writer import dumps

    text = HAND.replace("      ranking: [NY, YY, YN, NN]\n",
                        "      statements: [{statement: b, unknown: true}, a]\n")
    c = loads(text)
    assert c.dms[1].unknown == UnknownPreference((), (0,))
    again = loads(dumps(c))
    assert [d.unknown for d in again.dms] == [d.unknown for d in c.dms]
    # B cannot compare two states that differ in b (its first statement): NN vs NY
    mask = c.dms[1].unknown.mask(c.feasible, c.bits, c.dms[1].preference)  # type: ignore[union-attr]
    assert mask[0, 2] and not mask[0, 1]


def test_the_docs_table_is_the_tools_output() -> None:
    import runpy

    script = runpy.run_path(str(ROOT / "docs" / "scripts" / "unknown_example.py"))
    docs = (ROOT / "docs" / "concepts-extended.md").read_text(encoding="utf-8")
    assert script["table"]() in docs


@pytest.mark.slow
def test_the_case_file_adds_them_for_a_model_that_declares_unknown_pairs() -> None:
    from detente.analyses.casefile import build_case_file
    from detente.surfaces.report.build import report_data

    case = build_case_file(loads(HAND), with_graph=False)
    assert case.stability.concepts[-16:] == UNKNOWN_KEYS
    assert case.status_quo is None or "gmr_a" not in case.status_quo.concepts
    table = report_data(case).context["concepts"]
    row = next(r for r in table if r["key"] == "gmr_d")
    assert row["label"] == "GMR_d" and "variant d" in row["help"] and row["numbers"] == [3, 4]
    plain = build_case_file(loads(HAND.replace("      unknown: [[NN, YN], [NY, YN]]\n", "")),
                            with_graph=False)
    assert not set(UNKNOWN_KEYS) & set(plain.stability.concepts)


@pytest.mark.slow
def test_cli_analyze_takes_the_keys() -> None:
    from typer.testing import CliRunner

    from detente.surfaces.cli.app import app

    path = str(ROOT / "tests" / "data" / "unknown_hand.yaml")
    out = CliRunner().invoke(app, ["analyze", path, "-c", "GMR_d", "-c", "gmr_a",
                                   "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["concepts"]["gmr_d"]["stable_for"]["A"] == ["NN", "YN", "NY", "YY"]
    assert data["concepts"]["gmr_a"]["equilibria"] == ["YY"]
    explained = CliRunner().invoke(app, ["explain", path, "NN", "-c", "gmr_a"])
    assert explained.exit_code == 0 and "GMR_a: unstable" in explained.output


def test_a_gmcr_export_names_the_unknown_pairs_it_drops() -> None:
    from detente.formats.gmcr.writer import omissions

    assert "the unknown preference pairs of 1 decision maker(s)" in omissions(loads(HAND))


@pytest.mark.slow
def test_the_web_analysis_answers_as_the_cli() -> None:
    from typer.testing import CliRunner

    from detente.surfaces.cli.app import app
    from detente.surfaces.web import service

    path = str(ROOT / "tests" / "data" / "unknown_hand.yaml")
    cli = json.loads(CliRunner().invoke(app, ["analyze", path, "-c", "seq_c", "-c", "smr_a",
                                              "--format", "json"]).stdout)
    web = service.analysis(loads(HAND), ["seq_c", "smr_a"])
    assert web["concepts"] == cli["concepts"]
    assert web["concepts"]["seq_c"]["stable_for"]["A"] == ["YN", "YY"]


def test_new_preferences_drop_the_unknown_pairs() -> None:
    from detente.model.preferences import RankingPreference

    c = loads(HAND)
    other = c.with_preferences({"A": RankingPreference(((3,), (2,), (0,), (1,)))})
    assert c.dms[0].unknown is not None and other.dms[0].unknown is None
    np.testing.assert_array_equal(Engine(other).stable("gmr_c"), Engine(other).stable("gmr"))
