"""The web API: the contract of PRODUCT.md ("Web app"), in-process (FastAPI TestClient)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cli_runner import run
from detente.surfaces.web.config import is_loopback
from detente.surfaces.web.store import Store
from web_helpers import FLAGSHIP, PD, client, open_page


def test_create_read_save_and_every_version_kept(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.post("/api/models", json={"yaml": PD})
        assert r.status_code == 201 and r.json() == {"id": 1, "version": 1}
        got = c.get("/api/models/1").json()
        assert (got["id"], got["version"], got["yaml"]) == (1, 1, PD)
        edited = PD.replace("name: Prisoner's Dilemma", "name: PD edited")
        r = c.put("/api/models/1", json={"yaml": edited, "version": 1})
        assert r.status_code == 200 and r.json() == {"id": 1, "version": 2}
        assert [v["version"] for v in c.get("/api/models/1/versions").json()] == [1, 2]
        assert c.get("/api/models/1/versions/1").json()["yaml"] == PD
        assert c.get("/api/models/1").json()["yaml"] == edited
        diff = c.get("/api/models/1/diff").json()
        assert (diff["from"], diff["to"]) == (1, 2)
        assert "-name: Prisoner's Dilemma" in diff["diff"] and "+name: PD edited" in diff["diff"]
        assert [m["name"] for m in c.get("/api/models").json()] == ["PD edited"]


def test_stale_save_is_409_and_changes_nothing(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        assert c.put("/api/models/1", json={"yaml": PD + "\n", "version": 1}).status_code == 200
        r = c.put("/api/models/1", json={"yaml": "# lost?\n" + PD, "version": 1})
        assert r.status_code == 409 and r.json()["latest"] == 2
        assert c.get("/api/models/1").json()["version"] == 2
        assert len(c.get("/api/models/1/versions").json()) == 2
        assert c.put("/api/models/9", json={"yaml": PD, "version": 1}).status_code == 404


@pytest.mark.slow
def test_concurrent_saves_never_silently_overwrite(tmp_path: Path) -> None:
    """Eight threads save from version 1 at once: exactly one wins, the others get 409."""
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        codes: list[int] = []
        barrier = threading.Barrier(8)

        def save(k: int) -> None:
            barrier.wait()
            r = c.put("/api/models/1", json={"yaml": f"# writer {k}\n" + PD, "version": 1})
            codes.append(r.status_code)

        threads = [threading.Thread(target=save, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [200] + [409] * 7
        versions = c.get("/api/models/1/versions").json()
        assert [v["version"] for v in versions] == [1, 2]


def test_invalid_model_is_422_with_the_clis_message_line_and_field(tmp_path: Path) -> None:
    broken = FLAGSHIP.replace("  - name: Hamas", "  - nam: Hamas", 1)
    path = tmp_path / "model.yaml"
    path.write_text(broken, encoding="utf-8")
    cli = json.loads(run("validate", path, "--format", "json").stdout)["error"]
    with client(tmp_path) as c:
        r = c.post("/api/models", json={"yaml": broken})
        assert r.status_code == 422
        err = r.json()["error"]
        assert (err["message"], err["line"], err["field"]) == (
            cli["message"], cli["line"], cli["field"])
        assert err["line"] == broken.splitlines().index("  - nam: Hamas") + 1
        assert c.post("/api/validate", json={"yaml": broken}).json()["ok"] is False
        assert c.post("/api/validate", json={"yaml": PD}).json()["summary"]["feasible_states"] == 4


@pytest.mark.slow
@pytest.mark.parametrize("args, path", [
    ((), "analysis"),
    (("--concept", "gmr", "-c", "seq"), "analysis?concept=gmr&concept=seq"),
])
def test_analysis_is_exactly_the_clis_json(tmp_path: Path, args: tuple[str, ...], path: str
                                            ) -> None:
    model = tmp_path / "flagship.yaml"
    model.write_text(FLAGSHIP, encoding="utf-8")
    cli = json.loads(run("analyze", model, "--format", "json", *args).stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        assert c.get(f"/api/models/1/{path}").json() == cli


@pytest.mark.parametrize("cli_args, query", [
    (("explain", "{m}", "NN", "--format", "json"), "explain?state=NN"),
    (("explain", "{m}", "3", "--dm", "A", "-c", "gmr", "--format", "json"),
     "explain?state=3&dm=A&concept=gmr"),
    (("evolve", "{m}", "--format", "json"), "evolve"),
    (("evolve", "{m}", "--from", "YY", "--coalition", "A,B", "--format", "json"),
     "evolve?from=YY&coalition=A,B"),
    (("coalitions", "{m}", "--all", "--format", "json"), "coalitions?all=true"),
])
def test_other_analyses_are_exactly_the_clis_json(tmp_path: Path, cli_args: tuple[str, ...],
                                                   query: str) -> None:
    model = tmp_path / "pd.yaml"
    model.write_text(PD, encoding="utf-8")
    args = [a.format(m=model) for a in cli_args]
    cli = json.loads(run(*args).stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        assert c.get(f"/api/models/1/{query}").json() == cli


def test_analysis_errors_are_422_not_500(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        assert c.get("/api/models/1/analysis?concept=bogus").status_code == 422
        assert c.get("/api/models/1/explain?state=YYYYYY").status_code == 422
        assert c.get("/api/models/1/coalitions").status_code == 422  # PD names none
        assert c.get("/api/models/2/analysis").status_code == 404
        assert c.get("/api/models/1/analysis?version=7").status_code == 404


@pytest.mark.slow
def test_downloads_and_report(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        r = c.get("/api/models/1/yaml")
        assert r.text == PD and "attachment" in r.headers["content-disposition"]
        gmcr = c.get("/api/models/1/gmcr")
        assert json.loads(gmcr.text)["options"]  # a GMCR+ document
        html = c.get("/api/models/1/report").text
        assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype")
        assert "Prisoner" in html
        md = c.get("/api/models/1/report?format=markdown").text
        assert md.startswith("#")


def test_size_limits(tmp_path: Path) -> None:
    with client(tmp_path, max_request_bytes=10_000, max_options=3) as c:
        r = c.post("/api/models", content=b"x" * 20_000,
                   headers={"content-type": "application/json"})
        assert r.status_code == 413
        big = PD.replace("      - name: a_defects\n",
                         "      - name: a_defects\n      - name: a2\n      - name: a3\n")
        r = c.post("/api/models", json={"yaml": big})
        assert r.status_code == 413 and "4 options" in r.json()["detail"]
        assert c.get("/api/models").json() == []
    with client(tmp_path / "b", max_states=3) as c:
        r = c.post("/api/models", json={"yaml": PD})
        assert r.status_code == 413 and "4 feasible states" in r.json()["detail"]


def test_token_needed_on_every_call_when_set(tmp_path: Path) -> None:
    token = "s3cret-token"
    with client(tmp_path, token=token) as c:
        assert c.get("/api/models").status_code == 401
        assert c.post("/api/models", json={"yaml": PD}).status_code == 401
        assert c.get("/api/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = {"Authorization": f"Bearer {token}"}
        assert c.post("/api/models", json={"yaml": PD}, headers=ok).status_code == 201
        assert c.get("/", follow_redirects=False).status_code == 401
        r = c.get(f"/?token={token}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert c.get("/").status_code == 200  # the cookie now carries the token
        assert c.get("/api/models/1/analysis").status_code == 200


def test_jobs_report_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        job = c.post("/api/models/1/jobs", json={"kind": "analysis"}).json()
        done = c.app.state.bench.jobs.wait(job["id"], 30)  # type: ignore[attr-defined]
        got = c.get(f"/api/jobs/{job['id']}").json()
        assert done.state == "done" and got["state"] == "done"
        assert got["progress"]["done"] == got["progress"]["total"] == 6
        assert got["result"] == c.get("/api/models/1/analysis").json()
        assert c.get("/api/jobs/nope").status_code == 404

    # a cancelled job stops at its next progress step
    with client(tmp_path / "b") as c:
        c.post("/api/models", json={"yaml": PD})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        started, release = threading.Event(), threading.Event()

        def slow(progress):  # type: ignore[no-untyped-def]
            from detente.analyses.contract import ProgressEvent

            progress(ProgressEvent(1, 2, "first"))
            started.set()
            release.wait(10)
            progress(ProgressEvent(2, 2, "second"))
            return {"never": True}

        job = jobs.submit("slow", slow, steps=2)
        assert started.wait(10)
        queued = c.post("/api/models/1/jobs", json={"kind": "analysis"}).json()
        assert c.delete(f"/api/jobs/{queued['id']}").json()["state"] == "cancelled"
        assert c.get(f"/api/jobs/{job.id}").json()["progress"]["done"] == 1
        c.delete(f"/api/jobs/{job.id}")
        release.set()
        assert jobs.wait(job.id, 10).state == "cancelled"
        assert c.get(f"/api/jobs/{job.id}").json()["result"] is None


def _record(job_id: str, state: str, pid: int, finished: float | None = None,
            result: object = None) -> dict[str, object]:
    return {"id": job_id, "kind": "analysis", "meta": {"model_id": 1, "version": 1},
            "state": state, "steps": 6, "done_steps": 2, "message": "nash", "result": result,
            "error": None, "created": 1.0, "finished": finished, "pid": pid}


def test_jobs_outlive_the_server_and_unfinished_ones_are_interrupted(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        job = c.post("/api/models/1/jobs", json={"kind": "analysis"}).json()
        c.app.state.bench.jobs.wait(job["id"], 30)  # type: ignore[attr-defined]
        before = c.get(f"/api/jobs/{job['id']}").json()
    assert before["state"] == "done" and before["result"]["model"]
    # jobs another server left unfinished: one whose process is gone, one still alive
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = Store(tmp_path / "web.db")
    store.put_job(_record("orphan", "running", gone.pid))
    store.put_job(_record("elsewhere", "running", os.getpid()))
    store.close()
    with client(tmp_path) as c:
        assert c.get(f"/api/jobs/{job['id']}").json() == before  # result and all
        orphan = c.get("/api/jobs/orphan").json()
        assert orphan["state"] == "failed" and orphan["error"]["type"] == "Interrupted"
        assert c.get("/api/jobs/elsewhere").json()["state"] == "running"
        assert c.delete("/api/jobs/orphan").json()["state"] == "failed"  # nothing to stop
        assert c.get("/api/jobs/nope").status_code == 404


def test_job_store_keeps_the_newest_and_leaves_out_huge_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.surfaces.web.store as store_module

    monkeypatch.setattr(store_module, "KEEP_JOBS", 2)
    monkeypatch.setattr(store_module, "MAX_RESULT_CHARS", 100)
    store = Store(tmp_path / "s.db")
    for k in range(4):
        store.put_job(_record(f"j{k}", "done", os.getpid(), finished=10.0 + k, result={"k": k}))
    assert [store.get_job(f"j{k}") is not None for k in range(4)] == [False, False, True, True]
    assert store.get_job("j3")["result"] == {"k": 3}  # type: ignore[index]
    store.put_job(_record("big", "done", os.getpid(), finished=20.0, result={"x": "y" * 200}))
    big = store.get_job("big")
    assert big is not None and big["result"] is None and "kept only while" in big["message"]
    store.close()


def test_store_uses_wal_and_keeps_versions(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.journal_mode() == "wal"
    ref = store.create("a", "a")
    store.save(ref.id, "b", "b", expected=1)
    assert [v.yaml for v in store.versions(ref.id)] == ["a", "b"]


def test_serve_refuses_other_hosts_without_token() -> None:
    r = run("serve", "--host", "0.0.0.0")
    assert r.exit_code == 2
    assert "without a token" in r.stderr
    assert not is_loopback("10.0.0.1") and is_loopback("127.0.0.2")


def test_case_file_holds_the_same_analyses(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD})
        case = c.get("/api/models/1/casefile").json()
        assert case["stability"] == c.get("/api/models/1/analysis").json()
        assert case["evolution"][0]["final"] == c.get("/api/models/1/evolve").json()["final"]


def test_dns_rebinding_and_cross_site_writes_are_refused(tmp_path: Path) -> None:
    with client(tmp_path, allowed_hosts=("127.0.0.1", "localhost", "::1")) as c:
        local = {"host": "127.0.0.1:8000"}
        assert c.get("/api/models", headers=local).status_code == 200
        assert c.get("/api/models", headers={"host": "[::1]:8000"}).status_code == 200
        assert c.get("/api/models", headers={"host": "evil.example:8000"}).status_code == 403
        r = c.post("/api/models", json={"yaml": PD},
                   headers={**local, "origin": "http://evil.example"})
        assert r.status_code == 403
        r = c.post("/api/models", json={"yaml": PD},
                   headers={**local, "origin": "http://127.0.0.1:8000"})
        assert r.status_code == 201


@pytest.mark.slow
def test_a_slow_analysis_shows_its_progress_and_then_the_page(tmp_path: Path) -> None:
    with client(tmp_path, page_wait_s=0.2) as c:
        c.post("/api/models", json={"yaml": PD})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        release = threading.Event()
        jobs.submit("busy", lambda progress: {"busy": release.wait(30)})  # hold the worker
        page = c.get("/models/1")
        assert page.status_code == 200 and 'id="progress"' in page.text
        job_id = page.text.split('data-job="')[1].split('"')[0]
        assert f'hx-get="/models/1/jobs/{job_id}"' in page.text  # polls its own progress
        assert 'data-state="queued"' in page.text
        release.set()
        assert jobs.wait(job_id, 30).state == "done"
        assert jobs.get(job_id).done_steps == jobs.get(job_id).steps == 7
        # the page opens itself again (a navigation, not a reload: see the browser test)
        done = c.get(f"/models/1/jobs/{job_id}", headers={
            "HX-Current-URL": "http://testserver/models/1"})
        assert done.headers.get("hx-redirect") == f"/models/1?version=1&ready={job_id[:12]}"
        page = c.get("/models/1")
        assert 'id="equilibria"' in page.text  # the analysis, from the cache


@pytest.mark.slow
def test_robustness_and_deal_are_exactly_the_clis_json(tmp_path: Path) -> None:
    model = tmp_path / "flagship.yaml"
    model.write_text(FLAGSHIP, encoding="utf-8")
    args = ("--samples", "300", "--seed", "1", "-c", "nash", "-c", "seq")
    cli = json.loads(run("robustness", model, *args, "--format", "json").stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        query = "samples=300&seed=1&concept=nash&concept=seq"
        assert c.get(f"/api/models/1/robustness?{query}").json() == cli
        job = c.post("/api/models/1/jobs", json={
            "kind": "robustness", "samples": 300, "seed": 1, "concepts": ["nash", "seq"]}).json()
        c.app.state.bench.jobs.wait(job["id"], 60)  # type: ignore[attr-defined]
        got = c.get(f"/api/jobs/{job['id']}").json()
        assert got["state"] == "done" and got["result"] == cli
        assert got["progress"]["done"] == got["progress"]["total"] > 1
        assert c.get("/api/models/1/robustness?samples=0").status_code == 422
        page = open_page(c, "/models/1")  # the case file's robustness and deal, on the page
        assert 'id="robustness"' in page and "How sure" in page
        assert 'id="deal"' in page and "Framework, phase one" in page
        assert 'id="mediation"' in page and "YNNYYY----N" in page
    deal = json.loads(run("deal", model, "-c", "gmr", "--format", "json").stdout)
    with client(tmp_path / "b") as c:
        c.post("/api/models", json={"yaml": FLAGSHIP})
        assert c.get("/api/models/1/deal?concept=gmr").json() == deal
        c.post("/api/models", json={"yaml": PD})
        assert c.get("/api/models/2/deal").status_code == 422  # PD has no deal


def test_mediation_is_exactly_the_clis_json(tmp_path: Path) -> None:
    elmira = (tmp_path / "elmira.yaml")
    elmira.write_text((Path(__file__).resolve().parents[3] / "examples" / "elmira.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    cli = json.loads(run("mediate", elmira, "--target", "4", "-c", "nash", "--max-edits", "2",
                         "--format", "json").stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": elmira.read_text(encoding="utf-8")})
        r = c.get("/api/models/1/mediate?target=4&concept=nash&max_edits=2")
        assert r.status_code == 200 and r.json() == cli
        assert c.get("/api/models/1/mediate?target=9999").status_code == 422
        assert c.get("/api/models/1/mediate?target=4&max_edits=99").status_code == 422
