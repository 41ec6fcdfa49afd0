"""Options with levels through the file formats: the native writer round-trips them exactly;
the .gmcr export compiles them to binary options with the ordering conditions (same states,
moves and equilibria) and says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

import detente
from detente.formats.gmcr.builder import loads_gmcr
from detente.formats.gmcr.writer import dumps_gmcr, omissions, to_gmcr
from detente.formats.native.builder import loads
from detente.formats.native.writer import dumps
from model.test_levels import CONCEPTS, level_models

DATA = Path(__file__).resolve().parents[1] / "data"
CORRIDOR = DATA / "corridor_levels.yaml"

RICH = (
    CORRIDOR.read_text()
    .replace(
        "levels: [stay, reduced, withdraw]",
        "levels: [stay, reduced, withdraw]\n        direction: fwd\n"
        "        description: how far the army pulls back",
    )
    .replace(
        "status_quo: {corridor: stay, release: N}",
        "status_quo: stay/N\ninfeasible:\n  - pattern: {corridor: withdraw, release: N}\n"
        "    reason: no withdrawal without a release\n  - pattern: '-/Y'\n    reason: test\n"
        "deal:\n  name: d\n  phases:\n    - {name: one, set: {corridor: reduced}}\n",
    )
)


def test_native_writer_round_trips_levels_exactly() -> None:
    c = loads(RICH)
    text = dumps(c)
    assert "levels:" in text and "corridor>=" not in text
    back = loads(text)
    assert back.levels == c.levels
    assert back.options == c.options and back.constraints == c.constraints
    assert back.feasible.tolist() == c.feasible.tolist()
    assert back.ranks.tolist() == c.ranks.tolist()
    assert back.status_quo == c.status_quo and back.deal == c.deal
    assert dumps(back) == text


def _equilibria(c: detente.Conflict) -> dict[str, list[int]]:
    r = detente.analyze(c, list(CONCEPTS))
    return {k: r.equilibrium_codes(k) for k in CONCEPTS}


def test_gmcr_export_is_exact_and_says_so() -> None:
    c = detente.load(CORRIDOR)
    data = to_gmcr(c)
    assert [o["name"] for o in data["options"]] == [
        "corridor>=reduced",
        "corridor>=withdraw",
        "release",
    ]
    assert data["infeasibles"] == [[[0, "N"], [1, "Y"]]]
    said = [x for x in omissions(c) if x.startswith("the levels of corridor")]
    assert said == [
        "the levels of corridor (stay, reduced, withdraw): written exactly as the binary "
        "options corridor>=reduced, corridor>=withdraw with 1 infeasible condition(s) that "
        "keep exactly one level"
    ]
    back = loads_gmcr(dumps_gmcr(c))
    assert back.feasible.tolist() == c.feasible.tolist()
    assert back.ranks.tolist() == c.ranks.tolist()
    assert _equilibria(back) == _equilibria(c)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(level_models())
def test_random_level_models_survive_both_formats(
    model: tuple[str, str, list[tuple[str, tuple[str, ...] | None, str, str]]],
) -> None:
    c = loads(model[0])
    native = loads(dumps(c))
    assert native.levels == c.levels and native.ranks.tolist() == c.ranks.tolist()
    gmcr = loads_gmcr(dumps_gmcr(c))
    assert gmcr.feasible.tolist() == c.feasible.tolist()
    assert gmcr.ranks.tolist() == c.ranks.tolist()
    assert gmcr.fwd_mask == c.fwd_mask and gmcr.back_mask == c.back_mask
    assert _equilibria(gmcr) == _equilibria(c)
