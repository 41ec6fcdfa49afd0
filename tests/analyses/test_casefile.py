"""The case file: every surface renders the same typed results, in their own JSON shapes."""

from __future__ import annotations

import json
from dataclasses import replace

import detente
from cli_runner import run
from detente.analyses.casefile import CaseFile, build_case_file
from detente.analyses.summary import model_summary


def test_case_file_holds_each_analysis_in_its_cli_json_shape() -> None:
    path = "examples/elmira.yaml"
    c = detente.load(path)
    case = build_case_file(c, with_graph=True, summary_states=None)
    assert isinstance(case, CaseFile) and case.notes == ()
    data = json.loads(json.dumps(case.to_dict()))
    assert data["model"] == json.loads(run("show", path, "--format", "json", "-n", "0").stdout)
    assert data["stability"] == json.loads(run("analyze", path, "--format", "json").stdout)
    assert data["coalitions"] == json.loads(run("coalitions", path, "--format", "json").stdout)
    sq = json.loads(run("explain", path, "1", "--format", "json").stdout)
    assert data["status_quo"] == sq
    unilateral = json.loads(run("evolve", path, "--format", "json", "--concept", "nash",
                                "--concept", "gmr", "--concept", "smr", "--concept", "seq",
                                "--concept", "sim", "--concept", "seq_sim").stdout)
    assert data["evolution"][0] == {"title": "Unilateral improvements only", **unilateral}
    assert data["evolution"][1]["coalitions"] == [["MoE", "UR"]]
    assert case.graph is not None and data["graph"]["drawn"] == case.graph.drawn
    assert data["notes"] == []


def test_case_file_without_status_quo_or_coalitions() -> None:
    c = replace(detente.load("examples/prisoners_dilemma.yaml"), status_quo=None)
    assert not c.coalitions
    case = build_case_file(c, ["nash"], with_graph=False)
    assert case.status_quo is None and case.evolution == () and case.coalitions is None
    assert case.graph is None and case.concepts == ("nash",)
    assert case.to_dict()["graph"] is None


def test_refused_analysis_becomes_a_note(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import detente.analyses.casefile as casefile
    import detente.analyses.coalitions.analysis as coalitions
    from detente.model.errors import AnalysisError

    real_evolve = casefile.evolve

    def evolve(*args, coalitions=False, **kwargs):  # type: ignore[no-untyped-def]
        if coalitions:
            raise AnalysisError("too many joint moves")
        return real_evolve(*args, **kwargs)

    monkeypatch.setattr(coalitions, "MAX_WORK", 0)
    monkeypatch.setattr(casefile, "evolve", evolve)
    case = build_case_file(detente.load("examples/elmira.yaml"), ["nash"], with_graph=False)
    assert case.coalitions is None
    assert len(case.evolution) == 1 and not case.evolution[0].result.coalitions
    assert case.notes[0] == "No status-quo analysis: too many joint moves"
    assert case.notes[1].startswith("No coalition analysis: coalition analysis would search")


def test_summary_limits_the_state_table() -> None:
    c = detente.load("examples/elmira.yaml")
    s = model_summary(c, 3)
    assert [row.number for row in s.states] == [1, 2, 3]
    assert s.states_hidden == c.n_states - 3
    assert s.to_dict()["states_hidden"] == c.n_states - 3


def test_case_file_is_public_api() -> None:
    case = detente.build_case_file(detente.load("examples/chicken.yaml"), ["nash"],
                                   with_graph=False)
    assert isinstance(case, detente.CaseFile)
    assert case.stability.equilibrium_numbers("nash") == detente.analyze(
        case.conflict, ["nash"]).equilibrium_numbers("nash")
