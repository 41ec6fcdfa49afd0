"""Probabilistic concepts (``gmr@0.8/0.3``) on the surfaces: ``analyze -c`` in text and JSON,
the web API's analysis exactly as the CLI's JSON, the report, ``robustness -c`` and the refusal
of the analyses that judge one profile at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run
from web_helpers import client

MODEL = (Path(__file__).resolve().parents[1] / "data" / "probabilistic_hand.yaml").read_text(
    encoding="utf-8")


def _model(tmp_path: Path) -> Path:
    path = tmp_path / "hand.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def test_analyze_takes_probabilistic_keys_in_text_and_json(tmp_path: Path) -> None:
    path = _model(tmp_path)
    res = run("analyze", path, "-c", "gmr", "-c", "GMR@0.5", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert list(data["concepts"]) == ["gmr", "gmr@0.5/0.5"]
    body = data["concepts"]["gmr@0.5/0.5"]
    assert body["equilibria"] == ["YY"]  # the hand-worked example (tests/engine)
    assert body["stable_for"] == {"A": ["NN", "YN", "YY"], "B": ["NY", "YY"]}
    assert data["parameters"]["preference_probabilities"] == "exact"
    plain = json.loads(run("analyze", path, "-c", "gmr", "--format", "json").stdout)
    assert "preference_probabilities" not in plain["parameters"]
    text = run("analyze", path, "-c", "nash@0.5", "-c", "gmr@0.2/0.2")
    assert text.exit_code == 0 and "0.5-Nash" in text.stdout and "(0.2,0.2)-GMR" in text.stdout
    bad = run("analyze", path, "-c", "gmr@0.5/x")
    assert bad.exit_code != 0 and "must be numbers" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("command", [("mediate", "--target", "YY", "-c"), ("evolve", "--concept")])
def test_profile_by_profile_analyses_refuse_them_by_name(tmp_path: Path,
                                                         command: tuple[str, ...]) -> None:
    path = _model(tmp_path)
    res = run(command[0], path, *command[1:], "seq@0.5")
    assert res.exit_code != 0 and "probabilistic concept" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@pytest.mark.slow
def test_web_analysis_is_exactly_the_clis_json(tmp_path: Path) -> None:
    path = _model(tmp_path)
    cli = json.loads(run("analyze", path, "-c", "smr@0.5/0.5", "--format", "json").stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": MODEL})
        got = c.get("/api/models/1/analysis?concept=smr@0.5/0.5")
        assert got.status_code == 200 and got.json() == cli
        assert c.get("/api/models/1/analysis?concept=sim@0.5").status_code == 422


@pytest.mark.slow
def test_the_report_shows_them_with_label_and_help(tmp_path: Path) -> None:
    from detente.engine.registry import get_concept

    path = _model(tmp_path)
    out = tmp_path / "r.md"
    res = run("report", path, "-c", "nash", "-c", "gmr@0.5", "-o", out)
    assert res.exit_code == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert "(0.5,0.5)-GMR" in text and get_concept("gmr@0.5").help in text
    only = run("report", path, "-c", "seq@0.5", "-o", tmp_path / "s.md")
    assert only.exit_code == 0, only.stderr  # the other sections fall back to the six


def test_robustness_takes_them_in_text_and_json(tmp_path: Path) -> None:
    path = _model(tmp_path)
    data = json.loads(run("robustness", path, "-c", "gmr@0.5", "--format", "json").stdout)
    assert data["probabilistic"]["gmr@0.5/0.5"]["equilibria"] == ["YY"]
    text = run("robustness", path, "-c", "gmr@0.5", "-c", "smr@0.2")
    assert text.exit_code == 0, text.stderr
    assert "(0.5,0.5)-GMR: equilibria 4" in text.stdout
    assert "(0.2,0.2)-SMR: no equilibrium" in text.stdout
