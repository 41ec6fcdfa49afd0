"""The workbench's packages and drafts (issue 20): ``GET /api/models/{id}/packages`` and
``GET /api/models/{id}/drafts`` are exactly ``detente packages|drafts --format json``, as
``packages`` and ``drafts`` jobs too; refusals name the field; too much work for a request is
refused with the job to start instead.

The model is tests/data/trade_packages.yaml, worked by hand in tests/analyses/test_packages.py
and tests/analyses/test_drafts.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run
from web_helpers import PD, ROOT, client

TRADE_FILE = ROOT / "tests" / "data" / "trade_packages.yaml"
TRADE = TRADE_FILE.read_text(encoding="utf-8")


def _cli(command: str, path: Path, *args: str) -> Any:
    result = run(command, path, *args, "--format", "json")
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


@pytest.mark.slow
def test_packages_endpoint_is_exactly_the_clis_json(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        plain = c.get("/api/models/1/packages").json()
        every = c.get("/api/models/1/packages?concept=nash&concept=gmr&limit=0").json()
        one = c.get("/api/models/1/packages?concept=gmr&limit=1").json()
        against = c.get("/api/models/1/packages?against=YYY&concept=gmr").json()
        again = c.get("/api/models/1/packages?concept=nash&concept=gmr&limit=0").json()
    assert plain == _cli("packages", TRADE_FILE)
    assert every == _cli("packages", TRADE_FILE, "-c", "nash", "-c", "gmr", "--limit", "0")
    assert one == _cli("packages", TRADE_FILE, "-c", "gmr", "--limit", "1")
    assert against == _cli("packages", TRADE_FILE, "--against", "YYY", "-c", "gmr")
    assert again == every  # the cached answer is the same
    # by hand (test_packages.py): frontier first, then Pareto, then the rest
    assert [p["state"] for p in every["packages"]] == ["YYY", "NNY", "YNY", "YYN", "NNN"]
    assert every["maximin"]["gmr"]["state"] == "YYY"
    assert every["nash_bargaining"]["gmr"]["state"] == "NNY"
    assert [p["state"] for p in one["packages"]] == ["YYY"] and one["acceptable"] == 5
    # against YYY (A 4, B 4): only YYY itself, which holds under GMR
    assert [p["state"] for p in against["packages"]] == ["YYY"]
    assert against["parameters"]["against"] == "YYY"


def test_drafts_endpoint_is_exactly_the_clis_json(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        plain = c.get("/api/models/1/drafts").json()
        two = c.get("/api/models/1/drafts?concept=nash&concept=gmr").json()
        against = c.get("/api/models/1/drafts?concept=gmr&against=YYY").json()
    assert plain == _cli("drafts", TRADE_FILE)
    assert two == _cli("drafts", TRADE_FILE, "-c", "nash", "-c", "gmr")
    assert against == _cli("drafts", TRADE_FILE, "-c", "gmr", "--against", "YYY")
    # by hand (test_drafts.py): the first draft YYN breaks for A; YYY is one change away
    first = two["drafts"][0]["states"][0]
    assert first["vetoes"] == [] and first["breaks_for"] == {"nash": ["A"], "gmr": ["A"]}
    assert first["nearest"]["gmr"] == {"changes": 1, "count": 1, "states": ["YYY"]}
    # against YYY (A 4, B 4) A vetoes YYN (A 3)
    assert against["drafts"][0]["states"][0]["vetoes"] == ["A"]


@pytest.mark.parametrize("analysis", ["packages", "drafts", "hypergame", "deal", "analysis"])
def test_an_unknown_concept_names_the_field(tmp_path: Path, analysis: str) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        bad = c.get(f"/api/models/1/{analysis}?concept=bogus")
    assert bad.status_code == 422
    body = bad.json()
    assert body["error"]["field"] == "concept" and body["error"]["parameter"] == "concepts"
    assert body["detail"].startswith("unknown solution concept 'bogus'; expected one of: nash")


def test_refusals_name_the_field(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        c.post("/api/models", json={"yaml": PD})  # no drafts
        state = c.get("/api/models/1/packages?against=YN")
        assert state.status_code == 422 and state.json()["error"]["field"] == "against"
        assert state.json()["detail"].startswith("against: ")
        limit = c.get("/api/models/1/packages?limit=-1")
        assert limit.status_code == 422 and limit.json()["error"]["field"] == "limit"
        assert limit.json()["detail"] == "limit must be a whole number, 0 (all) or more, got -1"
        ref = c.get("/api/models/1/drafts?against=NNNN")
        assert ref.status_code == 422 and ref.json()["error"]["field"] == "against"
        none = c.get("/api/models/2/drafts")
        assert none.status_code == 422 and "has no drafts" in none.json()["detail"]
        assert c.get("/api/models/1/packages?against=" + "Y" * 65).status_code == 422
        assert c.get("/api/models/9/packages").status_code == 404
        assert c.get("/api/models/9/drafts").status_code == 404


def test_too_much_for_a_request_names_the_job(tmp_path: Path) -> None:
    """Trade has 8 states: over an inline bound of 4 both are refused (413) with the job."""
    with client(tmp_path, inline_states=4) as c:
        c.post("/api/models", json={"yaml": TRADE})
        pk = c.get("/api/models/1/packages?concept=gmr&limit=0")
        dr = c.get("/api/models/1/drafts?against=YYY")
    assert pk.status_code == 413 and dr.status_code == 413
    assert pk.json()["estimate"] == {"states": 8} and pk.json()["limit"] == {"states": 4}
    assert pk.json()["job"] == {
        "kind": "packages",
        "version": 1,
        "concepts": ["gmr"],
        "against": None,
        "listed": 0,
    }
    assert dr.json()["job"] == {"kind": "drafts", "version": 1, "concepts": None, "against": "YYY"}


def test_uncertain_preferences_count_profiles_as_work(tmp_path: Path) -> None:
    """With alternatives the probabilities evaluate profiles x states: over the work bound
    the request is refused with that estimate."""
    text = TRADE.replace(
        "  - name: B\n",
        "    alternatives:\n      - name: other\n        probability: 0.5\n"
        "        preferences: {statements: [a2, a1]}\n  - name: B\n",
        1,
    )
    with client(tmp_path, inline_work=10) as c:
        c.post("/api/models", json={"yaml": text})
        got = c.get("/api/models/1/packages")
    assert got.status_code == 413
    assert got.json()["estimate"] == {"work": 2 * 8}  # two profiles, eight states


def test_jobs_are_the_clis_json(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": TRADE})
        jobs = c.app.state.bench.jobs  # type: ignore[attr-defined]
        pk = c.post(
            "/api/models/1/jobs",
            json={"kind": "packages", "concepts": ["gmr"], "listed": 0, "against": "NNN"},
        ).json()
        dr = c.post("/api/models/1/jobs", json={"kind": "drafts", "concepts": ["nash"]}).json()
        assert pk["kind"] == "packages" and dr["kind"] == "drafts"
        assert jobs.wait(pk["id"], 60).state == "done" and jobs.wait(dr["id"], 60).state == "done"
        packages = c.get(f"/api/jobs/{pk['id']}").json()["result"]
        drafts = c.get(f"/api/jobs/{dr['id']}").json()["result"]
        bad = c.post("/api/models/1/jobs", json={"kind": "packages", "concepts": ["bogus"]})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "concept"
        far = c.post("/api/models/1/jobs", json={"kind": "drafts", "against": "YN"}).json()
        jobs.wait(far["id"], 60)
        failed = c.get(f"/api/jobs/{far['id']}").json()
        assert failed["state"] == "failed" and failed["error"]["text"].startswith("against: ")
    assert packages == _cli("packages", TRADE_FILE, "-c", "gmr", "--limit", "0", "--against", "NNN")
    assert drafts == _cli("drafts", TRADE_FILE, "-c", "nash")
