"""The numbers docs/packages.md quotes that are not timings, checked against the tool: the
worked example's package table is the one `python benchmarks/bench_packages.py --example`
prints, and the fair-package and drafts tables agree with the analyses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import detente

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "packages.md").read_text(encoding="utf-8")
TRADE = ROOT / "tests" / "data" / "trade_packages.yaml"


def _rows(header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header line starts with ``header``."""
    lines = PAGE.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@pytest.mark.slow
def test_the_worked_example_table_is_what_the_script_prints() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_packages.py"), "--example"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    start = PAGE.index("acceptable 5, Pareto 3")
    block = PAGE[start:].split("\n\n")
    printed = out.splitlines()
    assert block[0] == printed[0]
    table = block[1].splitlines()
    assert table == printed[1 : 1 + len(table)]


def test_fair_packages_table() -> None:
    r = detente.packages(detente.load(TRADE), ["nash", "gmr"]).to_dict()
    rows = _rows("| concept | maximin | Nash bargaining | Kalai–Smorodinsky |")
    got = [
        [r[k][c]["state"] for k in ("maximin", "nash_bargaining", "kalai_smorodinsky")]
        for c in ("nash", "gmr")
    ]
    assert [row[1:] for row in rows] == got
    assert r["nash_bargaining"]["gmr"]["product"] == 5.0  # "product 5"


def test_drafts_table() -> None:
    res = detente.drafts(detente.load(TRADE), ["nash", "gmr"])
    rows = _rows("| draft | state | vetoes | Nash | GMR |")
    got = []
    for d in res.drafts:
        for s in d.states:
            cells = [d.name, s.state, ", ".join(s.vetoes or ()) or "none"]
            for c in ("nash", "gmr"):
                if s.holds[c]:
                    cells.append("holds")
                    continue
                near = s.nearest[c]
                fix = (
                    f"nearest {', '.join(t for t, _ in near)} ({near[0][1]} change"
                    f"{'s' if near[0][1] != 1 else ''})"
                    if near
                    else "no improvement"
                )
                cells.append(f"breaks for {', '.join(s.breaks_for[c])}; {fix}")
            got.append(cells)
    assert rows == got
