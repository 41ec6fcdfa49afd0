"""Tranche design: the `tranches:` of a deal, `detente.deal_design`, `detente deal --design`.

The collateral example (tests/data/collateral_deal.yaml, worked by hand in
test_deal_foresight.py) without its `after` lists has 3! = 6 orders; by hand (state text
a_first a_second b_releases, A: b_releases > a_second if b_releases > not a_first >
not a_second, B: a_second > a_first > not b_releases):
- first, release, second: completes (test_deal_foresight.py);
- release, first, second (NNY, YNY, YYY): A proceeds at the last step (YYY satisfies its
  conditional, the stall YNY not), then also with its first tranche (stall NNY vs YYY: YYY
  keeps the conditional), and B proceeds (stall NNN vs YYY: YYY has a_second): completes;
- every order that ends with B's release unravels (B keeps its prisoners once it has both
  tranches), and so does release, second, first: A would rather keep a_first at the end
  (stall NYY satisfies "not a_first"), so O_2 = NYY, and ...; not YYY.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise, permutations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import detente
from cli_runner import run
from detente.analyses.deal import deal_analysis, deal_design
from detente.analyses.deal.design import count_orders
from detente.formats.native import dumps, loads
from detente.model import Conflict, ModelError
from detente.model.deal import Deal, Tranche, tranche_phases
from detente.model.errors import AnalysisError, ArgumentError
from detente.model.feasibility import InfeasiblePattern
from strategies_deals import tranche_deals

ROOT = Path(__file__).resolve().parents[2]
COLLATERAL = ROOT / "tests" / "data" / "collateral_deal.yaml"
TEXT = COLLATERAL.read_text(encoding="utf-8")
BASE = TEXT.split("deal:")[0]


def _free(c: Conflict) -> Conflict:
    """The deal with every `after` dropped."""
    assert c.deal is not None
    tranches = tuple(replace(t, after=()) for t in c.deal.tranches)
    return replace(c, deal=replace(c.deal, tranches=tranches))


@pytest.fixture(scope="module")
def collateral() -> Conflict:
    return detente.load(COLLATERAL)


# ----- hand-worked ------------------------------------------------------------------------
def test_collateral_orders_by_hand(collateral: Conflict) -> None:
    r = deal_design(_free(collateral), ["nash"], limit=0)
    assert (r.tried, r.skipped, r.ranked, len(r.designs)) == (6, 0, 6, 6)
    complete = {d.order for d in r.designs if d.completes}
    assert complete == {("first", "release", "second"), ("release", "first", "second")}
    assert {d.order for d in r.designs[:2]} == complete  # completing orders rank first
    by = {d.order: d for d in r.designs}
    assert [p.state for p in by[("release", "first", "second")].phases] == ["NNY", "YNY", "YYY"]
    assert by[("release", "second", "first")].unravels_at == 3
    # with its `after` lists, only the order as written is allowed
    only = deal_design(collateral, ["nash"])
    assert (only.tried, only.skipped, [d.order for d in only.designs]) == (
        1,
        0,
        [("first", "release", "second")],
    )


def test_orders_through_infeasible_states_are_skipped_and_counted(collateral: Conflict) -> None:
    """The second tranche cannot come before the first (a_second Y with a_first N is
    infeasible): the 3 orders that put it first are skipped."""
    c = _free(collateral)
    c = replace(c, constraints=(InfeasiblePattern((("a_first", False), ("a_second", True))),))
    r = deal_design(c, ["nash"], limit=0)
    assert (r.tried, r.skipped, r.ranked) == (6, 3, 3)
    assert all(d.order.index("first") < d.order.index("second") for d in r.designs)


def test_limit_lists_the_first_designs(collateral: Conflict) -> None:
    c = _free(collateral)
    every = deal_design(c, ["nash"], limit=0)
    two = deal_design(c, ["nash"], limit=2)
    assert [d.order for d in two.designs] == [d.order for d in every.designs[:2]]
    assert two.ranked == 6
    with pytest.raises(ArgumentError) as err:
        deal_design(c, ["nash"], limit=-1)
    assert err.value.parameter == "limit"


def test_count_orders_by_hand() -> None:
    def t(name: str, *after: str) -> Tranche:
        return Tranche(name, (("x", True),), after)

    assert count_orders(tuple(t(n) for n in "abcd")) == 24
    assert count_orders((t("a"), t("b", "a"), t("c", "b"), t("d"))) == 4  # d anywhere
    assert count_orders((t("a"), t("b", "a"), t("c", "a"))) == 2


def test_too_many_orders_is_refused_with_an_estimate() -> None:
    names = [f"o{k}" for k in range(9)]
    text = (
        "name: nine\ndecision_makers:\n  - name: A\n    options: ["
        + ", ".join(f"{{name: {n}}}" for n in names)
        + "]\n    preferences: {statements: [o0]}\n"
        + "status_quo: "
        + "N" * 9
        + "\ndeal:\n  name: d\n  tranches:\n"
        + "".join(f"    - {{name: t{k}, set: {{o{k}: Y}}}}\n" for k in range(9))
    )
    c = loads(text)
    with pytest.raises(AnalysisError) as err:
        deal_design(c)
    msg = str(err.value)
    assert "9 tranches allow 362,880 orders" in msg and "40,320" in msg and "about" in msg
    chained = text.replace("{name: t8, set: {o8: Y}}", "{name: t8, set: {o8: Y}, after: [t7]}")
    assert count_orders(loads(chained).deal.tranches) == 362_880 // 2  # type: ignore[union-attr]


def test_a_deal_without_tranches_is_refused() -> None:
    with pytest.raises(AnalysisError, match="no deal with tranches"):
        deal_design(detente.load(ROOT / "tests" / "data" / "exchange_deal.yaml"))


# ----- brute force over all orders --------------------------------------------------------
def _brute(c: Conflict, concepts: list[str]) -> tuple[int, int, list[dict[str, Any]]]:
    """Every permutation, filtered by `after`, feasibility and irreversibility, each analysed
    by `deal_analysis` on its own, ranked by the documented key."""
    assert c.deal is not None and c.status_quo is not None
    tried = skipped = 0
    rows = []
    for seen, order in enumerate(permutations(c.deal.tranches)):
        names = [t.name for t in order]
        if any(a not in names[:k] for k, t in enumerate(order) for a in t.after):
            continue
        tried += 1
        phases = tranche_phases(c.option_names, c.status_quo, order)
        path = [c.status_quo, *(p.state for p in phases)]
        if not all(c.is_feasible(s) for s in path[1:]) or any(
            c.space.step_problem(a, b) is not None for a, b in pairwise(path)
        ):
            skipped += 1
            continue
        d = replace(c, deal=Deal("d", phases, guarantors=c.deal.guarantors))
        r = deal_analysis(d, concepts, mediate=False)
        assert r.foresight is not None
        guarantees = {
            k: (g.settings[0].on if g.settings else None) for k, g in r.guarantees.items()
        }
        cost = sum(len(c.deal.guarantors) + 1 if v is None else len(v) for v in guarantees.values())
        holds = {k: r.holds(k) for k in concepts}
        key = (not r.foresight.completes, -sum(holds.values()), cost, len(r.exposures), seen)
        rows.append(
            {
                "key": key,
                "order": tuple(names),
                "completes": r.foresight.completes,
                "unravels_at": r.foresight.unravels_at,
                "holds": holds,
                "exposures": len(r.exposures),
                "guarantees": guarantees,
                "phases": [p.state.state for p in r.phases],
            }
        )
    rows.sort(key=lambda row: row["key"])
    return tried, skipped, rows


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tranche_deals(max_tranches=4))
def test_design_agrees_with_brute_force_over_all_orders(c: Conflict) -> None:
    concepts = ["nash", "gmr", "seq", "sim"]
    tried, skipped, rows = _brute(c, concepts)
    r = deal_design(c, concepts, limit=0)
    assert (r.tried, r.skipped, r.ranked) == (tried, skipped, len(rows))
    got = [
        {
            "order": d.order,
            "completes": d.completes,
            "unravels_at": d.unravels_at,
            "holds": d.holds,
            "exposures": d.exposures,
            "guarantees": d.guarantees,
            "phases": [p.state for p in d.phases],
        }
        for d in r.designs
    ]
    assert got == [{k: v for k, v in row.items() if k != "key"} for row in rows]


# ----- the model file ---------------------------------------------------------------------
def _error(deal_yaml: str, base: str = BASE) -> ModelError:
    with pytest.raises(ModelError) as err:
        loads(base + deal_yaml, source="m.yaml")
    return err.value


T3 = (
    "    - {name: first, set: {a_first: Y}}\n    - {name: release, set: {b_releases: Y}}\n"
    "    - {name: second, set: {a_second: Y}}\n"
)


@pytest.mark.parametrize(
    ("deal_yaml", "field", "words"),
    [
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {nope: Y}}\n",
            "deal.tranches[0].set.nope",
            "unknown option 'nope'",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}, after: [zz]}\n",
            "deal.tranches[0].after[0]",
            "unknown tranche 'zz'",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}, after: [u]}\n"
            "    - {name: u, set: {b_releases: Y}, after: [t]}\n",
            "deal.tranches[0].after",
            "cycle: t after u after t",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}}\n"
            "    - {name: u, set: {a_first: N, b_releases: Y}}\n",
            "deal.tranches[1].set.a_first",
            "set by tranche 't' and again by tranche 'u'",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}}\n"
            "  phases:\n    - {name: p, set: {a_first: Y}}\n",
            "deal",
            "exactly one of phases or tranches",
        ),
        ("deal:\n  name: d\n", "deal", "exactly one of phases or tranches"),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}, after: [u]}\n"
            "    - {name: u, set: {b_releases: Y}}\n",
            "deal.tranches[0].after",
            "written before 'u'",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: N}}\n",
            "deal.tranches[0].set",
            "only sets options to their status-quo values",
        ),
        (
            "deal:\n  name: d\n  tranches:\n    - {name: t, set: {a_first: Y}}\n"
            "    - {name: t, set: {b_releases: Y}}\n",
            "deal.tranches[1].name",
            "duplicate tranche name 't'",
        ),
    ],
)
def test_tranche_errors_name_file_line_and_field(deal_yaml: str, field: str, words: str) -> None:
    err = _error(deal_yaml)
    assert err.source == "m.yaml" and err.line is not None, str(err)
    assert err.field == field, str(err)
    assert words in str(err)


def test_infeasible_written_order_says_which_condition_and_where() -> None:
    base = BASE + "infeasible:\n  - pattern: {a_first: N, a_second: Y}\n    reason: r\n"
    err = _error(
        "deal:\n  name: d\n  tranches:\n    - {name: s, set: {a_second: Y}}\n"
        "    - {name: f, set: {a_first: Y}}\n",
        base,
    )
    assert err.field == "deal.tranches[0].set" and err.line is not None
    assert "infeasible" in str(err) or "not feasible" in str(err)


def test_tranches_need_a_status_quo() -> None:
    base = BASE.replace("status_quo: NNN\n", "")
    err = _error("deal:\n  name: d\n  tranches:\n" + T3, base)
    assert err.field == "deal.tranches" and "status_quo" in str(err)


def test_tranches_round_trip(collateral: Conflict) -> None:
    again = loads(dumps(collateral))
    assert again.deal == collateral.deal
    assert again.deal is not None and again.deal.tranches[1].after == ("first",)


# ----- command line -----------------------------------------------------------------------
def test_cli_design_json(tmp_path: Path, collateral: Conflict) -> None:
    free = tmp_path / "free.yaml"
    free.write_text(dumps(_free(collateral)), encoding="utf-8")
    out = run("deal", free, "--design", "-c", "nash", "--limit", "3", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["model"] == "Collateral held back" and data["parameters"] == {"limit": 3}
    assert (data["deal"], data["tried"], data["skipped"], data["ranked"]) == (
        "exchange in three tranches",
        6,
        0,
        6,
    )
    assert len(data["designs"]) == 3
    top = data["designs"][0]
    assert set(top) == {
        "order",
        "phases",
        "completes",
        "unravels_at",
        "holds",
        "exposures",
        "guarantees",
    }
    assert top["completes"] is True and set(top["holds"]) == {"nash"}
    out = run("deal", free, "--design", "-c", "nash", "--limit", "0", "--format", "json")
    assert len(json.loads(out.stdout)["designs"]) == 6


def test_cli_design_text_and_errors(tmp_path: Path, collateral: Conflict) -> None:
    free = tmp_path / "free.yaml"
    free.write_text(dumps(_free(collateral)), encoding="utf-8")
    out = run("deal", free, "--design", "-c", "nash")
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "6 orders allowed by `after`, 0 skipped" in text
    assert "first → release → second" in text
    out = run("deal", free, "--design", "--limit", "-2")
    assert out.exit_code == 2 and "--limit" in out.stderr
    out = run("deal", free, "--limit", "2")
    assert out.exit_code == 2 and "--design" in out.stderr
    out = run("deal", ROOT / "tests" / "data" / "exchange_deal.yaml", "--design")
    assert out.exit_code == 2 and "no deal with tranches" in " ".join(out.stderr.split())
