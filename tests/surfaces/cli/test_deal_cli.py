"""``detente deal`` in words: the commitment devices tried as repairs (beside guarantees) and
foresight's verdict beside the myopic one (issue 18)."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run
from conftest import WriteModel
from model_texts import TWO_DMS

DATA = Path(__file__).resolve().parents[2] / "data"
GUARANTEE = DATA / "guarantee_commitment_deal.yaml"
COLLATERAL = DATA / "collateral_deal.yaml"


def test_text_names_the_commitment_that_repairs_the_deal() -> None:
    out = run("deal", GUARANTEE, "-c", "nash", "-c", "seq")
    assert out.exit_code == 0, out.stdout
    text = " ".join(out.stdout.split())  # rich may wrap long lines
    assert "Commitment devices (declared options made one-way)" in text
    for label in ("Nash", "SEQ"):
        assert (
            f"{label} (breaks at 'guarantee' as written): every phase holds with g made "
            "fwd (N→Y only) (completes with foresight)."
        ) in text


def test_text_says_why_no_commitment_repairs_it(write_model: WriteModel) -> None:
    # only "x back" declared: the deal's own second step sets x, so the one set is skipped
    only_back = GUARANTEE.read_text(encoding="utf-8").replace(
        "    - {option: g, make: fwd, rationale: A ratified guarantee cannot be withdrawn.}\n", ""
    )
    out = run("deal", write_model(only_back), "-c", "nash")
    assert out.exit_code == 0, out.stdout
    text = " ".join(out.stdout.split())
    assert (
        "Nash (breaks at 'guarantee' as written): no set of the declared commitment makes "
        "every phase hold (0 sets tried, 1 skipped because the deal's own steps undo a "
        "committed option)."
    ) in text


def test_a_deal_that_holds_needs_no_commitment(write_model: WriteModel) -> None:
    # each wants its own option: both taking it (YY) is an equilibrium, so the deal holds
    holding = (
        TWO_DMS
        + """status_quo: NN
deal:
  name: both at once
  phases: [{name: both, set: {a: Y, b: Y}}]
mediation:
  commitments: [{option: a, make: fwd}]
"""
    )
    out = run("deal", write_model(holding), "-c", "nash", "-c", "gmr")
    assert out.exit_code == 0, out.stdout
    assert "No commitment needed: the deal holds as written under Nash, GMR." in out.stdout


def test_no_commitment_section_without_declared_commitments() -> None:
    out = run("deal", COLLATERAL, "-c", "nash")
    assert out.exit_code == 0, out.stdout
    assert "Commitment devices" not in out.stdout
    # foresight in words, beside the myopic verdict
    assert "B takes its step into 'release' because of what follows" in out.stdout
    assert (
        "With foresight the deal completes; myopically it stalls at step 1 (status quo → first)."
    ) in out.stdout


def test_design_text_counts_one_order_in_the_singular() -> None:
    out = run("deal", COLLATERAL, "--design", "-c", "nash")
    assert out.exit_code == 0, out.stdout
    assert "1 order allowed by `after`, 0 skipped" in out.stdout
    assert "first → release → second" in out.stdout
