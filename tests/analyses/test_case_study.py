"""docs/case-study-ceasefire.md against the tool: section 7's table is read from the page and
every cell recomputed (states: robustness's equilibrium probability; the phased deal: the
brief's probability that every phase holds), and section 2's list of SIM-stable deal states
and its three example states are checked (issue 21, item 5: the page once said state 37 had
the US pressing Israel, and that "the deal" was SEQ&SIM-stable in 80 % of the profiles)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from detente.analyses.brief import brief
from detente.model.conflict import Conflict

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "case-study-ceasefire.md").read_text(encoding="utf-8")
CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")


@pytest.fixture(scope="module")
def model() -> Conflict:
    return detente.load(ROOT / "examples" / "ceasefire_2024.yaml")


def _table(header: str) -> list[list[str]]:
    lines = PAGE.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _percent(cell: str) -> float:
    return float(cell.rstrip(" %")) / 100


@pytest.mark.slow
def test_section_7_table(model: Conflict) -> None:
    rows = _table("| state | what it is |")
    assert len(rows) == 8
    r = detente.robustness(model, CONCEPTS)
    frame = r.frame()
    deal = brief(model, CONCEPTS, fixes=False).proposals[0]
    assert deal.kind == "deal" and deal.probability is not None
    for row in rows:
        values = [_percent(c) for c in row[2:]]
        if row[0] == "the phased deal":
            assert values == pytest.approx([deal.probability[c] for c in CONCEPTS])
            continue
        state = re.match(r"`([YN]+)`", row[0])
        assert state, row
        number = re.search(r"\((\d+)\)", row[0])
        if number:
            assert model.state_number(model.parse_state(state.group(1))) == int(number.group(1))
        assert values == pytest.approx(frame.loc[state.group(1)].tolist()), row[0]
    # the rows named as the deal's phases are its phases, in order
    phases = [row[0] for row in rows if "phase" in row[1] and row[0].startswith("`")]
    want = (
        [
            f"`{model.state_string(p.state)}` ({model.state_number(p.state)})"
            for p in model.deal.phases
        ]
        if model.deal
        else []
    )
    assert phases == want


def test_section_2_sim_stable_deal_states(model: Conflict) -> None:
    listed = re.search(r"The SIM-stable deal states are ([\d, and]+)\.", PAGE.replace("\n  ", " "))
    assert listed
    numbers = [int(n) for n in re.findall(r"\d+", listed.group(1))]
    r = detente.analyze(model, ["sim"])
    deal_states = model.matching("YNNYYY----N")
    stable = [
        model.state_number(int(c))
        for c in deal_states
        if r.stable["sim"][:, model.position(int(c))].all()
    ]
    assert numbers == stable
    words = {n: model.space.words(model.space.code_of_number(n)) for n in (37, 197, 237)}
    # state 37: no pressure, no guarantee, no deployment; 237: pressed and deployed;
    # 197: deployed, not pressed
    assert "US presses Israel" not in words[37] and "US forces deployed" not in words[37]
    assert "US presses Israel" in words[237] and "US forces deployed" in words[237]
    assert "US presses Israel" not in words[197] and "US forces deployed" in words[197]
    assert 37 in stable and 237 in stable and 197 not in stable
