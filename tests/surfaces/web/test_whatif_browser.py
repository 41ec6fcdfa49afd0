"""The what-if panel in Chromium (Playwright, Debian's chromium): on the pledge
(tests/data/whatif_pledge.yaml) a toggle changes the verdict shown, a saved scenario survives
a server restart (a new server on the same SQLite file) and its address reproduces it, the
comparison marks the difference; on the flagship each update's time (performance timing,
printed, not asserted). Screenshots go to $DETENTE_SCREENSHOTS when set
(docs/web/whatif-*.png)."""

from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

import pytest

from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS
from web_helpers import CHROMIUM, FLAGSHIP, ROOT, client, threaded_server

PLEDGE = (ROOT / "tests" / "data" / "whatif_pledge.yaml").read_text(encoding="utf-8")
SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def test_the_panel_pages_hold_no_inline_script(tmp_path: Path) -> None:
    """The CSP forbids inline scripts: every script of the panel and comparison pages is a
    static file (whatif.js among them), and whatif.js is served."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PLEDGE})
        for path in ("/models/1/whatif", "/models/1/whatif/compare"):
            r = c.get(path)
            assert "script-src 'self'" in r.headers["content-security-policy"]
            scripts = list(SCRIPT.finditer(r.text))
            assert scripts and all("src=" in m["attrs"] and not m["body"].strip() for m in scripts)
        assert '<script src="/static/whatif.js"' in c.get("/models/1/whatif").text
        assert "whatif-update" in c.get("/static/whatif.js").text


def _browser_or_skip() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run should have installed it")
        pytest.skip("no chromium here (apt-get install chromium, or set DETENTE_CHROMIUM)")
    return CHROMIUM


def _shots() -> Path | None:
    where = os.environ.get("DETENTE_SCREENSHOTS")
    return Path(where) if where else None


def _app(db: Path) -> object:
    return create_app(Settings(db_path=db, allowed_hosts=LOOPBACK_HOSTS))


@pytest.mark.slow
def test_toggle_save_restart_share_compare(tmp_path: Path) -> None:
    chromium = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    shots = _shots()
    db = tmp_path / "web.db"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)
        with threaded_server(_app(db)) as port:
            base = f"http://127.0.0.1:{port}"
            page.request.post(base + "/api/models", data={"yaml": PLEDGE})
            page.goto(base + "/models/1")
            page.click("#whatif-link")
            answer = page.locator("#whatif-answer")
            # as written the pledge holds under Nash (22.5 % of the profiles, hand-worked)
            expect(answer).to_have_attribute("data-verdicts", "pledge:nash=holds")
            expect(page.locator("#whatif-brief .verdict")).to_contain_text("Holds")
            # B holds the reading "defector": the pledge breaks under Nash
            page.select_option("#w-r1", "defector")
            expect(answer).to_have_attribute("data-verdicts", "pledge:nash=breaks")
            expect(page.locator("#whatif-brief .verdict")).to_contain_text("Breaks")
            expect(page.locator("#w-g1_0")).to_be_disabled()  # B's main reading's group
            # the timing is written when htmx has settled the swap, just after the verdict shows
            expect(page.locator("#whatif-brief")).to_have_attribute("data-updates", "1")
            assert float(page.locator("#whatif-brief").get_attribute("data-ms") or "nan") > 0
            if shots:
                page.screenshot(path=str(shots / "whatif-panel.png"), full_page=True)
            page.fill("#scenario-name-input", "B defects")
            page.click("#scenario-save")
            expect(page.locator("#scenario-name")).to_have_text("B defects")
            url = page.url
            assert url.endswith("/models/1/whatif?scenario=B%20defects")
        # a new server on the same SQLite file
        with threaded_server(_app(db)) as port:
            base = f"http://127.0.0.1:{port}"
            page.goto(url.replace(url.split("/models")[0], base))
            expect(page.locator("#whatif-answer")).to_have_attribute(
                "data-verdicts", "pledge:nash=breaks"
            )
            expect(page.locator("#w-r1")).to_have_value("defector")
            page.click("#compare-link")
            page.select_option("#compare-b", "B defects")
            page.click("#compare-go")
            differs = page.locator("#comparison tr.differs")
            expect(differs).to_have_count(1)
            expect(differs).to_contain_text("holds")
            expect(differs).to_contain_text("breaks")
            if shots:
                page.screenshot(path=str(shots / "whatif-compare.png"), full_page=True)
        browser.close()


@pytest.mark.slow
def test_flagship_update_time(tmp_path: Path) -> None:
    """Each toggle's update on the flagship, from the change to the new brief settled
    (printed with ``-s``; docs/web.md quotes benchmarks/bench_whatif_page.py instead)."""
    chromium = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw, threaded_server(_app(tmp_path / "web.db")) as port:
        browser = pw.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        base = f"http://127.0.0.1:{port}"
        page.request.post(base + "/api/models", data={"yaml": FLAGSHIP})
        page.goto(base + "/models/1/whatif")
        expect(page.locator("#whatif-answer")).to_have_attribute("data-verdicts", re.compile("."))
        expect(page.locator("label:has(#w-o7)")).to_contain_text("us_guarantee")
        times = []
        for n, (field, value) in enumerate(
            (("#w-r1", "hardline"), ("#w-o7", "Y"), ("#w-r2", "deterred"), ("#w-r1", ""))
        ):
            page.select_option(field, value)
            expect(page.locator("#whatif-brief")).to_have_attribute("data-updates", str(n + 1))
            times.append(float(page.locator("#whatif-brief").get_attribute("data-ms") or "nan"))
        shots = _shots()
        if shots:
            page.screenshot(path=str(shots / "whatif-flagship.png"), full_page=True)
        browser.close()
    print(f"flagship what-if updates (ms): {times}; median {statistics.median(times):.0f}")
    assert all(t > 0 for t in times)
