"""The concept registry: one definition per concept, every table and parser derived from it."""

from __future__ import annotations

import pytest

import detente
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.explain import ExplainError, explain
from detente.analyses.stability import analyze
from detente.engine import Engine
from detente.engine.limited import limited_move_stable
from detente.engine.registry import (
    COALITION_CONCEPTS,
    COALITION_NAMES,
    CONCEPT_HELP,
    CONCEPT_NAMES,
    CONCEPTS,
    EVERY_FAMILY,
    STANDARD,
    concept_label,
    get_concept,
    limited,
    parse_coalition_concepts,
    parse_concepts,
)
from detente.model.errors import AnalysisError
from detente.surfaces.report import build as report_build

PD = "examples/prisoners_dilemma.yaml"


def test_tables_are_derived_from_the_registry() -> None:
    assert CONCEPTS == ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
    assert {c.key: c.label for c in STANDARD} == CONCEPT_NAMES
    assert set(CONCEPT_HELP) == set(CONCEPTS) and all(CONCEPT_HELP.values())
    assert COALITION_CONCEPTS == ("nash", "gmr", "smr", "seq")
    assert COALITION_NAMES == {"nash": "CNash", "gmr": "CGMR", "smr": "CSMR", "seq": "CSEQ"}
    assert report_build.CONCEPT_HELP is CONCEPT_HELP


def test_how_each_concept_is_computed() -> None:
    how = {c.key: (c.sanction, c.simultaneous) for c in STANDARD}
    assert how == {"nash": (None, False), "gmr": ("gmr", False), "smr": ("smr", False),
                   "seq": ("seq", False), "sim": (None, True), "seq_sim": ("seq", True)}


def test_limited_move_is_a_parametrised_concept() -> None:
    c = get_concept("L3")
    assert (c.key, c.label, c.horizon, c.is_limited) == ("L3", "L3", 3, True)
    assert c == limited(3) and c.help and c.coalition_label is None
    assert concept_label("L7") == "L7" and concept_label("seq_sim") == "SEQ&SIM"
    assert concept_label("unknown") == "unknown"


def test_parsing() -> None:
    assert parse_concepts(None) == CONCEPTS
    assert parse_concepts(["SEQ&SIM", "seq-sim", " Nash "]) == ("seq_sim", "nash")
    assert parse_concepts(["gmr"], horizon=2) == ("gmr", "L2")
    assert parse_concepts(["L4", "gmr"], families=EVERY_FAMILY) == ("gmr", "L4")
    assert parse_concepts(["L4", "gmr"], 4, families=EVERY_FAMILY) == ("gmr", "L4")
    with pytest.raises(AnalysisError, match="unknown solution concept 'L4'"):
        parse_concepts(["L4"])
    with pytest.raises(AnalysisError, match="at most one limited-move horizon"):
        parse_concepts(["L2", "L3"], families=EVERY_FAMILY)
    with pytest.raises(AnalysisError, match="unknown solution concept 'xyz'; expected one of"):
        parse_concepts(["xyz"])
    assert parse_coalition_concepts(["CGMR", "nash"]) == ("gmr", "nash")
    with pytest.raises(AnalysisError, match="unknown coalition concept 'sim'"):
        parse_coalition_concepts(["sim"])


def test_engine_dispatches_limited_move_from_the_key() -> None:
    c = detente.load(PD)
    e = Engine(c)
    expected = limited_move_stable(e.layouts, e.utilities, 2)
    assert (e.stable("L2") == expected).all()
    assert (e.stable_for("L2", 1) == expected[1]).all()
    assert (analyze(c, ["L2"]).stable["L2"] == expected).all()
    assert (analyze(c, ["nash"], horizon=2).stable["L2"] == expected).all()


def test_surfaces_use_registry_labels() -> None:
    c = detente.load("examples/elmira.yaml")
    res = coalition_analysis(c, concepts=["cgmr"])
    assert res.to_dict()["concepts"]["gmr"]["label"] == "CGMR"
    assert analyze(c, ["seq_sim"]).frame().columns[-1] == "SEQ&SIM"
    e = explain(c, 1, concepts=["seq_sim"])
    check = e.dms[0].to_dict()["concepts"]["seq_sim"]
    assert check["label"] == "SEQ&SIM"
    with pytest.raises(ExplainError, match="unknown solution concept"):
        explain(c, 1, concepts=["L2"])


def test_what_callers_read_instead_of_a_concept_name() -> None:
    from detente.engine.registry import BASELINE_KEY, SIM_KEY, one_condition_parts

    assert BASELINE_KEY == "nash" and SIM_KEY == "sim"
    # Nash is the one standard concept under which nothing deters a move
    assert [c.key for c in STANDARD if not c.deterrable] == [BASELINE_KEY]
    rules = {c.key: (c.rule.improving, c.rule.no_escape) for c in STANDARD if c.rule}
    assert rules == {"gmr": (False, False), "smr": (False, True), "seq": (True, False),
                     "seq_sim": (True, False)}
    assert one_condition_parts(["seq_sim", "nash"]) == ("nash", "seq", "sim")
    assert one_condition_parts(["sim", "seq", "gmr"]) == ("gmr", "seq", "sim")
    assert one_condition_parts(["L3", "smr"]) == ("smr", "L3")
    assert one_condition_parts([]) == ()


def test_every_deterrable_condition_has_mediation_wording() -> None:
    for c in STANDARD:
        single = c.parts == (c.key,)
        assert bool(c.unless) == (c.deterrable and single), c.key
        assert c.unless == c.unless.strip() and not c.unless.endswith("."), c.key
    assert "likes no better than the target" in get_concept("gmr").unless
    assert "gains from" in get_concept("seq").unless
    assert "escape" in get_concept("smr").unless
    assert "simultaneous" in get_concept("sim").unless
