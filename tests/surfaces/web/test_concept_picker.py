"""The model page's concept picker ("Stability under other concepts"): one key of each family
checked against the engine, the registry's and the engine's refusals shown beside the form,
the background job over the inline bound, the bookmarkable address, and a real browser."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from detente.analyses.stability import analyze
from detente.engine import Engine
from detente.engine.registry import get_concept
from detente.formats.native import loads
from detente.model.errors import AnalysisError
from detente.surfaces.web import Settings, create_app
from detente.surfaces.web.config import LOOPBACK_HOSTS
from detente.surfaces.web.pages import (
    PICKER_CHARS,
    PICKER_KEYS,
    PICKER_LISTED,
    picker_suggestions,
)
from web_helpers import CHROMIUM, PD, ROOT, client, open_page, threaded_server

UNKNOWN = (ROOT / "tests" / "data" / "unknown_hand.yaml").read_text(encoding="utf-8")
#: The Prisoner's Dilemma with strength of preference (A: NN strongly better than YY; B: its
#: temptation strongly better than the rest).
STRENGTH = PD.replace('ranking: ["YN", "NN", "YY", "NY"]', 'ranking: [YN, NN, ">>", YY, NY]') \
    .replace('ranking: ["NY", "NN", "YY", "YN"]', 'ranking: [NY, ">>", NN, YY, YN]')
#: Two DMs; A is a dove (another ranking) with probability 0.3: probabilistic preferences.
UNCERTAIN = (ROOT / "tests" / "data" / "probabilistic_hand.yaml").read_text(encoding="utf-8")
MODELS = {"pd": (1, PD), "unknown": (2, UNKNOWN), "strength": (3, STRENGTH),
          "uncertain": (4, UNCERTAIN)}


def _big(options: int) -> str:
    """Two DMs holding ``options`` options between them: 2**options states."""
    half = options // 2
    a = ", ".join(f"{{name: a{i}}}" for i in range(half))
    b = ", ".join(f"{{name: b{i}}}" for i in range(options - half))
    return (f"detente: 1\nname: big\ndecision_makers:\n"
            f"  - name: A\n    options: [{a}]\n    preferences: {{statements: [b0, a0]}}\n"
            f"  - name: B\n    options: [{b}]\n    preferences: {{statements: [a0, b0]}}\n")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client(tmp_path_factory.mktemp("picker")) as c:
        for model_id, text in MODELS.values():
            assert c.post("/api/models", json={"yaml": text}).json()["id"] == model_id
        yield c


def _row(page: str, key: str) -> tuple[int, list[int], str]:
    """The picker table's row of ``key``: its count, the state numbers listed, its text."""
    table = page[page.index('id="concepts-table"'):]
    m = re.search(rf'<tr data-concept="{re.escape(html.escape(key))}">(.*?)</tr>', table, re.S)
    assert m is not None, page
    count = re.search(r'<td class="count">(\d+)</td>', m.group(1))
    assert count is not None
    return int(count.group(1)), [int(n) for n in re.findall(r"/explain/(\d+)\?", m.group(1))], \
        m.group(1)


def _expected(text: str, key: str) -> list[int]:
    """The equilibria (state numbers) of ``key``: states stable for every DM (the engine)."""
    stable = Engine(loads(text)).stable(key)
    return [int(s) + 1 for s in np.flatnonzero(stable.all(axis=0))]


def _check(web: TestClient, model: str, key: str) -> str:
    model_id, text = MODELS[model]
    got = web.get(f"/models/{model_id}/concepts", params={"concepts": key, "version": 1})
    assert got.status_code == 200
    count, listed, row = _row(got.text, get_concept(key).key)
    want = _expected(text, key)
    assert count == len(want) and listed == want[:PICKER_LISTED]
    assert html.escape(get_concept(key).label) in row
    return row


def test_a_classic_key_shows_the_engines_equilibria_in_words(web: TestClient) -> None:
    row = _check(web, "pd", "gmr")
    assert "a_defects; b_defects</a> (state 4)" in row  # the state in words, then its number
    assert "probabilities" not in row


def test_a_limited_move_key(web: TestClient) -> None:
    _check(web, "pd", "L3")


def test_an_unknown_preference_key_on_a_model_with_unknown_pairs(web: TestClient) -> None:
    for key in ("gmr_b", "seq_d"):
        _check(web, "unknown", key)


def test_a_strength_key_on_a_model_with_strength(web: TestClient) -> None:
    assert _expected(STRENGTH, "strong_gmr") != _expected(STRENGTH, "gmr")  # a real test
    _check(web, "strength", "strong_gmr")
    _check(web, "strength", "weak_gmr")


def test_a_probabilistic_key_says_whether_its_probabilities_are_exact(web: TestClient) -> None:
    row = _check(web, "uncertain", "gmr@0.5/0.5")
    how = analyze(loads(UNCERTAIN), ["gmr@0.5/0.5"]).result_header().parameters
    said = {"exact": "exact", "estimated": "sampled (estimated)"}
    assert f'<td class="probabilities">{said[how["preference_probabilities"]]}</td>' in row


def test_the_page_keeps_the_choice_in_its_address_and_pins_the_version(web: TestClient) -> None:
    edited = PD.replace('ranking: ["YN", "NN", "YY", "NY"]', 'ranking: ["NN", "YN", "NY", "YY"]')
    assert _expected(edited, "nash") != _expected(PD, "nash")
    assert web.put("/api/models/1", json={"yaml": edited, "version": 1}).status_code == 200
    got = web.get("/models/1/concepts", params={"concepts": "nash, L3", "version": 1})
    assert got.headers["HX-Push-Url"] == "/models/1?version=1&concepts=nash%2C+L3"
    page = open_page(web, got.headers["HX-Push-Url"])  # the bookmark, without JS
    assert 'value="nash, L3"' in page and '<input type="hidden" name="version" value="1">' in page
    assert _row(page, "nash")[1] == _expected(PD, "nash")  # version 1's, not the latest's
    latest = web.get("/models/1/concepts", params={"concepts": "nash", "version": 2}).text
    assert _row(latest, "nash")[1] == _expected(edited, "nash")


def test_a_bad_key_gets_the_registrys_message_beside_the_form(web: TestClient) -> None:
    for key in ("gmr@2", "nosuch", "gmr_x"):
        with pytest.raises(AnalysisError) as refused:
            get_concept(key)
        got = web.get("/models/1/concepts", params={"concepts": f"nash, {key}"})
        assert got.status_code == 200
        assert str(refused.value) in html.unescape(got.text) and "concepts-problem" in got.text
        assert "concepts-table" not in got.text
    many = web.get("/models/1/concepts", params={"concepts": ",".join(["nash"] * 13)})
    assert f"at most {PICKER_KEYS} concept keys, got 13" in many.text
    long = web.get("/models/1/concepts", params={"concepts": "n" * (PICKER_CHARS + 1)})
    assert long.status_code == 422  # bounded before anything is parsed
    script = open_page(web, "/models/1?version=1&concepts=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in script and "&lt;script&gt;alert(1)&lt;/script&gt;" in script


def test_the_docs_say_the_pickers_bounds_and_examples(web: TestClient) -> None:
    doc = " ".join((ROOT / "docs" / "web.md").read_text(encoding="utf-8").split())
    assert f"the first {PICKER_LISTED} of them" in doc
    assert f"more than {PICKER_KEYS} keys" in doc and f"over {PICKER_CHARS} characters" in doc
    examples = dict(picker_suggestions())["probabilistic"]
    assert ", ".join(f"`{key}`" for key, _label in examples) in doc
    listed = web.get("/concepts").text  # every suggestion, with the registry's help
    for _family, keys in picker_suggestions():
        for key, _label in keys:
            assert f"<td>{html.escape(get_concept(key).help)}</td>" in listed
            assert f"<code>{html.escape(key)}</code>" in listed


@pytest.mark.slow
def test_a_refused_size_gets_the_engines_message(tmp_path: Path) -> None:
    text = _big(13)  # 8,192 states: within the inline bound, beyond the dense pairs
    for key in ("nash@0.8", "gmr_a"):
        with pytest.raises(AnalysisError) as refused:
            Engine(loads(text)).stable(key)
        with client(tmp_path) as c:
            model_id = c.post("/api/models", json={"yaml": text}).json()["id"]
            got = c.get(f"/models/{model_id}/concepts", params={"concepts": key})
        assert got.status_code == 200 and str(refused.value) in html.unescape(got.text)


@pytest.mark.slow
def test_over_the_inline_bound_it_runs_as_a_job_with_progress(tmp_path: Path) -> None:
    with client(tmp_path, inline_states=2) as c:
        c.post("/api/models", json={"yaml": PD})
        got = c.get("/models/1/concepts", params={"concepts": "nash, L2", "version": 1}).text
        job_id = re.search(r'data-concepts-job="(\w+)"', got)
        assert job_id is not None and "of 2 concepts" in got and "<progress" in got
        assert c.app.state.bench.jobs.wait(job_id.group(1), 60).state == "done"  # type: ignore[attr-defined]
        done = c.get(f"/models/1/concepts/{job_id.group(1)}").text
        assert "data-concepts-job" not in done
        assert _row(done, "L2")[1] == _expected(PD, "L2")
        assert c.get("/models/1/concepts/nosuchjob").status_code == 404


@pytest.mark.slow
def test_finished_picker_jobs_are_forgotten(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.surfaces.web import workbench

    monkeypatch.setattr(workbench, "_SHARED_JOBS_KEPT", 2)
    with client(tmp_path, inline_states=2) as c:
        c.post("/api/models", json={"yaml": PD})
        bench = c.app.state.bench  # type: ignore[attr-defined]
        for keys in ("nash", "gmr", "smr", "seq"):
            got = c.get("/models/1/concepts", params={"concepts": keys}).text
            job_id = re.search(r'data-concepts-job="(\w+)"', got)
            assert job_id is not None and bench.jobs.wait(job_id.group(1), 60).state == "done"
            assert len(bench._shared_jobs) <= 2  # the finished ones were dropped


@pytest.mark.slow
def test_a_job_the_engine_refuses_shows_its_message(tmp_path: Path) -> None:
    text = _big(13)
    with pytest.raises(AnalysisError) as refused:
        Engine(loads(text)).stable("nash@0.8")
    with client(tmp_path, inline_states=2) as c:
        c.post("/api/models", json={"yaml": text})
        got = c.get("/models/1/concepts", params={"concepts": "nash@0.8"}).text
        job_id = re.search(r'data-concepts-job="(\w+)"', got)
        assert job_id is not None
        assert c.app.state.bench.jobs.wait(job_id.group(1), 60).state == "failed"  # type: ignore[attr-defined]
        failed = c.get(f"/models/1/concepts/{job_id.group(1)}").text
    assert str(refused.value) in html.unescape(failed) and "data-concepts-job" not in failed


@pytest.mark.slow
def test_the_picker_in_chromium(tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run should have installed it")
        pytest.skip("no chromium here (apt-get install chromium, or set DETENTE_CHROMIUM)")
    from playwright.sync_api import expect, sync_playwright

    app = create_app(Settings(db_path=tmp_path / "web.db", allowed_hosts=LOOPBACK_HOSTS))
    app.state.bench.create(UNKNOWN)
    want = _expected(UNKNOWN, "gmr_b")
    with threaded_server(app) as port, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        page.goto(f"http://127.0.0.1:{port}/models/1")
        page.locator("#concept-keys").fill("nash, gmr_b")
        page.locator("#concept-run").click()
        row = page.locator("#concepts-table tr[data-concept=gmr_b]")
        expect(row.locator("td.count")).to_have_text(str(len(want)))
        expect(row.locator("a.state-link")).to_have_count(len(want))
        assert "concepts=nash%2C+gmr_b" in page.url and "version=1" in page.url
        page.locator("#concept-keys").fill("gmr@2")
        page.locator("#concept-run").click()
        with pytest.raises(AnalysisError) as refused:
            get_concept("gmr@2")
        expect(page.locator("#concepts-problem")).to_have_text(str(refused.value))
        browser.close()
