"""Blind spots (GMCR+ misperceptions) in the proposal analyses — deal (myopic, foresight,
guarantees), deal design, mediation (priority edits, commitments), brief and what-if — against
brute force built on ``tests/reference.py`` (whose ``reachable`` applies the blind-spot rule
state by state: DM j neither moves to nor from a state in its blind spots).

Hand-worked on ``tests/data/blind_spot_exchange.yaml`` (options a_release, b_pays, g_guard; B
blind to YYN) and on the same model with B blind to YNN instead:

* B's only move from YYN is to stop paying (YNN), which B prefers (it wants A's release and,
  unguarded, not to pay). Sighted, the deal's last phase *payment* (YYN) breaks under every
  concept; blind to YNN, B cannot see the state it would deviate to, and the phase holds under
  every concept; blind to YYN, B cannot move from it, and it holds as well.
* Foresight: mover i's part of a step is its move from stall_i(k) to s_k. With the guarantee
  on (phases YNY, YYY) B is indifferent between YNY and YYY (guarded, paying costs it nothing)
  and, ties favouring the deal, pays: sighted the deal completes. Blind to YYY, B cannot move
  there: it does not proceed, and the guarded deal no longer completes.
* Mediation: sighted, YYN needs priority edits; blind to YYN, it already is an equilibrium.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise, permutations, product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.analyses.brief.profiles import profile_set
from detente.analyses.deal.design import deal_design
from detente.analyses.whatif import whatif
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.deal import Deal, DealError, Tranche, guarantee_settings, tranche_phases
from detente.model.drafts import Draft
from detente.model.errors import ModelError
from detente.model.mediation import Candidate, Commitment, MediationSection
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement
from strategies import conflicts, deals, states

DATA = Path(__file__).resolve().parents[1] / "data"
TEXT = (DATA / "blind_spot_exchange.yaml").read_text()
MODEL = loads(TEXT, "blind_spot_exchange.yaml")
KEYS = reference.CONCEPTS


def _spots(c: Conflict, spots: dict[str, tuple[str, ...]]) -> Conflict:
    """``c`` with these blind spots per DM name (the others none)."""
    return replace(c, dms=tuple(replace(d, blind_spots=spots.get(d.name, ())) for d in c.dms))


SIGHTED = _spots(MODEL, {})
BLIND_YNN = _spots(MODEL, {"B": ("YNN",)})
BLIND_YYY = _spots(MODEL, {"B": ("YYY",)})


# ----- the reference ---------------------------------------------------------------------------
def ref_holds(c: Conflict, concept: str, s: int, nxt: int | None) -> bool:
    """A phase holds: every improvement the concept does not sanction leads to the next phase."""
    return all(
        t == nxt
        for i in range(len(c.dms))
        for t in reference.improvements(c, i, s)
        if not reference.sanctioned(c, concept, i, s, t)
    )


def _mask(c: Conflict, i: int) -> int:
    return sum(1 << k for k in reference.option_bits(c, i))


def ref_induction(c: Conflict, path: list[int]) -> tuple[list[int], list[list[tuple]]]:
    """Backward induction along ``path`` (PRODUCT.md "Deals with foresight") with the move rule:
    mover i's part of step k is its move from stall_i(k) (s_{k-1} when infeasible) to s_k; a
    move from or to one of its blind spots cannot be made, so it does not proceed. Returns
    O_0 … O_m and per step (dm, proceeds, myopic, blocked) of each mover."""
    m = len(path) - 1
    out = [0] * (m + 1)
    out[m] = path[m]
    steps: list[list[tuple]] = [[] for _ in range(m)]
    for k in range(m, 0, -1):
        a, b, ahead = path[k - 1], path[k], out[k]
        kept, movers = 0, []
        for i in range(len(c.dms)):
            mask = _mask(c, i)
            if not (a ^ b) & mask:
                continue
            stall = (b & ~mask) | (a & mask)
            ok = c.is_feasible(stall)
            start = stall if ok else a
            can = not reference.blind(c, i, start) and not reference.blind(c, i, b)
            proceeds = can and (not ok or reference.u(c, i, stall) <= reference.u(c, i, ahead))
            myopic = can and (not ok or reference.u(c, i, stall) <= reference.u(c, i, b))
            movers.append((c.dm_names[i], proceeds, myopic, not can))
            if proceeds:
                kept |= (a ^ b) & mask
        steps[k - 1] = movers
        if all(p for _, p, _, _ in movers):
            out[k - 1] = ahead
        else:
            out[k - 1] = a ^ kept if c.is_feasible(a ^ kept) else a
    return out, steps


def _legal(c: Conflict, path: list[int]) -> bool:
    return all(c.is_feasible(s) for s in path) and all(
        reference._move_allowed(c, a, b) for a, b in pairwise(path)
    )


def ref_settings(c: Conflict, deal: Deal, states: list[int]) -> list[tuple[dict, list[int]]]:
    """Guarantee settings (in the tool's order: fewest in force first) whose phases are
    feasible and whose steps are legal, with their phase states."""
    out = []
    for st_ in guarantee_settings(c.space, deal.guarantors):
        phased = [(s & ~st_.clear) | st_.value for s in states]
        head = [c.status_quo] if c.status_quo is not None else []
        if _legal(c, head + phased):
            out.append((st_.values, phased))
    return out


def _all_hold(c: Conflict, concept: str, states: list[int]) -> bool:
    nexts = [*states[1:], None]
    return all(ref_holds(c, concept, s, n) for s, n in zip(states, nexts, strict=True))


def _path(c: Conflict, states: list[int]) -> list[int]:
    return ([c.status_quo] if c.status_quo is not None else []) + list(states)


# ----- checks of each analysis against the reference ----------------------------------------
def check_deal(c: Conflict) -> None:
    """Myopic phases (stability, temptations and what deters them, holds), steps' blind-spot
    marks, foresight and guarantees."""
    assert c.deal is not None
    r = detente.deal_analysis(c, mediate=False).to_dict()
    states = [ph.state for ph in c.deal.phases]
    for k, (ph, s) in enumerate(zip(r["phases"], states, strict=True)):
        nxt = states[k + 1] if k + 1 < len(states) else None
        want = {
            (c.dm_names[i], c.state_string(t))
            for i in range(len(c.dms))
            for t in reference.improvements(c, i, s)
        }
        assert {(t["dm"], t["to"]["state"]) for t in ph["temptations"]} == want
        for t in ph["temptations"]:
            i, to = c.dm_index(t["dm"]), c.parse_state(t["to"]["state"])
            for x in KEYS:
                assert t["deterred"][x] == reference.sanctioned(c, x, i, s, to), (k, x, t)
        for x in KEYS:
            assert ph["holds"][x] == ref_holds(c, x, s, nxt), (k, x)
            for i, dm in enumerate(c.dm_names):
                assert ph["stable"][x][dm] == reference.stable(c, x, i, s), (k, x, dm)
    for x in KEYS:
        assert r["holds"][x] == _all_hold(c, x, states), x
    outcome, steps = ref_induction(c, _path(c, states))
    f = r["foresight"]
    assert [o["state"] for o in f["outcome"]] == [c.state_string(o) for o in outcome]
    assert f["completes"] == (outcome[0] == outcome[-1])
    for step, movers in zip(f["steps"], steps, strict=True):
        got = [(m["dm"], m["proceeds"], m["myopic"], m.get("blind_spot", False))
               for m in step["movers"]]
        assert got == movers, step
    for step, movers in zip(r["steps"], steps[len(steps) - len(r["steps"]):], strict=True):
        assert [m.get("blind_spot", False) for m in step["movers"]] == [b for *_, b in movers]
    for x in KEYS:
        g = r["guarantees"][x]
        assert g["holds_as_written"] == _all_hold(c, x, states)
        found = ref_settings(c, c.deal, states) if c.deal.guarantors else []
        assert g["tried"] == len(found)
        works = [(v, p) for v, p in found if _all_hold(c, x, p)]
        assert [st_["values"] for st_ in g["settings"]] == [v for v, _ in works][:10], x
        for st_, (_, p) in zip(g["settings"], works, strict=False):
            o, _ = ref_induction(c, _path(c, p))
            assert st_["completes"] == (o[0] == o[-1])


def check_design(c: Conflict) -> None:
    """Every order of the tranches: skipped when it passes an infeasible state or an illegal
    step, else whether it completes with foresight, holds per concept, and its guarantee."""
    assert c.deal is not None and c.status_quo is not None
    tranches = c.deal.tranches
    r = deal_design(c, limit=0).to_dict()
    got = {tuple(d["order"]): d for d in r["designs"]}
    want = {}
    for order in permutations(range(len(tranches))):
        done: set[str] = set()
        ok = True
        for k in order:
            ok = ok and set(tranches[k].after) <= done
            done.add(tranches[k].name)
        if not ok:
            continue
        phases = tranche_phases(c.option_names, c.status_quo, tuple(tranches[k] for k in order))
        states = [ph.state for ph in phases]
        names = tuple(tranches[k].name for k in order)
        if _legal(c, [c.status_quo, *states]):
            want[names] = states
    assert set(got) == set(want)
    assert r["ranked"] == len(want) and r["tried"] == r["ranked"] + r["skipped"]
    for names, states in want.items():
        d = got[names]
        o, _ = ref_induction(c, _path(c, states))
        assert d["completes"] == (o[0] == o[-1]), names
        settings_ = ref_settings(c, c.deal, states) if c.deal.guarantors else []
        for x in KEYS:
            assert d["holds"][x] == _all_hold(c, x, states), (names, x)
            first = next(
                (v for v, p in settings_ if _all_hold(c, x, p)), None
            )
            on = None if first is None else [
                g for g in c.deal.guarantors if first[g] != "N"
            ]
            assert (d["guarantees"][x] is None) == (first is None), (names, x)
            if on is not None:
                assert d["guarantees"][x] == on, (names, x)


def _equilibrium(c: Conflict, concepts: tuple[str, ...], code: int) -> bool:
    return all(reference.stable(c, x, i, code) for x in concepts for i in range(len(c.dms)))


def _lists(own: list[str], cands: list[str], k: int) -> dict[tuple[str, ...], int]:
    """Every statement list within k edits (move, drop, add a candidate), fewest edits."""
    best = {tuple(own): 0}
    layer = {tuple(own)}
    for d in range(1, k + 1):
        nxt = set()
        for lst in layer:
            for a in range(len(lst)):
                rest = lst[:a] + lst[a + 1:]
                nxt.add(rest)
                nxt.update((*rest[:b], lst[a], *rest[b:]) for b in range(len(lst)))
            for cnd in cands:
                if cnd not in lst:
                    nxt.update((*lst[:b], cnd, *lst[b:]) for b in range(len(lst) + 1))
        layer = {x for x in nxt if x not in best}
        best.update((x, d) for x in layer)
    return best


def ref_edits(c: Conflict, targets: list[int], concepts: tuple[str, ...], k: int
              ) -> tuple[int | None, set[tuple[tuple[str, ...], ...]]]:
    """The fewest statement edits after which some target is an equilibrium (the reference's
    stability, blind spots kept), and every list of lists that needs that many."""
    by_text: dict[str, Statement] = {}
    per_dm = []
    for dm in c.dms:
        pref = dm.preference
        assert isinstance(pref, StatementPreference)
        own = [s.text for s in pref.statements]
        cands = [s.text for s in c.mediation.candidates_for(dm.name) if s.text not in own]
        for s in (*pref.statements, *c.mediation.candidates_for(dm.name)):
            by_text[s.text] = s
        per_dm.append(_lists(own, cands, k))
    found: dict[int, set[tuple[tuple[str, ...], ...]]] = {}
    for combo in product(*[list(d.items()) for d in per_dm]):
        cost = sum(n for _, n in combo)
        if cost > k or (found and cost > min(found)):
            continue
        try:
            e = c.with_preferences({
                dm.name: StatementPreference(tuple(by_text[t] for t in lst))
                for dm, (lst, _) in zip(c.dms, combo, strict=True)
            })
        except ModelError:
            continue
        if any(_equilibrium(e, concepts, int(c.feasible[s])) for s in targets):
            found.setdefault(cost, set()).add(tuple(lst for lst, _ in combo))
    if not found:
        return None, set()
    low = min(found)
    return low, found[low]


def _targets(c: Conflict, target: str) -> list[int]:
    return [int(x) for x in c.index_of(c.matching(target))]


def check_mediate_edits(c: Conflict, target: str, concepts: tuple[str, ...], k: int = 2
                        ) -> None:
    r = detente.mediate(c, target, list(concepts), max_edits=k, limit=0)
    targets = _targets(c, target)
    assert r.already_stable == any(
        _equilibrium(c, concepts, int(c.feasible[s])) for s in targets
    )
    low, lists = ref_edits(c, targets, concepts, k)
    assert r.min_edits == low
    got = {tuple(_list(c, s.statements, dm) for dm in c.dms) for s in r.solutions}
    assert got == lists


def _list(c: Conflict, edited: dict[str, list[str]], dm: DecisionMaker) -> tuple[str, ...]:
    """A DM's statement list in a solution: as edited, else as written."""
    new = edited.get(dm.name)
    if new is not None:
        return tuple(new)
    pref = dm.preference
    assert isinstance(pref, StatementPreference)
    return tuple(x.text for x in pref.statements)


def ref_commitments(c: Conflict, targets: list[int], concepts: tuple[str, ...]
                    ) -> tuple[int | None, list[list[tuple[str, str]]]]:
    """The fewest declared commitments (never two on one option) after which some target is
    an equilibrium, and every set of that size (the reference's stability on the committed
    move graph, blind spots kept)."""
    declared = c.mediation.commitments
    for size in range(len(declared) + 1):
        found = []
        for combo in product(range(len(declared)), repeat=size):
            if list(combo) != sorted(set(combo)):
                continue
            chosen = [declared[q] for q in combo]
            if len({x.option for x in chosen}) < size:
                continue
            d = c.with_directions({x.option: x.make for x in chosen}, keep_deal=False)
            if any(_equilibrium(d, concepts, int(c.feasible[s])) for s in targets):
                found.append([(x.option, x.make) for x in chosen])
        if found:
            return size, found
    return None, []


def check_mediate_commitments(c: Conflict, target: str, concepts: tuple[str, ...]) -> None:
    r = detente.mediate(c, target, list(concepts), max_edits=0)
    assert r.commitments is not None
    least, sets = ref_commitments(c, _targets(c, target), concepts)
    assert r.commitments.min == least
    got = sorted([(x.option, x.make) for x in s.commitments] for s in r.commitments.solutions)
    assert got == sorted(sets)


def ref_verdicts(c: Conflict) -> dict[str, dict[str, str]]:
    """The brief's verdict per proposal (deal, mediation target, drafts) and concept: a deal
    holds when every phase does; a target or draft when some matching state is an
    equilibrium."""
    out: dict[str, dict[str, str]] = {}

    def word(ok: bool) -> str:
        return "holds" if ok else "breaks"

    if c.deal is not None:
        states = [ph.state for ph in c.deal.phases]
        out["deal"] = {x: word(_all_hold(c, x, states)) for x in KEYS}
    patterns = [("target", c.mediation.target)] if c.mediation.target else []
    patterns += [(f"draft {d.name}", d.state) for d in c.drafts]
    for name, pattern in patterns:
        codes = [int(s) for s in c.matching(pattern)]
        out[name] = {x: word(any(_equilibrium(c, (x,), s) for s in codes)) for x in KEYS}
    return out


def _brief_verdicts(c: Conflict, b: dict) -> dict[str, dict[str, str]]:
    out = {}
    for p in b["proposals"]:
        name = p["kind"] if p["kind"] != "draft" else f"draft {p['name']}"
        out[name] = p["verdict"]
    return out


def check_brief(c: Conflict) -> None:
    """Verdicts per proposal and concept, how sure (the weight of the profiles in which the
    reference's verdict holds; the profiles as robustness enumerates them), and the deal's
    completion with foresight."""
    b = detente.brief(c, concepts=list(KEYS), samples=50, fixes=False).to_dict()
    assert _brief_verdicts(c, b) == ref_verdicts(c)
    ps = profile_set(c, 50, 0, None)
    assert ps.exact
    per_profile = [ref_verdicts(v.model(c)) for v in ps.variants]
    total = float(sum(ps.weights))
    for p in b["proposals"]:
        name = p["kind"] if p["kind"] != "draft" else f"draft {p['name']}"
        if p["probability"] is None:  # no uncertain preferences
            assert len(ps.variants) == 1
            continue
        for x in KEYS:
            want = sum(w for w, v in zip(ps.weights, per_profile, strict=True)
                       if v[name][x] == "holds") / total
            assert p["probability"][x] == pytest.approx(want, abs=1e-9), (name, x)
    for p in b["proposals"]:
        if p["kind"] == "deal":
            assert c.deal is not None
            o, _ = ref_induction(c, _path(c, [ph.state for ph in c.deal.phases]))
            assert p["completes"] == (o[0] == o[-1])


def check_whatif(c: Conflict, made: dict[str, str]) -> None:
    """A what-if that makes declared commitments: the brief's verdicts on the committed model
    (the reference on the move graph with those options one-way, blind spots kept)."""
    b = whatif(c, {"commitments": made}, concepts=list(KEYS), samples=50).to_dict()
    d = c.with_directions(dict(made)) if made else c  # type: ignore[arg-type]
    assert _brief_verdicts(c, b) == ref_verdicts(d)


# ----- hand-worked: the blind spot changes the answer -----------------------------------------
def _deal(c: Conflict, **kw: object) -> dict:
    return detente.deal_analysis(c, mediate=False, **kw).to_dict()  # type: ignore[arg-type]


def test_a_phase_holds_only_because_the_mover_cannot_see_its_deviation() -> None:
    """Phase *payment* (YYN): B's one temptation is YNN; blind to YNN it has none."""
    sighted, blind, model = (_deal(c)["phases"][1] for c in (SIGHTED, BLIND_YNN, MODEL))
    for x in KEYS:
        assert sighted["holds"][x] is False
        assert blind["holds"][x] is True
        assert model["holds"][x] is True  # blind to YYN: B cannot leave it
    assert [(t["dm"], t["to"]["state"]) for t in sighted["temptations"]] == [("B", "YNN")]
    assert blind["temptations"] == []


def _guarded(c: Conflict) -> Conflict:
    """The deal with the guarantee in force at every phase (YNY, then YYY)."""
    assert c.deal is not None
    phases = tuple(replace(ph, state=ph.state | 0b100) for ph in c.deal.phases)
    return replace(c, deal=replace(c.deal, phases=phases, guarantors=()))


def test_foresight_a_mover_cannot_take_a_step_into_its_blind_spot() -> None:
    """Guarded, B is indifferent between YNY and YYY and pays (ties favour the deal); blind to
    YYY its move there is dropped, so the guarded deal no longer completes."""
    assert reference.u(SIGHTED, 1, 0b101) == reference.u(SIGHTED, 1, 0b111)
    sighted = _deal(_guarded(SIGHTED))["foresight"]
    blind = _deal(_guarded(BLIND_YYY))["foresight"]
    b_sighted, b_blind = sighted["steps"][1]["movers"][0], blind["steps"][1]["movers"][0]
    assert (b_sighted["dm"], b_sighted["proceeds"], "blind_spot" in b_sighted) == ("B", True,
                                                                                   False)
    assert (b_blind["proceeds"], b_blind["myopic"], b_blind["blind_spot"]) == (False, False, True)
    assert [o["state"] for o in blind["outcome"]][-2:] == ["YNY", "YYY"]
    assert blind["completes"] is False
    check_deal(_guarded(BLIND_YYY))


def test_mediation_target_already_holds_in_the_blind_game() -> None:
    """YYN: sighted B stops paying (no equilibrium); blind to YYN, B cannot leave it."""
    sighted = detente.mediate(SIGHTED, "YYN", ["nash", "seq"], max_edits=1)
    blind = detente.mediate(MODEL, "YYN", ["nash", "seq"], max_edits=1)
    assert (sighted.already_stable, blind.already_stable) == (False, True)
    assert blind.min_edits == 0 and sighted.min_edits != 0


@pytest.mark.slow
def test_brief_and_whatif_verdicts_change_with_the_blind_spot() -> None:
    """The deal (ending in YYN) and the draft YYN hold in the blind game, break sighted."""
    for c, word in ((SIGHTED, "breaks"), (MODEL, "holds")):
        v = ref_verdicts(c)
        assert set(v["deal"].values()) == set(v["draft first text"].values()) == {word}
        check_brief(c)
        check_whatif(c, {})


# ----- every check on the hand-worked models --------------------------------------------------
TRANCHES = TEXT.replace(
    """  phases:
    - {name: release, set: {a_release: Y}}
    - {name: payment, set: {b_pays: Y}}""",
    """  tranches:
    - {name: release, set: {a_release: Y}}
    - {name: payment, set: {b_pays: Y}}""",
)
COMMITMENTS = TEXT.replace(
    "  concepts: [nash, gmr, seq, sim]",
    "  concepts: [nash, gmr, seq, sim]\n  commitments:\n"
    "    - {option: b_pays, make: fwd}\n    - {option: g_guard, make: fwd}",
)


def _all_checks(text: str, spots: dict[str, tuple[str, ...]]) -> None:
    plain = _spots(loads(text, "blind_spot_exchange.yaml"), {})
    c = _spots(plain, spots)
    check_deal(c)
    check_brief(c)
    check_mediate_edits(c, "YY-", ("seq",), k=1)


@pytest.mark.slow
@pytest.mark.parametrize("spots", [{}, {"B": ("YYN",)}, {"B": ("YNN",)}, {"B": ("YYY",)},
                                   {"A": ("Y-N",), "G": ("YYY",)}])
def test_every_check_on_the_exchange(spots: dict[str, tuple[str, ...]]) -> None:
    _all_checks(TEXT, spots)
    tranched = _spots(loads(TRANCHES, "t.yaml"), spots)
    check_design(tranched)
    committing = _spots(loads(COMMITMENTS, "c.yaml"), spots)
    check_mediate_commitments(committing, "YY-", ("seq", "sim"))
    check_whatif(committing, {"b_pays": "fwd"})


@pytest.mark.slow
def test_the_checks_can_fail() -> None:
    """Each check run with the reference's blind-spot rule switched off (``reference.blind``
    never true) fails on a model where the blind spot matters: the analyses answer for the
    blind game."""
    calls = [
        lambda: check_deal(BLIND_YNN),
        lambda: check_deal(_guarded(BLIND_YYY)),
        lambda: check_brief(MODEL),
        lambda: check_whatif(MODEL, {}),
        lambda: check_mediate_edits(MODEL, "YYN", ("nash",), k=1),
        lambda: check_design(_spots(loads(TRANCHES, "t.yaml"), {"B": ("YNN",)})),
        lambda: check_mediate_commitments(
            _spots(loads(COMMITMENTS, "c.yaml"), {"B": ("YNN",)}), "YY-", ("nash",)
        ),
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reference, "blind", lambda c, i, s: False)
        for call in calls:
            with pytest.raises(AssertionError):
                call()


# ----- random models with blind spots ----------------------------------------------------------
def _patterns(n: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(
        st.text("YN-", min_size=n, max_size=n).filter(lambda p: set(p) != {"-"}), max_size=2
    ).map(tuple)


@st.composite
def blind(draw: st.DrawFn, c: Conflict) -> Conflict:
    """``c`` with up to two random blind spots per DM."""
    return replace(c, dms=tuple(replace(d, blind_spots=draw(_patterns(c.n_options)))
                                for d in c.dms))


SLOW = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.slow
@SLOW
@given(st.data())
def test_deal_matches_brute_force(data: st.DataObject) -> None:
    check_deal(data.draw(blind(data.draw(deals(max_dms=3, max_options=4)))))


@st.composite
def tranche_deals(draw: st.DrawFn) -> Conflict:
    """A random model, a status quo and 2-3 one-option tranches (some ``after``), legal as
    written, with up to one guarantor."""
    c = draw(conflicts(max_dms=3, max_options=4))
    sq = int(draw(states(c)))
    picked = draw(st.lists(st.integers(0, c.n_options - 1), min_size=2, max_size=3,
                           unique=True))
    tranches = []
    for k, b in enumerate(picked):
        after = (f"t{k - 1}",) if k and draw(st.integers(0, 3)) == 0 else ()
        tranches.append(Tranche(f"t{k}", ((c.option_names[b], not sq >> b & 1),), after))
    rest = [o for q, o in enumerate(c.option_names) if q not in picked]
    guarantors = tuple(draw(st.lists(st.sampled_from(rest), max_size=1))) if rest else ()
    phases = tranche_phases(c.option_names, sq, tuple(tranches))
    try:
        return replace(c, status_quo=sq, deal=Deal("d", phases, guarantors=guarantors,
                                                   tranches=tuple(tranches)))
    except DealError:
        assume(False)
        raise


@pytest.mark.slow
@SLOW
@given(st.data())
def test_deal_design_matches_brute_force(data: st.DataObject) -> None:
    check_design(data.draw(blind(data.draw(tranche_deals()))))


def _literal(draw: st.DrawFn, names: list[str]) -> str:
    a = draw(st.sampled_from(names))
    return a if draw(st.booleans()) else f"not {a}"


@st.composite
def statement_models(draw: st.DrawFn) -> Conflict:
    """A small random model (2-3 DMs, one option each plus maybe one) with 1-2 statements per
    DM, maybe a candidate each, declared commitments on reversible options, a target and a
    draft."""
    n = draw(st.integers(2, 3))
    owners = list(range(n)) + draw(st.lists(st.integers(0, n - 1), max_size=1))
    directions = [draw(st.sampled_from(("both", "both", "fwd"))) for _ in owners]
    options = tuple(Option(f"o{k}", f"D{j}", directions[k]) for k, j in enumerate(owners))
    names = [o.name for o in options]

    def statement(text: str) -> Statement:
        return Statement(text, parse_statement(text, set(names)), "")

    dms, cands = [], []
    for i in range(n):
        texts = list(dict.fromkeys(_literal(draw, names) for _ in range(draw(st.integers(1, 2)))))
        dms.append(DecisionMaker(f"D{i}", tuple(o.name for o in options if o.dm == f"D{i}"),
                                 StatementPreference(tuple(statement(t) for t in texts))))
        extra = _literal(draw, names)
        if draw(st.booleans()) and extra not in texts:
            cands.append(Candidate(f"D{i}", statement(extra)))
    reversible = [o.name for o in options if o.direction == "both"]
    commitments = tuple(
        Commitment(o, draw(st.sampled_from(("fwd", "back"))))  # type: ignore[arg-type]
        for o in draw(st.lists(st.sampled_from(reversible), max_size=2, unique=True))
    ) if reversible else ()
    c = Conflict("random", options, tuple(dms),
                 mediation=MediationSection((), tuple(cands), commitments=commitments))
    target = "".join(draw(st.sampled_from("YN-" if k else "YN")) for k in range(len(options)))
    return draw(blind(_proposals(draw, c, target)))


def _proposals(draw: st.DrawFn, c: Conflict, target: str) -> Conflict:
    """``c`` with a mediation target and one draft (a random state)."""
    code = int(draw(states(c)))
    return replace(c, mediation=replace(c.mediation, target=target),
                   drafts=(Draft("d", c.state_string(code), (code,)),))


@pytest.mark.slow
@SLOW
@given(statement_models(), st.sampled_from(KEYS))
def test_mediation_edits_match_brute_force(c: Conflict, concept: str) -> None:
    assert c.mediation.target is not None
    check_mediate_edits(c, c.mediation.target, (concept,), k=2)


@pytest.mark.slow
@SLOW
@given(statement_models(), st.lists(st.sampled_from(KEYS), min_size=1, max_size=2,
                                    unique=True))
def test_mediation_commitments_match_brute_force(c: Conflict, concepts: list[str]) -> None:
    assert c.mediation.target is not None
    check_mediate_commitments(c, c.mediation.target, tuple(concepts))


@pytest.mark.slow
@SLOW
@given(st.data())
def test_brief_matches_brute_force(data: st.DataObject) -> None:
    """A deal, a target and a draft on a random model with blind spots."""
    c = data.draw(deals(max_dms=3, max_options=4))
    target = "".join(data.draw(st.sampled_from("YN-")) for _ in range(c.n_options))
    assume(("Y" in target or "N" in target) and len(c.matching(target)) > 0)
    check_brief(data.draw(blind(_proposals(data.draw, c, target))))


@pytest.mark.slow
@SLOW
@given(statement_models())
def test_whatif_matches_brute_force(c: Conflict) -> None:
    """A what-if making a declared commitment, on a random model with blind spots."""
    check_whatif(c, {x.option: x.make for x in c.mediation.commitments[:1]})
