"""The structured editor's forms for the later sections (surfaces/web/editor.py): deal
tranches and phases, guarantors, the mediation target, concepts and commitments, perceptions,
drafts, alternative readings, unknown-order groups, weights, options with levels in the
pattern builder. Each valid post saves a new version holding the edit; each invalid one comes
back 422 with the message in the form's own section and saves nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detente.formats.native import loads
from web_helpers import client

PLAIN = """\
name: PD
decision_makers:
  - name: A
    options: [{name: a_defects}]
    preferences: {statements: [not b_defects, a_defects]}  # A's priorities
  - name: B
    options: [{name: b_defects}]
    preferences: {statements: [not a_defects, b_defects]}
status_quo: NN
"""
LEVELS = """\
name: PD with aid
decision_makers:
  - name: A
    options: [{name: a_defects}]
    preferences: {statements: [not b_defects, a_defects]}  # A's priorities
  - name: B
    options: [{name: b_defects}, {name: aid, levels: [none, some, full]}]
    preferences: {statements: [not a_defects, b_defects]}
status_quo: {a_defects: N, b_defects: N, aid: none}
"""

# (model, operation, valid form, text the new version holds, invalid form, the section the
# message shows in, a part of the message)
CASES = [
    (
        LEVELS,
        "tranche-add",
        {"name": "truce", "v-aid": "some", "v-a_defects": "-", "after": ""},
        "tranches:\n    - name: truce\n      set: {aid: some}",
        {"name": "truce", "v-a_defects": "N"},
        "deal",
        "only sets options to their status-quo values",
    ),
    (
        LEVELS,
        "phase-add",
        {"name": "one", "v-b_defects": "Y", "rationale": "first"},
        "phases:\n    - name: one\n      rationale: first\n      set: {b_defects: Y}",
        {"name": "one", "v-zz": "Y"},
        "deal",
        "no option &#39;zz&#39;",
    ),
    (
        PLAIN,
        "target",
        {"t-a_defects": "N", "t-b_defects": "-"},
        "mediation:\n  target: N-",
        {"t-a_defects": "Q", "t-b_defects": "N"},
        "mediation",
        "target",
    ),
    (
        PLAIN,
        "concepts",
        {"concepts": "nash, gmr"},
        "concepts: [nash, gmr]",
        {"concepts": "nash, bogus"},
        "mediation",
        "bogus",
    ),
    (
        PLAIN,
        "commitment-add",
        {"option": "a_defects", "make": "fwd", "rationale": "a pledge"},
        "commitments:\n    - option: a_defects\n      make: fwd\n      rationale: a pledge",
        {"option": "a_defects", "make": "sideways"},
        "mediation",
        "expected fwd or back",
    ),
    (
        PLAIN,
        "perception-add",
        {"perceiver": "A", "about": "B", "statements": "b_defects\nnot a_defects"},
        "perceptions:\n  - perceiver: A\n    about: B\n"
        "    preferences: {statements: [b_defects, not a_defects]}",
        {"perceiver": "A", "about": "B", "statements": "b_defects and"},
        "perceptions",
        "malformed statement",
    ),
    (
        PLAIN,
        "perception-add",
        {"perceiver": "A", "about": "", "u-b_defects": "Y"},
        "  - perceiver: A\n    unaware_of: [b_defects]",
        {"perceiver": "A", "about": ""},
        "perceptions",
        "unaware_of",
    ),
    (
        LEVELS,
        "draft-add",
        {"name": "d1", "v-a_defects": "N", "v-b_defects": "Y", "v-aid": "full"},
        "drafts:\n  - name: d1\n    state: {a_defects: N, b_defects: Y, aid: full}",
        {"name": "d1", "v-a_defects": "-", "v-b_defects": "Y", "v-aid": "full"},
        "drafts",
        "levels",
    ),
    (
        PLAIN,
        "alt-add",
        {"dm": "A", "name": "hawk", "probability": "0.3", "statements": "a_defects"},
        "alternatives:\n      - name: hawk\n        probability: 0.3",
        {"dm": "A", "name": "hawk", "probability": "1.5", "statements": "a_defects"},
        "alternatives-0",
        "probability",
    ),
    (
        LEVELS,
        "weights",
        {"dm": "A", "w-a_defects": "2", "w-b_defects": "", "w-aid|full": "3.5"},
        "weights:\n      a_defects: 2\n      aid: {full: 3.5}",
        {"dm": "A", "w-a_defects": "lots"},
        "weights-0",
        "expected a number",
    ),
    (
        LEVELS,
        "inf-add",
        {"kind": "pattern", "v-a_defects": "Y", "v-b_defects": "-", "v-aid": "full"},
        "infeasible:\n  - pattern: {a_defects: Y, aid: full}",
        {"kind": "pattern", "v-a_defects": "Y", "v-aid": "lots"},
        "infeasible",
        "lots",
    ),
    (
        LEVELS,
        "option-add",
        {"dm": "A", "name": "pace", "levels": "slow, fast"},
        "{name: pace, levels: [slow, fast]}",
        {"dm": "A", "name": "pace", "levels": "slow, slow"},
        "dm-0",
        "slow",
    ),
]
AT = {  # the field each form says it edits (its fallback place)
    "tranche-add": "deal.tranches",
    "phase-add": "deal.phases",
    "target": "mediation.target",
    "concepts": "mediation.concepts",
    "commitment-add": "mediation.commitments",
    "perception-add": "perceptions",
    "draft-add": "drafts",
    "alt-add": "decision_makers[0].alternatives",
    "weights": "decision_makers[0].weights",
    "inf-add": "infeasible",
    "option-add": "decision_makers[0]",
}


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _section(html: str, ident: str) -> str:
    tag = "details" if ident.startswith(("alternatives-", "weights-")) else "section"
    found = re.search(rf'<{tag}[^>]* id="{ident}".*?</{tag}>', html, re.S)
    assert found is not None, ident
    return found.group(0)


@pytest.mark.parametrize(("model", "op", "good", "expected", "bad", "where", "message"), CASES)
def test_form_saves_a_version_or_says_why_at_its_field(
    tmp_path: Path,
    model: str,
    op: str,
    good: dict[str, str],
    expected: str,
    bad: dict[str, str],
    where: str,
    message: str,
) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": model}).json()["id"]
        tok = _token(c.get(f"/models/{mid}/editor").text)
        base = {"csrf_token": tok, "version": "1", "at": AT[op]}
        r = c.post(f"/models/{mid}/editor/{op}", data={**base, **bad})
        assert r.status_code == 422, r.text[-500:]
        section = _section(r.text, where)
        assert 'class="field-error"' in section and message in section
        assert c.get(f"/api/models/{mid}").json()["version"] == 1  # nothing saved
        r = c.post(f"/models/{mid}/editor/{op}", data={**base, **good}, follow_redirects=False)
        assert r.status_code == 303
        latest = c.get(f"/api/models/{mid}").json()
        assert latest["version"] == 2 and expected in latest["yaml"]
        assert "# A's priorities" in latest["yaml"]  # comments kept
        loads(latest["yaml"])  # a valid model
        page = c.get(f"/models/{mid}/editor").text  # the forms show the edit
        assert good.get("name", "") in page


@pytest.mark.slow
def test_deal_guarantors_and_removals_then_groups(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": PLAIN}).json()["id"]
        tok = _token(c.get(f"/models/{mid}/editor").text)

        def post(op: str, version: int, **data: str) -> int:
            form = {"csrf_token": tok, "version": str(version), **data}
            r = c.post(f"/models/{mid}/editor/{op}", data=form, follow_redirects=False)
            return r.status_code

        assert post("guarantors", 1, **{"g-b_defects": "Y"}) == 422  # no deal yet
        assert post("tranche-add", 1, name="t1", **{"v-a_defects": "Y"}) == 303
        assert post("tranche-add", 2, name="t2", after="t1", **{"v-b_defects": "Y"}) == 303
        assert post("guarantors", 3, **{"g-b_defects": "Y"}) == 303
        c3 = loads(c.get(f"/api/models/{mid}").json()["yaml"])
        assert c3.deal is not None and [t.name for t in c3.deal.tranches] == ["t1", "t2"]
        assert c3.deal.guarantors == ("b_defects",)
        page = c.get(f"/models/{mid}/editor").text
        deal = _section(page, "deal")
        assert "t1" in deal and "after t1" in deal and "checked" in deal
        assert "phases-form" not in deal  # a deal of tranches offers only tranches
        assert post("deal-remove", 4, index="1") == 303
        assert post("deal-remove", 5, index="0") == 303
        assert "deal:" not in c.get(f"/api/models/{mid}").json()["yaml"]
        assert post("st-group", 6, dm="A", index="0") == 303
        assert loads(c.get(f"/api/models/{mid}").json()["yaml"]).dms[0].readings[0].groups
        assert "Known order" in c.get(f"/models/{mid}/editor").text
        assert post("st-ungroup", 7, dm="A", index="0") == 303
        text = c.get(f"/api/models/{mid}").json()["yaml"]
        assert "{statements: [not b_defects, a_defects]}" in text and "# A's priorities" in text


def test_wizard_levels_and_errors_beside_the_input(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        tok = _token(c.get("/wizard").text)
        form = {
            "csrf_token": tok,
            "name": "Aid talks",
            "parties": "Donor\nGov",
            "options-0": "aid: none, some, full",
            "options-1": "reform",
            "cares-0-0": "reform",
            "cares-1-0": "",
            "cares-1-1": "aid is full",
            "cares-1-2": "reform and",
        }
        r = c.post("/wizard", data={**form, "step": "2"})
        assert r.status_code == 422
        # the message sits under Gov's third row (the second statement written)
        beside = re.search(
            r'id="wizard-cares-1-2".*?</label>(<p class="field-error".*?</p>)', r.text, re.S
        )
        assert beside is not None and "malformed statement" in beside.group(1)
        assert 'id="wizard-error-cares-1-2"' in r.text
        assert '<option value="aid is some">' in r.text  # levels offered as pickers
        form["cares-1-2"] = "not reform"
        r = c.post("/wizard", data={**form, "step": "2"})
        assert r.status_code == 200 and 'id="wizard-sq-aid"' in r.text
        assert "<option >some</option>" in r.text  # the status quo picked by level
        r = c.post(
            "/wizard",
            data={**form, "step": "3", "sq-aid": "some", "sq-reform": "N"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        mid = int(r.headers["location"].rsplit("/", 1)[1])
        m = loads(c.get(f"/api/models/{mid}").json()["yaml"])
        assert [lv.levels for lv in m.levels] == [("none", "some", "full")]
        assert m.status_quo is not None
        r = c.post("/wizard", data={**form, "step": "1", "options-1": "re form"})
        assert r.status_code == 422 and 'id="wizard-error-options-1"' in r.text
