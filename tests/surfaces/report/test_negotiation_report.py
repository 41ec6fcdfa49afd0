"""The report's packages and drafts sections, on the hand-worked trade model
(tests/data/trade_packages.yaml; worked by hand in tests/analyses/test_packages.py and
tests/analyses/test_drafts.py), and the case file fields that feed them."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.analyses.casefile import build_case_file
from detente.surfaces.report import build_report, render_html, render_markdown
from detente.surfaces.report.charts import frontier_png

ROOT = Path(__file__).resolve().parents[3]
TRADE = ROOT / "tests" / "data" / "trade_packages.yaml"


def test_case_file_has_packages_and_drafts_only_when_declared() -> None:
    case = build_case_file(detente.load(TRADE), ["nash", "gmr"], with_graph=False)
    assert case.packages is not None and case.packages.acceptable == 5
    assert case.drafts is not None and [d.name for d in case.drafts.drafts] == ["first", "second"]
    data = case.to_dict()
    assert data["packages"]["maximin"]["gmr"]["state"] == "YYY"
    plain = build_case_file(
        detente.load(ROOT / "examples" / "elmira.yaml"), ["nash"], with_graph=False
    )
    assert plain.packages is None and plain.drafts is None


def test_markdown_sections() -> None:
    md = render_markdown(build_report(detente.load(TRADE), ["nash", "gmr"], with_graph=False), None)
    section = md[md.index("## Packages every party prefers") : md.index("## The drafts")]
    assert "**5** states every party likes at least as much, **3** of them Pareto-optimal" in (
        section
    )
    # states in words, their numbers second (YYY is state 8, NNY state 5)
    assert "| GMR | 2 | 2 | a1; a2; b (state 8) | b (state 5) | b (state 5) |" in section
    assert "| b (state 5) | yes | frontier | frontier | 0.80 | 0.17 |" in section
    drafts = md[md.index("## The drafts") :]
    assert (
        "- a1; a2 (state 4): no veto. Nash: breaks for A, no improvement holds; GMR: breaks "
        "for A, nearest improvement a1; a2; b (state 8) (1 change)."
    ) in drafts
    assert "- a2; b (state 7): vetoed by B." in drafts


@pytest.mark.slow
def test_html_sections_and_chart() -> None:
    html = render_html(build_report(detente.load(TRADE), ["gmr"], with_graph=False))
    assert '<h2 id="packages">Packages every party prefers</h2>' in html
    assert 'alt="Scatter chart: acceptable packages' in html
    assert '<h2 id="drafts">The drafts</h2>' in html
    assert frontier_png([0.1], [0.2], ["stable"], ["Y"], "t").startswith(b"\x89PNG")
