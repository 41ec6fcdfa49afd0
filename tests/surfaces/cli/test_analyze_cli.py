"""`detente analyze`: the JSON shape of the issue, text output, native and .gmcr input alike."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from detente.surfaces.cli.app import app

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(app, ["analyze", *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_json_shape_elmira() -> None:
    data = _json(str(ROOT / "examples/elmira.yaml"))
    assert data["options"] == ["modify", "delay", "accept", "abandon", "insist"]
    assert data["dms"] == ["MoE", "UR", "LG"]
    assert set(data["concepts"]) == {"nash", "gmr", "smr", "seq", "sim", "seq_sim"}
    for concept in data["concepts"].values():
        assert set(concept) >= {"equilibria", "stable_for"}
        assert set(concept["stable_for"]) == {"MoE", "UR", "LG"}
        for state in concept["equilibria"]:
            assert len(state) == 5 and set(state) <= {"Y", "N"}
            # an equilibrium is stable for every DM
            assert all(state in states for states in concept["stable_for"].values())
    # Source state 5 (UR delays, LG insists) is a Nash equilibrium; source 1 is GMR, not Nash.
    assert "NYNNY" in data["concepts"]["nash"]["equilibria"]
    assert "NYNNN" in data["concepts"]["gmr"]["equilibria"]
    assert "NYNNN" not in data["concepts"]["nash"]["equilibria"]


def test_same_result_from_gmcr_file(tmp_path: Path) -> None:
    out = tmp_path / "elmira.gmcr"
    res = runner.invoke(app, ["convert", str(ROOT / "examples/elmira.yaml"), str(out)])
    assert res.exit_code == 0, res.output
    a = _json(str(ROOT / "examples/elmira.yaml"))
    b = _json(str(out))
    assert a["options"] == b["options"] and a["dms"] == b["dms"]
    assert a["concepts"] == b["concepts"]


def test_concept_selection_and_horizon() -> None:
    data = _json(str(ROOT / "examples/prisoners_dilemma.yaml"), "-c", "nash", "-c", "SEQ&SIM",
                 "--horizon", "2")
    assert list(data["concepts"]) == ["nash", "seq_sim", "L2"]
    assert data["concepts"]["nash"]["equilibria"] == ["YY"]


def test_text_output_marks_equilibria() -> None:
    res = runner.invoke(app, ["analyze", str(ROOT / "examples/prisoners_dilemma.yaml")])
    assert res.exit_code == 0, res.output
    assert "Nash: 1 equilibrium — states 4" in res.stdout
    assert "GMR: 2 equilibria — states 1, 4" in res.stdout
    assert "✓" in res.stdout


def test_match_filter_and_all_states() -> None:
    res = runner.invoke(app, ["analyze", str(ROOT / "examples/elmira.yaml"), "--states", "all",
                              "--match", "---Y-", "-c", "nash"])
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if line.strip()[:2].strip().isdigit()]
    assert len(rows) == 4  # the four 'abandon' states


def test_errors_exit_2() -> None:
    res = runner.invoke(app, ["analyze", str(ROOT / "examples/elmira.yaml"), "-c", "foo"])
    assert res.exit_code == 2
    assert "unknown solution concept 'foo'" in res.output
    res = runner.invoke(app, ["analyze", str(ROOT / "examples/elmira.yaml"), "--horizon", "0"])
    assert res.exit_code == 2
    assert "--horizon must be a whole number from 1" in res.output
    res = runner.invoke(app, ["analyze", "nope.yaml"])
    assert res.exit_code == 2
