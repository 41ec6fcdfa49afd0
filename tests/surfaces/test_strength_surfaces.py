"""Strength of preference on every surface: the CLI (text and JSON, and the refusals of the
analyses that do not take it), the report, the workbench and the web API, and the example in
docs/concepts-extended.md against the tool's output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import detente
from cli_runner import run
from web_helpers import client, open_page

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "concepts-extended.md"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Strength of preference")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def _example() -> tuple[str, list[str], str]:
    """The example's model, its command's arguments and the output shown."""
    section = _section()[_section().index("**Example.**"):]
    model = re.search(r"```yaml\n(.*?)```", section, re.S)
    shown = re.search(r"```\n\$ detente (.*?)\n(.*?)```", section, re.S)
    assert model is not None and shown is not None
    return model.group(1), shown.group(1).split(), shown.group(2)


@pytest.fixture
def pd_strength(tmp_path: Path) -> Path:
    path = tmp_path / "pd_strength.yaml"
    path.write_text(_example()[0], encoding="utf-8")
    return path


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def test_the_docs_example_is_the_tools_output(pd_strength: Path) -> None:
    _, args, shown = _example()
    assert args[0] == "analyze" and args[1] == pd_strength.name
    result = run("analyze", pd_strength, *args[2:])
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout) == _lines(shown)


def test_json_and_api_key_by_the_concept(pd_strength: Path) -> None:
    result = run("analyze", pd_strength, "-c", "strong_seq", "-c", "weak-SEQ", "--format", "json")
    data = json.loads(result.stdout)
    assert list(data["concepts"]) == ["strong_seq", "weak_seq"]
    assert data["concepts"]["strong_seq"]["equilibria"] == ["YY"]
    assert data["concepts"]["weak_seq"]["stable_for"] == {"A": [], "B": ["NN"]}
    api = detente.analyze(detente.load(pd_strength), ["strong_seq", "weak_seq"])
    assert api.to_dict()["concepts"] == data["concepts"]


@pytest.mark.parametrize("command", [
    ("evolve", "--concept"), ("mediate", "-t", "NN", "-c"),
    ("robustness", "-c"),
])
def test_the_other_analyses_refuse_a_strength_concept_by_name(
        pd_strength: Path, command: tuple[str, ...]) -> None:
    result = run(command[0], pd_strength, *command[1:], "strong_gmr")
    assert result.exit_code == 2
    assert "strength of preference" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_the_report_shows_the_strong_concepts_with_label_and_help(
        tmp_path: Path, pd_strength: Path) -> None:
    """With no -c a model that states strength gets the strong concepts; -c picks others."""
    assert run("report", pd_strength, "-o", tmp_path / "r.md").exit_code == 0
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| strong GMR | strong SMR | strong SEQ |" in text
    assert "**strong GMR**: state 4 — every move a decision maker could gain by" in text
    assert run("report", pd_strength, "-c", "weak_gmr", "-c", "gmr",
               "-o", tmp_path / "w.md").exit_code == 0
    asked = (tmp_path / "w.md").read_text(encoding="utf-8")
    assert "- **weak GMR** equilibria: none" in asked and "| weak GMR | GMR |" in asked


@pytest.mark.slow
def test_the_workbench_and_the_web_api_take_them(tmp_path: Path, pd_strength: Path) -> None:
    text = pd_strength.read_text(encoding="utf-8")
    cli = json.loads(run("analyze", pd_strength, "-c", "weak_gmr", "--format", "json").stdout)
    with client(tmp_path) as c:
        assert c.post("/api/models", json={"yaml": text}).status_code in (200, 201)
        page = open_page(c, "/models/1")
        assert "strong GMR" in page and "strong SEQ" in page
        assert c.get("/api/models/1/analysis?concept=weak_gmr").json() == cli
        explained = c.get("/api/models/1/explain?state=NN&concept=strong_gmr")
        assert explained.json() == json.loads(run(
            "explain", pd_strength, "NN", "-c", "strong_gmr", "--format", "json").stdout)
