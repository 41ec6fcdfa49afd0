"""Big-result outputs: streamed JSON equal to the plain JSON, and the state table in Parquet and
CSV, readable by pandas, Polars and DuckDB. (Speed and memory: benchmarks/bench_output.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

import detente
from cli_runner import run
from detente.analyses.moves import state_strings
from detente.surfaces.outputs.state_table import CHUNK, iter_json, table_columns
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_streamed_json_is_the_plain_json(path: Path) -> None:
    result = detente.analyze(detente.load(path))
    plain = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    assert "".join(iter_json(result)) == plain


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_streamed_json_on_random_models(c: detente.Conflict) -> None:
    result = detente.analyze(c, ["nash", "gmr", "seq"])
    assert "".join(iter_json(result)) == json.dumps(result.to_dict(), indent=2)


def test_json_spanning_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.surfaces.outputs.state_table as table

    monkeypatch.setattr(table, "CHUNK", 5)
    result = detente.analyze(detente.load(ROOT / "examples" / "elmira.yaml"), ["gmr"])
    assert "".join(table.iter_json(result)) == json.dumps(result.to_dict(), indent=2)
    assert CHUNK == 1 << 16


def test_state_strings_match_state_string() -> None:
    c = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    assert state_strings(c.feasible, c.n_options).tolist() == [
        c.state_string(int(x)) for x in c.feasible
    ]


def test_analyze_json_on_stdout_and_to_a_file(tmp_path: Path) -> None:
    model = ROOT / "examples" / "elmira.yaml"
    shown = run("analyze", model, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data == detente.analyze(detente.load(model)).to_dict()
    out = tmp_path / "r.json"
    assert run("analyze", model, "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == data


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_state_table_readable_by_pandas_polars_duckdb(fmt: str, tmp_path: Path) -> None:
    model = ROOT / "examples" / "cuban_missile_crisis.yaml"
    out = tmp_path / f"table.{fmt}"
    result = run("analyze", model, "--format", fmt, "-o", out, "-c", "nash", "-c", "seq")
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {out}" in result.stderr
    c = detente.load(model)
    expected = detente.analyze(c, ["nash", "seq"])
    frames = {
        "pandas": pd.read_parquet(out) if fmt == "parquet" else pd.read_csv(out),
        "polars": (pl.read_parquet(out) if fmt == "parquet" else pl.read_csv(out)).to_pandas(),
        "duckdb": duckdb.sql(f"select * from '{out}' order by number").df(),
    }
    for who, df in frames.items():
        assert list(df.columns) == table_columns(expected, c), who
        assert df["number"].tolist() == list(range(1, c.n_states + 1)), who
        assert df["state"].tolist() == [c.state_string(int(x)) for x in c.feasible], who
        assert df["code"].tolist() == c.feasible.tolist(), who
        for concept in ("nash", "seq"):
            assert df[concept].tolist() == expected.equilibrium_mask(concept).tolist(), who
            for i, dm in enumerate(c.dm_names):
                assert df[f"{concept} {dm}"].tolist() == expected.stable[concept][i].tolist()
        ranks = np.asarray(detente.analyze(c, ["nash"]).frame()[f"rank {c.dm_names[0]}"])
        assert df[f"rank {c.dm_names[0]}"].tolist() == ranks.tolist(), who
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_show_writes_the_state_table(tmp_path: Path) -> None:
    out = tmp_path / "states.parquet"
    result = run("show", ROOT / "examples" / "elmira.yaml", "--format", "parquet", "-o", out)
    assert result.exit_code == 0, result.stderr
    df = pd.read_parquet(out)
    assert list(df.columns) == ["number", "code", "state", "rank MoE", "rank UR", "rank LG"]
    assert len(df) == 12


def test_table_formats_need_a_file(tmp_path: Path) -> None:
    model = ROOT / "examples" / "elmira.yaml"
    result = run("analyze", model, "--format", "parquet")
    assert result.exit_code == 2
    assert "--output" in result.stderr
    result = run("analyze", model, "--format", "csv", "-o", tmp_path / "missing" / "t.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
