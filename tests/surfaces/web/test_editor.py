"""The structured editor's routes (surfaces/web/editor.py) through the app: each form is one
edit saved as a version, an invalid edit comes back with the loader's message at its field
and saves nothing, undo/redo over versions, the CSRF guard, and the new-model wizard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from detente.formats.native import loads
from web_helpers import FLAGSHIP, client

PD_STATEMENTS = """\
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


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _latest(c: object, mid: int) -> dict[str, object]:
    data: dict[str, object] = c.get(f"/api/models/{mid}").json()  # type: ignore[attr-defined]
    return data


@pytest.mark.slow
def test_each_form_is_an_edit_saved_as_a_version(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": PD_STATEMENTS}).json()["id"]
        page = c.get(f"/models/{mid}/editor")
        assert page.status_code == 200
        tok = _token(page.text)
        # A ranks YN highest, then NN, then YY (not b first, then a)
        top = re.search(r'id="top-0".*?</div>', page.text, re.S)
        assert top is not None and re.findall(r"<code>(\w+)</code>", top.group(0)) == [
            "YN",
            "NN",
            "YY",
        ]
        r = c.post(
            f"/models/{mid}/editor/st-move",
            data={
                "csrf_token": tok,
                "version": "1",
                "dm": "A",
                "index": "1",
                "position": "0",
                "anchor": "st-0-0",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == f"/models/{mid}/editor#st-0-0"
        latest = _latest(c, mid)
        assert latest["version"] == 2
        assert "[a_defects, not b_defects]}  # A's priorities" in str(latest["yaml"])
        top = re.search(r'id="top-0".*?</div>', c.get(f"/models/{mid}/editor").text, re.S)
        assert top is not None and re.findall(r"<code>(\w+)</code>", top.group(0)) == [
            "YN",
            "YY",
            "NN",
        ]  # a first, then not b
        # a statement from the pickers: not a_defects and b_defects
        r = c.post(
            f"/models/{mid}/editor/st-add",
            data={
                "csrf_token": tok,
                "version": "2",
                "dm": "B",
                "not1": "1",
                "opt1": "a_defects",
                "op": "and",
                "opt2": "b_defects",
                "statement": "",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        model = loads(str(_latest(c, mid)["yaml"]))
        assert [s.text for s in model.dms[1].preference.statements] == [  # type: ignore[union-attr]
            "not a_defects",
            "b_defects",
            "not a_defects and b_defects",
        ]
        # the status quo, option by option
        c.post(
            f"/models/{mid}/editor/sq",
            data={"csrf_token": tok, "version": "3", "sq-a_defects": "Y", "sq-b_defects": "N"},
        )
        assert "status_quo: YN" in str(_latest(c, mid)["yaml"])


def test_invalid_edit_is_shown_at_its_field_and_not_saved(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": PD_STATEMENTS}).json()["id"]
        tok = _token(c.get(f"/models/{mid}/editor").text)
        r = c.post(
            f"/models/{mid}/editor/st-set",
            data={
                "csrf_token": tok,
                "version": "1",
                "dm": "B",
                "index": "1",
                "statement": "b_defects and",
            },
        )
        assert r.status_code == 422
        err = re.search(r'<li class="statement" id="st-1-1".*?</li>', r.text, re.S)
        assert err is not None  # the message sits in B's second statement's row
        assert 'class="field-error"' in err.group(0) and "malformed statement" in err.group(0)
        assert 'value="b_defects and"' in err.group(0)  # the text kept where it was typed
        assert _latest(c, mid)["version"] == 1  # nothing saved
        r = c.post(
            f"/models/{mid}/editor/sq",
            data={"csrf_token": tok, "version": "1", "sq-a_defects": "Y"},
        )
        assert r.status_code == 422
        sq = re.search(r'<section id="status-quo">.*?</section>', r.text, re.S)
        assert sq is not None and "missing: b_defects" in sq.group(0)
        r = c.post(
            f"/models/{mid}/editor/option-rename",
            data={"csrf_token": tok, "version": "1", "option": "a_defects", "name": "b_defects"},
        )
        assert r.status_code == 422 and _latest(c, mid)["version"] == 1
        opt = re.search(r'<li id="opt-b_defects">.*?</li>', r.text, re.S)
        assert opt is not None and "field-error" in r.text


@pytest.mark.slow
def test_rename_option_everywhere_and_yaml_edits_show_in_forms(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": FLAGSHIP}).json()["id"]
        tok = _token(c.get(f"/models/{mid}/editor").text)
        c.post(
            f"/models/{mid}/editor/option-rename",
            data={
                "csrf_token": tok,
                "version": "1",
                "option": "ham_accept",
                "name": "hamas_accepts",
            },
        )
        text = str(_latest(c, mid)["yaml"])
        before, after = loads(FLAGSHIP), loads(text)
        assert after.ranks.tolist() == before.ranks.tolist()
        assert "hamas_accepts" in after.option_names
        # a YAML save shows in the forms
        c.put(
            f"/api/models/{mid}",
            json={
                "yaml": text.replace(
                    "name: Gaza cease-fire talks, August 2024", "name: Renamed in YAML"
                ),
                "version": 2,
            },
        )
        page = c.get(f"/models/{mid}/editor").text
        assert 'value="Renamed in YAML"' in page and 'value="hamas_accepts"' in page


@pytest.mark.slow
def test_undo_redo_over_versions(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": PD_STATEMENTS}).json()["id"]
        tok = _token(c.get(f"/models/{mid}/editor").text)
        c.post(
            f"/models/{mid}/editor/dm-rename",
            data={"csrf_token": tok, "version": "1", "dm": "A", "name": "Alice"},
        )
        c.post(
            f"/models/{mid}/editor/dm-rename",
            data={"csrf_token": tok, "version": "2", "dm": "B", "name": "Bob"},
        )
        assert loads(str(_latest(c, mid)["yaml"])).dm_names == ("Alice", "Bob")
        c.post(f"/models/{mid}/editor/undo", data={"csrf_token": tok})
        assert loads(str(_latest(c, mid)["yaml"])).dm_names == ("Alice", "B")
        c.post(f"/models/{mid}/editor/undo", data={"csrf_token": tok})
        latest = _latest(c, mid)
        assert latest["yaml"] == PD_STATEMENTS and latest["version"] == 5  # nothing deleted
        c.post(f"/models/{mid}/editor/redo", data={"csrf_token": tok})
        assert loads(str(_latest(c, mid)["yaml"])).dm_names == ("Alice", "B")
        c.post(f"/models/{mid}/editor/redo", data={"csrf_token": tok})
        assert loads(str(_latest(c, mid)["yaml"])).dm_names == ("Alice", "Bob")
        page = c.get(f"/models/{mid}/editor").text
        assert re.search(r'id="redo" disabled', page)


def test_edits_need_the_csrf_token_and_a_current_version(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        mid = c.post("/api/models", json={"yaml": PD_STATEMENTS}).json()["id"]
        r = c.post(f"/models/{mid}/editor/dm-rename", data={"version": "1", "dm": "A", "name": "X"})
        assert r.status_code == 403 and _latest(c, mid)["version"] == 1
        tok = _token(c.get(f"/models/{mid}/editor").text)
        c.post(
            f"/models/{mid}/editor/dm-rename",
            data={"csrf_token": tok, "version": "1", "dm": "A", "name": "X"},
        )
        r = c.post(
            f"/models/{mid}/editor/dm-rename",
            data={"csrf_token": tok, "version": "1", "dm": "B", "name": "Y"},
        )
        assert r.status_code == 409 and "was saved while you edited" in r.text
        assert _latest(c, mid)["version"] == 2
        assert (
            c.post(
                f"/models/{mid}/editor/nonsense", data={"csrf_token": tok, "version": "2"}
            ).status_code
            == 404
        )


def test_wizard_builds_the_prisoners_dilemma(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        tok = _token(c.get("/wizard").text)
        form = {"csrf_token": tok, "step": "0", "name": "PD", "parties": "A\nB"}
        r = c.post("/wizard", data=form)
        assert r.status_code == 200 and 'id="wizard-options-1"' in r.text
        form.update({"step": "1", "options-0": "a_defects", "options-1": "b defects"})
        r = c.post("/wizard", data=form)
        assert r.status_code == 422 and "wizard-error" in r.text  # not a name: located
        assert "decision_makers[1].options[0].name" in r.text
        form.update({"options-1": "b_defects"})
        assert "wizard-cares-1-0" in c.post("/wizard", data=form).text
        form.update(
            {
                "step": "2",
                "cares-0-0": "not b_defects",
                "cares-0-1": "a_defects",
                "cares-1-0": "not a_defects",
                "cares-1-1": "b_defects",
            }
        )
        assert "wizard-sq-b_defects" in c.post("/wizard", data=form).text
        form.update({"step": "3", "sq-a_defects": "N", "sq-b_defects": "N"})
        r = c.post("/wizard", data=form, follow_redirects=False)
        assert r.status_code == 303
        mid = int(r.headers["location"].rsplit("/", 1)[1])
        model = loads(str(_latest(c, mid)["yaml"]))
        nash = detente.analyze(model, ["nash"]).equilibria_numbers("nash")
        assert [model.state_string(int(model.feasible[n - 1])) for n in nash] == ["YY"]
