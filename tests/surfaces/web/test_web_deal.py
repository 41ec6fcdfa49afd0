"""The workbench's deal and mediation views (issue 18): foresight beside the myopic verdict,
commitment devices as deal repairs and in mediation, the tranche design as a job (API and
page) with its ranked table; the deal JSON endpoint carries foresight."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

import detente
from cli_runner import run
from detente.formats.native import loads
from web_helpers import ROOT, client, open_page

DATA = ROOT / "tests" / "data"
COLLATERAL = (DATA / "collateral_deal.yaml").read_text(encoding="utf-8")
#: The collateral deal without `after:`: its 3 tranches in any of 6 orders.
FREE = "".join(line for line in COLLATERAL.splitlines(keepends=True) if "after:" not in line)
GUARANTEE = (DATA / "guarantee_commitment_deal.yaml").read_text(encoding="utf-8")


def _text(page: str) -> str:
    """The page's text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_deal_json_carries_foresight_exactly_as_the_cli(tmp_path: Path) -> None:
    model = DATA / "guarantee_commitment_deal.yaml"
    cli = json.loads(run("deal", model, "-c", "nash", "-c", "seq", "--format", "json").stdout)
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": GUARANTEE})
        got = c.get("/api/models/1/deal?concept=nash&concept=seq").json()
    assert got == cli
    f = got["foresight"]
    assert f["completes"] is True and f["unravels_at"] is None
    assert [o["state"] for o in f["outcome"]] == ["YY", "YY", "YY"]
    assert [[m["dm"] for m in s["movers"]] for s in f["steps"]] == [["A"], ["B"]]
    assert f["myopic"] == {"completes": False, "stalls_at": 1}
    assert got["commitments"]["sets"][0]["commitments"] == [{"option": "g", "make": "fwd"}]


def test_design_job_is_exactly_the_clis_json(tmp_path: Path) -> None:
    model = tmp_path / "free.yaml"
    model.write_text(FREE, encoding="utf-8")
    cli = json.loads(
        run("deal", model, "--design", "--limit", "0", "-c", "nash", "--format", "json").stdout
    )
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FREE})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        job = c.post(
            "/api/models/1/jobs", json={"kind": "deal_design", "orders": 0, "concepts": ["nash"]}
        ).json()
        assert job["kind"] == "deal_design"
        jobs.wait(job["id"], 60)
        got = c.get(f"/api/jobs/{job['id']}").json()
        assert got["state"] == "done" and got["result"] == cli
        assert got["progress"]["done"] == got["progress"]["total"] == 2
        assert len(got["result"]["designs"]) == 6
        two = c.post("/api/models/1/jobs", json={"kind": "deal_design", "orders": 2}).json()
        jobs.wait(two["id"], 60)
        best = c.get(f"/api/jobs/{two['id']}").json()["result"]
        expected = detente.deal_design(loads(FREE), limit=2)
        assert best == expected.to_dict()
        assert [d["order"] for d in best["designs"]] == [list(d.order) for d in expected.designs]
        bad = c.post("/api/models/1/jobs", json={"kind": "deal_design", "concepts": ["nope"]})
        # refused before it is queued, naming the field
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "concept"
        assert "unknown solution concept 'nope'" in bad.json()["detail"]
        assert (
            c.post("/api/models/1/jobs", json={"kind": "deal_design", "orders": -1}).status_code
            == 422
        )
        c.post("/api/models", json={"yaml": GUARANTEE})  # phases, no tranches
        none = c.post("/api/models/2/jobs", json={"kind": "deal_design"}).json()
        jobs.wait(none["id"], 60)
        failed = c.get(f"/api/jobs/{none['id']}").json()
        assert failed["state"] == "failed"
        assert "has no deal with tranches" in failed["error"]["text"]


def test_page_shows_foresight_commitments_and_the_mediation_devices(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": GUARANTEE})
        page = open_page(c, "/models/1")
    text = _text(page)
    assert 'id="foresight-verdict" data-completes="yes"' in page
    assert (
        "With foresight the deal completes; myopically it stalls at step 1 (status quo → "
        "guarantee)."
    ) in text
    assert "takes its step because of what follows (state 4 beats stalling at 1)" in text
    assert 'id="deal-commitments"' in page
    assert (
        "Nash (breaks at 'guarantee' as written): every phase holds with g made fwd "
        "(N→Y only) (completes with foresight)."
    ) in text
    assert 'id="mediation-commitments"' in page
    assert (
        "The fewest commitments that make YY an equilibrium under Nash, priorities "
        "unchanged: 1 (1 set)."
    ) in text
    assert "YY needs no commitment: it is already an equilibrium under SEQ." in text
    assert "Tranche design" not in text  # phases, not tranches


@pytest.mark.slow
def test_page_ranks_the_tranches_and_runs_the_design_as_a_job(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": FREE})
        page = open_page(c, "/models/1")
        text = _text(page)
        assert 'id="design-table"' in page and 'id="design-run"' in page
        assert "6 orders of the tranches that their after lists allow; 0 skipped" in text
        best = detente.deal_design(loads(FREE), limit=0)
        orders = re.findall(
            r"<tr><td>(\d+)</td><td>([^<]+)</td>", page.split('id="design-table"')[1]
        )
        assert orders == [(str(k), " → ".join(d.order)) for k, d in enumerate(best.designs, 1)]
        assert "With foresight the deal completes" in text  # the tranches as written
        token = c.app.state.csrf_token  # type: ignore[attr-defined]
        assert c.post("/models/1/design?version=1").status_code == 403  # no page token
        started = c.post("/models/1/design?version=1", headers={"X-CSRF-Token": token})
        assert started.status_code == 200 and 'id="design-job"' in started.text
        job_id = re.search(r'/models/1/design/([0-9a-f]+)"', started.text)
        if job_id is None:  # already done when the partial was drawn
            assert "first → release → second" in started.text
            return
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        assert jobs.wait(job_id[1], 60).state == "done"
        done = c.get(f"/models/1/design/{job_id[1]}").text
        assert 'data-state="done"' in done and "hx-get" not in done
        assert re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", done) == orders
        assert c.get("/models/1/design/nope").status_code == 404


@pytest.mark.slow
def test_page_says_a_mover_cannot_step_into_its_blind_spot(tmp_path: Path) -> None:
    """tests/data/blind_spot_exchange.yaml: B is blind to YYN, the deal's last phase, so it
    cannot take its step there (docs/deals.md, Blind spots); the page says so, the JSON marks
    it, and the CLI's text and the report word it alike."""
    model = DATA / "blind_spot_exchange.yaml"
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": model.read_text(encoding="utf-8")})
        page = open_page(c, "/models/1")
        got = c.get("/api/models/1/deal?concept=seq").json()
    text = _text(page)
    assert "2: release → payment B cannot take its step (it starts or ends in its blind " \
        "spots) cannot take its step" in text
    b = got["foresight"]["steps"][1]["movers"][0]
    assert (b["dm"], b["proceeds"], b["blind_spot"]) == ("B", False, True)
    assert "blind_spot" not in got["foresight"]["steps"][0]["movers"][0]
    said = "B cannot take its step into 'payment': it starts or ends in its blind spots"
    assert said in run("deal", model, "-c", "seq").stdout
    report = tmp_path / "deal.md"
    assert run("report", model, "-o", report).exit_code == 0
    assert said in " ".join(report.read_text(encoding="utf-8").split())
