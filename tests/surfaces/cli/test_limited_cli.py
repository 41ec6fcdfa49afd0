"""``detente analyze -c L<h>``: limited move named like any concept, the same answer as
``--horizon h``, for any number of DMs (docs/concepts-extended.md)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run

ELMIRA = Path(__file__).resolve().parents[3] / "examples" / "elmira.yaml"


def test_concept_l_h_is_the_horizon() -> None:
    named = json.loads(run("analyze", ELMIRA, "-c", "nash", "-c", "L3", "--format", "json").stdout)
    flag = json.loads(run("analyze", ELMIRA, "-c", "nash", "--horizon", "3",
                          "--format", "json").stdout)
    assert named == flag and list(named["concepts"]) == ["nash", "L3"]
    both = run("analyze", ELMIRA, "-c", "L3", "--horizon", "2")
    assert both.exit_code == 2 and "give at most one limited-move horizon" in both.output
