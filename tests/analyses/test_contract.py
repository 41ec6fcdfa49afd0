"""The analysis contract (docs/architecture.md, "Adding an analysis"): one call shape, one
result header, one progress type, errors that name parameters (the CLI says its flags, the
web its fields), one request layer that the CLI and the web both use."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import detente
from cli_runner import run
from detente.analyses.contract import HEADER_KEYS, ProgressEvent, ResultHeader
from detente.analyses.requests import (
    AnalyzeRequest,
    CoalitionsRequest,
    DealDesignRequest,
    DealRequest,
    DraftsRequest,
    EvolveRequest,
    ExplainRequest,
    HypergameRequest,
    MediateRequest,
    PackagesRequest,
    RobustnessRequest,
    deal_request,
)
from detente.engine import Engine
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError
from web_helpers import client

ROOT = Path(__file__).resolve().parents[2]
ELMIRA = ROOT / "examples" / "elmira.yaml"
PD = ROOT / "examples" / "prisoners_dilemma.yaml"
DEAL = ROOT / "tests" / "data" / "exchange_deal.yaml"
COLLATERAL = ROOT / "tests" / "data" / "collateral_deal.yaml"
TRADE = ROOT / "tests" / "data" / "trade_packages.yaml"
SANCTION = ROOT / "tests" / "data" / "hypergame_sanction.yaml"

#: Two DMs with an alternative preference: a profile space of 2.
UNCERTAIN = """
name: Uncertain pair
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [a, b]}
    alternatives:
      - name: dove
        probability: 0.5
        preferences: {statements: [not a, b]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b, a]}
status_quo: NN
"""

Call = Callable[..., Any]

#: Each analysis: its model and a call with the common keywords (engine=, progress=).
ANALYSES: dict[str, tuple[Callable[[], Conflict], Call]] = {
    "analyze": (lambda: detente.load(PD),
                lambda m, **kw: detente.analyze(m, ["nash", "gmr"], horizon=2, **kw)),
    "explain": (lambda: detente.load(ELMIRA),
                lambda m, **kw: detente.explain(m, 1, concepts=["gmr"], **kw)),
    "mediate": (lambda: detente.load(PD),
                lambda m, **kw: detente.mediate(m, "NN", ["nash"], **kw)),
    "robustness": (lambda: loads(UNCERTAIN),
                   lambda m, **kw: detente.robustness(m, ["nash"], samples=10, **kw)),
    "coalitions": (lambda: detente.load(ELMIRA),
                   lambda m, **kw: detente.coalition_analysis(m, [["MoE", "UR"]], ["nash"],
                                                              **kw)),
    "evolve": (lambda: detente.load(ELMIRA),
               lambda m, **kw: detente.evolve(m, coalitions=True, **kw)),
    "deal": (lambda: detente.load(DEAL),
             lambda m, **kw: detente.deal_analysis(m, ["nash"], mediate=False, **kw)),
    "deal_design": (lambda: detente.load(COLLATERAL),
                    lambda m, **kw: detente.deal_design(m, ["nash", "seq"], limit=0, **kw)),
    "packages": (lambda: detente.load(TRADE),
                 lambda m, **kw: detente.packages(m, ["nash", "gmr"], against="NNN", limit=0,
                                                  **kw)),
    "drafts": (lambda: detente.load(TRADE),
               lambda m, **kw: detente.drafts(m, ["gmr"], against="YYY", **kw)),
    "hypergame": (lambda: detente.load(SANCTION),
                  lambda m, **kw: detente.hypergame(m, ["seq"], target="NN", **kw)),
    "brief": (lambda: detente.load(DEAL),
              lambda m, **kw: detente.brief(m, ["nash"], samples=10, fixes=False, **kw)),
}
PUBLIC = {"analyze": detente.analyze, "explain": detente.explain, "mediate": detente.mediate,
          "robustness": detente.robustness, "coalitions": detente.coalition_analysis,
          "evolve": detente.evolve, "deal": detente.deal_analysis,
          "deal_design": detente.deal_design, "packages": detente.packages,
          "drafts": detente.drafts, "hypergame": detente.hypergame, "brief": detente.brief}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[Conflict, Any, list[ProgressEvent]]]:
    """Every analysis run once, with an engine of its model and a progress recorder."""
    out = {}
    for name, (load, call) in ANALYSES.items():
        model = load()
        events: list[ProgressEvent] = []
        out[name] = (model, call(model, engine=Engine(model), progress=events.append), events)
    return out


@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_result_starts_with_the_header(
        name: str, results: dict[str, tuple[Conflict, Any, list[ProgressEvent]]]) -> None:
    model, result, _ = results[name]
    data = result.to_dict()
    assert tuple(data)[: len(HEADER_KEYS)] == HEADER_KEYS
    assert data["model"] == model.name and data["options"] == list(model.option_names)
    assert data["decision_makers"] == list(model.dm_names)
    head = result.result_header()
    assert list(data["concepts"]) == list(head.concepts)  # keys, or data keyed by them
    assert data["parameters"] == dict(head.parameters)
    assert isinstance(data["parameters"], dict) and data["detente_version"] == detente.__version__
    json.dumps(data)  # plain data


def test_the_header_says_how_it_was_computed(
        results: dict[str, tuple[Conflict, Any, list[ProgressEvent]]]) -> None:
    params = {name: r[1].to_dict()["parameters"] for name, r in results.items()}
    assert params["analyze"] == {"horizon": 2}
    assert params["robustness"] == {"samples": 2, "seed": None, "exact": True}  # enumerated
    assert params["mediate"]["max_edits"] == 3 and params["mediate"]["target"] == "NN"
    assert params["explain"] == {"state": 1,
                                 "dms": list(results["explain"][0].dm_names)}
    assert params["deal"] == {"mediate": False, "max_edits": 3}
    assert params["deal_design"] == {"limit": 0}
    assert params["coalitions"] == {"coalitions": [["MoE", "UR"]]}
    assert params["evolve"]["coalitions"] and params["evolve"]["start"] >= 1
    assert params["packages"] == {"against": "NNN", "limit": 0}
    assert params["drafts"] == {"against": "YYY"}
    assert params["hypergame"] == {"target": "NN"}
    assert params["brief"] == {"samples": 10, "seed": 0, "fixes": False}  # fixes: it was missing


def test_streamed_coalition_json_keeps_the_header_order() -> None:
    from detente.analyses.coalitions.output import iter_json

    res = detente.coalition_analysis(detente.load(ELMIRA), [["MoE", "UR"]], ["nash"])
    text = "".join(iter_json(res))
    assert json.loads(text) == res.to_dict()
    assert tuple(json.loads(text))[: len(HEADER_KEYS)] == HEADER_KEYS


@pytest.mark.parametrize("name", list(PUBLIC))
def test_every_analysis_takes_the_common_keywords(name: str) -> None:
    params = inspect.signature(PUBLIC[name]).parameters
    assert next(iter(params)) == "model"
    for keyword in ("concepts", "engine", "progress"):
        assert keyword in params and params[keyword].default is None, keyword


@pytest.mark.parametrize("name", list(ANALYSES))
def test_progress_receives_progress_events(
        name: str, results: dict[str, tuple[Conflict, Any, list[ProgressEvent]]]) -> None:
    events = results[name][2]
    assert events and all(isinstance(e, ProgressEvent) for e in events)
    assert all(e.total is None or 1 <= e.step <= e.total for e in events)
    assert events[-1].step == events[-1].total  # the last step reported is the last one


def test_an_engine_of_another_model_is_refused() -> None:
    """mediate, evolve and deal_analysis used one without asking (an IndexError deep down)."""
    other = Engine(detente.load(ELMIRA))
    for load, call in ANALYSES.values():
        with pytest.raises(detente.DetenteError, match="another model"):
            call(load(), engine=other)


def test_header_to_dict_keys() -> None:
    head = ResultHeader("m", ("a",), ("A",), ("nash",), {"seed": 1})
    assert tuple(head.to_dict()) == HEADER_KEYS


# ----- errors name parameters; the CLI says flags, the web fields ---------------------------
@pytest.mark.parametrize(("make", "parameter", "message"), [
    (lambda: RobustnessRequest(samples=0), "samples",
     "samples must be a whole number of at least 1, got 0"),
    (lambda: RobustnessRequest(seed=-1), "seed",
     "seed must be a whole number from 0 to 2**64 - 1, got -1"),
    (lambda: MediateRequest("NN", max_edits=-1), "max_edits",
     "max_edits must be a whole number, 0 or more, got -1"),
    (lambda: MediateRequest("NN", limit=-2), "limit",
     "limit must be a whole number, 0 (all) or more, got -2"),
    (lambda: AnalyzeRequest(horizon=0), "horizon",
     "horizon must be a whole number from 1 to 1,000,000, got 0"),
    (lambda: ExplainRequest(""), "state", "state must be a state number or a Y/N string"),
    (lambda: EvolveRequest(start=""), "start", "start must be a state number"),
    (lambda: CoalitionsRequest([["A", "B"]], all_coalitions=True), "all_coalitions",
     "give coalitions or all_coalitions=True, not both"),
    (lambda: DealRequest(max_edits=True), "max_edits", "max_edits must be a whole number"),
    (lambda: DealDesignRequest(limit=-1), "limit",
     "limit must be a whole number, 0 (all) or more, got -1"),
    (lambda: deal_request(limit=3), "limit", "limit must go with design=True"),
    (lambda: AnalyzeRequest(concepts=[1]), None, "concepts must be names"),
    (lambda: AnalyzeRequest(concepts=["bogus"]), "concepts",
     "unknown solution concept 'bogus'; expected one of: nash, gmr, smr, seq, sim, seq_sim"),
    (lambda: HypergameRequest(concepts=["nash", "L0x"]), "concepts",
     "unknown solution concept 'L0x'"),
    (lambda: CoalitionsRequest(concepts=["sim"]), "concepts",
     "unknown coalition concept 'sim'; expected one of: nash, gmr, smr, seq"),
    (lambda: PackagesRequest(limit=-1), "limit",
     "limit must be a whole number, 0 (all) or more, got -1"),
    (lambda: PackagesRequest(against=""), "against", "against must be a state number"),
    (lambda: DraftsRequest(against=""), "against", "against must be a state number"),
    (lambda: HypergameRequest(target=""), "target", "target must be a state number"),
])
def test_requests_refuse_by_parameter(make: Callable[[], object], parameter: str | None,
                                      message: str) -> None:
    with pytest.raises(ArgumentError) as info:
        make()
    assert str(info.value).startswith(message)
    assert info.value.parameter == parameter or parameter is None


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: detente.robustness(m, samples=0), "samples must be a whole number of at least 1"),
    (lambda m: detente.mediate(m, "NN", max_edits=-1), "max_edits must be a whole number"),
    (lambda m: detente.analyze(m, horizon=0), "horizon must be a whole number from 1"),
])
def test_python_gives_the_same_message_as_the_request(call: Call, message: str) -> None:
    with pytest.raises(ArgumentError, match="^" + message.replace("(", r"\(")) as info:
        call(loads(UNCERTAIN))
    assert info.value.parameter in message


def test_no_analysis_message_names_a_cli_flag() -> None:
    import re

    src = ROOT / "src" / "detente" / "analyses"
    flags = re.compile(r"""["'][^"'\n]*\s--[a-z][a-z-]+""")
    hits = [f"{p.relative_to(src)}: {m.group(0)}" for p in src.rglob("*.py")
            for m in flags.finditer(p.read_text(encoding="utf-8"))
            if "detente " not in m.group(0)]  # "detente x --format json" in docstrings
    assert hits == []


def test_cli_and_web_refuse_samples_0_with_the_request_layers_message(tmp_path: Path) -> None:
    model = tmp_path / "u.yaml"
    model.write_text(UNCERTAIN, encoding="utf-8")
    with pytest.raises(ArgumentError) as info:
        RobustnessRequest(samples=0)
    rule = str(info.value)  # samples must be a whole number of at least 1, got 0
    cli = run("robustness", model, "--samples", "0")
    assert cli.exit_code == 2 and "Traceback" not in cli.stderr
    assert rule.replace("samples", "--samples", 1) in cli.stderr
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": UNCERTAIN})
        web = c.get("/api/models/1/robustness", params={"samples": 0})
        assert web.status_code == 422
        body = web.json()
        assert body["detail"] == rule and body["error"]["field"] == "samples"
        assert body["error"]["parameter"] == "samples"
        job = c.post("/api/models/1/jobs", json={"kind": "robustness", "samples": 0})
        assert job.status_code == 422 and job.json()["detail"] == rule


def test_cli_says_flags_and_web_says_fields(tmp_path: Path) -> None:
    """The same refusal (max_edits=-1) in each surface's words."""
    cli = run("mediate", PD, "--target", "NN", "--max-edits", "-1")
    assert cli.exit_code == 2
    assert "--max-edits must be a whole number, 0 or more, got -1" in cli.stderr
    seed = run("robustness", PD, "--seed", "-1")
    assert seed.exit_code == 2 and "--seed must be a whole number from 0" in seed.stderr
    with client(tmp_path) as c:
        c.post("/api/models", json={"yaml": PD.read_text(encoding="utf-8")})
        web = c.get("/api/models/1/mediate", params={"target": "NN", "max_edits": -1})
        assert web.status_code == 422
        assert web.json()["detail"] == "max_edits must be a whole number, 0 or more, got -1"
        bad = c.get("/api/models/1/explain", params={"state": "NN", "concept": "nope"})
        assert bad.status_code == 422


def test_cli_translates_parameters_in_one_place() -> None:
    from detente.surfaces.cli.output import FLAGS, cli_words

    assert cli_words("lower max_edits to 4, or restrict which parties may change (dms)") == \
        "lower --max-edits to 4, or restrict which parties may change (--dm)"
    assert cli_words("concepts must be names (text), got 1", "concepts") == \
        "--concept must be names (text), got 1"
    assert set(FLAGS) >= {"samples", "seed", "exact", "max_edits", "limit", "horizon"}
