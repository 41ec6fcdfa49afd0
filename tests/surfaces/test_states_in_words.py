"""States in words wherever people read them (issue 21 item 2): outside the appendix, the
flagship's report and workbench page show what is true in a state, never a bare Y/N string, and
an explanation says once what holds under every concept."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import detente
from detente.analyses.state_view import number_view, pattern_view, state_view
from detente.surfaces.report.build import build_report
from detente.surfaces.report.render import render_markdown
from web_helpers import ROOT, client, open_page

FLAGSHIP = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"
#: A bare Y/N state of the flagship's 11 options.
BARE_STATE = re.compile(r"(?<![A-Za-z])[YN]{11}(?![A-Za-z])")


def _read(page: str) -> str:
    """What the page says about the model's analysis: its text without the model's own
    source (the YAML editor) and the note on what a .gmcr export leaves out."""
    page = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)
    page = re.sub(r'<details class="note" id="gmcr-lost">.*?</details>', "", page, flags=re.S)
    return _text(page)


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_state_view_reads_words_first_and_the_number_second() -> None:
    c = detente.load(FLAGSHIP)
    assert c.status_quo is not None
    v = state_view(c, c.status_quo)
    assert v["words"] == c.space.words(c.status_quo)
    assert v["text"] == f"{v['words']} (state {c.state_number(c.status_quo)})"
    assert v["state"] == c.state_string(c.status_quo) and BARE_STATE.fullmatch(v["state"])
    pd = detente.load(ROOT / "examples" / "prisoners_dilemma.yaml")
    # hand-worked: state 4 (YY) has both defecting; state 1 (NN) has no option taken
    assert number_view(pd, 4)["text"] == "a_defects; b_defects (state 4)"
    assert number_view(pd, 1)["text"] == "no option taken (state 1)"


@pytest.mark.slow
def test_flagship_report_has_no_bare_state_outside_the_appendix() -> None:
    md = render_markdown(build_report(detente.load(FLAGSHIP), with_graph=False), None)
    body, appendix = md.split("## Appendix", 1)
    assert BARE_STATE.findall(body) == []
    assert "| **Y** |" in appendix  # the appendix keeps its Y/N tables
    c = detente.load(FLAGSHIP)
    assert c.status_quo is not None
    assert state_view(c, c.status_quo)["text"] in body


@pytest.mark.slow
def test_workbench_page_and_explanation_read_states_in_words(tmp_path: Path) -> None:
    c = detente.load(FLAGSHIP)
    assert c.status_quo is not None
    with client(tmp_path) as web:
        web.post("/api/models", json={"yaml": FLAGSHIP.read_text(encoding="utf-8")})
        page = _read(open_page(web, "/models/1"))
        assert BARE_STATE.findall(page) == []
        assert c.space.words(c.status_quo) in page
        # state 805: every party's position is stable under every concept
        number = 805
        ex = _text(web.get(f"/models/1/explain/{number}").text)
    assert number_view(c, number)["text"].split(" (state")[0] in ex
    for name in c.dm_names:
        sentence = f"{name} has no unilateral improvement from state {number}."
        assert ex.count(sentence) <= 1
    assert ex.count("every concept (Nash, GMR, SMR, SEQ, SIM, SEQ&SIM)") >= 1
    assert BARE_STATE.findall(ex.split("Options in order")[0]) == []


TRADE = ROOT / "tests" / "data" / "trade_packages.yaml"
#: A bare Y/N state of the trade model's 3 options.
BARE_TRADE = re.compile(r"(?<![A-Za-z/])[YN]{3}(?![A-Za-z/])")


def test_pattern_view_reads_fixed_options_and_any_for_the_rest() -> None:
    c = detente.load(TRADE)
    # hand-worked: "--Y" fixes b taken (4 states: a1, a2 free); "YNN" fixes all three
    assert pattern_view(c, "--Y") == {"words": "b; a1, a2: any", "matching": 4,
                                      "pattern": "--Y"}
    assert pattern_view(c, "YNN")["words"] == "a1; not a2; not b"
    assert pattern_view(c, "---")["words"] == "any state"
    # a target given as a state number (the model file allows it) reads as that state
    code = int(c.space.parse(2))
    assert pattern_view(c, "2") == {"words": state_view(c, code)["words"], "matching": 1,
                                    "pattern": c.space.text(code)}


def test_trade_report_reads_packages_and_drafts_in_words() -> None:
    c = detente.load(TRADE)
    md = render_markdown(build_report(c, with_graph=False), None)
    body, appendix = md.split("## Appendix", 1)
    assert BARE_TRADE.findall(body) == []
    assert "## Packages every party prefers" in body and "## The drafts" in body
    # the draft "second" (--Y) in words, and the package a1; a2; b (YYY, state 8)
    assert "b; a1, a2: any" in body and "a1; a2; b (state 8)" in body
    assert "| **Y** |" in appendix  # the appendix keeps its Y/N tables


@pytest.mark.slow
def test_trade_workbench_reads_packages_and_drafts_in_words(tmp_path: Path) -> None:
    with client(tmp_path) as web:
        web.post("/api/models", json={"yaml": TRADE.read_text(encoding="utf-8")})
        raw = open_page(web, "/models/1")
    page = _text(re.sub(r"<textarea.*?</textarea>", "", raw, flags=re.S))
    assert 'id="packages-list"' in raw and 'id="drafts-list"' in raw
    assert BARE_TRADE.findall(page) == []
    assert "the status quo: no option taken (state 1)" in page  # the .gmcr note
    assert "b; a1, a2: any" in page and "a1; a2; b (state 8)" in page
