"""Status-quo analysis: Elmira by hand, random conflicts against a direct search, the CLI."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import reference
from cli_runner import run
from detente.analyses.stability import analyze
from detente.analyses.status_quo import evolve
from detente.formats import load_model
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelError
from detente.surfaces.cli.app import app
from strategies import coalitions as coalitions_of
from strategies import conflicts, states

ROOT = Path(__file__).resolve().parents[2]
ELMIRA = ROOT / "examples" / "elmira.yaml"


# ----- Elmira ----------------------------------------------------------------------------------
# detente numbering (examples/elmira.yaml header): source 1 = 1 (NYNNN), source 5 = 7 (NYNNY),
# source 6 = 8 (YYNNY), source 8 = 10 (YNYNY), source 9 = 5, 6, 11, 12 (UR abandons).
# By hand from the ranks (higher = preferred): at 1 (UR delays, nobody else acts) MoE would
# only lose by modifying (2: 3 -> 2), UR is at its best, LG gains by insisting (1 -> 7: LG 5 -> 6).
# At 7 MoE loses by modifying (8: 4 -> 1); UR loses by accepting (9: 5 -> 1) or abandoning
# (11: 5 -> 4); LG loses by dropping its insistence (1: 6 -> 5). So the path stops at 7.
# MoE + UR from 7: MoE modifies (8), then UR accepts (10): MoE 4 -> 5, UR 5 -> 6, both gain.
# At 10 MoE cannot withdraw the modification (fwd), UR cannot resume delaying (back) and loses
# by abandoning (12: 6 -> 4), LG loses by dropping insist (4: 4 -> 2); the only joint move of
# MoE + UR, to 12, is worse for both. So the path stops at 10.
def test_elmira_unilateral_stops_at_source_5() -> None:
    ev = evolve(load_model(ELMIRA))
    assert ev.start == 0b00010  # NYNNN, the status quo
    assert ev.reachable_numbers() == [1, 7]
    assert [("+".join(e.by), e.source, e.target) for e in ev.edges] == [
        ("LG", 0b00010, 0b10010)]
    assert ev.final_numbers() == [7]
    assert ev.path_numbers(7) == [1, 7]
    (move,) = ev.path(7)
    assert move["by"] == ["LG"]
    assert move["changes"] == [{"option": "insist", "dm": "LG", "from": "N", "to": "Y"}]
    assert ev.reachable_equilibria("nash") == [7]
    assert ev.unreachable_equilibria("nash") == [5, 6, 10, 11, 12]
    assert ev.reachable_equilibria("gmr") == [1, 7]
    assert ev.unreachable_equilibria("seq") == [5, 6, 10, 11, 12]


def test_elmira_with_moe_ur_coalition_reaches_source_8() -> None:
    ev = evolve(load_model(ELMIRA), coalitions=True)
    assert ev.coalitions == (("MoE", "UR"),)
    assert ev.reachable_numbers() == [1, 7, 10]
    assert [("+".join(e.by), e.source, e.target) for e in ev.edges] == [
        ("LG", 0b00010, 0b10010), ("MoE+UR", 0b10010, 0b10101)]
    assert ev.final_numbers() == [10]
    assert ev.path_numbers(10) == [1, 7, 10]
    joint = ev.path(10)[1]
    assert joint["by"] == ["MoE", "UR"]
    assert [(s["dm"], s["from"]["number"], s["to"]["number"]) for s in joint["steps"]] == [
        ("MoE", 7, 8), ("UR", 8, 10)]
    assert [ch["option"] for ch in joint["changes"]] == ["modify", "delay", "accept"]
    assert ev.reachable_equilibria("nash") == [7, 10]
    assert ev.unreachable_equilibria("nash") == [5, 6, 11, 12]
    # The same with the coalition named explicitly (any order of members).
    again = evolve(load_model(ELMIRA), coalitions=[["UR", "MoE"]])
    assert again.edges == ev.edges


def test_elmira_views_and_json() -> None:
    ev = evolve(load_model(ELMIRA), coalitions=True, concepts=["nash", "gmr"])
    df = ev.frame()
    assert df.index.tolist() == [1, 4, 5, 6, 7, 10, 11, 12]
    assert df.loc[10, "path"] == "1 →LG→ 7 →MoE+UR→ 10"
    assert df.loc[10, "steps"] == 2 and bool(df.loc[10, "final"])
    assert not bool(df.loc[4, "reachable"]) and bool(df.loc[4, "GMR"])
    assert ev.edges_frame()["changes"].tolist() == [
        "insist N→Y", "modify N→Y, delay Y→N, accept N→Y"]
    data = json.loads(json.dumps(ev.to_dict()))
    assert data["start"] == {"number": 1, "state": "NYNNN"}
    assert [f["number"] for f in data["final"]] == [10]
    assert [m["to"]["number"] for m in data["final"][0]["path"]] == [7, 10]
    assert data["concepts"]["nash"]["unreachable"] == [5, 6, 11, 12]
    assert data["table"][0] == {"number": 1, "state": "NYNNN", "final": False,
                                "reachable": True, "steps": 0, "path": "1", "Nash": False,
                                "GMR": True}
    assert data["table"][1]["steps"] is None


def test_other_start_and_errors(write_model: Any) -> None:
    c = load_model(ELMIRA)
    ev = evolve(c, start="NNYNY")  # 9: UR gives up accepting the unmodified order
    assert ev.final_numbers() == [11] and ev.path_numbers(11) == [9, 11]
    assert evolve(c, start=10).final_numbers() == [10]
    assert ev.is_reachable(11) and not ev.is_reachable(1)
    with pytest.raises(AnalysisError, match="not reachable"):
        ev.path(1)
    with pytest.raises(ModelError, match="not feasible"):
        evolve(c, start="NNNNN")
    with pytest.raises(ModelError, match="unknown decision maker"):
        evolve(c, coalitions=[["MoE", "EPA"]])
    with pytest.raises(AnalysisError, match="was not analysed"):
        ev.reachable_equilibria("sim")
    plain = load_model(write_model(ELMIRA.read_text(encoding="utf-8")
                                   .replace('status_quo: "NYNNN"', "")
                                   .replace("coalitions: [[MoE, UR]]", "")))
    with pytest.raises(AnalysisError, match="no status quo"):
        evolve(plain)
    with pytest.raises(AnalysisError, match="names no coalitions"):
        evolve(plain, start=1, coalitions=True)


# ----- random conflicts against a direct search ------------------------------------------------
def direct_evolution(
    c: Conflict, start: int, coalitions: list[list[int]]
) -> tuple[set[tuple[str, int, int]], dict[int, int]]:
    """Edges (by, from, to) and BFS distances, from reference.py's move definitions."""
    edges: set[tuple[str, int, int]] = set()
    dist = {start: 0}
    queue = deque([start])
    while queue:
        s = queue.popleft()
        out: list[tuple[str, int]] = []
        for j in range(len(c.dms)):
            out += [(c.dm_names[j], t) for t in reference.improvements(c, j, s)]
        for h in coalitions:
            name = "+".join(c.dm_names[j] for j in sorted(h))
            out += [
                (name, t) for t in reference.coalition_reach(c, h, s)
                if all(reference.u(c, j, t) > reference.u(c, j, s) for j in h)
            ]
        for by, t in out:
            edges.add((by, s, t))
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return edges, dist


@pytest.mark.slow
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(conflicts(max_dms=4, max_options=6), st.data())
def test_matches_direct_search(c: Conflict, data: st.DataObject) -> None:
    start = int(data.draw(states(c)))
    coalitions = data.draw(st.lists(coalitions_of(c), max_size=2))
    ev = evolve(c, start=c.state_string(start), coalitions=coalitions)
    chosen = [sorted(c.dm_index(x) for x in key) for key in ev.coalitions]
    want_edges, dist = direct_evolution(c, start, chosen)
    assert {("+".join(e.by), e.source, e.target) for e in ev.edges} == want_edges
    assert set(ev.states) == set(dist)
    sources = {s for _, s, _ in want_edges}
    assert set(ev.final_states()) == set(dist) - sources
    nash = set(analyze(c, ["nash"]).equilibria("nash"))
    if not chosen:  # with unilateral moves only, final states are the reachable Nash equilibria
        assert set(ev.final_states()) == nash & set(dist)
    for s, d in dist.items():
        path = ev.path_edges(c.state_string(s))
        assert len(path) == d
        at = start
        for e in path:
            assert e.source == at and ("+".join(e.by), e.source, e.target) in want_edges
            at = e.target
        assert at == s
    reach_numbers = {c.state_number(s) for s in dist}
    for number in ev.reachable_equilibria("nash"):
        assert number in reach_numbers
    assert set(ev.reachable_equilibria("nash")) | set(ev.unreachable_equilibria("nash")) == {
        c.state_number(s) for s in nash}


# ----- command line ---------------------------------------------------------------------------


def test_cli_text() -> None:
    result = run("evolve", ELMIRA)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Start: state 1 NYNNN (status quo)" in out
    assert "state 7 NYNNY — 1 move" in out
    assert "LG: 1 NYNNN → 7 NYNNY  (insist N→Y)" in out
    assert "Nash equilibria not reachable from state 1: 5, 6, 10, 11, 12" in out
    result = run("evolve", ELMIRA, "--coalitions")
    out = result.stdout
    assert "state 10 YNYNY — 2 moves" in out
    assert "MoE+UR: 7 NYNNY → 10 YNYNY" in out and "MoE 7→8, then UR 8→10" in out
    assert "1 →LG→ 7 →MoE+UR→ 10" in out
    assert "Nash equilibria not reachable from state 1: 5, 6, 11, 12" in out


def test_cli_json_from_and_coalition() -> None:
    result = run("evolve", ELMIRA, "--from", "7", "--coalition", "MoE,UR", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["start"]["number"] == 7
    assert [f["number"] for f in data["final"]] == [10]
    result = run("evolve", ELMIRA, "--from", "NNYNY", "--concept", "seq", "--format", "json")
    data = json.loads(result.stdout)
    assert list(data["concepts"]) == ["seq"] and data["concepts"]["seq"]["reachable"] == [11]


def test_cli_errors(write_model: Any) -> None:
    for args, fragment in [
        (["--coalition", "MoE,XX"], "unknown decision maker 'XX'"),
        (["--from", "NNNNN"], "state NNNNN is not feasible"),
        (["--from", "99"], "out of range"),
        (["--concept", "bogus"], "unknown solution concept"),
    ]:
        result = run("evolve", ELMIRA, *args)
        assert result.exit_code == 2, result.stdout
        assert fragment in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
    plain = write_model(ELMIRA.read_text(encoding="utf-8").replace('status_quo: "NYNNN"', "")
                        .replace("coalitions: [[MoE, UR]]", ""))
    result = run("evolve", plain)
    assert result.exit_code == 2 and "no status quo" in result.stderr
    result = run("evolve", plain, "--from", "1", "--coalitions")
    assert result.exit_code == 2 and "names no coalitions" in result.stderr


def test_cli_help_has_an_example() -> None:
    result = run("evolve", "--help")
    assert result.exit_code == 0 and "Example: detente evolve" in result.stdout


@pytest.mark.slow
def test_cli_limit_caps_the_equilibria_lists() -> None:


    path = str(Path(__file__).resolve().parents[2] / "tests/data/ceasefire_2024_coarse.yaml")
    capped = CliRunner().invoke(app, ["evolve", path, "--limit", "5"])
    full = CliRunner().invoke(app, ["evolve", path, "--limit", "0"])
    assert capped.exit_code == 0 and full.exit_code == 0
    assert "more rows hidden" in capped.stdout and "more rows hidden" not in full.stdout
    assert " more\n" in capped.stdout or "… and " in capped.stdout
    assert len(capped.stdout) < len(full.stdout) / 5
