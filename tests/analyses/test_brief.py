"""The mediator's brief (analyses/brief): one verdict per proposal, checked against the deal,
mediation and robustness analyses run on their own, and against brute force per profile."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np
import pytest

import detente
from cli_runner import run
from detente.analyses.brief import brief, group_edits
from detente.analyses.brief.analysis import SOLUTIONS
from detente.analyses.brief.fixes import positions_text
from detente.analyses.brief.profiles import assumptions, profile_set
from detente.analyses.brief.words import concepts_text
from detente.analyses.deal import deal_analysis
from detente.analyses.mediation import mediate
from detente.analyses.mediation.result import SolutionEdit
from detente.analyses.requests import BriefRequest
from detente.analyses.whatif import whatif
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.drafts import Draft
from detente.model.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"

# A small exchange with uncertain preferences: A releases (irreversible), then B pays;
# G is a guarantor. B has a second reading; A's two last statements are in unknown order.
SMALL = """
name: small exchange
decision_makers:
  - name: A
    options:
      - {name: a_release, direction: fwd, labels: {Y: captives released}}
    preferences:
      statements:
        - b_pays
        - unknown_order: [not a_release, g_guard]
  - name: B
    options:
      - {name: b_pays, labels: {Y: B pays, N: B withholds}}
    preferences:
      statements: [a_release, not b_pays if not g_guard]
    alternatives:
      - name: greedy
        probability: 0.3
        preferences: {statements: [a_release, not b_pays]}
  - name: G
    options: [{name: g_guard}]
    preferences: {statements: [a_release and b_pays, not g_guard]}
status_quo: NNN
deal:
  name: release then pay
  phases:
    - {name: release, set: {a_release: Y}}
    - {name: payment, set: {b_pays: Y}}
  guarantors: [g_guard]
mediation:
  target: YY-
  concepts: [nash, gmr, seq, sim]
drafts:
  - {name: first text, state: YYN}
"""


@pytest.fixture(scope="module")
def small() -> Conflict:
    return loads(SMALL)


def _brute_verdicts(model: Conflict, keys: tuple[str, ...]) -> dict[str, dict[str, bool]]:
    """Per proposal name, the verdict per concept from the analyses run on their own."""
    out: dict[str, dict[str, bool]] = {}
    if model.deal is not None:
        d = deal_analysis(model, keys, mediate=False)
        out[model.deal.name] = {c: d.holds(c) for c in keys}
    target = model.mediation.target
    if target is not None:
        out[target] = {c: mediate(model, target, [c], limit=1).already_stable for c in keys}
    r = detente.analyze(model, keys)
    for dr in model.drafts:
        pos = model.index_of(np.asarray(dr.codes))
        out[dr.name] = {c: bool(r.stable[c][:, pos].all(axis=0).any()) for c in keys}
    return out


def test_small_verdicts_match_the_analyses_run_alone(small: Conflict) -> None:
    b = brief(small)
    assert b.concepts == ("nash", "gmr", "seq", "sim")  # the model's mediation concepts
    want = _brute_verdicts(small, b.concepts)
    assert [p.kind for p in b.proposals] == ["deal", "target", "draft"]
    for p in b.proposals:
        assert {c: p.holds(c) for c in b.concepts} == want[p.name], p.name
    deal = b.proposals[0]
    d = deal_analysis(small, b.concepts, mediate=False)
    assert d.foresight is not None and deal.completes == d.foresight.completes


def test_small_probabilities_and_flips_by_brute_force(small: Conflict) -> None:
    b = brief(small, fixes=False)
    keys = b.concepts
    ps = profile_set(small, 1000, 0, None)
    assert ps.exact and len(ps.variants) == 4 and b.profiles == 4
    per_profile = [_brute_verdicts(v.model(small), keys) for v in ps.variants]
    for p in b.proposals:
        assert p.probability is not None
        for c in keys:
            want = sum(w for w, v in zip(ps.weights, per_profile, strict=True) if v[p.name][c])
            assert p.probability[c] == pytest.approx(want), (p.name, c)
    # flips: each single assumption changed alone, analysed on its own
    nominal = _brute_verdicts(small, keys)
    changed = assumptions(small)
    assert [(a.dm, a.element, a.setting) for a in changed] == [
        ("A", "order of 'not a_release', 'g_guard'", "g_guard > not a_release"),
        ("B", "reading", "greedy"),
    ]
    for p in b.proposals:
        want_flips = []
        for a in changed:
            alone = _brute_verdicts(a.variant.model(small), keys)[p.name]
            diff = {
                c: "holds" if alone[c] else "breaks" for c in keys if alone[c] != nominal[p.name][c]
            }
            if diff:
                want_flips.append((a.dm, a.setting, diff))
        assert [(f.dm, f.setting, f.verdict) for f in p.flips] == want_flips, p.name


@pytest.mark.slow
def test_flagship_verdicts_match_deal_mediate_and_robustness() -> None:
    m = detente.load(FLAGSHIP)
    b = brief(m, fixes=False)
    keys = b.concepts
    assert keys == ("nash", "smr", "seq", "sim")
    want = _brute_verdicts(m, keys)
    for p in b.proposals:
        assert {c: p.holds(c) for c in keys} == want[p.name]
    # a single state as a target: its probability is robustness's equilibrium probability
    r = detente.robustness(m, keys)
    pos = m.position(m.parse_state("YNNYYYNNNNN"))
    code = m.parse_state("YNNYYYNNNNN")
    with_draft = replace(m, drafts=(Draft("state 37", "YNNYYYNNNNN", (code,)),))
    d = brief(with_draft, fixes=False).proposal("state 37")
    assert d.probability == pytest.approx({c: float(r.equilibrium[c][pos]) for c in keys})
    # the deal: every phase holds per profile, by the deal analysis on each profile's model
    ps = profile_set(m, 1000, 0, None)
    deal = b.proposals[0]
    assert deal.kind == "deal" and deal.probability is not None
    holds = [deal_analysis(v.model(m), keys, mediate=False) for v in ps.variants]
    for c in keys:
        want_p = sum(w for w, h in zip(ps.weights, holds, strict=True) if h.holds(c))
        assert deal.probability[c] == pytest.approx(want_p)


@pytest.mark.slow
def test_flagship_fixes_are_grouped() -> None:
    b = brief(detente.load(FLAGSHIP))
    target = b.proposal("YNNYYY----N")
    texts = [f.text() for f in target.fixes]
    assert texts == [
        'Israel: drop "isr_new_demands" (at 4)',
        'Israel: add "isr_accept if ham_accept" at any of positions 1–4',
    ]
    assert [f.concepts for f in target.fixes] == [("nash",), ("nash",)]
    assert target.fixes[1].solutions == 4
    assert "US forces deployed" not in target.words  # state 37: no deployment
    assert target.state.number == 37


# ----- grouping, hand-worked ----------------------------------------------------------------
def _e(dm: str, op: str, st: str, src: int | None, dest: int | None) -> SolutionEdit:
    return SolutionEdit(dm, op, st, src, dest, "")


def test_group_edits_joins_positions_of_the_same_edit() -> None:
    sols = [
        (_e("A", "add", "x", None, 2),),
        (_e("A", "add", "x", None, 1),),
        (_e("A", "drop", "y", 3, None),),
        (_e("A", "add", "x", None, 3),),
        (_e("A", "move", "z", 4, 1), _e("B", "add", "w", None, 2)),
        (_e("A", "move", "z", 4, 2), _e("B", "add", "w", None, 2)),
        (_e("B", "add", "x", None, 1),),  # another DM: another fix
    ]
    fixes = group_edits(sols)
    assert [f.text() for f in fixes] == [
        'A: add "x" at any of positions 1–3',
        'A: drop "y" (at 3)',
        'A: move "z" from 4 to any of positions 1–2; B: add "w" at 2',
        'B: add "x" at 1',
    ]
    assert [f.solutions for f in fixes] == [3, 1, 2, 1]
    assert positions_text([4, 1]) == "any of positions 1, 4"


# ----- arguments and the command line -------------------------------------------------------
def test_request_rules() -> None:
    with pytest.raises(ArgumentError) as exc:
        BriefRequest(samples=0)
    assert exc.value.parameter == "samples"
    with pytest.raises(ArgumentError):
        BriefRequest(fixes="yes")  # type: ignore[arg-type]


def test_cli_json_and_text(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    res = run("brief", path, "--format", "json", "--no-fixes")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert list(data)[:6] == [
        "model",
        "options",
        "decision_makers",
        "concepts",
        "parameters",
        "detente_version",
    ]
    kinds = [p["kind"] for p in data["proposals"]]
    assert kinds == ["deal", "target", "draft"]
    for p in data["proposals"]:
        assert set(p) >= {
            "name",
            "kind",
            "state",
            "words",
            "verdict",
            "probability",
            "breakers",
            "fixes",
            "enforcement",
            "flips",
        }
        assert set(p["verdict"].values()) <= {"holds", "breaks"}
    text = run("brief", path, "--no-fixes")
    assert text.exit_code == 0
    assert "The deal “release then pay”" in text.stdout
    bad = run("brief", path, "--samples", "0")
    assert bad.exit_code != 0 and "--samples" in bad.stderr


# ----- commands fall back to the model's own target and concepts ---------------------------
def test_mediate_falls_back_to_the_models_target(small: Conflict, tmp_path: Path) -> None:
    from detente.analyses.requests import MediateRequest

    r = MediateRequest(max_edits=1, limit=0).run(small)
    want = mediate(small, "YY-", ["nash", "gmr", "seq", "sim"], max_edits=1, limit=0)
    assert (r.target, r.concepts, r.min_edits) == ("YY-", want.concepts, want.min_edits)
    assert r.to_dict()["solutions"] == want.to_dict()["solutions"]
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    res = run("mediate", path, "--max-edits", "1", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["target"] == "YY-"
    bare = tmp_path / "bare.yaml"
    bare.write_text(SMALL.split("mediation:")[0])
    res = run("mediate", bare)
    assert res.exit_code != 0 and "--target" in res.stderr and "mediation: target:" in res.stderr


# ----- docs/brief.md -------------------------------------------------------------------------
def test_docs_example_is_the_commands_output() -> None:
    page = (ROOT / "docs" / "brief.md").read_text(encoding="utf-8")
    block = page.split("$ detente brief tests/data/brief_exchange.yaml\n", 1)[1]
    block = block.split("\n```", 1)[0]
    res = run("brief", ROOT / "tests" / "data" / "brief_exchange.yaml")
    assert res.exit_code == 0, res.stderr
    assert [line.rstrip() for line in res.stdout.strip().splitlines()] == [
        line.rstrip() for line in block.strip().splitlines()
    ]
    assert loads((ROOT / "tests" / "data" / "brief_exchange.yaml").read_text()) == loads(SMALL)


def test_a_draft_that_breaks_gets_the_fixes_mediation_finds_for_it(small: Conflict) -> None:
    """A draft is fixed as the target is: per concept where it breaks, mediation's fewest
    priority edits with the draft as the target, grouped (here one fix: B drops its second
    statement, under every concept); a draft that holds has none."""
    b = brief(small)
    draft = next(p for p in b.proposals if p.kind == "draft")
    state = small.drafts[0].state
    want: dict[tuple[object, ...], set[str]] = {}
    for c in b.concepts:
        if draft.holds(c):
            continue
        r = mediate(small, state, [c], limit=SOLUTIONS)
        for f in group_edits(s.edits for s in r.solutions):
            want.setdefault(tuple(f.edits), set()).add(c)
    got = {tuple(f.edits): set(f.concepts) for f in draft.fixes}
    assert got == want and got
    (edits,) = got
    assert [(e.dm, e.statement) for e in edits] == [("B", "not b_pays if not g_guard")]


# ----- the target's enforcement by the guarantors' settings --------------------------------
def test_target_enforced_by_the_guarantor_hand_worked(small: Conflict) -> None:
    """Target YYN (released, paid, no guard): B withholds (YNN satisfies "not b_pays if not
    g_guard"), so it breaks under every concept. With g_guard in force (YYY) B gains nothing
    by withholding; G's dropping the guard (YYN) is G's improvement but B then withholds, which
    G likes less (a_release and b_pays lost): sanctioned under GMR and SEQ, not under Nash and
    SIM (G improves at once; SIM: B's withholding is not a response). So the guard enforces
    it under GMR and SEQ, and no setting does under Nash and SIM. As written (YY-, g_guard
    free) fixing the guard only narrows the target: no guarantee, the same note."""
    target = next(p for p in brief(small, fixes=False).proposals if p.kind == "target")
    assert [e for e in target.enforcement if e.kind == "guarantee"] == []
    note = (
        "No setting of the guarantor options (g_guard) makes it an equilibrium under Nash and SIM."
    )
    assert note in target.summary
    edited = loads(SMALL.replace("target: YY-", "target: YYN"))
    target = next(p for p in brief(edited, fixes=False).proposals if p.kind == "target")
    assert target.verdict == {c: "breaks" for c in ("nash", "gmr", "seq", "sim")}
    assert [e.to_dict() for e in target.enforcement if e.kind == "guarantee"] == [
        {
            "kind": "guarantee",
            "what": ["g_guard"],
            "concepts": ["gmr", "seq"],
            "words": "g_guard in force",
        }
    ]
    assert note in target.summary
    assert "Enforced under GMR and SEQ by g_guard in force." in target.summary
    # the what-if with the guard in force says the same: the target then holds there
    fixed = whatif(edited, {"settings": {"g_guard": "Y"}})
    shown = next(p for p in fixed.proposals if p.kind == "target")
    assert {c for c, v in shown.verdict.items() if v == "holds"} == {"gmr", "seq"}


def _first_setting(model: Conflict, pattern: str, concept: str) -> tuple[str, ...] | None:
    """Brute force: the guarantor settings fewest in force first (g_guard: off, on); the first
    whose pattern (the guard's value written in) matches an equilibrium of the analysis."""
    eq = {
        model.state_string(int(x))
        for x in detente.analyze(model, [concept]).equilibrium_codes(concept)
    }
    for value, on in (("N", ()), ("Y", ("g_guard",))):
        fixed = pattern[:2] + value
        if any(all(p in ("-", s[k]) for k, p in enumerate(fixed)) for s in eq):
            return on
    return None


@pytest.mark.slow
def test_target_guarantees_by_brute_force_on_every_pattern(small: Conflict) -> None:
    """Every target pattern of the small exchange: under each concept where it breaks, the
    guarantee the brief names is the first setting (fewest in force) whose pattern holds in
    the analysis's equilibria, and the concepts with none are the note's."""
    for pattern in ("".join(p) for p in product("YN-", repeat=3)):
        model = loads(SMALL.replace("target: YY-", f"target: {pattern}"))
        target = next(p for p in brief(model, fixes=False).proposals if p.kind == "target")
        got = {c: e.what for e in target.enforcement if e.kind == "guarantee" for c in e.concepts}
        want = {}
        for c, v in target.verdict.items():
            if v == "breaks":
                want[c] = _first_setting(model, pattern, c)
        assert got == {c: on for c, on in want.items() if on is not None}, pattern
        none = [c for c, on in want.items() if on is None]
        notes = [line for line in target.summary if line.startswith("No setting of the guarantor")]
        assert len(notes) == (1 if none else 0), pattern
        if none:
            assert notes[0].endswith(f"under {concepts_text(none)}."), pattern


def test_mediators_options_are_guarantor_options() -> None:
    """Without a deal, the options of the DMs the mediation section names as mediators are
    the levers: G marked as mediator gives the same guarantee for target YYN."""
    text = SMALL.split("deal:")[0] + (
        "mediation:\n  mediators: [G]\n  target: YYN\n  concepts: [nash, gmr, seq, sim]\n"
    )
    target = next(p for p in brief(loads(text), fixes=False).proposals if p.kind == "target")
    assert [(e.what, e.concepts) for e in target.enforcement if e.kind == "guarantee"] == [
        (("g_guard",), ("gmr", "seq"))
    ]


@pytest.mark.slow
def test_flagship_target_guarantees_in_the_json() -> None:
    """The flagship's target (YNNYYY----N: the guarantors' options us_guarantee, us_press_israel,
    qe_press_hamas among the free ones): each guarantee entry the JSON names for the target is a
    setting under which the what-if's target holds there, and every broken concept either has
    one or is in the note."""
    model = detente.load(FLAGSHIP)
    b = brief(model, fixes=False)
    target = next(p for p in b.to_dict()["proposals"] if p["kind"] == "target")
    broken = [c for c, v in target["verdict"].items() if v == "breaks"]
    entries = [e for e in target["enforcement"] if e["kind"] == "guarantee"]
    named = {c for e in entries for c in e["concepts"]}
    assert named <= set(broken)
    notes = [x for x in b.proposals[1].summary if x.startswith("No setting of the guarantor")]
    assert named == set(broken) or notes
    guarantors = model.deal.guarantors if model.deal is not None else ()
    for e in entries:
        settings = {g: ("Y" if g in e["what"] else "N") for g in guarantors}
        shown = whatif(model, {"settings": settings})
        edited = next(p for p in shown.proposals if p.kind == "target")
        assert all(edited.verdict[c] == "holds" for c in e["concepts"]), e


def test_a_tranche_order_that_holds_under_no_concept_is_a_finding_not_an_enforcement() -> None:
    """The best order of a deal that no concept asked lets hold is said as a finding ("No
    tranche order makes it hold; ..."), never as "Enforced under  by ..." with no concept."""
    model = detente.load(Path(__file__).parents[1] / "data" / "hostage_tranches_deal.yaml")
    from detente.analyses.deal import deal_design

    design = deal_design(model, ["nash"], limit=1)
    assert design.designs and not design.designs[0].holds["nash"]
    result = brief(model, concepts=["nash"])
    deal = next(p for p in result.proposals if p.kind == "deal")
    assert all(e.concepts for e in deal.enforcement)
    assert not any(e.kind == "tranche order" for e in deal.enforcement)
    assert any(line.startswith("No tranche order makes it hold; the best is the tranche order")
               for line in deal.summary)


def test_breaking_moves_are_said_three_per_party_and_phase_then_counted() -> None:
    """A party with many ways to break a phase gets three sentences and one counting the
    rest; another party's or phase's moves are unaffected; the JSON keeps every move."""
    from detente.analyses.brief.result import Breaker
    from detente.analyses.brief.words import BREAKERS_SAID, breaker_sentences
    from detente.analyses.moves import state_at

    model = detente.load(Path(__file__).parents[1] / "data" / "hostage_tranches_deal.yaml")
    ref = state_at(model, 0)
    many = [Breaker("Israel", ref, ref, (), ("sim",), f"move {k}", "withdrawal")
            for k in range(BREAKERS_SAID + 2)]
    other = [Breaker("Hamas", ref, ref, (), ("sim",), "walks out", "withdrawal")]
    lines = breaker_sentences([*many[:2], *other, *many[2:]])
    assert [line.split(":")[0] for line in lines[:4]] == [
        "Israel would break it at withdrawal", "Israel would break it at withdrawal",
        "Hamas would break it at withdrawal", "Israel would break it at withdrawal"]
    assert len(lines) == BREAKERS_SAID + 2
    assert lines[-1] == ("Israel has 2 more ways to break it at withdrawal "
                         "(all in the JSON's breakers).")
    assert breaker_sentences(many[:BREAKERS_SAID]) == [
        line for line in lines if line.startswith("Israel would")]
