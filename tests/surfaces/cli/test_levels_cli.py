"""States with level names on the command line: analyze, show, explain (text and JSON),
convert's note on the .gmcr export."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run

CORRIDOR = Path(__file__).resolve().parents[2] / "data" / "corridor_levels.yaml"


def test_analyze_text_and_json_show_level_names() -> None:
    text = run("analyze", CORRIDOR)
    assert text.exit_code == 0, text.output
    assert "corridor" in text.output and "withdraw" in text.output
    assert "corridor>=" not in text.output
    data = json.loads(run("analyze", CORRIDOR, "--format", "json").stdout)
    assert data["options"] == ["corridor", "release"]
    assert data["levels"] == {"corridor": ["stay", "reduced", "withdraw"]}
    assert data["concepts"]["nash"]["equilibria"] == ["reduced/N"]
    assert data["concepts"]["seq"]["equilibria"] == ["reduced/N", "withdraw/Y"]
    assert data["status_quo"] == "stay/N"


def test_show_lists_the_option_once_with_its_levels() -> None:
    out = run("show", CORRIDOR)
    assert out.exit_code == 0, out.output
    assert "corridor  levels: stay < reduced < withdraw" in out.output
    assert "Feasible states: 6 of 6" in out.output
    data = json.loads(run("show", CORRIDOR, "--format", "json").stdout)
    assert data["options"][0] == {
        "name": "corridor",
        "decision_maker": "Israel",
        "direction": "both",
        "description": "",
        "levels": ["stay", "reduced", "withdraw"],
    }
    assert data["decision_makers"][0]["options"] == ["corridor"]
    assert [s["state"] for s in data["states"]] == [
        "stay/N",
        "reduced/N",
        "withdraw/N",
        "stay/Y",
        "reduced/Y",
        "withdraw/Y",
    ]


def test_explain_reads_and_words_levels() -> None:
    out = run("explain", CORRIDOR, "withdraw/Y")
    assert out.exit_code == 0, out.output
    assert "state 6 (withdraw/Y)" in out.output
    assert "corridor withdraw→reduced" in out.output  # Israel's improvement, as levels
    data = json.loads(run("explain", CORRIDOR, "withdraw/Y", "--format", "json").stdout)
    assert data["options"] == ["corridor", "release"]
    bad = run("explain", CORRIDOR, "gone/Y")
    assert bad.exit_code != 0
    assert "option 'corridor' has no level 'gone'" in bad.stderr


def test_convert_to_gmcr_says_levels_become_binary_options(tmp_path: Path) -> None:
    target = tmp_path / "corridor.gmcr"
    out = run("convert", CORRIDOR, target)
    assert out.exit_code == 0, out.output
    said = out.stderr + out.stdout
    assert "the levels of corridor (stay, reduced, withdraw)" in said
    assert [o["name"] for o in json.loads(target.read_text())["options"]] == [
        "corridor>=reduced",
        "corridor>=withdraw",
        "release",
    ]


def test_streamed_json_and_tables_match_with_levels(tmp_path: Path) -> None:
    import detente
    from detente.analyses.summary import model_summary
    from detente.surfaces.outputs.state_table import iter_json, iter_summary_json, write_table

    c = detente.load(CORRIDOR)
    r = detente.analyze(c, ["nash", "seq"])
    assert "".join(iter_json(r)) == json.dumps(r.to_dict(), indent=2, ensure_ascii=False)
    assert "".join(iter_summary_json(c)) == json.dumps(
        model_summary(c).to_dict(), indent=2, ensure_ascii=False
    )
    assert write_table(r, c, tmp_path / "t.csv", "csv") == 6
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert rows[1].split(",")[2] == '"stay/N"' and rows[6].split(",")[2] == '"withdraw/Y"'
