"""Robustness under uncertain preferences: exact, sampled, distributed; model syntax; CLI."""

from __future__ import annotations

import json
from itertools import permutations, product
from pathlib import Path

import numpy as np
import pytest

import detente
from cli_runner import run
from detente.analyses.robustness import profile_space_size, robustness
from detente.analyses.robustness.profiles import sample_profiles
from detente.engine import CONCEPTS
from detente.formats.native import dumps, loads
from detente.model.conflict import Conflict, DecisionMaker
from detente.model.errors import AnalysisError, ModelError
from detente.model.preferences import StatementPreference

#: Three DMs, every kind of uncertainty: alternatives (statements and a ranking), a statement
#: that holds with probability 0.3, a group of three statements in unknown order.
MODEL = """
name: Uncertain toy
decision_makers:
  - name: A
    options: [{name: a1}, {name: a2, direction: fwd}]
    preferences:
      statements:
        - {statement: a1 iff b, probability: 0.3}
        - unknown_order: [not c, a2, not a1]
        - b
    alternatives:
      - name: hawk
        probability: 0.25
        rationale: Maybe A cares about its own options first.
        preferences: {statements: [a1, a2, not b]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b if a1, not c]}
    alternatives:
      - name: ranked
        probability: 0.4
        preferences: {ranking: [---N, ---Y]}
  - name: C
    options: [{name: c}]
    preferences: {statements: [c iff a2, not b]}
status_quo: NNNN
"""


def toy() -> Conflict:
    return loads(MODEL)


def plain_variants(c: Conflict, j: int) -> list[tuple[float, Conflict]]:
    """(probability, conflict with DM j's preference replaced) for each variant of DM j,
    enumerated by hand from the readings (independently of Reading.variants)."""
    dm = c.dms[j]
    out: list[tuple[float, object]] = []
    for r in dm.readings or ():
        sts = list(r.statements)
        if not r.maybe and not r.groups:
            out.append((r.probability, r.preference))
            continue
        maybe_pos = [pos for pos, _ in r.maybe]
        (start, size), = r.groups
        for keep in product([False, True], repeat=len(maybe_pos)):
            p = r.probability
            for (_, q), k in zip(r.maybe, keep, strict=True):
                p *= q if k else 1 - q
            for perm in permutations(range(size)):
                order = list(range(len(sts)))
                order[start : start + size] = [start + k for k in perm]
                dropped = {pos for pos, k in zip(maybe_pos, keep, strict=True) if not k}
                pref = StatementPreference(tuple(sts[k] for k in order if k not in dropped))
                out.append((p / len(list(permutations(range(size)))), pref))
    if not dm.readings:
        out = [(1.0, dm.preference)]
    return [(p, _with_pref(c, j, pref)) for p, pref in out]  # type: ignore[arg-type]


def _with_pref(c: Conflict, j: int, pref: StatementPreference) -> Conflict:
    dms = list(c.dms)
    dms[j] = DecisionMaker(c.dms[j].name, c.dms[j].options, pref)
    return Conflict(c.name, c.options, tuple(dms), c.constraints, c.status_quo)


def weighted_sum_of_plain_analyses(c: Conflict) -> dict[str, np.ndarray]:
    """Σ over every profile of P(profile) · [equilibrium], by plain ``detente.analyze`` runs."""
    per_dm = [plain_variants(c, j) for j in range(len(c.dms))]
    total = {k: np.zeros(c.n_states) for k in CONCEPTS}
    for combo in product(*per_dm):
        p = float(np.prod([w for w, _ in combo]))
        dms = tuple(model.dms[j] for j, (_, model) in enumerate(combo))
        profile = Conflict(c.name, c.options, dms, c.constraints, c.status_quo)
        result = detente.analyze(profile)
        for k in CONCEPTS:
            total[k] += p * result.stable[k].all(axis=0)
    return total


def test_the_toy_has_every_kind_of_uncertainty() -> None:
    c = toy()
    a, b, cc = c.dms
    assert [r.name for r in a.readings] == ["main", "hawk"]
    assert a.readings[0].probability == pytest.approx(0.75)
    assert a.readings[0].maybe == ((0, 0.3),) and a.readings[0].groups == ((1, 3),)
    assert [r.name for r in b.readings] == ["main", "ranked"] and not cc.readings
    # A: 2 * 6 + 1 variants, B: 2, C: 1
    assert profile_space_size(c) == 13 * 2 * 1
    # other analyses use the main preferences as written
    assert [s.text for s in a.preference.statements] == ["a1 iff b", "not c", "a2", "not a1", "b"]


def test_exact_equals_weighted_sum_of_plain_analyses() -> None:
    c = toy()
    result = robustness(c, exact=True)
    assert result.exact and result.samples == result.distinct == 26 and result.seed is None
    expected = weighted_sum_of_plain_analyses(c)
    for k in CONCEPTS:
        np.testing.assert_allclose(result.equilibrium[k], expected[k], atol=1e-12)
    assert result.equilibrium["gmr"].max() > 0  # not vacuous


@pytest.mark.slow
def test_sampling_converges_to_exact() -> None:
    c = toy()
    exact = robustness(c, exact=True)
    errors = []
    for n in (200, 3000):
        sampled = robustness(c, samples=n, seed=7, exact=False)
        assert not sampled.exact and sampled.samples == n and sampled.seed == 7
        errors.append(max(np.abs(sampled.equilibrium[k] - exact.equilibrium[k]).max()
                          for k in CONCEPTS))
    # standard error at 3000 samples is at most 0.5/sqrt(3000) ~ 0.009
    assert errors[1] < 0.04
    assert errors[1] < errors[0] + 0.01


def test_sampling_is_reproducible_and_laws_hold_for_the_estimates() -> None:
    c = toy()
    one = robustness(c, samples=300, seed=3, exact=False)
    two = robustness(c, samples=300, seed=3, exact=False)
    for k in CONCEPTS:
        assert (one.equilibrium[k] == two.equilibrium[k]).all()
    # 300 draws from 26 profiles: duplicates, each evaluated once with its copies' weight
    drawn = {tuple(row) for row in sample_profiles(c, 300, 3).ids.tolist()}
    assert one.samples == 300 and one.distinct == len(drawn) <= 26
    eq = one.equilibrium  # the same profiles for every concept: laws hold for the estimates
    tol = 1e-12
    assert (eq["nash"] <= eq["seq"] + tol).all() and (eq["seq"] <= eq["gmr"] + tol).all()
    assert (eq["nash"] <= eq["smr"] + tol).all() and (eq["smr"] <= eq["gmr"] + tol).all()
    assert (eq["seq_sim"] <= np.minimum(eq["seq"], eq["sim"]) + tol).all()


def test_status_quo_fate_and_sensitivity() -> None:
    c = toy()
    r = robustness(c, exact=True)
    fate = r.status_quo()
    assert fate is not None and fate["state"] == "NNNN"
    assert fate["equilibrium_probability"]["nash"] == pytest.approx(r.equilibrium["nash"][0])
    # every state evolution reaches is a Nash equilibrium, at most as likely as being one
    for state, p in fate["reaches"].items():
        k = c.state_number(c.parse_state(state)) - 1
        assert 0 < p <= r.equilibrium["nash"][k] + 1e-12
    sens = r.sensitivity("nash")
    assert {e["element"] for e in sens} >= {"preferences (main or alternative)"}
    for e in sens:  # the settings' probabilities add up to the element's reading's probability
        total = sum(s["probability"] for s in e["settings"])
        assert total == pytest.approx(1.0 if e["element"].startswith("preferences") else 0.75)
    assert sens == sorted(sens, key=lambda e: -e["swing"])
    frame = r.sensitivity_frame("nash")
    assert {"element", "setting", "state", "probability"} <= set(frame.columns)
    assert list(r.frame().columns) == ["Nash", "GMR", "SMR", "SEQ", "SIM", "SEQ&SIM"]


def test_certain_model_has_probabilities_zero_or_one() -> None:
    c = detente.load("examples/elmira.yaml")
    r = robustness(c)
    assert r.exact and r.profiles == 1
    expected = detente.analyze(c)
    for k in CONCEPTS:
        assert (r.equilibrium[k] == expected.equilibrium_mask(k)).all()


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_result() -> None:
    distributed = pytest.importorskip("distributed")
    c = toy()
    local = robustness(c, ["nash", "seq"], samples=1200, seed=5, exact=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = robustness(c, ["nash", "seq"], samples=1200, seed=5, exact=False,
                            scheduler=cluster.scheduler_address)
    assert remote.to_dict() == local.to_dict()


@pytest.mark.slow
def test_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("detente.engine.distributed.CONNECT_TIMEOUT", "1s")
    with pytest.raises(AnalysisError, match="cannot reach the Dask scheduler"):
        robustness(toy(), ["nash"], samples=10, exact=False, scheduler="tcp://127.0.0.1:9")


# ---- the model file ------------------------------------------------------------------------
def test_round_trip_keeps_the_uncertainty() -> None:
    c = toy()
    again = loads(dumps(c))
    assert [d.readings for d in again.dms] == [d.readings for d in c.dms]


def _bad(old: str, new: str) -> str:
    assert old in MODEL
    return MODEL.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_bad("probability: 0.25", "probability: 1.5"),
         r"<string>:13: decision_makers\[0\]\.alternatives\[0\]\.probability: .*less than or "
         "equal to 1"),
        (_bad("probability: 0.3}", "probability: 0}"),
         r"decision_makers\[0\]\.preferences\.statements\[0\]\.probability: .*greater than 0"),
        (_bad("[---N, ---Y]}", "[---N, ---Y]}\n      - {name: more, probability: 0.7, "
              "preferences: {statements: [b]}}"),
         r"decision_makers\[1\]\.alternatives: the probabilities of 'B'\S* alternatives sum to "
         "1.1; expected at most 1"),
        (_bad("a1, a2, not b", "a1, a2, not zz"),
         r"<string>:15: decision_makers\[0\]\.alternatives\[0\]\.preferences\.statements\[2\]: "
         ".*zz"),
        (_bad("[not c, a2, not a1]", "[not c, {statement: a2, probability: 0.5}, not a1]"),
         r"unknown_order\[1\]\.probability: a statement inside unknown_order cannot have its "
         "own probability"),
        (_bad("[---N, ---Y]", "[----, ---Y]"),
         r"<string>:22: decision_makers\[1\]\.alternatives\[0\]\.preferences\.ranking\[1\]: "
         "pattern '---Y' includes state NNNY, which is already given"),
        (_bad("[---N, ---Y]", "[---N]"),
         r"<string>:22: decision_makers\[1\]\.alternatives\[0\]\.preferences: .*ranking must "
         "cover every feasible state; missing"),
        (_bad("name: hawk", "name: main"), r"alternatives\[0\]\.name: alternative name 'main'"),
        (_bad("unknown_order: [not c, a2, not a1]", "unknown_order: [not c]"),
         r"unknown_order: .*at least 2 items"),
    ],
)
def test_bad_uncertainty_specs(text: str, expected: str) -> None:
    with pytest.raises(ModelError, match=expected):
        loads(text)


def test_profile_space_too_large_for_exact(write_model) -> None:  # type: ignore[no-untyped-def]
    many = ", ".join(f"o{k}" for k in range(9))
    text = f"""
name: Big orders
decision_makers:
  - name: A
    options: [{{name: a}}]
    preferences: {{statements: [{{unknown_order: [{many}]}}]}}
  - name: B
    options: [{", ".join(f"{{name: o{k}}}" for k in range(9))}]
    preferences: {{statements: [a]}}
"""
    c = loads(text)
    assert profile_space_size(c) == 362880
    with pytest.raises(AnalysisError, match="362,880 preference profiles; exact=True enumerates"):
        robustness(c, exact=True)
    res = run("robustness", write_model(text), "--exact")
    assert res.exit_code == 2 and "--exact enumerates at most" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


# ---- the command line ----------------------------------------------------------------------
def test_cli_json_shape(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(MODEL, encoding="utf-8")
    res = run("robustness", path, "--format", "json", "--samples", "20", "--seed", "4")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["profiles"] == 26 and data["samples"] == 20 and data["exact"] is False
    assert data["seed"] == 4 and data["options"] == ["a1", "a2", "b", "c"]
    assert set(data["concepts"]) == set(CONCEPTS)
    for body in data["concepts"].values():
        probs = body["equilibrium_probability"]
        assert all(len(s) == 4 and 0 < p <= 1 for s, p in probs.items())
    exact = json.loads(run("robustness", path, "--format", "json", "--exact", "-c", "gmr").stdout)
    assert exact["exact"] is True and exact["seed"] is None and list(exact["concepts"]) == ["gmr"]
    expected = robustness(toy(), ["gmr"], exact=True).equilibrium_probability("gmr")
    assert exact["concepts"]["gmr"]["equilibrium_probability"] == pytest.approx(expected)


def test_cli_text(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(MODEL, encoding="utf-8")
    res = run("robustness", path, "-c", "nash")
    assert res.exit_code == 0, res.stderr
    assert "26 preference profiles (exact, every profile)" in res.stdout
    assert "Status quo NNNN" in res.stdout and "Which assumption matters" in res.stdout


def test_flagship_case_study_claims() -> None:
    """The numbers the pre-rework case study quoted (its section 7), on the coarse copy."""
    m = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    r = robustness(m)
    assert r.exact and r.profiles == 12
    p = r.frame()
    assert p.loc["NYYNNNNNYNY", "Nash"] == pytest.approx(1.0)  # war, demands, Iranian strike
    assert p.loc["NYYNNNNNYNN", "Nash"] == pytest.approx(0.4)  # the status quo
    assert p.loc["YNNYYYNNNNN", "SEQ&SIM"] == pytest.approx(0.8)  # the deal, state 37
    assert p.loc["YNNYYYNYYNN", "SMR"] == 0.0  # the guaranteed deal, state 277
    first = r.sensitivity("seq_sim", ["YNNYYYNNNNN"])[0]
    assert first["dm"] == "Hamas" and first["swing"] == pytest.approx(1.0)
    hardline = next(s for s in first["settings"] if s["setting"] == "hardline")
    assert hardline["equilibrium_probability"] == {"YNNYYYNNNNN": 0.0}


def test_the_command_draws_the_analysis_default_number_of_profiles() -> None:
    """The command keeps its own copy of the default (for start-up); the two stay equal."""
    from detente.analyses.robustness import DEFAULT_SAMPLES
    from detente.surfaces.cli.commands import robustness as command

    assert command.DEFAULT_SAMPLES == DEFAULT_SAMPLES


# ---- hardening (issue 16, item 7) -----------------------------------------------------------
def _strict_json(text: str) -> object:
    """json.loads that rejects NaN/Infinity (invalid JSON that Python would accept)."""
    def bad(name: str) -> object:
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=bad)


@pytest.mark.slow
def test_unsampled_setting_gives_valid_json_and_no_nan_text() -> None:
    """The flagship with 5 samples leaves a setting undrawn: its conditional probabilities
    are null (undefined), never NaN; the text says so instead of printing 'nan %'."""
    flagship = "tests/data/ceasefire_2024_coarse.yaml"
    r = robustness(detente.load(flagship), ["nash"], samples=5, exact=False)
    settings = [s for e in r.sensitivity("nash") for s in e["settings"]]
    empty = [s for s in settings if s["probability"] == 0]
    assert empty, "the case must have a setting that no sampled profile has"
    assert all(v is None for s in empty for v in s["equilibrium_probability"].values())
    json.dumps(r.to_dict(), allow_nan=False)
    res = run("robustness", flagship, "--samples", "5", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = _strict_json(res.stdout)
    assert isinstance(data, dict) and data["samples"] == 5
    text = run("robustness", flagship, "--samples", "5").stdout
    assert "nan" not in text.lower() and "not drawn in the sample" in text


def _group_items(size: int) -> list[str]:
    """``size`` distinct statements over the options o0..o5 (at most 27)."""
    singles = [f"o{k}" for k in range(6)] + [f"not o{k}" for k in range(6)]
    pairs = [f"o{i} or o{j}" for i in range(6) for j in range(i + 1, 6)]
    return (singles + pairs)[:size]


def _group_model(size: int) -> str:
    items = ", ".join(_group_items(size))
    opts = ", ".join(f"{{name: o{k}}}" for k in range(6))
    return f"""
name: Long order
decision_makers:
  - name: A
    options: [{{name: a}}]
    preferences: {{statements: [{{unknown_order: [{items}]}}, a]}}
  - name: B
    options: [{opts}]
    preferences: {{statements: [a, o0]}}
"""


def test_long_unknown_order_is_sampled_without_listing_its_orders() -> None:
    """11 statements in unknown order (39,916,800 orders) took 6 GB: the orders were listed
    as labels. Now the group is summarised by its first statement and profiles are drawn."""
    import tracemalloc

    c = loads(_group_model(11))
    assert profile_space_size(c) == 39_916_800
    tracemalloc.start()
    r = robustness(c, ["nash"], samples=300, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200 * 2**20
    assert not r.exact and r.samples == 300
    (order,) = [e for e in r.elements if e.label.startswith("main: order")]
    assert order.settings == tuple(f"{x} first" for x in _group_items(11))
    mass = sum(s["probability"] for e in r.sensitivity("nash") if e["element"] == order.label
               for s in e["settings"])
    assert mass == pytest.approx(1.0)


def test_groups_beyond_int64_orders_are_sampled() -> None:
    """25 statements: 25! orders do not fit an int64; sampling draws permutations."""
    c = loads(_group_model(25))
    r = robustness(c, ["nash"], samples=50, seed=2)
    assert r.samples == 50 and r.distinct == 50
    assert r.equilibrium["nash"].max() > 0
    with pytest.raises(AnalysisError, match=r"about 10\^25 preference profiles"):
        robustness(c, exact=True)


@pytest.mark.parametrize("seed", [-1, True, 2**64, 1.5])
def test_bad_seed_is_refused_by_name(seed: object) -> None:
    with pytest.raises(AnalysisError, match=r"^seed must be a whole number from 0"):
        robustness(toy(), samples=5, seed=seed, exact=False)  # type: ignore[arg-type]


def test_negative_seed_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(MODEL, encoding="utf-8")
    res = run("robustness", path, "--samples", "5", "--seed", "-1")
    assert res.exit_code == 2 and "--seed must be a whole number from 0" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@pytest.mark.parametrize("samples", [0, -3, True, 2.0])
def test_bad_samples_are_refused_by_name(samples: object) -> None:
    with pytest.raises(AnalysisError, match=r"^samples must be a whole number of at least 1"):
        robustness(toy(), samples=samples)  # type: ignore[arg-type]


def test_too_many_samples_are_refused_up_front_with_the_memory_needed(
    write_model, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """--samples 100000000 died with MemoryError; now refused before drawing anything."""
    import time

    monkeypatch.setenv("DETENTE_MAX_MEMORY", "2GiB")
    text = _group_model(11)
    c = loads(text)
    start = time.perf_counter()
    with pytest.raises(AnalysisError, match=r"^sampling 100,000,000 profiles of 'Long order' "
                       r"needs about [0-9.]+ GiB of memory, more than the 2\.0 GiB available"):
        robustness(c, samples=100_000_000, exact=False)
    # the space (39,916,800) is smaller than the samples: it would be enumerated
    with pytest.raises(AnalysisError, match=r"^enumerating 39,916,800 profiles.*use "
                       r"samples=[0-9,]+ or fewer"):
        robustness(c, samples=100_000_000)
    assert time.perf_counter() - start < 2
    res = run("robustness", write_model(text), "--samples", "100000000")
    assert res.exit_code == 2 and "use --samples " in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


@pytest.mark.slow
def test_the_memory_estimate_covers_a_measured_run() -> None:
    """The estimate is an upper bound of what a sampled run allocates (tracemalloc)."""
    import tracemalloc

    from detente.analyses.robustness import robustness_bytes

    c = loads(_group_model(8))
    tracemalloc.start()
    robustness(c, ["nash"], samples=4000, seed=0, exact=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= robustness_bytes(c, 4000, ["nash"])


def test_api_errors_name_parameters_and_the_cli_its_flags() -> None:
    from detente.surfaces.cli.commands.robustness import cli_words

    with pytest.raises(AnalysisError, match="exact=True enumerates"):
        robustness(loads(_group_model(9)), exact=True)
    words = cli_words("exact=True enumerates; use samples=3")
    assert words == "--exact enumerates; use --samples 3"


@pytest.mark.slow
def test_report_renders_an_undrawn_setting_as_n_a(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's sensitivity list shows 'n/a' for an undefined conditional probability
    (it computed 100 * NaN before; 100 * None would fail)."""
    from detente.surfaces.report.build import build_report
    from detente.surfaces.report.render import render_html, render_markdown

    monkeypatch.setattr("detente.analyses.casefile.ROBUSTNESS_SAMPLES", 10)
    data = build_report(toy(), ["nash"], with_graph=False)
    page, text = render_html(data), render_markdown(data, None)
    assert "nan %" not in page.lower() and "nan %" not in text.lower()
    assert " n/a" in page and " n/a" in text


def test_numpy_integers_are_whole_numbers() -> None:
    r = robustness(toy(), ["nash"], samples=np.int64(20), seed=np.int64(3), exact=False)
    assert r.samples == 20 and r.seed == 3
