"""``detente explain`` under the concept families beyond the classic six: strength of
preference (strong_gmr … weak_seq), unknown preferences (nash_a … seq_d) and probabilistic
preferences (nash@α … seq@α/β/γ).

Hand-worked cases with their exact sentences; on random models, for every concept and DM, the
verdict is the engine's, the moves checked are the concept's own and every sanction is valid
under the concept (a legal path of the others, each move one the concept lets its mover make,
ending where the concept lets a sanction end), checked against the brute-force references
(``tests/reference.py``, ``tests/reference_unknown.py``); the CLI and the web API for one key
per family; L<h> refused with the reason.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
import reference_unknown
from cli_runner import run
from detente.analyses.explain import ExplainError, Explanation, ImprovementCheck, explain
from detente.engine import Engine
from detente.engine.probabilistic import all_probabilities
from detente.engine.registry import (
    PROBABILISTIC_BASES,
    STRENGTH_CONCEPTS,
    UNKNOWN_KEYS,
    get_concept,
    probabilistic,
)
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict
from doc_scripts import flat
from strategies_families import strength_conflicts, uncertain_conflicts, unknown_conflicts
from web_helpers import client

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DOC = ROOT / "docs" / "explain.md"
UNKNOWN_HAND = DATA / "unknown_hand.yaml"
STRENGTH_PD = DATA / "strength_pd.yaml"
PROBABILISTIC_HAND = DATA / "probabilistic_hand.yaml"
_SETTINGS = settings(max_examples=20, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Which moves count, where one may go, where a sanction may end: codes in, codes out.
Step = Callable[[int, int], set[int]]


def _load(path: Path) -> Conflict:
    return loads(path.read_text(encoding="utf-8"))


def _reasons(e: Explanation, dm: str, key: str) -> list[str]:
    return [ch.reason for ch in e.dm(dm).verdict(key).checks]


# ----- hand-worked: unknown preferences ------------------------------------------------------
# tests/data/unknown_hand.yaml: A holds a, B holds b; states 1 NN, 2 YN, 3 NY, 4 YY. A ranks
# YY > NY > NN > YN but cannot compare YN with NN nor with NY; B ranks NY > YY > YN > NN.
def test_unknown_a_sanction_may_end_in_a_state_a_cannot_compare() -> None:
    """At NY, A's move to YY (known better) meets B's answer YY -> YN, which A cannot compare
    with NY: a sanction where it may end there (c, d: Φ^{≃,U}), none where it may not (a, b)."""
    e = explain(_load(UNKNOWN_HAND), "NY", dms=["A"], concepts=["gmr_c", "gmr_a", "smr_d"])
    assert _reasons(e, "A", "gmr_c") == [
        "A would gain by moving to state 4 (a N→Y), but B can respond by b Y→N, reaching "
        "state 2, which A is not known to prefer to state 3 (it cannot compare them)."]
    assert _reasons(e, "A", "gmr_a") == [
        "A would gain by moving to state 4 (a N→Y), and no sanction: B cannot reach from "
        "state 4 any state A knows it likes no better than state 3."]
    assert e.stable("A", "gmr_c") and not e.stable("A", "gmr_a") and e.stable("A", "smr_d")
    assert e.dm("A").verdict("gmr_c").checks[0].to_dict("gmr_c")["sanction"]["uncertain"]


def test_unknown_a_move_a_cannot_compare_counts_where_the_variant_says() -> None:
    """At YN, A's move to NN is uncertain: checked in a and c, not in b and d. B answers
    NN -> NY (uncertain against YN): a sanction for GMR_c; for SMR_c A escapes NY -> YY,
    which it knows it prefers to YN."""
    e = explain(_load(UNKNOWN_HAND), 2, dms=["A"],
                concepts=["gmr_c", "smr_c", "nash_a", "nash_b"])
    assert _reasons(e, "A", "gmr_c") == [
        "A might gain by moving to state 1 (a Y→N), which it cannot compare with state 2, but "
        "B can respond by b N→Y, reaching state 3, which A is not known to prefer to state 2 "
        "(it cannot compare them)."]
    assert _reasons(e, "A", "smr_c") == [
        "A might gain by moving to state 1 (a Y→N), which it cannot compare with state 2, and "
        "no sanction: B cannot reach from state 1 any state A is not known to prefer to state "
        "2 from which A cannot move to something it is known to prefer to state 2."]
    nash_a, nash_b = (e.dm("A").verdict(k) for k in ("nash_a", "nash_b"))
    assert not nash_a.stable and nash_a.summary == (
        "A has 1 move from state 2 to a state it prefers or cannot compare with it.")
    assert nash_b.stable and nash_b.summary == (
        "A has no move from state 2 to a state it is known to prefer.")
    assert e.dm("A").verdict("nash_a").checks[0].uncertain is True


# ----- hand-worked: strength of preference ---------------------------------------------------
# tests/data/strength_pd.yaml: states 1 NN, 2 YN, 3 NY, 4 YY; A ranks YN > NN >> YY > NY, B
# ranks NY >> NN > YY > YN.
def test_strength_the_sanction_is_strongly_disliked_or_only_mild() -> None:
    """At NN, B answers A's defection with YY, which A strongly dislikes compared with NN:
    strongly stable for A (so not weakly). A answers B's defection with YY, which B likes
    less than NN but only mildly: weakly stable for B, not strongly."""
    e = explain(_load(STRENGTH_PD), "NN", concepts=["strong_gmr", "weak_gmr", "strong_smr"])
    assert _reasons(e, "A", "strong_gmr") == [
        "A would gain by moving to state 2 (a N→Y), but B can respond by b N→Y, reaching "
        "state 4, which A strongly dislikes compared with state 1."]
    assert _reasons(e, "A", "strong_smr") == [
        "A would gain by moving to state 2 (a N→Y), but B can respond by b N→Y, reaching "
        "state 4, which A strongly dislikes compared with state 1, and from there A cannot "
        "move to anything it does not strongly dislike compared with state 1 (its best reply "
        "is state 3)."]
    weak_a = e.dm("A").verdict("weak_gmr")
    assert not weak_a.stable
    assert weak_a.summary == (
        "A's only improvement is deterred strongly: strongly stable, not weakly.")
    assert _reasons(e, "B", "strong_gmr") == [
        "B would gain by moving to state 3 (b N→Y), and no sanction: A cannot reach from state "
        "3 any state B strongly dislikes compared with state 1."]
    weak_b = e.dm("B").verdict("weak_gmr")
    assert weak_b.stable and weak_b.summary == "B's only improvement is deterred, only mildly."
    assert _reasons(e, "B", "weak_gmr") == [
        "B would gain by moving to state 3 (b N→Y), but A can respond by a N→Y, reaching "
        "state 4, which B likes less than state 1; only mildly: A cannot reach from state 3 any "
        "state B strongly dislikes compared with state 1."]
    check = weak_b.checks[0].to_dict("weak_gmr")
    assert check["sanction"]["outcome"]["number"] == 4 and check["strong_sanction"] is None


# ----- hand-worked: probabilistic preferences ------------------------------------------------
# tests/data/probabilistic_hand.yaml: A ranks YN > NN > YY > NY (0.7) or NN > YN > NY > YY
# (0.3); B is certain: NY > YY > NN > YN.
def test_probabilistic_the_moves_and_sanctions_carry_their_probabilities() -> None:
    """At NN, A's move to YN is an α-UI (P 0.7 > 0.5); B answers YN -> YY, which A prefers to
    NN with probability 0 (≤ β). At NY, A's move to YY (P 0.7) meets only YN, which A prefers
    to NY with probability 1. At YN, A's move to NN (P 0.3 > 0.2) meets B's γ-UI NN -> NY
    (certain for B), which A prefers to YN with probability 0."""
    c = _load(PROBABILISTIC_HAND)
    nn = explain(c, "NN", dms=["A"], concepts=["gmr@0.5/0.3", "nash@0.5"])
    assert _reasons(nn, "A", "gmr@0.5/0.3") == [
        "A would gain with probability 0.7 (> α = 0.5) by moving to state 2 (a N→Y), but B can "
        "respond by b N→Y, reaching state 4, which A prefers to state 1 with probability 0 "
        "(≤ β = 0.3)."]
    check = nn.dm("A").verdict("gmr@0.5/0.3").checks[0]
    assert check.probability == pytest.approx(0.7)
    assert check.sanction is not None and check.sanction.probability == 0.0
    assert nn.dm("A").verdict("nash@0.5").summary == (
        "A has 1 move from state 1 it prefers with probability above α = 0.5.")
    ny = explain(c, "NY", dms=["A"], concepts=["gmr@0.5/0.3"])
    assert _reasons(ny, "A", "gmr@0.5/0.3") == [
        "A would gain with probability 0.7 (> α = 0.5) by moving to state 4 (a N→Y), and no "
        "sanction: B cannot reach from state 4 any state A prefers to state 3 with probability "
        "at most β = 0.3."]
    yn = explain(c, "YN", dms=["A"], concepts=["seq@0.2/0.2/0.5", "gmr@0.5/0.3"])
    assert _reasons(yn, "A", "seq@0.2/0.2/0.5") == [
        "A would gain with probability 0.3 (> α = 0.2) by moving to state 1 (a Y→N), but B can "
        "respond with a move it prefers with probability above γ = 0.5, by b N→Y, reaching "
        "state 3, which A prefers to state 2 with probability 0 (≤ β = 0.2)."]
    assert yn.dm("A").verdict("gmr@0.5/0.3").checks == ()  # 0.3 is no α-UI at α = 0.5


def test_limited_move_stability_is_refused_with_the_reason() -> None:
    with pytest.raises(ExplainError, match=r"^unknown solution concept 'L2'.*looks ahead "
                       r"rather than sanctions.*analyze"):
        explain(_load(UNKNOWN_HAND), 1, concepts=["gmr_a", "L2"])


# ----- random models: the engine's verdicts, valid sanctions --------------------------------
def _others(c: Conflict, i: int) -> list[int]:
    return [j for j in range(len(c.dms)) if j != i]


def _valid(c: Conflict, i: int, s: int, ch: ImprovementCheck, step: Step,
           end: Callable[[int], bool], no_escape: bool, sanction_of: str = "sanction") -> None:
    """``ch``'s sanction (or its absence) is right: a legal sequence of the others' moves
    from the move's target, each allowed by ``step``, no DM twice in a row, ending where
    ``end`` allows (and, with ``no_escape``, every move of i from there too); when there is
    none, the brute-force reach holds no such end."""
    t = ch.improvement.target.code

    def ok(q: int) -> bool:
        return end(q) and (not no_escape or all(end(x) for x in reference.reachable(c, i, q)))

    found = getattr(ch, sanction_of)
    if found is None:
        assert not any(ok(q) for q in reference.sequence_reach(_others(c, i), t, step))
        return
    at, last = t, -1
    for m in found.moves:
        j = c.dm_index(m.dm)
        assert j != i and j != last and m.source.code == at
        assert m.target.code in step(j, at), (m.dm, at, m.target.code)
        at, last = m.target.code, j
    assert at == found.outcome.code and ok(at)


def _moves(e: Explanation, dm: str, key: str) -> set[int]:
    return {ch.improvement.target.code for ch in e.dm(dm).verdict(key).checks}


@pytest.mark.slow
@_SETTINGS
@given(c=unknown_conflicts())
def test_unknown_verdicts_and_sanctions(c: Conflict) -> None:
    engine = Engine(c)
    for pos in range(c.n_states):
        _unknown_at(c, engine, pos)


def _unknown_at(c: Conflict, engine: Engine, pos: int) -> None:
    s = int(c.feasible[pos])
    e = explain(c, pos + 1, concepts=UNKNOWN_KEYS)
    for key in UNKNOWN_KEYS:
        how = get_concept(key)
        rule = how.unknown
        assert rule is not None
        improving = how.rule is not None and how.rule.improving

        def step(j: int, x: int, improving: bool = improving) -> set[int]:
            return (reference_unknown.moves(c, j, x, True) if improving
                    else reference.reachable(c, j, x))

        for i, dm in enumerate(c.dm_names):
            assert e.stable(dm, key) == bool(engine.stable(key)[i, pos]), (key, dm)
            assert _moves(e, dm, key) == reference_unknown.moves(c, i, s, rule.moves), key
            if how.rule is None:
                continue
            for ch in e.dm(dm).verdict(key).checks:
                _valid(c, i, s, ch, step,
                       lambda q, i=i, ends=rule.ends: reference_unknown.no_better(
                           c, i, s, q, ends),
                       how.rule.no_escape)


@pytest.mark.slow
@_SETTINGS
@given(c=strength_conflicts())
def test_strength_verdicts_and_sanctions(c: Conflict) -> None:
    engine = Engine(c)
    for pos in range(c.n_states):
        _strength_at(c, engine, pos)


def _strength_at(c: Conflict, engine: Engine, pos: int) -> None:
    s = int(c.feasible[pos])
    e = explain(c, pos + 1, concepts=STRENGTH_CONCEPTS)
    for key in STRENGTH_CONCEPTS:
        how = get_concept(key)
        assert how.rule is not None
        improving = how.rule.improving

        def step(j: int, x: int, improving: bool = improving) -> set[int]:
            return reference.improvements(c, j, x) if improving else reference.reachable(c, j, x)

        for i, dm in enumerate(c.dm_names):
            assert e.stable(dm, key) == bool(engine.stable(key)[i, pos]), (key, dm)
            assert _moves(e, dm, key) == reference.improvements(c, i, s)
            for ch in e.dm(dm).verdict(key).checks:
                def strongly(q: int, i: int = i) -> bool:
                    return reference.strongly(c, i, s, q)

                if how.strength == "strong":
                    _valid(c, i, s, ch, step, strongly, how.rule.no_escape)
                    continue
                def mildly(q: int, i: int = i) -> bool:
                    return reference.u(c, i, q) <= reference.u(c, i, s)

                _valid(c, i, s, ch, step, mildly, how.rule.no_escape)
                if ch.sanctioned:
                    _valid(c, i, s, ch, step, strongly, how.rule.no_escape, "strong")


LEVEL = st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.75, 1.0])


def _wants(base: str) -> int:
    """How many levels the probabilistic version of ``base`` takes: α; α, β; α, β, γ."""
    rule = get_concept(base).rule
    return 1 if rule is None else 3 if rule.improving else 2


@pytest.mark.slow
@_SETTINGS
@given(c=uncertain_conflicts(), alpha=LEVEL, beta=LEVEL, gamma=LEVEL)
def test_probabilistic_verdicts_and_sanctions(c: Conflict, alpha: float, beta: float,
                                              gamma: float) -> None:
    keys = [probabilistic(base, [alpha, beta, gamma][:_wants(base)]).key
            for base in PROBABILISTIC_BASES]
    engine = Engine(c)
    for pos in range(c.n_states):
        _probabilistic_at(c, engine, pos, keys)


def _probabilistic_at(c: Conflict, engine: Engine, pos: int, keys: list[str]) -> None:
    s = int(c.feasible[pos])
    e = explain(c, pos + 1, concepts=keys)
    probs = all_probabilities(c)[0]
    where = {int(code): k for k, code in enumerate(c.feasible)}

    def p(i: int, a: int, b: int) -> float:
        """P_i(a ≻ b), codes."""
        return float(probs[i][where[a], where[b]])

    for key in keys:
        how = get_concept(key)
        assert how.levels is not None

        def step(j: int, x: int, how: object = how) -> set[int]:
            moves = reference.reachable(c, j, x)
            if how.rule is None or not how.rule.improving:  # type: ignore[attr-defined]
                return moves
            return {y for y in moves if p(j, y, x) > how.levels[2]}  # type: ignore[attr-defined]

        for i, dm in enumerate(c.dm_names):
            assert e.stable(dm, key) == bool(engine.stable(key)[i, pos]), (key, dm)
            assert _moves(e, dm, key) == {q for q in reference.reachable(c, i, s)
                                          if p(i, q, s) > how.levels[0]}
            for ch in e.dm(dm).verdict(key).checks:
                assert ch.probability == pytest.approx(p(i, ch.improvement.target.code, s))
                if how.rule is None:
                    continue
                _valid(c, i, s, ch, step,
                       lambda q, i=i, b=how.levels[1]: p(i, q, s) <= b, how.rule.no_escape)


# ----- surfaces ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(("path", "key", "line"), [
    (UNKNOWN_HAND, "gmr_c", "GMR_c: stable"),
    (STRENGTH_PD, "weak_gmr", "weak GMR: unstable"),
    (PROBABILISTIC_HAND, "seq@0.5/0.3/0.5", "(0.5,0.3,0.5)-SEQ: unstable"),
])
def test_the_cli_and_the_web_api_explain_one_key_per_family(
        tmp_path: Path, path: Path, key: str, line: str) -> None:
    text = run("explain", path, "NY", "--dm", "A", "-c", key)
    assert text.exit_code == 0, text.output
    assert line in text.stdout
    cli = json.loads(run("explain", path, "NY", "-c", key, "--format", "json").stdout)
    with client(tmp_path) as web:
        assert web.post("/api/models", json={"yaml": path.read_text(encoding="utf-8")}
                        ).status_code in (200, 201)
        got = web.get(f"/api/models/1/explain?state=NY&concept={key}")
        assert got.status_code == 200 and got.json() == cli


@pytest.mark.slow
def test_the_case_files_status_quo_explains_the_asked_concepts_themselves() -> None:
    """The report's status-quo explanation answers a strength, an unknown-preference or a
    probabilistic key itself (not the classic concept behind it), and leaves out L<h>."""
    from detente.analyses.casefile import build_case_file

    text = STRENGTH_PD.read_text(encoding="utf-8") + 'status_quo: "NN"\n'
    case = build_case_file(loads(text), ["strong_gmr", "weak_gmr", "gmr@0.5/0.5", "L2"],
                           with_graph=False)
    assert case.status_quo is not None
    assert case.status_quo.concepts == ("strong_gmr", "weak_gmr", "gmr@0.5/0.5")
    engine = Engine(loads(text))
    for key in case.status_quo.concepts:
        assert [case.status_quo.stable(dm, key) for dm in ("A", "B")] == engine.stable(
            key)[:, 0].tolist(), key


@pytest.mark.slow
def test_the_docs_examples_are_the_tools_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every console block of docs/explain.md is what the command prints."""
    monkeypatch.chdir(ROOT)
    shown = re.findall(r"```\n\$ detente (.*?)\n(.*?)```", DOC.read_text(encoding="utf-8"),
                       re.S)
    assert len(shown) == 3
    for command, output in shown:
        got = run(*shlex.split(command))
        assert got.exit_code == 0, got.output
        assert flat(got.stdout).strip() == flat(output).strip(), command


@pytest.mark.slow
def test_the_concept_pickers_states_open_their_explanation_under_that_concept(
        tmp_path: Path) -> None:
    """The workbench's concept picker links each stable state to its explanation under the
    concept (L<h>, which explain refuses, to the six), and the partial explains that one."""
    with client(tmp_path) as web:
        text = STRENGTH_PD.read_text(encoding="utf-8")
        assert web.post("/api/models", json={"yaml": text}).status_code in (200, 201)
        picker = web.get("/models/1/concepts", params={"concepts": "strong_gmr, L2",
                                                       "version": 1}).text
        links = re.findall(r'hx-get="(/models/1/explain/\d+\?version=1[^"]*)"', picker)
        assert "/models/1/explain/4?version=1&amp;concept=strong_gmr" in links
        assert any(link.endswith("?version=1") for link in links)  # the L2 row's states
        page = web.get("/models/1/explain/1", params={"version": 1, "concept": "weak_gmr"})
        assert page.status_code == 200
        assert "weak GMR" in page.text and "only mildly" in page.text
        assert "SEQ&amp;SIM" not in page.text and "SEQ&SIM" not in page.text
