"""The structured editor in Chromium (Playwright, Debian's chromium): the Prisoner's Dilemma
built from nothing with the wizard and the editor's forms only, an option used in three
statements renamed, statements reordered by keyboard with the ranking shown changing, and
save, reload, undo. Screenshots go to $DETENTE_SCREENSHOTS when set (docs/web/editor-*.png)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from detente.formats.native import loads
from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS
from web_helpers import CHROMIUM, threaded_server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(
        Settings(db_path=tmp_path_factory.mktemp("web") / "web.db", allowed_hosts=LOOPBACK_HOSTS)
    )
    with threaded_server(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_prisoners_dilemma_from_nothing_rename_reorder_undo(base: str) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run should have installed it")
        pytest.skip("no chromium here (apt-get install chromium, or set DETENTE_CHROMIUM)")
    from playwright.sync_api import expect, sync_playwright

    shots = (
        Path(os.environ["DETENTE_SCREENSHOTS"]) if os.environ.get("DETENTE_SCREENSHOTS") else None
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)

        # the wizard: parties → options → what each cares about most → status quo → analyse
        page.goto(base + "/")
        page.get_by_role("link", name="New model, step by step").click()
        page.fill("#wizard-name", "Prisoner's Dilemma")
        page.fill("#wizard-parties", "A\nB")
        page.click("#wizard-next")
        page.fill("#wizard-options-0", "a_defects")
        page.fill("#wizard-options-1", "b_defects")
        page.click("#wizard-next")
        page.fill("#wizard-cares-0-0", "not b_defects")
        page.fill("#wizard-cares-0-1", "a_defects")
        page.fill("#wizard-cares-1-0", "not a_defects")
        page.fill("#wizard-cares-1-1", "b_defects")
        if shots:
            page.screenshot(path=str(shots / "editor-wizard.png"))
        page.click("#wizard-next")
        page.select_option("#wizard-sq-a_defects", "N")
        page.select_option("#wizard-sq-b_defects", "N")
        page.click("#wizard-next")  # create and analyse
        # the textbook equilibrium: mutual defection (YY, state 4) is the only Nash one
        expect(page.locator("#equilibria tr[data-concept=nash] td")).to_have_text("4")
        model_url = page.url.split("?")[0]

        # the editor: a third statement naming a_defects, from the pickers
        page.click("#editor-link")
        b_form = page.locator("#dm-1 form.add-statement")
        b_form.locator("input[name=not1]").check()
        b_form.locator("select[name=opt1]").select_option("a_defects")
        b_form.locator("select[name=op]").select_option("and")
        b_form.locator("select[name=opt2]").select_option("b_defects")
        b_form.get_by_role("button", name="Add statement").click()
        expect(page.locator("#st-1-2 .statement-text")).to_have_value("not a_defects and b_defects")

        # rename a_defects (in three statements) through its option form
        page.locator("#opt-a_defects summary").click()
        page.fill("#opt-a_defects .option-name", "a_testifies")
        page.locator("#opt-a_defects").get_by_role("button", name="Rename everywhere").click()
        yaml = page.locator("#editor-yaml")
        expect(yaml).to_contain_text("a_testifies")
        text = yaml.inner_text()
        assert "a_defects" not in text and text.count("a_testifies") == 4  # option + 3 uses
        assert [s.text for s in loads(text).dms[0].preference.statements] == [  # type: ignore[union-attr]
            "not b_defects",
            "a_testifies",
        ]

        # reorder A's statements by keyboard: the ranking shown changes
        top = page.locator("#top-0")
        expect(top).to_contain_text("1. YN; 2. NN; 3. YY")
        version = int(page.locator("#version").inner_text())
        page.locator("#st-0-1").focus()
        page.keyboard.press("Alt+ArrowUp")
        expect(page.locator("#version")).to_have_text(str(version + 1))
        expect(top).to_contain_text("1. YN; 2. YY; 3. NN")
        expect(page.locator("#st-0-0")).to_be_focused()
        expect(page.locator("#st-0-0 .statement-text")).to_have_value("a_testifies")
        if shots:
            page.screenshot(path=str(shots / "editor-statements.png"), full_page=True)

        # an invalid statement: marked at its field, nothing saved
        page.fill("#st-1-1 .statement-text", "b_defects and")
        page.locator("#st-1-1").get_by_role("button", name="Save").first.click()
        expect(page.locator("#st-1-1 .field-error")).to_contain_text("malformed statement")
        if shots:
            page.locator("#st-1-1").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "editor-error.png"))
        page.goto(
            model_url.replace(
                f"/models/{model_url.rsplit('/', 1)[1]}",
                f"/models/{model_url.rsplit('/', 1)[1]}/editor",
            )
        )
        expect(page.locator("#version")).to_have_text(str(version + 1))  # unchanged

        # save (done by the move), reload, undo: the order is back, as a new version
        page.reload()
        expect(page.locator("#st-0-0 .statement-text")).to_have_value("a_testifies")
        page.locator("body").press("Control+z")
        expect(page.locator("#version")).to_have_text(str(version + 2))
        expect(page.locator("#st-0-0 .statement-text")).to_have_value("not b_defects")
        expect(top).to_contain_text("1. YN; 2. NN; 3. YY")
        page.click("#redo")
        expect(page.locator("#st-0-0 .statement-text")).to_have_value("a_testifies")
        browser.close()
