"""``detente hypergame`` and ``detente explain --view`` on the hand-worked sanction case
(tests/analyses/test_hypergame.py derives the numbers)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cli_runner import run

MODEL = Path(__file__).resolve().parents[2] / "data" / "hypergame_sanction.yaml"


def test_json_matches_the_hand_worked_case() -> None:
    result = run("hypergame", MODEL, "-c", "seq", "--target", "NN", "--format", "json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["views"] == {"A": {"seq": ["NN", "YY"]}, "B": {"seq": ["YN"]}}
    assert d["equilibria"] == {"seq": ["NN", "YN"]}
    assert d["surprises"]["seq"] == [{"state": "YY", "expected_by": ["A"]}]
    assert d["target_reached"] is True
    assert d["corrections"][0]["target_reached"] is False


def test_text_names_the_surprise_and_the_advice() -> None:
    result = run("hypergame", MODEL, "-c", "seq")
    assert result.exit_code == 0, result.output
    assert "Hypergame equilibria: NN, YN" in result.stdout
    assert "Surprise: YY is expected by A" in result.stdout
    assert "tell A what B really wants: seq: YN" in result.stdout


def test_bad_target_is_a_flag_error() -> None:
    result = run("hypergame", MODEL, "--target", "YYY")
    assert result.exit_code == 2
    assert "--target" in result.stderr


def test_explain_in_a_view() -> None:
    """NN is SEQ-stable for A only in A's view, where B would retaliate."""
    mine = run("explain", MODEL, "NN", "--view", "A", "--dm", "A", "-c", "seq")
    truth = run("explain", MODEL, "NN", "--dm", "A", "-c", "seq")
    assert mine.exit_code == truth.exit_code == 0
    assert "SEQ: stable" in mine.stdout and "(A's view)" in mine.stdout
    assert "SEQ: unstable" in truth.stdout
    bad = run("explain", MODEL, "NN", "--view", "C")
    assert bad.exit_code == 2 and "unknown decision maker 'C'" in bad.stderr


def test_the_docs_console_block_is_the_commands_output() -> None:
    """docs/hypergames.md shows the command and some of its lines (``...`` for the rest): each
    shown line is in the output, in that order."""
    page = (MODEL.parents[2] / "docs" / "hypergames.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ detente (hypergame .*?)\n(.*?)```", page, re.S)
    assert block is not None
    args = block.group(1).split()
    assert args[1] == "tests/data/hypergame_sanction.yaml"
    result = run(args[0], MODEL, *args[2:])
    assert result.exit_code == 0, result.output
    got = [line.rstrip() for line in result.stdout.splitlines()]
    shown = [line.rstrip() for line in block.group(2).splitlines() if line.strip() != "..."]
    at = [got.index(line) for line in shown]
    assert at == sorted(at) and len(shown) == 3
