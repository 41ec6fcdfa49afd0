"""The workbench's hypergame (issue 19): ``GET /api/models/{id}/hypergame`` is exactly
``detente hypergame --format json``, a ``hypergame`` job too, refusals name the field, and the
model page shows the misperception section from the case file (in a real browser as well).

The model is tests/data/hypergame_sanction.yaml (worked by hand in
tests/surfaces/report/test_hypergame_report.py): A wrongly believes B would retaliate.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import detente
from cli_runner import run
from detente.formats.native import loads
from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS
from hypergame_models import flagship_text
from web_helpers import CHROMIUM, PD, ROOT, client, open_page, threaded_server

SANCTION_FILE = ROOT / "tests" / "data" / "hypergame_sanction.yaml"
SANCTION = SANCTION_FILE.read_text(encoding="utf-8")
#: The sanction model with the mediator's target: no attack.
TARGETED = SANCTION + "mediation:\n  target: NN\n"


def _text(page: str) -> str:
    """The page's text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _cli(path: Path, *args: str) -> object:
    result = run("hypergame", path, *args, "--format", "json")
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


def test_endpoint_is_exactly_the_clis_json(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": SANCTION})
        got = c.get("/api/models/1/hypergame").json()
        seq = c.get("/api/models/1/hypergame?concept=seq&target=NN").json()
        pattern = c.get("/api/models/1/hypergame?concept=nash&concept=gmr&target=-N").json()
    assert got == _cli(SANCTION_FILE)
    assert seq == _cli(SANCTION_FILE, "-c", "seq", "--target", "NN")
    assert pattern == _cli(SANCTION_FILE, "-c", "nash", "-c", "gmr", "--target", "-N")
    # by hand: under SEQ, NN holds only in A's misreading; telling A the truth loses it
    assert seq["equilibria"] == {"seq": ["NN", "YN"]} and seq["target_reached"] is True
    assert [(f["advice"], f["equilibria"], f["target_reached"]) for f in seq["corrections"]] == [
        ("tell A what B really wants", {"seq": ["YN"]}, False)
    ]


@pytest.mark.slow
def test_flagship_with_three_perceptions_as_the_cli(tmp_path: Path) -> None:
    text = flagship_text()
    path = tmp_path / "flagship.yaml"
    path.write_text(text, encoding="utf-8")
    target = "YNNYYY----N"
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": text})
        got = c.get(f"/api/models/1/hypergame?concept=nash&target={target}").json()
    assert got == _cli(path, "-c", "nash", "--target", target)
    assert [f["advice"] for f in got["corrections"]] == [
        "tell Israel what Hamas really wants",
        "tell Hamas what Israel really wants",
        "tell Hamas that United_States can us_guarantee",
    ]


def test_refusals_name_the_field(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": SANCTION})
        bad = c.get("/api/models/1/hypergame?concept=bogus")
        assert bad.status_code == 422 and "unknown solution concept 'bogus'" in bad.json()["detail"]
        state = c.get("/api/models/1/hypergame?target=YNY")
        assert state.status_code == 422 and state.json()["error"]["field"] == "target"
        assert "target" in state.json()["detail"]
        assert c.get("/api/models/1/hypergame?target=" + "Y" * 65).status_code == 422
        assert c.get("/api/models/9/hypergame").status_code == 404


def test_hypergame_job_is_the_clis_json(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": SANCTION})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        job = c.post(
            "/api/models/1/jobs", json={"kind": "hypergame", "concepts": ["seq"], "target": "NN"}
        ).json()
        assert job["kind"] == "hypergame"
        assert jobs.wait(job["id"], 60).state == "done"
        got = c.get(f"/api/jobs/{job['id']}").json()["result"]
        bad = c.post("/api/models/1/jobs", json={"kind": "hypergame", "target": "YNY"}).json()
        jobs.wait(bad["id"], 60)
        failed = c.get(f"/api/jobs/{bad['id']}").json()
        assert failed["state"] == "failed" and failed["error"]["text"].startswith("target: ")
    assert got == _cli(SANCTION_FILE, "-c", "seq", "--target", "NN")


def test_page_shows_the_section_from_the_case_file(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TARGETED})
        c.post("/api/models", json={"yaml": PD})
        page = open_page(c, "/models/1")
        plain = open_page(c, "/models/2")
    text = _text(page)
    assert 'id="hypergame"' in page
    assert (
        "A misreads what B wants — A reads B's public threats as a commitment to retaliate."
    ) in text
    assert (
        "What happens : attack (state 2) under Nash, SIM and SEQ&SIM; no option taken (state 1) "
        "or attack (state 2) under GMR, SMR and SEQ."
    ) in text
    assert "1 surprise: attack; retaliate (state 4) is expected by A but does not hold." in text
    assert (
        "Target “ not attack; not retaliate ”: not a hypergame equilibrium now under Nash, SIM, "
        "SEQ&SIM."
    ) in text
    # the Y/N string only as a tooltip
    assert '<span title="YY">attack; retaliate (state 4)</span>' in page
    section = page.split('<section id="hypergame">')[1].split("</section>")[0]
    assert not re.search(r"<code>[YN-]+</code>", section)
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"mark (yes|no)\">",
        page.split('id="hypergame-corrections"')[1],
    )
    assert rows == [("tell A what B really wants", "changes under SEQ", "no")]
    assert "/api/models/1/hypergame?version=1&amp;target=NN" in page
    assert 'id="hypergame"' not in plain  # no perceptions, no blind spots


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The workbench on a free loopback port, the targeted sanction model stored."""
    app = create_app(
        Settings(
            db_path=tmp_path_factory.mktemp("web") / "web.db",
            allowed_hosts=LOOPBACK_HOSTS,
            page_wait_s=0.5,
        )
    )
    app.state.bench.create(TARGETED)
    with threaded_server(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_section_shows_in_chromium(base: str) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run should have installed it")
        pytest.skip("no chromium here (apt-get install chromium, or set DETENTE_CHROMIUM)")
    from playwright.sync_api import expect, sync_playwright

    expected = detente.hypergame(loads(TARGETED), target="NN")
    assert expected.to_dict()["equilibria"]["nash"] == ["YN"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        expect.set_options(timeout=120_000)
        page.goto(f"{base}/models/1")
        section = page.locator("#hypergame")
        section.scroll_into_view_if_needed()
        expect(section).to_be_visible()
        expect(page.locator("#hypergame-happens")).to_contain_text(
            "attack (state 2) under Nash, SIM and SEQ&SIM"
        )
        expect(page.locator("#hypergame-surprises")).to_have_text(
            "1 surprise: attack; retaliate (state 4) is expected by A but does not hold."
        )
        expect(page.locator("#hypergame-corrections tbody tr")).to_have_text(
            ["tell A what B really wantschanges under SEQnot reached"]
        )
        link = page.locator("#hypergame a", has_text="hypergame JSON")
        expect(link).to_have_attribute("href", "/api/models/1/hypergame?version=1&target=NN")
        browser.close()
