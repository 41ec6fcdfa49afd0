"""Commitment devices (``mediation: commitments:``): loading, the minimal sets of
:func:`detente.mediate` (hand-worked, against a brute force over full analyses, and the
flagship's observation), their combination with priority edits, and deal repairs."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_runner import run
from conftest import WriteModel
from detente.analyses.deal import deal_analysis
from detente.analyses.mediation import MediationResult, mediate, resolve_targets
from detente.analyses.stability.analysis import analyze
from detente.formats.native import dumps, loads
from detente.model.conflict import Conflict
from detente.model.errors import ModelError
from detente.model.mediation import Commitment, MediationSection
from reference import CONCEPTS
from strategies import conflicts, states

# Two DMs. A holds a guarantee g and most wants B to act (x), then to drop the guarantee;
# B acts exactly while the guarantee stands (x iff g). States are "gx" (option order).
#
# Nash at YY: A drops the guarantee (YY -> NY: x still holds, "not g" now holds too) -> not
#   stable; with g made fwd A has no move at all, and B's only move (YY -> YN) breaks
#   "x iff g" -> YY is a Nash equilibrium. Equilibria of the committed model: NN (A: NN -> YN
#   loses "not g"; B: NN -> NY breaks "x iff g") and YY -> 2.
# SEQ at YY: A's drop (-> NY) is met by B's improvement NY -> NN ("x iff g" holds again), and
#   A ranks NN below YY (x, its first statement, is lost) -> already stable: min 0.
# Nash at YN: B improves to YY (x iff g), A improves to NN (not g) -> both must be blocked:
#   {g fwd, x back}, min 2 (one solution).
# Nash at NY: B improves to NN by dropping x (Y -> N); only "x back" is declared, which allows
#   exactly that drop -> no set works: min null.
GUARANTEE = """
name: Guarantee
decision_makers:
  - name: A
    options: [{name: g}]
    preferences: {statements: [x, not g]}
  - name: B
    options: [{name: x}]
    preferences: {statements: [x iff g]}
mediation:
  commitments:
    - {option: g, make: fwd, rationale: A ratified guarantee cannot be withdrawn.}
    - {option: x, make: back}
"""


# ----- loading --------------------------------------------------------------------------------
def test_commitments_load_and_round_trip() -> None:
    c = loads(GUARANTEE)
    assert c.mediation.commitments == (
        Commitment("g", "fwd", "A ratified guarantee cannot be withdrawn."),
        Commitment("x", "back"),
    )
    again = loads(dumps(c))
    assert again.mediation.commitments == c.mediation.commitments


def _with_commitments(lines: str, directions: str = "") -> str:
    head = GUARANTEE.split("mediation:")[0]
    if directions:
        head = head.replace("options: [{name: g}]", f"options: [{{name: g, {directions}}}]")
    return head + "mediation:\n  commitments:\n" + lines


@pytest.mark.parametrize(
    ("lines", "directions", "line", "field", "fragment"),
    [
        (
            "    - {option: nope, make: fwd}\n",
            "",
            12,
            "mediation.commitments[0].option",
            "unknown option 'nope'; expected one of: g, x",
        ),
        (
            "    - {option: g, make: fwd}\n",
            "direction: fwd",
            12,
            "mediation.commitments[0].make",
            "already irreversible in that direction (direction fwd)",
        ),
        (
            "    - {option: g, make: back}\n",
            "direction: fwd",
            12,
            "mediation.commitments[0].option",
            "already irreversible (direction fwd)",
        ),
        (
            "    - {option: g, make: fwd}\n    - {option: g, make: fwd}\n",
            "",
            13,
            "mediation.commitments[1].make",
            "declared twice",
        ),
        ("    - {option: g, make: sideways}\n", "", 12, "mediation.commitments[0].make", "fwd"),
        ("    - {option: g}\n", "", 12, "mediation.commitments[0]", "make"),
    ],
)
def test_bad_commitments_are_refused_at_load_with_their_place(
    lines: str, directions: str, line: int, field: str, fragment: str
) -> None:
    with pytest.raises(ModelError) as info:
        loads(_with_commitments(lines, directions), source="m.yaml")
    e = info.value
    assert e.line == line, str(e)
    assert e.field is not None and e.field.startswith(field), str(e)
    assert fragment in str(e)
    assert "Traceback" not in str(e)


def test_a_conflict_built_in_python_checks_its_commitments_too() -> None:
    c = loads(GUARANTEE)
    bad = replace(c.mediation, commitments=(Commitment("g", "fwd"), Commitment("zz", "back")))
    with pytest.raises(ModelError, match=r"commitments\[2\]\.option: unknown option 'zz'"):
        replace(c, mediation=bad)


def test_with_directions_changes_moves_only() -> None:
    c = loads(GUARANTEE)
    one_way = c.with_directions({"g": "fwd"})
    assert one_way.feasible is c.feasible
    assert (one_way.ranks == c.ranks).all()
    assert one_way.options[0].direction == "fwd" and c.options[0].direction == "both"
    assert not one_way.space.is_legal_move(0b11, 0b10)  # YY -> NY drops g
    assert c.space.is_legal_move(0b11, 0b10)
    with pytest.raises(ModelError, match="unknown option 'q'"):
        c.with_directions({"q": "fwd"})


def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for k in range(n + 1) for s in combinations(range(n), k)]


# ----- mediation: hand-worked -----------------------------------------------------------------
def _sets(r: MediationResult) -> list[list[tuple[str, str]]]:
    assert r.commitments is not None
    return [[(x.option, x.make) for x in s.commitments] for s in r.commitments.solutions]


def test_hand_worked_guarantee_becomes_a_nash_equilibrium_once_irreversible() -> None:
    c = loads(GUARANTEE)
    r = mediate(c, "YY", ["nash"], max_edits=0)
    assert r.commitments is not None and not r.already_stable
    assert r.commitments.min == 1
    assert _sets(r) == [[("g", "fwd")]]
    sol = r.commitments.solutions[0]
    assert sol.target == "YY" and sol.equilibria == {"nash": 2}  # NN and YY (see GUARANTEE)
    assert r.commitments.tried == 2  # {g fwd}, {x back}
    data = r.to_dict()["commitments"]
    assert data["min"] == 1
    assert data["solutions"] == [
        {
            "commitments": [{"option": "g", "make": "fwd"}],
            "target_state": "YY",
            "equilibria": {"nash": 2},
        }
    ]


def test_hand_worked_min_is_zero_when_already_an_equilibrium() -> None:
    r = mediate(loads(GUARANTEE), "YY", ["seq"], max_edits=0)
    assert r.already_stable and r.commitments is not None
    assert r.commitments.min == 0 and _sets(r) == [[]]
    assert r.commitments.solutions[0].equilibria == {"seq": 2}  # NN, YY
    assert r.commitments.tried == 0


def test_hand_worked_two_commitments_and_none() -> None:
    both = mediate(loads(GUARANTEE), "YN", ["nash"], max_edits=0)
    assert both.commitments is not None and both.commitments.min == 2
    assert _sets(both) == [[("g", "fwd"), ("x", "back")]]
    assert both.commitments.tried == 3
    none = mediate(loads(GUARANTEE), "NY", ["nash"], max_edits=0)
    assert none.commitments is not None and none.commitments.min is None
    assert none.commitments.solutions == () and none.commitments.tried == 3
    assert none.to_dict()["commitments"]["min"] is None


def test_no_declared_commitments() -> None:
    c = loads(GUARANTEE.split("mediation:")[0])
    r = mediate(c, "YY", ["nash"], max_edits=0)
    assert r.commitments is not None and r.commitments.min is None and r.commitments.tried == 0
    assert mediate(c, "YY", ["seq"], max_edits=0).commitments.min == 0  # type: ignore[union-attr]


def test_too_many_sets_are_refused_before_the_work_with_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import detente.analyses.mediation.commitments as mod

    monkeypatch.setattr(mod, "MAX_COMMITMENT_WORK", 1)
    r = mediate(loads(GUARANTEE), "YN", ["nash"], max_edits=0)
    assert r.commitments is not None and r.commitments.min is None
    assert r.commitments.tried == 0
    assert "1 commitment means checking 2 sets" in r.commitments.refused
    assert r.to_dict()["commitments"]["refused"] == r.commitments.refused


# ----- mediation: against a brute force over full analyses -----------------------------------
def _brute_force(
    c: Conflict, targets: list[int], concepts: tuple[str, ...]
) -> tuple[int | None, list[list[tuple[str, str]]]]:
    """Every set of declared commitments by size (never two on one option), each applied by
    rebuilding the model with the options' new directions and analysed in full."""
    declared = c.mediation.commitments
    for size in range(len(declared) + 1):
        found = []
        for combo in combinations(declared, size):
            if len({x.option for x in combo}) < size:
                continue
            make = {x.option: x.make for x in combo}
            edited = replace(
                c,
                options=tuple(
                    replace(o, direction=make.get(o.name, o.direction)) for o in c.options
                ),
                mediation=MediationSection(),
            )
            result = analyze(edited, concepts)
            eq = set.intersection(*(set(result.equilibria(x)) for x in concepts))
            if any(int(c.feasible[s]) in eq for s in targets):
                found.append([(x.option, x.make) for x in combo])
        if found:
            return size, found
    return None, []


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Conflict, str, tuple[str, ...]]:
    """A random model with 1-4 declared commitments on its reversible options, a target
    (mostly a state that is not yet an equilibrium; sometimes a pattern) and 1-2 concepts."""
    c = draw(conflicts(max_dms=3, max_options=5, irreversible=draw(st.booleans())))
    reversible = [o.name for o in c.options if o.direction == "both"]
    pairs = (
        draw(
            st.lists(
                st.tuples(st.sampled_from(reversible), st.sampled_from(("fwd", "back"))),
                unique=True,
                min_size=1,
                max_size=4,
            )
        )
        if reversible
        else []
    )
    c = replace(
        c, mediation=MediationSection(commitments=tuple(Commitment(o, m) for o, m in pairs))
    )  # type: ignore[arg-type]
    concepts = tuple(draw(st.lists(st.sampled_from(CONCEPTS), min_size=1, max_size=2, unique=True)))
    result = analyze(c, concepts)
    eq = set.intersection(*(set(result.equilibria(x)) for x in concepts))
    unstable = [int(x) for x in c.feasible if int(x) not in eq]
    if unstable and draw(st.integers(0, 3)) > 0:
        code = draw(st.sampled_from(unstable))
    else:
        code = int(draw(states(c)))
    text = c.state_string(code)
    if draw(st.integers(0, 3)) == 0:  # a pattern: free some options
        free = draw(st.sets(st.integers(0, c.n_options - 1), max_size=2))
        text = "".join("-" if k in free else ch for k, ch in enumerate(text))
    return c, text, concepts


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_minimal_sets_match_a_brute_force_over_full_analyses(
    case: tuple[Conflict, str, tuple[str, ...]],
) -> None:
    c, target, concepts = case
    r = mediate(c, target, concepts, max_edits=0)
    assert r.commitments is not None
    targets = resolve_targets(c, target)
    least, sets = _brute_force(c, targets, concepts)
    assert r.commitments.min == least
    assert sorted(_sets(r)) == sorted(sets)
    for sol in r.commitments.solutions:  # the listed state is an equilibrium there
        assert c.space.matches(target, np.array([c.parse_state(sol.target)])).all()


# ----- the flagship: an irreversible US guarantee halves the minimal fix ----------------------
FLAGSHIP = Path(__file__).resolve().parents[2] / "tests" / "data" / "ceasefire_2024_coarse.yaml"
#: The flagship with the US guarantee declared as a commitment device (the issue's observation).
US_GUARANTEE = """
  commitments:
    - option: us_guarantee
      make: fwd
      rationale: Written into the framework, the guarantee cannot be withdrawn.
"""


def flagship_with_commitment() -> Conflict:
    text = FLAGSHIP.read_text(encoding="utf-8")
    head, tail = text.split("mediation:\n", 1)
    return loads(head + "mediation:\n" + US_GUARANTEE.lstrip("\n") + tail, source=str(FLAGSHIP))


@pytest.mark.slow
def test_flagship_irreversible_guarantee_cuts_the_minimal_fix_from_two_edits_to_one() -> None:
    c = flagship_with_commitment()
    r = mediate(c, "YNNYYYNYYNN", ["seq_sim"], limit=0)
    assert r.min_edits == 2
    assert {frozenset(e.dm for e in s.edits) for s in r.solutions} >= {
        frozenset({"Israel", "United_States"})
    }
    assert r.commitments is not None
    assert r.commitments.min is None and r.commitments.tried == 1  # alone it is not enough
    (combined,) = r.commitments.with_edits
    assert combined.commitment.option == "us_guarantee" and combined.max_edits == 1
    assert combined.min_edits == 1
    assert [e.dm for e in combined.edits] == ["Israel"]
    assert r.commitments.helpful_edits(r.min_edits) == [combined]
    # the same by rebuilding the model with the option irreversible, through the edit search
    rebuilt = replace(
        c,
        options=tuple(
            replace(o, direction="fwd") if o.name == "us_guarantee" else o for o in c.options
        ),
        mediation=replace(c.mediation, commitments=()),
    )
    again = mediate(rebuilt, "YNNYYYNYYNN", ["seq_sim"], limit=0)
    assert again.min_edits == 1
    assert {tuple(e.text() for e in s.edits) for s in again.solutions} >= {
        tuple(e.text() for e in combined.edits)
    }


# ----- deal repairs ---------------------------------------------------------------------------
# The GUARANTEE model with a deal from NN: A gives the guarantee (YN), then B acts (YY). As
# written it breaks under Nash and SEQ: at YN A withdraws (-> NN, gaining "not g"), and B's
# answer from NN (-> NY) is no improvement for B. With g made fwd A cannot withdraw, at YN
# and at YY, and B's only moves are the deal's step or a loss: it holds. "x back" forbids the
# deal's own second step (x N -> Y): skipped. Foresight: B proceeds (YY beats YN for it), so A
# proceeds (YY beats NN for it): the deal completes, with or without the commitment.
GUARANTEE_DEAL = GUARANTEE.replace(
    "mediation:",
    """status_quo: NN
deal:
  name: guarantee first
  phases:
    - {name: guarantee, set: {g: Y}}
    - {name: act, set: {x: Y}}
mediation:""",
)


def test_hand_worked_deal_repaired_by_a_commitment() -> None:
    c = loads(GUARANTEE_DEAL)
    r = deal_analysis(c, ["nash", "seq"])
    assert not r.holds("nash") and not r.holds("seq")
    assert r.commitments is not None
    assert (r.commitments.tried, r.commitments.skipped) == (1, 1)
    (repair,) = r.commitments.sets
    assert [(x.option, x.make) for x in repair.commitments] == [("g", "fwd")]
    assert repair.holds == {"nash": True, "seq": True}
    assert r.foresight is not None and repair.completes is r.foresight.completes is True
    data = r.to_dict()["commitments"]
    assert data["sets"] == [
        {
            "commitments": [{"option": "g", "make": "fwd"}],
            "holds": {"nash": True, "seq": True},
            "completes": True,
        }
    ]
    # the same verdict from the model rebuilt with g irreversible
    rebuilt = replace(
        c,
        options=(replace(c.options[0], direction="fwd"), c.options[1]),
        mediation=MediationSection(),
    )
    again = deal_analysis(rebuilt, ["nash", "seq"])
    assert again.holds("nash") and again.holds("seq")


def test_deal_that_holds_tries_no_commitment() -> None:
    r = deal_analysis(flagship_with_commitment(), ["gmr"])
    assert r.holds("gmr") and r.commitments is not None
    assert r.commitments.declared == 1
    assert r.commitments.tried == 0 and r.commitments.sets == ()


def test_cli_text_names_the_commitment(write_model: WriteModel) -> None:
    path = write_model(GUARANTEE)
    out = run("mediate", path, "--target", "YY", "-c", "nash", "--max-edits", "0")
    assert out.exit_code == 0, out.stdout
    assert "Commitment devices" in out.stdout
    assert "The fewest commitments that make YY an equilibrium under Nash" in out.stdout
    assert "g made fwd (N→Y only) — makes YY an equilibrium" in out.stdout


@pytest.mark.slow
def test_report_mediation_section_lists_the_commitments(
    write_model: WriteModel, tmp_path: Path
) -> None:
    path = write_model(
        GUARANTEE.replace("mediation:\n", "mediation:\n  target: YY\n  concepts: [nash, seq]\n")
    )
    for suffix in ("md", "html"):
        out = tmp_path / f"report.{suffix}"
        result = run("report", path, "-o", out, "-c", "nash")
        assert result.exit_code == 0, result.stdout
        text = out.read_text(encoding="utf-8")
        assert "Commitment devices (options made one-way), priorities unchanged" in text
        assert "The fewest commitments that make YY an equilibrium under Nash" in text
        assert "YY needs no commitment: it is already an equilibrium under SEQ." in text
