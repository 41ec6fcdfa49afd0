"""Mediation design against brute force and the definitions.

* minimal edits and the full solution set agree with a brute-force search (every combination
  of statement lists within K edits, each checked with the reference implementation) on many
  small random models, under Nash, GMR, SEQ, SIM (and SMR, SEQ&SIM);
* each requirement's ``met`` agrees with the definition, move by move, and all requirements
  of a DM are met exactly when the engine says the target is stable for it;
* the local checks agree with the engine on every state.
"""

from __future__ import annotations

import random
from itertools import product

import numpy as np
import pytest

import detente
import reference as ref
from cli_runner import run as run_cli
from detente.analyses.mediation import mediate
from detente.analyses.mediation.edits import edit_lists, estimate_lists
from detente.analyses.mediation.local import LocalChecks
from detente.engine import Engine
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.errors import AnalysisError
from detente.model.feasibility import InfeasiblePattern
from detente.model.mediation import Candidate, MediationSection
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement

CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")


# ----- random models ---------------------------------------------------------------------
def _statement(rng: random.Random, names: list[str]) -> str:
    a, b = rng.sample(names, 2) if len(names) > 1 else (names[0], names[0])
    lit = lambda x: x if rng.random() < 0.5 else f"not {x}"  # noqa: E731
    form = rng.randrange(5)
    if form == 0 or a == b:
        return lit(a)
    return [f"{lit(a)} and {lit(b)}", f"{lit(a)} or {lit(b)}", f"{lit(a)} if {lit(b)}",
            f"{a} iff {lit(b)}"][form - 1]


def random_model(seed: int, n_dms: int = 3, max_statements: int = 3) -> Conflict:
    """A small random model with statement preferences and mediation candidates."""
    rng = random.Random(seed)
    n_opts = rng.randint(n_dms, n_dms + 1)
    owners = list(range(n_dms)) + [rng.randrange(n_dms) for _ in range(n_opts - n_dms)]
    rng.shuffle(owners)
    options = tuple(
        Option(f"o{k}", f"D{owners[k]}", rng.choice(["both", "both", "fwd", "back"]))
        for k in range(n_opts)
    )
    names = [o.name for o in options]
    constraints = ()
    if rng.random() < 0.4:
        picked = rng.sample(names, 2)
        constraints = (InfeasiblePattern(tuple((x, rng.random() < 0.5) for x in picked)),)

    def st(text: str) -> Statement:
        return Statement(text, parse_statement(text, set(names)), f"why {text}")

    dms = []
    cands = []
    for i in range(n_dms):
        texts: list[str] = []
        while len(texts) < rng.randint(1, max_statements):
            t = _statement(rng, names)
            if t not in texts:
                texts.append(t)
        dms.append(DecisionMaker(f"D{i}", tuple(o.name for o in options if o.dm == f"D{i}"),
                                 StatementPreference(tuple(st(t) for t in texts))))
        if rng.random() < 0.5:
            t = _statement(rng, names)
            if t not in texts:
                cands.append(Candidate(f"D{i}", st(t)))
    return Conflict("random", options, tuple(dms), constraints,
                    mediation=MediationSection((), tuple(cands)))


# ----- brute force -----------------------------------------------------------------------
def _all_lists(own: list[str], cands: list[str], k: int) -> dict[tuple[str, ...], int]:
    """Every statement list within k edits and its least number of edits (written plainly)."""
    best = {tuple(own): 0}
    layer = {tuple(own)}
    for d in range(1, k + 1):
        nxt = set()
        for lst in layer:
            n = len(lst)
            for a in range(n):
                rest = lst[:a] + lst[a + 1:]
                nxt.add(rest)
                for b in range(n):
                    nxt.add((*rest[:b], lst[a], *rest[b:]))
            for cnd in cands:
                if cnd not in lst:
                    for b in range(n + 1):
                        nxt.add((*lst[:b], cnd, *lst[b:]))
        layer = {x for x in nxt if x not in best}
        for x in layer:
            best[x] = d
    return best


def _evolves_to(e: Conflict, start: int, goal: int) -> bool:
    """Reference: the status quo reaches ``goal`` by unilateral improvements."""
    seen, todo = {start}, [start]
    while todo:
        x = todo.pop()
        for i in range(len(e.dms)):
            for y in ref.improvements(e, i, x):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
    return goal in seen


def brute_force(c: Conflict, targets: list[int], concepts: tuple[str, ...], k: int,
                reachable: bool = False,
                ) -> tuple[int | None, set[tuple[tuple[str, ...], ...]]]:
    by_text = {}
    per_dm = []
    for dm in c.dms:
        own = [s.text for s in dm.preference.statements]  # type: ignore[union-attr]
        cands = [s.text for s in c.mediation.candidates_for(dm.name) if s.text not in own]
        for s in (*dm.preference.statements, *c.mediation.candidates_for(dm.name)):  # type: ignore[union-attr]
            by_text[s.text] = s
        per_dm.append(_all_lists(own, cands, k))
    found: dict[int, set[tuple[tuple[str, ...], ...]]] = {}
    for combo in product(*[list(d.items()) for d in per_dm]):
        cost = sum(x[1] for x in combo)
        if cost > k or (found and cost > min(found)):
            continue
        dms = tuple(
            DecisionMaker(dm.name, dm.options,
                          StatementPreference(tuple(by_text[t] for t in lst)))
            for dm, (lst, _) in zip(c.dms, combo, strict=True)
        )
        e = Conflict(c.name, c.options, dms, c.constraints)
        for s in targets:
            code = int(c.feasible[s])
            if reachable and not _evolves_to(e, int(c.status_quo or 0), code):
                continue
            if all(ref.stable(e, x, i, code) for x in concepts for i in range(len(dms))):
                found.setdefault(cost, set()).add(tuple(lst for lst, _ in combo))
                break
    if not found:
        return None, set()
    low = min(found)
    return low, found[low]


def _solution_lists(c: Conflict, sol: object) -> tuple[tuple[str, ...], ...]:
    out = []
    for dm in c.dms:
        new = sol.statements.get(dm.name)  # type: ignore[attr-defined]
        out.append(tuple(new) if new is not None else
                   tuple(s.text for s in dm.preference.statements))  # type: ignore[union-attr]
    return tuple(out)


CASES = [(seed, concept) for concept, seeds in
         {"nash": range(0, 400), "gmr": range(1000, 1400), "seq": range(2000, 2400),
          "sim": range(3000, 3400), "smr": range(4000, 4200), "seq_sim": range(5000, 5240)}.items()
         for seed in seeds]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "concept"), CASES)
def test_minimal_edits_match_brute_force(seed: int, concept: str) -> None:
    c = random_model(seed, n_dms=2 + seed % 2, max_statements=2 + seed % 2)
    rng = random.Random(seed)
    # mostly states that are not equilibria yet (the interesting case)
    unstable = np.flatnonzero(~Engine(c).equilibria(concept)).tolist()
    pick = rng.choice(unstable) if unstable and rng.random() < 0.85 else rng.randrange(
        c.n_states)
    if rng.random() < 0.25:  # a pattern: some matching state must become an equilibrium
        pattern = list(c.state_string(int(c.feasible[pick])))
        pattern[rng.randrange(len(pattern))] = "-"
        target: str = "".join(pattern)
        targets = [int(x) for x in c.index_of(c.matching(target))]
    else:
        target, targets = c.state_string(int(c.feasible[pick])), [pick]
    k = 2
    low, expected = brute_force(c, targets, (concept,), k)
    result = mediate(c, target, [concept], max_edits=k, limit=0)
    assert result.min_edits == low
    got = {_solution_lists(c, s) for s in result.solutions}
    assert len(got) == len(result.solutions)  # distinct
    assert got == expected
    for s in result.solutions:
        assert len(s.edits) == (low or 0)
        # replaying the edits on the model's lists gives the solution's lists
        lists = {dm.name: [x.text for x in dm.preference.statements] for dm in c.dms}  # type: ignore[union-attr]
        for e in s.edits:
            lst = lists[e.dm]
            if e.op == "move":
                assert lst[e.source - 1] == e.statement
                lst.insert(e.dest - 1, lst.pop(e.source - 1))
            elif e.op == "drop":
                assert lst.pop(e.source - 1) == e.statement
            else:
                lst.insert(e.dest - 1, e.statement)
        assert tuple(tuple(lists[dm.name]) for dm in c.dms) == _solution_lists(c, s)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "concept"),
                         [(s, x) for x, r in {"nash": range(800, 815), "seq": range(815, 835),
                                              "sim": range(835, 845)}.items() for s in r])
def test_reachable_matches_brute_force(seed: int, concept: str) -> None:
    """--reachable: the status quo must also evolve to the target by improvements."""
    import dataclasses

    base = random_model(seed, n_dms=2 + seed % 2, max_statements=2)
    rng = random.Random(seed)
    c = dataclasses.replace(base, status_quo=int(base.feasible[rng.randrange(base.n_states)]))
    pos = rng.randrange(c.n_states)
    low, expected = brute_force(c, [pos], (concept,), 2, reachable=True)
    result = mediate(c, c.state_string(int(c.feasible[pos])), [concept], max_edits=2,
                     limit=0, reachable=True)
    assert result.min_edits == low
    assert {_solution_lists(c, s) for s in result.solutions} == expected


@pytest.mark.parametrize("seed", range(600, 640))
def test_requirements_follow_the_definitions(seed: int) -> None:
    c = random_model(seed, n_dms=2 + seed % 2)
    engine = Engine(c)
    pos = seed % c.n_states
    code = int(c.feasible[pos])
    result = mediate(c, c.state_string(code), list(CONCEPTS[:5]), max_edits=0)
    for req in result.requirements:
        i = c.dm_index(req.dm)
        t = int(c.feasible[req.move_number - 1])
        us = ref.u(c, i, code)
        prefers = ref.u(c, i, t) > us
        assert req.prefers_move == prefers
        if req.concept == "nash":
            expected = not prefers
        elif req.concept == "sim":
            expected = not prefers or any(
                ref.u(c, i, x) <= us for x in ref._simultaneous_outcomes(c, i, code, t))
        else:
            reach = ref._group_reach(c, i, t, improving=req.concept == "seq")
            expected = not prefers or any(
                ref.u(c, i, x) <= us and (req.concept != "smr" or all(
                    ref.u(c, i, z) <= us for z in ref.reachable(c, i, x)))
                for x in reach)
        assert req.met == expected, req
        if req.sanction is not None:
            assert ref.u(c, i, c.parse_state(req.sanction)) <= us
    for concept in CONCEPTS[:5]:
        for i, dm in enumerate(c.dms):
            met = all(r.met for r in result.requirements
                      if r.dm == dm.name and r.concept == concept)
            assert met == bool(engine.stable(concept)[i, pos])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(700, 720))
def test_local_checks_agree_with_engine(seed: int) -> None:
    c = random_model(seed, n_dms=2 + seed % 3)
    local = LocalChecks(c, list(range(c.n_states)), CONCEPTS)
    bits = {j: b[None, :] for j, b in local.bits_from_ranks(c.ranks).items()}
    engine = Engine(c)
    for k in range(c.n_states):
        got = local.stable(bits, k)
        for concept in CONCEPTS:
            assert got[concept][0].tolist() == engine.stable(concept)[:, k].tolist()


def test_edit_lists_counts_and_paths() -> None:
    lists = edit_lists(3, 1, 2)
    assert lists[(0, 1, 2)].cost == 0
    assert all(r.cost <= 2 for r in lists.values())
    assert len(lists) <= estimate_lists(3, 1, 2)
    # a swap of neighbours is one move; reversing three needs two
    assert lists[(1, 0, 2)].cost == 1 and lists[(2, 1, 0)].cost == 2
    assert lists[(0, 3, 1, 2)].edits[0].op == "add"


@pytest.mark.slow
def test_flagship_deal() -> None:
    c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    seq = mediate(c, "YNNYYY----N", ["seq"])
    assert seq.already_stable and seq.min_edits == 0
    nash = mediate(c, "YNNYYY----N", ["nash"], limit=0)
    assert nash.min_edits == 1 and not nash.already_stable
    for s in nash.solutions:
        assert s.target in s.equilibria["nash"]
    assert any(lv.works for lv in seq.levers)
    assert seq.mediators == ("United_States", "Qatar_Egypt")


@pytest.mark.slow
def test_refuses_too_large_edit_space() -> None:
    c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    with pytest.raises(AnalysisError, match="statement lists"):
        mediate(c, "YNNYYYNYYNN", ["nash"], max_edits=6)


def test_bad_input_is_refused() -> None:
    c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    with pytest.raises(AnalysisError, match="unknown decision maker"):
        mediate(c, "YNNYYY----N", dms=["Nobody"])
    with pytest.raises(detente.DetenteError):
        mediate(c, "YYNNNNNNNNN")


@pytest.mark.slow
def test_cli_json_shape(tmp_path: object) -> None:
    out = run_cli("mediate", "tests/data/ceasefire_2024_coarse.yaml", "--target", "YNNYYY----N",
                  "-c", "nash", "--format", "json")
    assert out.exit_code == 0, out.output
    import json

    data = json.loads(out.output)
    assert data["target"] == "YNNYYY----N" and data["concepts"] == ["nash"]
    assert data["already_stable"] is False and data["min_edits"] == 1
    edit = data["solutions"][0]["edits"][0]
    assert set(edit) >= {"dm", "op", "statement", "from", "to"}
    assert edit["op"] in {"move", "drop", "add"}
    assert all(isinstance(v, list) for v in data["solutions"][0]["equilibria"].values())
    bad = run_cli("mediate", "tests/data/ceasefire_2024_coarse.yaml", "--target", "YNN")
    assert bad.exit_code == 2


def test_payoff_models_get_requirements_not_edits() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    r = mediate(c, "NN", ["nash"])
    assert r.min_edits is None and r.requirements
    assert any("statement-only" in n for n in r.notes)
    assert not any(req.met for req in r.requirements)
    assert np.all([not req.met for req in r.requirements])


@pytest.mark.slow
def test_dm_restriction_and_level_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    c = detente.load("tests/data/ceasefire_2024_coarse.yaml")
    # only Israel can make the deal Nash-stable: without it there is no solution
    r = mediate(c, "YNNYYY----N", ["nash"], dms=["United_States", "Hamas"], max_edits=2)
    assert r.min_edits is None and r.editable == ("Hamas", "United_States")
    assert any("may not change" in n for n in r.notes)
    from detente.analyses.mediation import search

    monkeypatch.setattr(search, "MAX_COMBOS", 10)
    with pytest.raises(search.SearchTooLarge, match="combinations"):
        mediate(c, "NYYNNNNNYNN", ["seq"], max_edits=1)


# ----- hardening (issue 16, item 7) ----------------------------------------------------------
FLAGSHIP = "tests/data/ceasefire_2024_coarse.yaml"


@pytest.mark.slow
@pytest.mark.parametrize(("m", "c"), [(3, 1), (4, 0), (2, 3), (5, 2), (6, 0), (5, 1)])
def test_lists_within_counts_the_enumeration_exactly(m: int, c: int) -> None:
    """The closed-form count (drops + adds + moves outside a longest increasing subsequence)
    equals breadth-first enumeration at every k, and saturates at what exists."""
    from detente.analyses.mediation.edits import diameter, existing_lists, lists_within

    costs = [r.cost for r in edit_lists(m, c, diameter(m, c)).values()]  # least edits each
    for k in range(diameter(m, c) + 2):
        assert lists_within(m, c, k) == sum(x <= k for x in costs), (m, c, k)
    assert lists_within(m, c, 10**9) == existing_lists(m, c) == len(costs)


@pytest.mark.slow
def test_more_edits_than_needed_reach_what_exists_and_are_not_refused() -> None:
    """--max-edits 10 was refused as 'more than 400,000 statement lists' when 1,957 exist."""
    assert len(edit_lists(6, 0, 10)) == 1957
    assert len(edit_lists(6, 0, 10**9)) == 1957
    c = detente.load(FLAGSHIP)
    r = mediate(c, "YNNYYYNNNNN", ["nash"], max_edits=1000, dms=["Hamas"], limit=1)
    assert r.max_edits == 1000 and r.editable == ("Hamas",)


@pytest.mark.parametrize("k", [10, 1000, 1_000_000, 10**30])
def test_huge_max_edits_are_refused_quickly_with_a_correct_count(k: int) -> None:
    """--max-edits 1000 crashed (a count too long to print); 1,000,000 hung."""
    import time

    c = detente.load(FLAGSHIP)
    start = time.perf_counter()
    with pytest.raises(AnalysisError) as info:
        mediate(c, "YNNYYYNNNNN", ["nash"], max_edits=k)
    assert time.perf_counter() - start < 3
    text = str(info.value)
    assert text.startswith("Israel: 9,864,101 statement lists lie within ")
    assert "lower max_edits to 4 (348,089 lists)" in text and "(dms)" in text
    assert len(text) < 400


def test_refusal_names_the_lists_of_the_level_asked() -> None:
    c = detente.load(FLAGSHIP)
    with pytest.raises(AnalysisError, match=r"^Israel: 1,860,868 statement lists lie within 5 "
                       r"edits \(8 statements, 2 candidates; 9,864,101 in all\)"):
        mediate(c, "YNNYYYNNNNN", ["nash"], max_edits=5)


@pytest.mark.slow
def test_search_levels_stop_at_the_deepest_combination() -> None:
    """With small edit spaces a huge max_edits ends at the costliest class combination."""
    import time

    c = detente.load(FLAGSHIP)
    start = time.perf_counter()
    r = mediate(c, "NYYNNNNNYNN", ["seq"], max_edits=10**6, dms=["Qatar_Egypt", "Iran"],
                limit=1)
    assert time.perf_counter() - start < 20
    assert r.max_edits == 10**6


@pytest.mark.slow
def test_broad_target_is_refused_up_front_with_its_estimate() -> None:
    """--target=----------- --max-edits 0 ran 257 s and 1.1 GB."""
    import time

    c = detente.load(FLAGSHIP)
    start = time.perf_counter()
    with pytest.raises(AnalysisError, match=r"^target '-----------' matches 1,280 feasible "
                       r"states; checking them under SEQ means about [0-9,]+ units of work"):
        mediate(c, "-----------", ["seq"], max_edits=0)
    assert time.perf_counter() - start < 2
    nash = mediate(c, "-----------", ["nash"], max_edits=0)  # cheap: Nash is local
    assert len(nash.targets) == 1280


@pytest.mark.slow
def test_work_estimate_bounds_what_is_built() -> None:
    """The estimate grows with the targets and never undercounts the columns built."""
    from detente.analyses.mediation import resolve_targets
    from detente.analyses.mediation.local import local_work

    c = detente.load(FLAGSHIP)
    small, big = (resolve_targets(c, p) for p in ("YNNYYY----N", "YNNY-------"))
    for concepts in (("seq",), ("smr",), ("sim",), ("nash",)):
        local = LocalChecks(c, small, concepts)
        assert local_work(c, small, concepts) >= sum(len(x) for x in local.columns)
        assert local_work(c, big, concepts) > local_work(c, small, concepts)


@pytest.mark.slow
def test_report_skips_a_too_broad_mediation_target_and_says_why() -> None:
    """`report` hung when the model's mediation target was that broad."""
    import time
    from pathlib import Path

    from detente.analyses.casefile import build_case_file
    from detente.formats.native import loads

    text = Path(FLAGSHIP).read_text(encoding="utf-8")
    assert "target: YNNYYY----N" in text
    c = loads(text.replace("target: YNNYYY----N", 'target: "-----------"', 1))
    start = time.perf_counter()
    case = build_case_file(c, ["nash"], with_graph=False)
    assert time.perf_counter() - start < 60
    skipped = [n for n in case.notes if n.startswith("No mediation design under")]
    assert {n.split(":")[0] for n in skipped} == {
        "No mediation design under smr", "No mediation design under seq",
        "No mediation design under sim"}
    assert all("matches 1,280 feasible states" in n for n in skipped)
    assert [r.concepts for r in case.mediation] == [("nash",)]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"max_edits": -1}, r"^max_edits must be a whole number, 0 or more, got -1"),
    ({"max_edits": 2.5}, r"^max_edits must be a whole number"),
    ({"max_edits": True}, r"^max_edits must be a whole number"),
    ({"limit": -2}, r"^limit must be a whole number, 0 \(all\) or more, got -2"),
])
def test_bad_counts_are_refused_by_parameter_name(kwargs: dict[str, object],
                                                  expected: str) -> None:
    c = detente.load(FLAGSHIP)
    with pytest.raises(AnalysisError, match=expected):
        mediate(c, "YNNYYY----N", **kwargs)  # type: ignore[arg-type]


def test_reachable_without_status_quo_names_the_parameter() -> None:
    from dataclasses import replace

    c = replace(detente.load("examples/prisoners_dilemma.yaml"), status_quo=None)
    with pytest.raises(AnalysisError, match=r"^reachable=True needs a status quo"):
        mediate(c, "NN", reachable=True)


def test_cli_accepts_a_pattern_starting_with_a_dash_and_says_its_flags() -> None:
    ok = run_cli("mediate", FLAGSHIP, "--target", "-NNYYY----N", "-c", "nash", "-k", "0",
                 "--format", "json")
    assert ok.exit_code == 0, ok.output
    import json

    assert json.loads(ok.output)["target"] == "-NNYYY----N"
    broad = run_cli("mediate", FLAGSHIP, "--target", "-----------", "--max-edits", "0")
    assert broad.exit_code == 2 and "matches 1,280 feasible states" in broad.stderr
    big = run_cli("mediate", FLAGSHIP, "--target=YNNYYYNNNNN", "-c", "nash", "--max-edits",
                  "1000000")
    assert big.exit_code == 2
    assert "lower --max-edits to 4" in big.stderr and "(--dm)" in big.stderr
    for res in (ok, broad, big):
        assert "Traceback" not in res.stdout + res.stderr
    assert "--target ---N" in run_cli("mediate", "--help").stdout.replace("\n", " ")


def test_numpy_integers_are_accepted_as_counts() -> None:
    c = detente.load(FLAGSHIP)
    r = mediate(c, "YNNYYY----N", ["nash"], max_edits=np.int64(1), limit=np.int64(2))
    assert r.min_edits == 1 and len(r.solutions) == 2


EMPTY_LIST = """name: empty statements
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: []}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b]}
status_quo: NN
deal: {name: d, phases: [{name: p, state: YN}]}
"""


@pytest.mark.slow
def test_a_dm_with_no_statements_has_nothing_to_edit(tmp_path: object) -> None:
    """Found by the fuzzer: an empty statement list crashed the edit space (np.stack of
    nothing) in mediate, and through it deal and report."""
    from pathlib import Path

    from detente.formats.native import loads

    model = loads(EMPTY_LIST)
    edited = set()
    for target in ("NN", "YN", "NY", "YY"):
        for solution in mediate(model, target, ["seq"]).to_dict()["solutions"]:
            edited |= {edit["dm"] for edit in solution["edits"]}
    assert edited == {"B"}  # A has no statements to edit; B's list is edited
    path = Path(str(tmp_path)) / "m.yaml"
    path.write_text(EMPTY_LIST, encoding="utf-8")
    for args in (["mediate", str(path), "--target", "1"], ["deal", str(path)],
                 ["report", str(path), "-o", str(Path(str(tmp_path)) / "r.md")]):
        result = run_cli(*args)
        assert result.exit_code == 0, (args, result.output)


# ----- requirements read the concept's registry data ----------------------------------------
def test_requirements_by_hand_on_the_prisoners_dilemma() -> None:
    """At NN, A gains by defecting (to YN); B then gains by defecting too (YY), which A likes
    less than NN: a SEQ sanction, and a simultaneous one for SIM. Nash has no exception.
    SEQ&SIM is worded by its parts, SEQ then SIM."""
    r = mediate(detente.load("examples/prisoners_dilemma.yaml"), "NN", ["nash", "seq_sim"],
                limit=0)
    a = [q for q in r.requirements if q.dm == "A"]
    assert [q.concept for q in a] == ["nash", "seq", "sim"]
    head = "A must not prefer state 2 (a_defects N→Y) to the target"
    assert a[0].text == f"Nash: {head} — NOT met: it prefers the move and nothing deters it."
    assert a[1].text == (
        f"SEQ: {head}, unless the others, each by a move it gains from, can then bring about a "
        "state it likes no better than the target — met: it fears B b_defects N→Y (state 4)."
    )
    assert a[2].text == (
        f"SIM: {head}, unless the others' simultaneous improvements from the target, with its "
        "move, give a state it likes no better than the target — met: a simultaneous response "
        "deters it."
    )
    assert [(q.met, q.sanction) for q in a] == [(False, None), (True, "YY"), (True, None)]


def test_requirement_wording_and_sanctions_follow_the_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    from detente.engine import registry

    pd = detente.load("examples/prisoners_dilemma.yaml")
    gmr = registry.get_concept("gmr")
    monkeypatch.setitem(registry._BY_KEY, "gmr", replace(gmr, unless="PROBE WORDING"))
    texts = [q.text for q in mediate(pd, "NN", ["gmr"], limit=0).requirements]
    assert len(texts) == 2 and all(", unless PROBE WORDING — met" in t for t in texts)
    # a sanction rule that must leave the mover no escape (SMR's) is searched as such: in
    # Syria-Iraq at state 1, GMR deters Iraq's move (sanction YNY), SMR does not
    syria = detente.load("examples/syria_iraq.yaml")

    def reqs(concept: str) -> list[tuple[str, bool, str | None]]:
        return [(q.dm, q.met, q.sanction) for q in
                mediate(syria, "1", [concept], limit=0, max_edits=0).requirements]

    before = reqs("gmr")
    assert ("Iraq", True, "YNY") in before and ("Iraq", True, "YNY") not in reqs("smr")
    smr = registry.get_concept("smr")
    monkeypatch.setitem(registry._BY_KEY, "gmr", replace(gmr, sanction=smr.sanction))
    assert reqs("gmr") == reqs("smr") != before
