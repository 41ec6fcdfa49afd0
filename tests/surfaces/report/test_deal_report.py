"""The report's deal section: the tranche design's ranked orders (the case file's
``deal_design``) and the commitment devices tried as repairs (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import detente
from detente.analyses.casefile import DESIGN_ORDERS, build_case_file
from detente.formats.native import loads
from detente.surfaces.report import build_report, render_html, render_markdown

DATA = Path(__file__).resolve().parents[2] / "data"
COLLATERAL = DATA / "collateral_deal.yaml"
GUARANTEE = DATA / "guarantee_commitment_deal.yaml"


def free_collateral() -> detente.Conflict:
    """The collateral deal without its `after:` lists: its 3 tranches in any of 6 orders."""
    text = COLLATERAL.read_text(encoding="utf-8")
    return loads("".join(line for line in text.splitlines(keepends=True) if "after:" not in line))


def test_case_file_files_the_design_of_a_deal_with_tranches() -> None:
    c = free_collateral()
    case = build_case_file(c, ["nash", "seq"], with_graph=False)
    assert case.deal_design is not None
    expected = detente.deal_design(c, ["nash", "seq"], limit=DESIGN_ORDERS)
    assert case.deal_design.to_dict() == expected.to_dict()
    assert case.to_dict()["deal_design"] == expected.to_dict()
    assert (case.deal_design.tried, case.deal_design.ranked) == (6, 6)


def test_no_design_without_tranches() -> None:
    case = build_case_file(detente.load(GUARANTEE), ["nash"], with_graph=False)
    assert case.deal is not None and case.deal_design is None
    assert case.to_dict()["deal_design"] is None


def test_report_ranks_the_orders_in_a_table() -> None:
    c = free_collateral()
    data = build_report(c, ["nash", "seq"], with_graph=False)
    design = detente.deal_design(c, ["nash", "seq"], limit=0)
    md = render_markdown(data, None)
    assert "### Tranche design: the best orders" in md
    assert (
        "can go in 6 orders that their `after` lists allow; 0 pass through an infeasible "
        "state or against irreversibility (skipped), 6 are ranked"
    ) in md
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \| (\d+) \|$", md, re.M)
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r[1] for r in rows] == [" → ".join(d.order) for d in design.designs]
    # the collateral order first; holding back nothing unravels at step 1
    assert rows[0] == ("1", "first → release → second", "✓", "✓", "✓", "0")
    assert rows[2] == ("3", "first → second → release", "✗ (unravels at step 1)", "✓", "✓", "0")
    assert rows[1][3] == "✗ (no guarantee helps)"
    assert [int(r[5]) for r in rows] == [d.exposures for d in design.designs]
    html = render_html(data)
    assert '<table class="plain small" id="design">' in html
    assert html.count("<td>first → release → second</td>") == 1
    assert "(unravels at step 3)" in html


def test_report_deal_section_lists_the_commitment_repairs() -> None:
    data = build_report(detente.load(GUARANTEE), ["nash", "seq"], with_graph=False)
    md = render_markdown(data, None)
    assert "Commitment devices (declared options made one-way), tried as repairs" in md
    line = (
        "Nash (breaks at 'guarantee' as written): every phase holds with g made fwd "
        "(N→Y only) (completes with foresight)."
    )
    assert f"- {line}" in md
    assert f"<li>{line.replace(chr(39), '&#39;')}</li>" in render_html(data)
    assert "Tranche design" not in md
