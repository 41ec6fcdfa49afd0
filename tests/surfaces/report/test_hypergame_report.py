"""The report's misperception section (issue 19): the case file's ``hypergame`` field and the
``hypergame`` templates, on a hand-worked model and on the flagship with three perceptions.

The hand-worked model is tests/data/hypergame_sanction.yaml (A can attack, B can retaliate;
states attack-retaliate) with ``mediation: target: NN``. A ranks YN > NN > YY > NY; B truly
ranks NN > YN > NY > YY, but A believes B ranks NN > YY > YN > NY.

* Nash. A's view: from YN, B's retaliation (YY) is an improvement for B as A sees it, so YN
  is unstable and YY (where neither gains alone: A → NY is worse, B → YN worse in A's view)
  is what A expects. B's view is the truth: YN only. Hypergame: A stable at YY? A by its own
  ranks: YY → NY is worse, so yes; B at YY truly prefers YN: unstable. At YN A is stable (its
  best) and B is stable (truly prefers YN to YY). So YN happens; YY surprises A.
* SEQ. In A's view, A's attack from NN is sanctioned by B's credible retaliation (YN → YY is
  an improvement for B there, and YY is worse than NN for A), so NN is stable for A; in truth
  B has no improvement from NN, so NN is a hypergame equilibrium, with YN.
* Correcting A (it learns what B really wants) removes the sanction: under SEQ only YN is
  left, so the target NN is not reached; GMR and SMR keep NN and YN (their sanctions do not
  need credibility), Nash, SIM and SEQ&SIM keep YN: only SEQ changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.analyses.casefile import build_case_file
from detente.engine.registry import concept_label
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.surfaces.report import build_report, render_html, render_markdown
from detente.surfaces.report.hypergame import MAX_WORDS_STATES, hypergame_section
from hypergame_models import flagship_with_perceptions, with_perceptions
from strategies import conflicts

DATA = Path(__file__).resolve().parents[2] / "data"
SANCTION = DATA / "hypergame_sanction.yaml"


def sanction_with_target() -> detente.Conflict:
    text = SANCTION.read_text(encoding="utf-8") + "mediation:\n  target: NN\n"
    return loads(text, source="hypergame_sanction.yaml")


def test_case_file_files_the_hypergame_with_the_mediation_target() -> None:
    m = sanction_with_target()
    case = build_case_file(m, ["nash", "seq"], with_graph=False)
    expected = detente.hypergame(m, ["nash", "seq"], target="NN")
    assert case.hypergame is not None
    assert case.hypergame.to_dict() == expected.to_dict()
    assert case.to_dict()["hypergame"] == expected.to_dict()
    assert case.to_dict()["hypergame"]["parameters"] == {"target": "NN"}


def test_no_hypergame_without_misperceptions_and_one_with_blind_spots() -> None:
    pd = detente.load(DATA.parents[1] / "examples" / "prisoners_dilemma.yaml")
    case = build_case_file(pd, ["nash"], with_graph=False)
    assert case.hypergame is None and case.to_dict()["hypergame"] is None
    assert build_report(pd, ["nash"], with_graph=False).context["hypergame"] is None
    text = SANCTION.read_text(encoding="utf-8").split("perceptions:")[0]
    blind = loads(
        text.replace(
            "options: [{name: retaliate}]", "options: [{name: retaliate}]\n    blind_spots: [Y-]"
        )
    )
    case = build_case_file(blind, ["nash"], with_graph=False)
    assert case.hypergame is not None
    # no perceptions: what happens is the analysis of the one game, blind spots honoured
    analysed = detente.analyze(blind, ["nash"]).equilibrium_codes("nash")
    assert case.hypergame.equilibrium_codes("nash") == analysed
    md = render_markdown(build_report(blind, ["nash"], with_graph=False), None)
    assert "No party misreads another: every view is the game itself." in md
    assert "- **B**: attack" in md  # the blind spot Y- in words
    assert "There is no misperception to correct." in md


def test_markdown_hand_worked() -> None:
    md = render_markdown(build_report(sanction_with_target(), with_graph=False), None)
    section = md[md.index("## Misperception: what each party expects") :]
    section = section[: section.index("## All feasible states")]
    assert (
        "- **A** misreads what B wants — *A reads B's public threats as a commitment to retaliate.*"
    ) in section
    # states in words, numbers second (NN = 1, YN = 2, YY = 4); no Y/N string before the
    # appendix
    assert (
        "- **A** expects attack; retaliate (state 4) under Nash, SIM and SEQ&SIM; no option "
        "taken (state 1), attack (state 2) or attack; retaliate (state 4) under GMR; no option "
        "taken (state 1) or attack; retaliate (state 4) under SMR and SEQ."
    ) in section
    assert (
        "- **B** (sees the others as they are) expects attack (state 2) under Nash, SEQ, SIM and "
        "SEQ&SIM; no option taken (state 1) or attack (state 2) under GMR and SMR."
    ) in section
    assert (
        "- **What happens**: attack (state 2) under Nash, SIM and SEQ&SIM; no option taken "
        "(state 1) or attack (state 2) under GMR, SMR and SEQ."
    ) in section
    assert (
        "- attack; retaliate (state 4) is expected by A but is not a hypergame equilibrium under "
        "any concept analysed."
    ) in section
    assert (
        "The target “not attack; not retaliate” is not a hypergame equilibrium now under Nash, "
        "SIM, SEQ&SIM."
    ) in section
    assert not re.search(r"`[YN]+`", section)
    assert (
        "- Tell A what B really wants: the target is not reached; what happens changes under SEQ."
    ) in section
    rows = re.findall(r"^\| (tell .+?) \| (.+?) \| (.+?) \| (.) \|$", section, re.M)
    assert rows == [
        (
            "tell A what B really wants",
            "A reads B's public threats as a commitment to retaliate.",
            "Nash: attack (state 2); GMR: no option taken (state 1), attack (state 2); SMR: no "
            "option taken (state 1), attack (state 2); SEQ: attack (state 2) (changed from 2); "
            "SIM: attack (state 2); SEQ&SIM: attack (state 2)",
            "✗",
        )
    ]
    lists = dict(re.findall(r"^\| (Nash|SEQ) \| (.+?) \|", section, re.M))
    assert lists == {
        "Nash": "attack (state 2)",
        "SEQ": "no option taken (state 1), attack (state 2)",
    }
    assert (
        "| SEQ | no option taken (state 1), attack (state 2) | no option taken (state 1), attack; "
        "retaliate (state 4) | attack (state 2) |"
    ) in section


def test_html_hand_worked() -> None:
    html = render_html(build_report(sanction_with_target(), ["seq"], with_graph=False))
    assert '<h2 id="hypergame">Misperception: what each party expects</h2>' in html
    expects = html[html.index('<ul id="hypergame-expects">') :]
    expects = expects[: expects.index("</ul>")]
    assert (
        '<li><strong>A</strong> expects <span title="NN">no option taken (state 1)</span> or '
        '<span title="YY">attack; retaliate (state 4)</span> under SEQ.</li>'
    ) in expects
    assert (
        '<strong>What happens</strong>: <span title="NN">no option taken (state 1)</span>'
    ) in expects
    assert (
        '<p id="hypergame-target">The target “<span title="NN">not attack; not retaliate</span>” '
        "is a hypergame equilibrium under every concept now.</p>"
    ) in html
    table = html[html.index('<table class="plain small" id="corrections">') :]
    table = table[: table.index("</table>")]
    assert "<td>tell A what B really wants</td>" in table
    assert (
        'SEQ: <span title="YN">attack (state 2)</span> <span class="muted">(changed from 2)</span>'
    ) in table
    assert '<td class="no">✗</td>' in table


def test_section_groups_every_concept_once_per_party() -> None:
    m = sanction_with_target()
    r = detente.hypergame(m, target="NN")
    data = hypergame_section(r)
    labels = [g["labels"] for g in data["dms"][0]["expects"]]
    assert labels == ["Nash, SIM and SEQ&SIM", "GMR", "SMR and SEQ"]
    assert [dm["names"] for dm in data["dms"]] == [["A"], ["B"]]
    for dm in data["dms"]:
        for g in dm["expects"]:
            first = g["labels"].replace(" and ", ", ").split(", ")[0]
            key = {"Nash": "nash", "GMR": "gmr", "SMR": "smr", "SEQ": "seq"}[first]
            view = r.to_dict()["views"][dm["names"][0]][key]
            assert [s["state"] for s in g["states"]] == view[:MAX_WORDS_STATES]
            assert g["count"] == len(view)


@pytest.mark.slow
def test_flagship_with_three_perceptions() -> None:
    m = flagship_with_perceptions()
    data = build_report(m, ["nash", "seq"], with_graph=False)
    hg = data.context["hypergame"]
    r = detente.hypergame(m, ["nash", "seq"], target=m.mediation.target)
    d = r.to_dict()
    assert [f["advice"] for f in hg["corrections"]] == [f["advice"] for f in d["corrections"]]
    assert [f["reached"] for f in hg["corrections"]] == [False, False, False]
    pairs = {(s["state"], tuple(s["expected_by"])) for k in r.concepts for s in d["surprises"][k]}
    assert hg["surprises"]["count"] == len(pairs)
    # the corrected SEQ equilibria are counted as the analysis gives them
    for fix, row in zip(d["corrections"], hg["corrections"], strict=True):
        assert [a["count"] for a in row["after"]] == [len(fix["equilibria"][k]) for k in r.concepts]
    assert [dm["names"] for dm in hg["dms"]] == [
        ["Israel"],
        ["Hamas"],
        ["United_States", "Qatar_Egypt", "Iran"],
    ]
    md = render_markdown(data, None)
    assert (
        "- **United_States**, **Qatar_Egypt** and **Iran** (see the others as they are) "
        "expect Israel holds to new demands; Israeli offensive goes on; US forces deployed; Iran "
        "strikes (state 805)" in md  # NYYNNNNNYNY in words
    )
    assert "- **Hamas** does not know that us_guarantee (United_States's option) exists" in md
    assert "- Tell Hamas that United_States can us_guarantee: the target is not reached" in md
    html = render_html(data)
    assert html.count("<td>tell ") == 3


def test_docs_quote_the_report() -> None:
    """docs/hypergames.md quotes the report of the hand-worked model: every quoted bullet is
    a line of the rendered Markdown (re-wrapped)."""
    doc = (DATA.parents[1] / "docs" / "hypergames.md").read_text(encoding="utf-8")
    block = doc.split("the report says:\n\n```\n")[1].split("```")[0]
    bullets = [" ".join(b.split()) for b in re.split(r"^- ", block, flags=re.M) if b.strip()]
    bullets = [b for b in bullets if b != "..."]
    bullets = [b.removesuffix(" ...") for b in bullets]
    assert len(bullets) == 3
    md = render_markdown(build_report(sanction_with_target(), with_graph=False), None)
    lines = {line.removeprefix("- ") for line in md.splitlines()}
    for b in bullets:
        assert b in lines, b


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(conflicts(max_dms=3, max_options=5), st.data())
def test_section_says_what_the_result_says(c: Conflict, data: st.DataObject) -> None:
    """On random conflicts with random perceptions: each party (group) names every concept
    exactly once, with the count of its view's equilibria; what happens likewise; the
    surprises are the result's (state, who) pairs; a correction is marked as changing a
    concept exactly when its hypergame equilibria differ from the uncorrected ones."""
    m = with_perceptions(c, data)
    r = detente.hypergame(m)
    d = r.to_dict()
    hg = hypergame_section(r)
    label_key = {concept_label(k): k for k in r.concepts}

    def split(labels: str) -> list[str]:
        return [label_key[x] for x in labels.replace(" and ", ", ").split(", ")]

    seen = [n for dm in hg["dms"] for n in dm["names"]]
    assert sorted(seen) == sorted(m.dm_names)
    for dm in hg["dms"]:
        keys = [k for g in dm["expects"] for k in split(g["labels"])]
        assert sorted(keys) == sorted(r.concepts)
        for g in dm["expects"]:
            for k in split(g["labels"]):
                for name in dm["names"]:
                    assert g["count"] == len(d["views"][name][k])
                    shown = [s["state"] for s in g["states"]]
                    assert shown == d["views"][name][k][: len(shown)]
    for g in hg["happens"]:
        for k in split(g["labels"]):
            assert g["count"] == len(d["equilibria"][k])
    pairs = {(s["state"], tuple(s["expected_by"])) for k in r.concepts for s in d["surprises"][k]}
    assert hg["surprises"]["count"] == len(pairs)
    for fix, row in zip(d["corrections"], hg["corrections"], strict=True):
        changed = [
            concept_label(k) for k in r.concepts if fix["equilibria"][k] != d["equilibria"][k]
        ]
        assert row["changes"] == changed and row["advice"] == fix["advice"]
