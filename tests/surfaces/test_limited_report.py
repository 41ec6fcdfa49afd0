"""Limited move L_h in the report: its stability tables carry L<h> with the registry's label
and help, for any number of DMs; the other sections keep the standard concepts
(docs/concepts-extended.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import run
from detente.analyses.casefile import classic_keys
from detente.engine.registry import get_concept, parse_concepts

ELMIRA = Path(__file__).resolve().parents[2] / "examples" / "elmira.yaml"


def test_the_other_sections_take_the_standard_concepts() -> None:
    assert classic_keys(("nash", "gmr", "L2")) == ("nash", "gmr")
    assert classic_keys(("L7",)) == parse_concepts(None)


@pytest.mark.slow
def test_the_report_shows_l_h_for_three_dms(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert run("report", ELMIRA, "-c", "nash", "-c", "L2", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    analyze = run("analyze", ELMIRA, "--horizon", "2", "-c", "nash").stdout
    states = analyze.split("L2:", 1)[1].split("states", 1)[1].split("\n", 1)[0].strip()
    assert f"- **L2** equilibria: {states}" in text  # the same equilibria as analyze
    assert f"- **L2**: states {states} — {get_concept('L2').help}" in text
    assert "| Nash | L2 |" in text
