"""Limited move for more than two DMs on the web: the API answers exactly the CLI's JSON
(docs/concepts-extended.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import detente
from cli_runner import run
from detente.surfaces.web import service
from web_helpers import client

ELMIRA = Path(__file__).resolve().parents[3] / "examples" / "elmira.yaml"


def test_service_answers_l_h_for_three_dms() -> None:
    model = detente.load(ELMIRA)
    got = service.analysis(model, ["nash"], 3)
    assert got == detente.analyze(model, ["nash"], horizon=3).to_dict()
    assert list(got["concepts"]) == ["nash", "L3"] and len(got["decision_makers"]) == 3


@pytest.mark.slow
def test_three_dm_horizon_is_the_clis_json(tmp_path: Path) -> None:
    cli = json.loads(run("analyze", str(ELMIRA), "--horizon", "3", "--format", "json").stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": ELMIRA.read_text(encoding="utf-8")})
        assert c.get("/api/models/1/analysis?horizon=3").json() == cli
