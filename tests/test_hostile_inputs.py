"""Every input the fuzzing campaign of issue 11 found crashing, hanging or blowing up memory:
each now gives a clear DetenteError (exit 2 in the command line) or a quick correct answer."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

import detente
from cli_runner import run
from detente.engine import Engine
from detente.engine.limited import anticipated
from detente.engine.moves import reach_max
from detente.formats.gmcr import dumps_gmcr, loads_gmcr
from detente.formats.native import loads
from detente.model.conflict import Conflict, DecisionMaker, Option, enumerate_feasible
from detente.model.errors import ArgumentError, DetenteError, ModelError, ModelTooLargeError
from detente.model.feasibility import MutuallyExclusive
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement
from model_texts import TWO_DMS

ROOT = Path(__file__).resolve().parent.parent
PD = ROOT / "examples" / "prisoners_dilemma.yaml"
BASE = TWO_DMS  # two DMs, one option each


def error_of(text: str) -> ModelError:
    with pytest.raises(ModelError) as info:
        loads(text, source="m.yaml")
    return info.value


# ----- YAML ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!float abc", "'abc' cannot be read as !!float"),
        ("!!bool maybe", "'maybe' cannot be read as !!bool"),
        ("!!timestamp 2020-13-45", "'2020-13-45' cannot be read as !!timestamp"),
        ("!!binary AAAA", "the tag !!binary is not supported"),
        ("!!python/name:os.system x", "is not supported"),
    ],
)
def test_yaml_tags_are_located_errors(value: str, expected: str) -> None:
    err = error_of(BASE.replace("name: x", f"name: {value}"))
    assert expected in err.message
    assert (err.source, err.line, err.column) == ("m.yaml", 1, 7)


def test_control_characters_are_located() -> None:
    err = error_of(BASE.replace("name: B", "name: B\x01"))
    assert "control character '\\x01'" in err.message
    assert (err.line, err.column) == (6, 12)


@pytest.mark.slow
def test_deep_nesting_and_self_referencing_alias() -> None:
    start = time.perf_counter()
    deep = error_of("name: " + "[" * 2000 + "]" * 2000)
    assert "nested more than 32 levels" in deep.message
    assert time.perf_counter() - start < 2
    alias = error_of("&a {name: x, decision_makers: *a}")
    assert "self-referencing alias" in alias.message


@pytest.mark.parametrize(
    "statement", ["not " * 500 + "a", " and ".join(["a"] * 1000), " iff ".join(["a"] * 300)]
)
def test_long_statements_are_refused_not_recursed(statement: str) -> None:
    with pytest.raises(ModelError, match="nested too deeply"):
        parse_statement(statement, {"a"})


def test_statement_of_99_terms_still_parses() -> None:
    expr = parse_statement(" and ".join(f"o{k % 7}" for k in range(99)))
    assert expr.options() == frozenset(f"o{k}" for k in range(7))


def test_iff_chain_converts_to_gmcr_quickly() -> None:
    text = " iff ".join(["a"] * 13)
    c = loads(BASE.replace("statements: [a]", f"statements: ['{text}']"))
    start = time.perf_counter()
    data = json.loads(dumps_gmcr(c))
    assert time.perf_counter() - start < 2
    assert loads_gmcr(json.dumps(data)).ranks.tolist() == c.ranks.tolist()


# ----- state numbers and names -------------------------------------------------------------
@pytest.mark.parametrize("ref", ["²", "①", "٣"])
def test_state_numbers_are_ascii_digits(ref: str) -> None:
    err = error_of(BASE + f"status_quo: \"{ref}\"\n")
    assert err.field == "status_quo"
    result = run("explain", PD, ref)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_lone_surrogate_in_a_gmcr_name_is_refused(tmp_path: Path) -> None:
    data = json.loads(dumps_gmcr(detente.load(PD)))
    data["decisionMakers"][0]["name"] = "A\ud800"
    path = tmp_path / "bad.gmcr"
    path.write_text(json.dumps(data), encoding="utf-8")  # ASCII JSON: "\ud800" escaped
    with pytest.raises(ModelError, match="not valid Unicode text"):
        detente.load(path)
    for command in ("validate", "show", "analyze", "report"):
        result = run(command, path)
        assert result.exit_code == 2, (command, result.stderr)


def test_names_with_spaces_around_them_are_refused(tmp_path: Path) -> None:
    text = BASE.replace("name: B", "name: 'A '")
    err = error_of(text)
    assert "decision maker name 'A ' starts or ends with spaces" in err.message
    assert err.field == "decision_makers[1].name"
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    assert run("validate", tmp_path / "m.yaml").exit_code == 2


def test_gmcr_decision_maker_without_options_is_refused(tmp_path: Path) -> None:
    data = {"options": [{"name": "a"}], "decisionMakers": [
        {"name": "A", "options": [0], "preferences": [[[0, "Y"]]]},
        {"name": "C", "options": []},
    ]}
    path = tmp_path / "m.gmcr"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    assert "'C' controls no options" in result.stderr
    out = tmp_path / "out.yaml"
    assert run("convert", path, out).exit_code == 2
    assert not out.exists()


# ----- the Python API -----------------------------------------------------------------------
def test_api_argument_checks(tmp_path: Path) -> None:
    m = detente.load(PD)
    with pytest.raises(ArgumentError, match="concepts must be names"):
        detente.analyze(m, [None])  # type: ignore[list-item]
    with pytest.raises(ArgumentError, match="horizon must be a whole number"):
        detente.analyze(m, horizon=1.5)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="expected a model"):
        detente.analyze("examples/pd.yaml")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="expected a model"):
        detente.explain(None, 1)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        detente.load(3)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="does not exist"):
        detente.save(m, tmp_path / "missing" / "m.yaml")
    assert detente.analyze(m, "nash").equilibria_strings("nash") == ["YY"]


def test_huge_horizon_is_quick() -> None:
    m = detente.load(PD)
    start = time.perf_counter()
    big = detente.analyze(m, ["nash"], horizon=1_000_000).equilibria_strings("L1000000")
    assert time.perf_counter() - start < 2
    assert big == detente.analyze(m, ["nash"], horizon=6).equilibria_strings("L6")


def _plain_anticipation(engine: Engine, horizon: int) -> list[np.ndarray]:
    """G_h by the definition, one step at a time (no cycle detection)."""
    n = engine.conflict.n_states
    ident = np.arange(n)
    g = [ident, ident]
    for _ in range(horizon):
        new = []
        for i in (0, 1):
            outcome = g[1 - i]
            u = engine.utilities[i]
            key = u[outcome] * n + (n - 1 - outcome)
            best = reach_max(engine.layouts[i], key)
            moves = np.isfinite(best)
            idx = np.where(moves, n - 1 - np.mod(np.where(moves, best, 0), n), 0).astype(int)
            new.append(np.where(moves & (u[idx] > u), idx, ident))
        g = new
    return g


@pytest.mark.parametrize("example", ["chicken", "prisoners_dilemma", "syria_iraq"])
def test_horizon_cycle_matches_plain_iteration(example: str) -> None:
    engine = Engine(detente.load(ROOT / "examples" / f"{example}.yaml"))
    for h in range(1, 16):
        got = anticipated(engine.layouts, engine.utilities, h)
        want = _plain_anticipation(engine, h)
        assert all((a == b).all() for a, b in zip(got, want, strict=True)), h


# ----- sizes and files ----------------------------------------------------------------------
def test_thirty_option_mutually_exclusive_group_validates_fast() -> None:
    names = tuple(f"o{k}" for k in range(30))
    start = time.perf_counter()
    feasible = enumerate_feasible(30, (MutuallyExclusive(names),), {n: k for k, n in
                                                                    enumerate(names)}, 2)
    assert time.perf_counter() - start < 1
    assert feasible.tolist() == [0] + [1 << k for k in range(30)]


def test_one_dm_with_many_options_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 29-option group held by one DM has 30 states but a 2**29-cell move grid."""
    names = tuple(f"o{k}" for k in range(29))
    st = Statement("o0", parse_statement("o0"))
    c = Conflict(
        "wide", (*(Option(n, "A") for n in names), Option("b", "B")),
        (DecisionMaker("A", names, StatementPreference((st,))),
         DecisionMaker("B", ("b",), StatementPreference((st,)))),
        (MutuallyExclusive(names),),
    )
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "4GiB")
    with pytest.raises(ModelTooLargeError, match="largest decision maker holds 29 options"):
        detente.analyze(c, ["nash"])


def test_sim_estimate_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    m = detente.load(ROOT / "examples" / "elmira.yaml")
    from detente.engine.budget import analysis_bytes

    need = analysis_bytes(m, ["sim"])
    assert need > analysis_bytes(m, ["nash"])
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(need - 1))
    with pytest.raises(ModelTooLargeError, match="SIM"):
        detente.analyze(m, ["sim"])
    detente.analyze(m, ["nash"])  # within the budget


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(ModelError, match="not a regular file"):
        detente.load(fifo)
    assert time.perf_counter() - start < 1
    if Path("/dev/zero").exists():
        result = run("validate", "/dev/zero")
        assert result.exit_code == 2


def test_file_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BASE + "#" * 5000 + "\n", encoding="utf-8")
    monkeypatch.setenv("DETENTE_MAX_FILE", "4KiB")
    with pytest.raises(ModelError, match=r"more than the 4\.0 KiB"):
        detente.load(path)
    monkeypatch.delenv("DETENTE_MAX_FILE")
    assert detente.load(path).n_states == 4


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("old", encoding="utf-8")
    m = detente.load(PD)
    detente.save(m, path)
    assert detente.load(path).ranks.tolist() == m.ranks.tolist()
    assert [p.name for p in tmp_path.iterdir()] == ["m.yaml"]


def test_every_error_is_a_detente_error() -> None:
    assert issubclass(ArgumentError, DetenteError)


def test_convert_writes_what_gmcr_holds_and_names_each_omission(tmp_path: Path) -> None:
    flagship = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"
    out = tmp_path / "talks.gmcr"
    result = run("convert", flagship, out)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("the coalition Israel + United_States" in w for w in warnings)
    assert any("the status quo (" in w for w in warnings)
    assert any("rationales of" in w for w in warnings)
    assert all("the .gmcr format cannot hold" in w for w in warnings)
    original, written = detente.load(flagship), detente.load(out)
    assert written.ranks.tolist() == original.ranks.tolist()
    assert written.coalitions == original.coalitions[:1]
