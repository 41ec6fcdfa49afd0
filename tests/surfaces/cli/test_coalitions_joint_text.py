"""``detente coalitions`` text lists only the joint moves no member could make alone, as the
report's coalition section does (analyses/coalitions/joint.py), and counts the others."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import detente
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.coalitions.joint import joint_counts
from detente.surfaces.cli.app import app

ROOT = Path(__file__).resolve().parents[3]


def test_elmira_text_lists_the_one_joint_move_and_counts_the_two_a_member_makes_alone() -> None:
    res = CliRunner().invoke(app, ["coalitions", str(ROOT / "examples/elmira.yaml")])
    assert res.exit_code == 0, res.output
    # hand-worked: MoE + UR from state 7 (NYNNY) reach 10 (YNYNY) only together (MoE modifies,
    # UR accepts); the other two improvements change UR's options only
    assert "7 NYNNY → 10 YNYNY" in res.output
    assert "(2 more change one member's options only: it could make them alone)" in res.output
    listed = [line for line in res.output.splitlines() if " → " in line and "moves:" in line]
    c = detente.load(ROOT / "examples/elmira.yaml")
    co = coalition_analysis(c, [("MoE", "UR")])
    assert len(listed) == int(joint_counts(co, 0).sum()) == 1
    assert int(co.n_improvements[0].sum()) == 3
