"""The what-if panel without a browser: its toggles cover every element ``elements(model)``
lists, the form's fields read as the scenario they show (hand-worked, and a round trip over
any form), a toggle changes the verdict (the pledge, hand-worked in
tests/data/whatif_pledge.yaml), named scenarios in SQLite (guarded forms, a new store on the
same file), the comparison and the flip chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import detente
from detente.analyses.whatif import elements, whatif
from detente.model.errors import ArgumentError
from detente.surfaces.web.store import MAX_SCENARIOS, Store, TooManyScenarios
from detente.surfaces.web.whatif_view import (
    BAR_WIDTH,
    compare,
    flip_chart,
    form_to_scenario,
    panel,
    scenario_name,
    scenario_to_form,
)
from web_helpers import ROOT, client

PLEDGE = ROOT / "tests" / "data" / "whatif_pledge.yaml"
EL = elements(detente.load(PLEDGE))
FLAGSHIP_EL = elements(detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"))


def _verdicts(html: str) -> str:
    found = re.search(r'data-verdicts="([^"]*)"', html)
    assert found is not None, html[:2000]
    return found.group(1)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_panel_has_a_toggle_for_every_element() -> None:
    """The pledge: A's maybe-statement, B's reading and group, both options (no guarantor,
    no commitment); the flagship: Hamas's and Iran's readings, Israel's group, the three
    guarantors and the eight other options."""
    fields = {t.field: t for g in panel(EL) for t in g.toggles}
    assert sorted(fields) == ["g1_0", "o0", "o1", "r1", "s0_0"]
    assert [v for v, _ in fields["r1"].choices] == ["", "main", "defector"]
    assert [v for v, _ in fields["g1_0"].choices] == ["", "0", "1"]
    groups = {g.title: [t.label for t in g.toggles] for g in panel(FLAGSHIP_EL)}
    assert groups["Guarantors"] == ["us_press_israel", "us_guarantee", "qe_press_hamas"]
    assert len(groups["Other options"]) == 8
    assert groups["Hamas"] == ["reading"] and groups["Israel"] == [
        "order of isr_new_demands, release_hostages"
    ]


def test_form_to_scenario_by_hand() -> None:
    assert form_to_scenario(EL, {}) == {}
    assert form_to_scenario(EL, {"r1": "defector"}) == {"alternatives": {"B": "defector"}}
    # B's group belongs to its main reading: ignored once B holds "defector"
    assert form_to_scenario(EL, {"r1": "defector", "g1_0": "1"}) == {
        "alternatives": {"B": "defector"}
    }
    assert form_to_scenario(EL, {"g1_0": "1", "o0": "Y"}) == {
        "orders": {"B": [["not b", "b if a"]]},
        "settings": {"a": "Y"},
    }
    with pytest.raises(ArgumentError) as err:
        form_to_scenario(EL, {"o1": "maybe"})
    assert err.value.parameter == "o1"


FORMS = st.fixed_dictionaries(
    {},
    optional={
        "s0_0": st.sampled_from(["", "hold", "drop"]),
        "r1": st.sampled_from(["", "main", "defector"]),
        "g1_0": st.sampled_from(["", "0", "1"]),
        "o0": st.sampled_from(["", "N", "Y"]),
        "o1": st.sampled_from(["", "N", "Y"]),
    },
)


@given(FORMS)
def test_a_scenario_shown_on_the_form_reads_back_as_itself(form: dict[str, str]) -> None:
    scenario = form_to_scenario(EL, form)
    assert form_to_scenario(EL, scenario_to_form(EL, scenario)) == scenario


def test_a_toggle_changes_the_verdict(tmp_path: Path) -> None:
    """As written the pledge holds under Nash; B's reading 'defector' or A's statement
    dropped breaks it; an unknown reading is refused naming its field."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        page = c.get("/models/1/whatif")
        assert page.status_code == 200
        assert _verdicts(page.text) == "pledge:nash=holds"
        headers = {"X-CSRF-Token": _token(page.text)}
        for form in ({"r1": "defector"}, {"s0_0": "drop"}):
            r = c.post("/models/1/whatif/brief", data={**form, "version": "1"}, headers=headers)
            assert _verdicts(r.text) == "pledge:nash=breaks"
        r = c.post("/models/1/whatif/brief", data={"r1": "bogus"}, headers=headers)
        assert 'id="whatif-error"' in r.text and "<code>r1</code>" in r.text
        assert c.post("/models/1/whatif/brief", data={"r1": "defector"}).status_code == 403
        assert 'id="whatif-link"' in c.get("/models/1").text


def test_named_scenarios_through_guarded_forms(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE.read_text(encoding="utf-8")})
        token = _token(c.get("/models/1/whatif").text)
        form = {"r1": "defector", "name": "B defects"}
        assert c.post("/models/1/whatif/scenarios", data=form).status_code == 403
        r = c.post(
            "/models/1/whatif/scenarios",
            data={**form, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/models/1/whatif?scenario=B%20defects"
        shown = c.get(r.headers["location"]).text
        assert _verdicts(shown) == "pledge:nash=breaks"
        assert '<option value="defector" selected>' in shown
        bad = c.post("/models/1/whatif/scenarios", data={"name": " ", "csrf_token": token})
        assert bad.status_code == 422 and "name is 1 to 100" in bad.text
        cmp = c.get("/models/1/whatif/compare", params={"a": "", "b": "B defects"})
        assert cmp.text.count('data-differs="yes"') == 1
        gone = c.post(
            "/models/1/whatif/scenarios/delete",
            data={"name": "B defects", "csrf_token": token},
            follow_redirects=False,
        )
        assert gone.status_code == 303
        assert c.get("/models/1/whatif?scenario=B%20defects").status_code == 404


@pytest.mark.slow
def test_the_store_keeps_scenarios_across_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    ref = store.create(PLEDGE.read_text(encoding="utf-8"), "pledge")
    store.put_scenario(ref.id, "x", {"settings": {"a": "Y"}})
    store.put_scenario(ref.id, "x", {"settings": {"a": "N"}})  # replaced
    store.close()
    again = Store(tmp_path / "s.db")
    assert [(s.name, s.scenario) for s in again.list_scenarios(ref.id)] == [
        ("x", {"settings": {"a": "N"}})
    ]
    for k in range(MAX_SCENARIOS - 1):
        again.put_scenario(ref.id, f"s{k}", {})
    with pytest.raises(TooManyScenarios):
        again.put_scenario(ref.id, "one more", {})
    assert again.delete_scenario(ref.id, "x") and not again.delete_scenario(ref.id, "x")


def test_scenario_names() -> None:
    assert scenario_name("  B defects ") == "B defects"
    for bad in ("", "x" * 101, "a\nb"):
        with pytest.raises(ArgumentError):
            scenario_name(bad)


def test_the_flip_chart_and_the_comparison_follow_the_brief() -> None:
    """The pledge's three flips (25 %, 40 %, 30 %, each breaking it under Nash) are three
    bars as long as their probabilities; B's reading 'defector' differs from as written."""
    model = detente.load(PLEDGE)
    base = whatif(model, {}).to_dict()
    (chart,) = flip_chart(base)
    assert [b["width"] for b in chart["bars"]] == pytest.approx(
        [BAR_WIDTH * p for p in (0.25, 0.4, 0.3)]
    )
    assert all(b["breaks"] for b in chart["bars"])
    alt = whatif(model, {"alternatives": {"B": "defector"}}).to_dict()
    (row,) = compare(base, alt)
    assert row["differs"] and (row["cells"][0]["a"], row["cells"][0]["b"]) == ("holds", "breaks")
    assert not compare(base, base)[0]["differs"]
