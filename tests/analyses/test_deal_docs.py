"""The numbers docs/deals.md and docs/mediation.md quote that are not timings, checked
against the tool's output: each table row is read from the page, so the page and the tool
cannot drift apart (timings are the benchmarks' business). The worked examples' verdicts are
asserted where the pages name their tests (tests/analyses/test_deal_foresight.py,
tests/analyses/test_commitments.py); this file checks the tables and the counts beside them."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.analyses.deal.commitments import MAX_REPAIR_SETS
from detente.analyses.deal.design import MAX_ORDERS

ROOT = Path(__file__).resolve().parents[2]
DEALS = (ROOT / "docs" / "deals.md").read_text(encoding="utf-8")
MEDIATION = (ROOT / "docs" / "mediation.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "benchmarks"))


def _rows(page: str, header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header line starts with ``header``."""
    lines = page.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _int(text: str) -> int:
    return int(text.replace(",", ""))


DESIGN_ROWS = _rows(DEALS, "| tranches | orders | skipped | ranked | completing |")


def test_the_design_table_is_where_the_test_reads_it() -> None:
    assert [row[0] for row in DESIGN_ROWS] == ["6", "7", "8"]


@pytest.mark.parametrize(
    "row",
    [pytest.param(r, marks=[pytest.mark.slow] if r[0] != "6" else []) for r in DESIGN_ROWS],
    ids=[f"{r[0]} tranches" for r in DESIGN_ROWS],
)
def test_design_table_counts(row: list[str]) -> None:
    """Orders, skipped, ranked and completing orders of the flagship's tranche design, as
    `python benchmarks/bench_deal.py --design` prints them."""
    from bench_deal import tranche_flagship

    n, orders, skipped, ranked, completing = int(row[0]), *map(_int, row[1:5])
    r = detente.deal_design(tranche_flagship(n), limit=0)
    assert (r.tried, r.skipped, r.ranked) == (orders, skipped, ranked)
    assert sum(d.completes for d in r.designs) == completing
    assert 3 * r.skipped == 2 * r.tried  # "Two thirds of the orders are skipped"
    if n >= 7:  # "With 7 and 8 tranches no order completes"
        assert completing == 0


def test_exact_search_bound_and_repair_sets_as_the_pages_say() -> None:
    assert MAX_ORDERS == 40_320 and "exact up to 40,320 orders" in DEALS
    assert MAX_REPAIR_SETS == 64 and "More than 64 sets in all is refused" in MEDIATION


def test_size_table_states_and_guarantors() -> None:
    """The states and guarantor options of the models in the deal benchmark's table."""
    from bench_deal import with_deal
    from bench_engine import build

    rows = _rows(DEALS, "| model | states | guarantors | analyze s |")
    assert rows[0][:3] == ["flagship", "1280", "3"]
    flagship = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    assert flagship.deal is not None
    assert (flagship.n_states, len(flagship.deal.guarantors)) == (1280, 3)
    for name, states, guarantors, *_ in rows[1:]:
        c = with_deal(build(int(name.split()[1])), int(guarantors))
        assert c.deal is not None
        assert (c.n_states, len(c.deal.guarantors)) == (int(states), int(guarantors)), name


def _commitment_rows() -> list[list[str]]:
    return _rows(MEDIATION, "| declared | sets tried | min commitments | minimal sets |")


@pytest.mark.slow
def test_commitment_benchmark_table() -> None:
    """The commitment table of docs/mediation.md (`python benchmarks/bench_mediation.py
    --part commitments`): per number of declared commitments, the sets tried, the least
    commitments that work, the minimal sets, the fewest edits without commitments and the
    commitments that make the fix cheaper."""
    from bench_mediation import FULL, flagship_with_commitments

    rows = _commitment_rows()
    assert [row[0] for row in rows] == ["0", "1", "2", "3"]
    for declared, tried, least, sets, edits, cheaper, _seconds in rows:
        r: Any = detente.mediate(
            flagship_with_commitments(int(declared)), FULL, ["seq_sim"], limit=0
        )
        cr = r.commitments
        assert cr is not None and len(cr.declared) == int(declared)
        assert cr.tried == int(tried)
        assert ("–" if cr.min is None else str(cr.min)) == least
        assert len(cr.solutions) == int(sets)
        assert r.min_edits == int(edits)
        shown = (
            "; ".join(
                f"{w.commitment.option} {w.commitment.make}: {w.min_edits}"
                for w in cr.helpful_edits(r.min_edits)
            )
            or "–"
        )
        assert shown == cheaper


def test_commitment_table_is_where_the_test_reads_it() -> None:
    rows = _commitment_rows()
    assert [row[0] for row in rows] == ["0", "1", "2", "3"]
    assert all(re.fullmatch(r"\d+", row[1]) for row in rows)


MEDIATION_ROWS = _rows(MEDIATION, "| target | concepts | max edits | reachable | min edits |")


@pytest.mark.slow
@pytest.mark.parametrize(
    "row", MEDIATION_ROWS, ids=[f"{r[0]} {r[1]} k={r[2]} {r[3]}" for r in MEDIATION_ROWS]
)
def test_mediation_measured_table(row: list[str]) -> None:
    """docs/mediation.md, "Measured" (`python benchmarks/bench_mediation.py --part
    flagship`): the fewest edits and the minimal solutions of each flagship case, or the
    refusal it quotes."""
    from detente.model.errors import AnalysisError

    target, concepts, k, reachable, least, solutions, _seconds, note = row
    c = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    call = dict(max_edits=int(k), limit=0, reachable=reachable == "True")
    if least == "refused":
        with pytest.raises(AnalysisError) as info:
            detente.mediate(c, target.strip("`"), concepts.split("+"), **call)
        assert str(info.value).startswith(note.rstrip("…"))
        return
    r = detente.mediate(c, target.strip("`"), concepts.split("+"), **call)
    assert ("–" if r.min_edits is None else str(r.min_edits)) == least
    assert len(r.solutions) == int(solutions)
