"""The workbench's model page shows the packages and drafts sections from the case file
(tests/data/trade_packages.yaml, worked by hand in tests/analyses/test_packages.py and
tests/analyses/test_drafts.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from web_helpers import ROOT, client

TRADE = (ROOT / "tests" / "data" / "trade_packages.yaml").read_text(encoding="utf-8")


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.slow
def test_model_page_shows_packages_and_drafts(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        page = c.get("/models/1").text
    assert '<section id="packages">' in page and '<section id="drafts">' in page
    text = _text(page)
    assert "5 states every party likes at least as much, 3 of them Pareto-optimal" in text
    # the GMR row: 2 hold, 2 on the frontier, maximin YYY (state 8), Nash bargaining and KS
    # NNY (state 5); states read in words, the number second
    assert "GMR 2 2 a1; a2; b (state 8) b (state 5) b (state 5)" in text
    assert "a1; a2 (state 4) : no veto." in text  # YYN
    assert "a2; b (state 7) : vetoed by B." in text  # NYY


def test_no_sections_without_weights_or_drafts(tmp_path: Path) -> None:
    plain = (ROOT / "examples" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": plain})
        page = c.get("/models/1").text
    assert '<section id="packages">' not in page and '<section id="drafts">' not in page
