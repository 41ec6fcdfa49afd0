"""``POST /api/models/{id}/whatif``: the brief of a scenario, equal to ``detente brief
--scenario FILE --no-fixes --format json`` on the same file; 422s naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run
from web_helpers import ROOT, client

PLEDGE = ROOT / "tests" / "data" / "whatif_pledge.yaml"
FLAGSHIP = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"


def _cli(model: Path, scenario: dict[str, object], tmp: Path) -> dict[str, object]:
    f = tmp / "scenario.json"
    f.write_text(json.dumps(scenario), encoding="utf-8")
    out = run("brief", model, "--scenario", f, "--no-fixes", "--format", "json")
    assert out.exit_code == 0, out.output
    data: dict[str, object] = json.loads(out.stdout)
    return data


@pytest.mark.parametrize(
    "scenario",
    [
        {},
        {"alternatives": {"B": "defector"}},
        {"statements": {"A": {"a if b": False}}, "settings": {"b": "N"}},
        {"orders": {"B": [["not b", "b if a"]]}, "commitments": {"a": "fwd"}},
    ],
)
def test_whatif_equals_the_cli(tmp_path: Path, scenario: dict[str, object]) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        r = c.post("/api/models/1/whatif", json=scenario)
        assert r.status_code == 200, r.text
        assert r.json() == _cli(PLEDGE, scenario, tmp_path)
        again = c.post("/api/models/1/whatif", json=scenario)  # from the cache
        assert again.json() == r.json()


@pytest.mark.slow
def test_toggle_changes_the_verdict(tmp_path: Path) -> None:
    """As written the pledge holds under Nash; B's reading 'defector' breaks it (by hand in
    tests/analyses/test_whatif.py)."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        base = c.post("/api/models/1/whatif", json={}).json()
        alt = c.post("/api/models/1/whatif", json={"alternatives": {"B": "defector"}}).json()
    assert base["proposals"][0]["verdict"] == {"nash": "holds"}
    assert alt["proposals"][0]["verdict"] == {"nash": "breaks"}


@pytest.mark.slow
def test_flagship_whatif_equals_the_cli(tmp_path: Path) -> None:
    scenario = {"alternatives": {"Iran": "deterred"}, "settings": {"us_guarantee": "Y"}}
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP.read_text(encoding="utf-8")})
        r = c.post("/api/models/1/whatif", json=scenario)
    assert r.status_code == 200, r.text
    assert r.json() == _cli(FLAGSHIP, scenario, tmp_path)


@pytest.mark.parametrize(
    ("scenario", "field", "words"),
    [
        ({"alternatives": {"Q": "main"}}, "alternatives.Q", "unknown decision maker 'Q'"),
        ({"alternatives": {"B": "hawk"}}, "alternatives.B", "no reading 'hawk'"),
        ({"settings": {"c": "Y"}}, "settings.c", "unknown option 'c'"),
        ({"settings": {"a": 1}}, "settings.a", "expected a name"),
        ({"commitments": {"a": "up"}}, "commitments.a", "fwd, back"),
        ({"weather": {}}, "weather", "unknown section"),
        ({"settings": {f"o{k}": "Y" for k in range(300)}}, "settings", "300 entries"),
    ],
)
def test_whatif_refusals(tmp_path: Path, scenario: object, field: str, words: str) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        r = c.post("/api/models/1/whatif", json=scenario)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert words in r.json()["detail"]


def test_whatif_body_must_be_an_object(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        r = c.post("/api/models/1/whatif", json=[1])
        missing = c.post("/api/models/9/whatif", json={})
    assert r.status_code == 422
    assert missing.status_code == 404
