"""The workbench's model page opens with the brief, rendered from the case file's brief (the
same result the report and `detente brief` give)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import detente
from detente.analyses.casefile import build_case_file
from web_helpers import ROOT, client, open_page

MODEL = ROOT / "tests" / "data" / "brief_exchange.yaml"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_model_page_shows_the_brief_before_the_equilibria(tmp_path: Path) -> None:
    case = build_case_file(detente.load(MODEL), with_graph=False)
    assert case.brief is not None
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": MODEL.read_text(encoding="utf-8")})
        page = open_page(c, "/models/1")
    text = _text(page)
    assert page.index('id="brief"') < page.index('id="equilibria"')
    for p in case.brief.proposals:
        assert " ".join(p.summary[1].split()) in text  # the verdict sentence
        for line in p.summary[2:]:
            assert " ".join(line.split()) in text
    assert "captives released; B pays" in text
