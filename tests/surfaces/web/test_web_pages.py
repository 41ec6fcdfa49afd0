"""The workbench's bounds and pages (issue 16, items 4, 5 and 6): each test sends the request
or input the walk found wrong, in-process (FastAPI TestClient)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from detente.surfaces.web.cache import ResultCache
from web_helpers import FLAGSHIP, PD, TestClient, client, open_page

#: PD with A's ranking changed so that state 1 (NN) is stable for A (in PD it is not).
PD_V2 = PD.replace('ranking: ["YN", "NN", "YY", "NY"]', 'ranking: ["NN", "YN", "YY", "NY"]')


def _hidden_version(page: str) -> int:
    form = page.split('id="editor-form"')[1].split("</form>")[0]
    found = re.search(r'name="version" value="(\d+)"', form)
    assert found, "the editor form has no hidden version"
    return int(found.group(1))


def _post(c: TestClient, url: str, **kwargs: Any) -> httpx.Response:
    """A page's form post, with the page's CSRF token (as the forms and htmx send it)."""
    token = c.app.state.csrf_token  # type: ignore[attr-defined]
    return c.post(url, headers={"X-CSRF-Token": token}, **kwargs)


# ----- item 4: bounded GET answers ---------------------------------------------------------
@pytest.mark.slow
def test_flagship_coalitions_all_is_refused_with_its_size_and_paged(tmp_path: Path) -> None:
    """Was: ~35 s and 182 MB of JSON in one GET. Now the analysis sizes its answer before
    building it: 413 with the estimate, a page size that fits and the job to start; pages of
    that size are answered from the one analysis, kept for the next page. Takes a few
    seconds (the flagship's 26 coalitions analysed: the case the issue reported)."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        start = time.monotonic()
        r = c.get("/api/models/1/coalitions?all=true")
        assert r.status_code == 413, r.text[:300]
        body = r.json()
        assert body["estimate"]["bytes"] > 4 * 2**20 == body["limit"]["bytes"]
        assert body["estimate"]["improvements"] == 193_196  # the analysis's own count
        assert body["job"] == {"kind": "coalitions", "version": 1, "coalition": None,
                               "all": True, "concepts": None, "offset": 0, "limit": None}
        assert len(r.content) < 10_000 and "limit=" in body["detail"]
        fits = body["estimate"]["limit_that_fits"]
        first = c.get(f"/api/models/1/coalitions?all=true&limit={fits}")
        assert first.status_code == 200 and len(first.content) <= 4 * 2**20
        assert first.json()["page"] == {"offset": 0, "limit": fits, "first": 1, "last": fits,
                                        "n_improvements": first.json()["page"]["n_improvements"]}
        rest = c.get(f"/api/models/1/coalitions?all=true&offset={fits}")  # what fits next?
        assert rest.status_code == 413
        more = rest.json()["estimate"]["limit_that_fits"]
        second = c.get(f"/api/models/1/coalitions?all=true&limit={more}&offset={fits}")
        assert second.status_code == 200 and second.json()["page"]["first"] == fits + 1
        assert len(second.content) <= 4 * 2**20
        assert time.monotonic() - start < 60
        assert c.get("/api/models/1/coalitions?all=true&offset=5000").status_code == 422


def test_work_over_the_inline_bound_says_which_job_to_start(tmp_path: Path) -> None:
    with client(tmp_path, inline_work=3) as c:  # PD: 16 pairs, 4 profiles x states
        c.post("/api/models", json={"yaml": PD})
        r = c.get("/api/models/1/coalitions?all=true")
        assert r.status_code == 413
        body = r.json()
        assert body["estimate"]["work"] > body["limit"]["work"] == 3
        job = body["job"]
        assert job["kind"] == "coalitions" and job["all"] is True
        assert "POST /api/models/1/jobs" in body["detail"]
        started = c.post("/api/models/1/jobs", json=job)
        assert started.status_code == 202
        done = c.app.state.bench.jobs.wait(started.json()["id"], 30)  # type: ignore[attr-defined]
        assert done.state == "done" and done.result["coalitions"]
        r = c.get("/api/models/1/robustness?samples=100")
        assert r.status_code == 413 and r.json()["job"]["kind"] == "robustness"


def test_models_over_the_inline_state_bound_are_analysed_only_as_jobs(tmp_path: Path) -> None:
    with client(tmp_path, inline_states=3) as c:  # PD has 4 states
        c.post("/api/models", json={"yaml": PD})
        for path in ("analysis", "explain?state=1", "evolve", "casefile", "report"):
            r = c.get(f"/api/models/1/{path}")
            assert r.status_code == 413, path
            assert r.json()["estimate"] == {"states": 4} and r.json()["job"]["kind"], path
        job = c.post("/api/models/1/jobs", json=c.get("/api/models/1/analysis").json()["job"])
        assert c.app.state.bench.jobs.wait(job.json()["id"], 30).state == "done"  # type: ignore[attr-defined]


def test_answers_and_job_results_over_the_byte_bound_are_refused(tmp_path: Path) -> None:
    with client(tmp_path, max_answer_bytes=500) as c:  # PD's analysis is a few KB
        c.post("/api/models", json={"yaml": PD})
        r = c.get("/api/models/1/analysis")
        assert r.status_code == 413 and r.json()["estimate"]["bytes"] > 500
        job = c.post("/api/models/1/jobs", json={"kind": "analysis"}).json()
        done = c.app.state.bench.jobs.wait(job["id"], 30)  # type: ignore[attr-defined]
        assert done.state == "failed" and "at most 500 bytes" in done.error["text"]
        assert done.result is None


@pytest.mark.slow
def test_the_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    cache = ResultCache(100, max_bytes=1_000)
    for k in range(5):
        assert cache.get(k, lambda: b"x" * 300) == b"x" * 300
    assert cache.nbytes <= 1_000 and len(cache) == 3 and not cache.has(0)
    assert cache.get("huge", lambda: b"y" * 5_000) == b"y" * 5_000  # answered, not kept
    assert not cache.has("huge") and cache.nbytes <= 1_000
    with client(tmp_path, cache_bytes=20_000) as c:  # the server's cache, by its setting
        c.post("/api/models", json={"yaml": FLAGSHIP})
        assert c.get("/api/models/1/explain?state=1").status_code == 200
        assert c.get("/api/models/1/analysis").status_code == 200  # ~400 KB: not kept
        bench = c.app.state.bench  # type: ignore[attr-defined]
        assert bench.cache.max_bytes == 20_000 and bench.cache.nbytes <= 20_000


# ----- item 5: correct pages ----------------------------------------------------------------
def test_state_rows_of_an_older_version_explain_that_version(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        c.put("/api/models/1", json={"yaml": PD_V2, "version": 1})
        rows = c.get("/models/1/states?version=1&show=all").text
        link = re.search(r'hx-get="(/models/1/explain/1[^"]*)"', rows)
        assert link and link.group(1) == "/models/1/explain/1?version=1"
        old = c.get(link.group(1)).text
        new = c.get("/models/1/explain/1").text
        assert old != new  # state 1 is unstable for A in version 1, stable in version 2
        # version 2: A has no improvement, said once for every concept
        assert "✗ Nash" in old.split("<h4>B")[0]
        assert "✓ every concept (Nash, " in new.split("<h4>B")[0]


def test_a_web_save_keeps_lf_line_endings(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        crlf = PD_V2.replace("\n", "\r\n")  # what a browser's form post sends
        r = _post(c, "/models/1/save", data={"yaml": crlf, "version": "1"},
                   follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/api/models/1").json()["yaml"] == PD_V2
        diff = c.get("/api/models/1/diff").json()["diff"]
        changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in "+++---"]
        assert len(changed) == 2  # the one edited line, not every line


def test_saving_identical_text_makes_no_new_version(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        r = _post(c, "/models/1/save", data={"yaml": PD.replace("\n", "\r\n"), "version": "1"},
                   follow_redirects=False)
        assert r.status_code == 303 and "note=unchanged" in r.headers["location"]
        assert "No changes" in c.get(r.headers["location"]).text
        r = c.put("/api/models/1", json={"yaml": PD, "version": 1})
        assert r.json() == {"id": 1, "version": 1, "changed": False}
        assert [v["version"] for v in c.get("/api/models/1/versions").json()] == [1]


@pytest.mark.slow
def test_after_a_stale_save_the_page_saves_over_the_latest_only_deliberately(
        tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        page = open_page(c, "/models/1")
        assert _hidden_version(page) == 1
        c.put("/api/models/1", json={"yaml": PD_V2, "version": 1})  # someone else saves
        mine = PD.replace("Neither suspect has talked yet.", "No one talked.")
        r = _post(c, "/models/1/save", data={"yaml": mine, "version": "1"})
        assert r.status_code == 409
        assert "No one talked." in r.text  # the analyst's text is kept
        # the form now names version 2, and the button says it saves over it
        assert _hidden_version(r.text) == 2
        assert "Save over version 2" in r.text and 'id="load-latest"' in r.text
        assert "/models/1/diff?from=1&to=2" in r.text
        again = _post(c, "/models/1/save", data={"yaml": mine, "version": "2"},
                       follow_redirects=False)
        assert again.status_code == 303
        assert c.get("/api/models/1").json() | {"created": ""} == {
            "id": 1, "version": 3, "latest": 3, "name": "Prisoner's Dilemma", "created": "",
            "yaml": mine}


def test_an_old_version_can_be_restored(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        c.put("/api/models/1", json={"yaml": PD_V2, "version": 1})
        page = open_page(c, "/models/1?version=1")
        assert 'action="/models/1/restore"' in page and 'id="restore"' in page
        assert 'id="restore"' not in open_page(c, "/models/1")  # the latest has nothing to do
        r = _post(c, "/models/1/restore", data={"version": "1"}, follow_redirects=False)
        assert r.status_code == 303 and "note=restored" in r.headers["location"]
        latest = c.get("/api/models/1").json()
        assert (latest["version"], latest["yaml"]) == (3, PD)
        assert c.post("/api/models/1/versions/3/restore", json={}).json() == {
            "id": 1, "version": 3, "changed": False}
        assert c.post("/api/models/1/versions/2/restore", json={}).json() == {"id": 1, "version": 4}
        assert c.post("/api/models/1/versions/9/restore", json={}).status_code == 404


def test_state_links_scroll_to_the_explanation_and_marks_have_their_colours(
        tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        page = open_page(c, "/models/1")
        links = re.findall(r'<a href="#" class="state-link"[^>]*>', page)
        assert links and all('show:#explain:top' in a for a in links)
        rows = c.get("/models/1/states?show=all").text
        assert rows.count('show:#explain:top') == 4
        # keyboard: each row's number is a button (focusable; Enter and Space click it)
        assert rows.count('<button type="button" class="state-button"') == 4
        assert '<td class="mark yes">✓</td>' in rows and '<td class="mark no">·</td>' in rows


@pytest.mark.slow
def test_deal_marks_are_classed_by_verdict(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        page = open_page(c, "/models/1")
        deal = page.split('id="deal"')[1].split("</table>")[0]
        assert '<td class="mark no">✗</td>' in deal and '<td class="mark yes">✓</td>' in deal
        assert '<td class="mark">' not in deal


# ----- item 6: what a download leaves out, imports, keyboard --------------------------------
def test_gmcr_download_says_what_it_leaves_out(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        r = c.get("/api/models/1/gmcr")
        lost = unquote(r.headers["x-detente-dropped"]).split("; ")
        # the status quo in words, its number second (issue 21): NN has no option taken
        assert "the status quo: no option taken (state 1)" in lost
        assert "the status quo's rationale" in lost
        assert int(r.headers["x-detente-dropped-count"]) == len(lost)
        page = open_page(c, "/models/1")
        note = page.split('id="gmcr-lost"')[1].split("</details>")[0]
        assert "the status quo: no option taken (state 1)" in note
        assert f"leaves out {len(lost)} things" in note
        c.post("/api/models", json={"yaml": FLAGSHIP})
        lost = unquote(c.get("/api/models/2/gmcr").headers["x-detente-dropped"])
        for what in ("the status quo", "the deal", "the mediation section", "uncertain",
                     "rationales"):
            assert what in lost, what


def test_import_limit_is_in_bytes_and_not_utf8_is_told_apart(tmp_path: Path) -> None:
    big = PD.replace("Neither suspect has talked yet.", "é" * 310_000)  # ~620 KB, 310 K chars
    assert len(big.encode()) > 600_000 and len(big) < 512 * 2**10
    with client(tmp_path) as c:
        r = _post(c, "/models/import", files={"file": ("big.yaml", big.encode(), "text/yaml")},
                   follow_redirects=False)
        assert r.status_code == 303, r.text[:300]  # was: "the file is not UTF-8 text"
        assert c.get("/api/models/1").json()["yaml"] == big
        latin1 = PD.replace("Neither", "Ni\xe9ther").encode("latin-1")
        r = _post(c, "/models/import", files={"file": ("old.yaml", latin1, "text/yaml")})
        assert r.status_code == 422 and "not UTF-8 text" in r.text and "0xe9" in r.text
    with client(tmp_path / "small", max_request_bytes=100_000) as c:
        r = _post(c, "/models/import", files={"file": ("big.yaml", big.encode(), "text/yaml")})
        assert r.status_code == 413 and "100,000 bytes" in r.text


def test_finished_job_results_in_memory_are_bounded_in_bytes(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        jobs.keep_result_bytes = 5_000
        ids = []
        for k in range(4):
            job = jobs.submit("big", lambda progress, k=k: {"k": k, "pad": "x" * 2_000})
            assert jobs.wait(job.id, 10).state == "done"
            ids.append(job.id)
        assert jobs.results_bytes() <= 5_000
        # a result dropped from memory is read back from the store
        assert c.get(f"/api/jobs/{ids[0]}").json()["result"] == {"k": 0, "pad": "x" * 2_000}
