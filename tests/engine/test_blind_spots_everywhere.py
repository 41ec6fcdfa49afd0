"""Blind spots (GMCR+ misperceptions) in every analysis, against brute force.

``tests/data/blind_spot_exchange.yaml`` is ``brief_exchange.yaml`` with B blind to YYN: B can
neither move to nor from it. That changes the answer: without the blind spot YYN is no
equilibrium (B would stop paying) and YYY is a GMR/SMR/SEQ one (G's guard is deterred by B's
move to YYN); with it YYN is an equilibrium under every concept and YYY under none.

Each analysis agrees with a brute-force reference built on ``tests/reference.py`` (whose
``reachable`` applies the blind-spot rule state by state). The proposal analyses (deal, deal
design, mediation, brief, what-if) are checked the same way in
``tests/engine/test_blind_spots_proposals.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np
import pytest

import detente
import reference
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict
from detente.model.perceptions import blind_mask

DATA = Path(__file__).resolve().parents[1] / "data"
TEXT = (DATA / "blind_spot_exchange.yaml").read_text()
KEYS = reference.CONCEPTS


def _load_text(text: str) -> Conflict:
    return loads(text, "blind_spot_exchange.yaml")


MODEL = _load_text(TEXT)
SIGHTED = replace(MODEL, dms=tuple(replace(d, blind_spots=()) for d in MODEL.dms))


def _eq(c: Conflict) -> dict[str, list[str]]:
    got = reference.equilibria(c)
    return {k: [c.state_string(s) for s in c.feasible.tolist() if s in got[k]] for k in KEYS}


def test_the_blind_spot_changes_the_answer() -> None:
    """The hand-worked difference above, in the reference and in the engine."""
    blind, sighted = _eq(MODEL), _eq(SIGHTED)
    for k in KEYS:
        assert "YYN" in blind[k] and "YYN" not in sighted[k]
        assert "YYY" not in blind[k]
    for k in ("gmr", "smr", "seq"):
        assert "YYY" in sighted[k]
    assert {k: detente.analyze(MODEL).equilibrium_states(k) for k in KEYS} == blind


def test_reference_rule_is_the_engines_pattern() -> None:
    """The reference's pattern reading and the model's blind_mask pick the same states."""
    for i in range(len(MODEL.dms)):
        mask = blind_mask(MODEL, i)
        want = [reference.blind(MODEL, i, int(s)) for s in MODEL.feasible]
        assert (mask.tolist() if mask is not None else [False] * len(want)) == want


# ----- brute-force answers ---------------------------------------------------------------------
def _codes(c: Conflict) -> list[int]:
    return [int(s) for s in c.feasible]


def check_analyze(c: Conflict) -> None:
    res = detente.analyze(c)
    for k in KEYS:
        for i in range(len(c.dms)):
            want = [reference.stable(c, k, i, s) for s in _codes(c)]
            assert res.stable[k][i].tolist() == want, (k, i)


def check_explain(c: Conflict) -> None:
    for s in _codes(c):
        e = detente.explain(c, c.state_string(s))
        for i, dm in enumerate(c.dms):
            for k in KEYS:
                assert e.stable(dm.name, k) == reference.stable(c, k, i, s), (s, dm.name, k)


def check_evolve(c: Conflict) -> None:
    everyone = list(range(len(c.dms)))
    for s in _codes(c):
        got = {r["state"] for r in detente.evolve(c, c.state_string(s)).to_dict()["reachable"]}
        want = {s} | reference.coalition_reach(c, everyone, s, improving=True)
        assert got == {c.state_string(t) for t in want}, c.state_string(s)


def check_hypergame(c: Conflict) -> None:
    assert detente.hypergame(c).to_dict()["equilibria"] == _eq(c)


def _prefers_all(c: Conflict, t: int, r: int) -> bool:
    return all(reference.u(c, i, t) >= reference.u(c, i, r) for i in range(len(c.dms)))


def check_packages(c: Conflict) -> None:
    """Frontier under C: acceptable against the status quo, a C-equilibrium, and no acceptable
    C-equilibrium Pareto-dominates it (PRODUCT.md, Packages)."""
    got = {p["state"]: p for p in detente.packages(c, limit=0).to_dict()["packages"]}
    assert c.status_quo is not None
    r = c.status_quo
    eq = reference.equilibria(c)
    n = len(c.dms)
    for k in KEYS:
        ok = [t for t in _codes(c) if t in eq[k] and _prefers_all(c, t, r)]

        def dominated(t: int, ok: list[int] = ok) -> bool:
            return any(
                _prefers_all(c, v, t)
                and any(reference.u(c, i, v) > reference.u(c, i, t) for i in range(n))
                for v in ok
            )

        want = {c.state_string(t) for t in ok if not dominated(t)}
        assert {s for s, p in got.items() if p["frontier"][k]} == want, k
        for s, p in got.items():
            assert p["stable"][k] == (c.parse_state(s) in eq[k]), (k, s)


def check_drafts(c: Conflict) -> None:
    """Per draft state: holds = a C-equilibrium; nearest = the equilibria every DM likes at
    least as much, at the fewest option changes (PRODUCT.md, Drafts)."""
    eq = reference.equilibria(c)
    for draft in detente.drafts(c).to_dict()["drafts"]:
        for row in draft["states"]:
            d = c.parse_state(row["state"])
            for k in KEYS:
                assert row["holds"][k] == (d in eq[k]), (row["state"], k)
                better = [t for t in eq[k] if _prefers_all(c, t, d)]
                if not better:
                    continue
                fewest = min(bin(t ^ d).count("1") for t in better)
                want = sorted(c.state_string(t) for t in better if bin(t ^ d).count("1") == fewest)
                assert sorted(row["nearest"][k]["states"]) == want, (row["state"], k)


def _variant(b_greedy: bool, swapped: bool) -> Conflict:
    """One preference profile of the model as a model of its own, written out by hand."""
    text = TEXT.replace(
        "unknown_order: [not a_release, g_guard]",
        "g_guard\n        - not a_release" if swapped else "not a_release\n        - g_guard",
    )
    text = re.sub(r"    alternatives:\n(      .*\n)+", "", text)
    if b_greedy:
        text = text.replace(
            "statements: [a_release, not b_pays if not g_guard]",
            "statements: [a_release, not b_pays]",
        )
    return _load_text(text)


def check_robustness(c: Conflict) -> None:
    """Exact robustness: B's reading (main 0.7, greedy 0.3) x A's unknown order (1/2 each),
    each profile's equilibria from the reference."""
    res = detente.robustness(c, exact=True).to_dict()["concepts"]
    want: dict[str, dict[str, float]] = {k: {} for k in KEYS}
    for greedy, swapped in product((False, True), repeat=2):
        p = (0.3 if greedy else 0.7) * 0.5
        for k, states in _eq(_variant(greedy, swapped)).items():
            for s in states:
                want[k][s] = want[k].get(s, 0.0) + p
    for k in KEYS:
        got = res[k]["equilibrium_probability"]
        assert set(got) == set(want[k]), k
        assert np.allclose([got[s] for s in sorted(got)], [want[k][s] for s in sorted(got)]), k


def check_coalitions(c: Conflict) -> None:
    """Every coalition's joint improvements R_H⁺⁺(s) from every state, and each member's
    stability against them and overall."""
    res = detente.coalition_analysis(c, all_coalitions=True)
    for key in res.coalitions:
        members = [c.dm_index(n) for n in key]
        for k, s in enumerate(_codes(c)):
            want = {
                t
                for t in reference.coalition_reach(c, members, s)
                if all(reference.u(c, j, t) > reference.u(c, j, s) for j in members)
            }
            got = {c.parse_state(m["to"]["state"]) for m in res.improvements(key, k + 1)}
            assert got == want, (key, c.state_string(s))
    for k in res.concepts:
        for key in res.coalitions:
            members = [c.dm_index(n) for n in key]
            table = res.stable_against(k, key)
            for m, i in enumerate(members):
                for x, s in enumerate(_codes(c)):
                    want_m = reference.coalition_stable_against(c, k, i, members, s)
                    assert table[m, x] == want_m, (k, key, c.dm_names[i], c.state_string(s))
        for i in range(len(c.dms)):  # coalition stability: alone and against each coalition
            for x, s in enumerate(_codes(c)):
                want_i = reference.stable(c, k, i, s) and all(
                    reference.coalition_stable_against(c, k, i, [c.dm_index(n) for n in key], s)
                    for key in res.coalitions
                    if c.dm_names[i] in key
                )
                assert res.stable[k][i, x] == want_i, (k, i, c.state_string(s))


#: Analyses checked against brute force on the blind-spot model.
EXACT: dict[str, Callable[[Conflict], None]] = {
    "analyze": check_analyze,
    "explain": check_explain,
    "evolve": check_evolve,
    "hypergame": check_hypergame,
    "packages": check_packages,
    "drafts": check_drafts,
    "robustness": check_robustness,
    "coalitions": check_coalitions,
}


@pytest.mark.parametrize("name", list(EXACT))
def test_analysis_matches_brute_force(name: str) -> None:
    EXACT[name](MODEL)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXACT))
def test_brute_force_checks_can_fail(name: str) -> None:
    """The same check on the sighted game's answers fails when the blind spot matters: run the
    analysis on the model without blind spots and the reference with them."""
    sighted = reference.reachable

    def without(model: Conflict, i: int, s: int) -> set[int]:
        return sighted(
            replace(model, dms=tuple(replace(d, blind_spots=()) for d in model.dms)), i, s
        )

    with pytest.MonkeyPatch.context() as mp, pytest.raises(AssertionError):
        mp.setattr(reference, "reachable", without)
        EXACT[name](MODEL)
