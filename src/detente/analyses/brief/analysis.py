"""The mediator's brief: for each proposal the model puts on the table — its deal, its
mediation target, its drafts — does it hold, under which concepts, how sure, who would break
it and how, the fewest fixes, what enforces it, and which single uncertain assumption flips it.

One source of truth: a deal's verdict is the deal analysis's ``holds`` (foresight's
``completes`` beside it), a target's is the mediation analysis's ``already_stable`` (per
concept), a draft's whether some matching state is an equilibrium (the engine's stability).
The case file passes the results it already holds (``deal``, ``mediation``, ``robustness``);
anything missing is computed here on one shared :class:`~detente.engine.Engine`. A brief is a
function of the model alone, so a what-if calls it on an edited model.

>>> import detente
>>> b = brief(detente.load("tests/data/ceasefire_2024_coarse.yaml"))
>>> [(p.kind, p.verdict["nash"], p.verdict["seq"]) for p in b.proposals]
[('deal', 'breaks', 'holds'), ('target', 'breaks', 'holds')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from detente.analyses import arguments
from detente.analyses.brief.fixes import Fix, group_edits, merge_fixes
from detente.analyses.brief.profiles import (
    Assumption,
    Variant,
    Verdicts,
    assumptions,
    deal_shape,
    profile_set,
    uncertain,
)
from detente.analyses.brief.result import Breaker, BriefResult, Enforcement, Flip, Proposal
from detente.analyses.brief.words import (
    breaker_sentences,
    change_words,
    concepts_text,
    enforcement_sentence,
    fix_sentence,
    flip_sentence,
    probability_sentence,
    verdict_sentence,
)
from detente.analyses.contract import Progress, header, own_engine, report
from detente.analyses.deal.analysis import deal_analysis
from detente.analyses.deal.design import deal_design
from detente.analyses.deal.result import DealAnalysis
from detente.analyses.explain.analysis import explain
from detente.analyses.mediation.analysis import mediate
from detente.analyses.mediation.result import MediationResult
from detente.analyses.moves import StateRef, state_of
from detente.analyses.robustness.result import RobustnessResult
from detente.analyses.state_view import pattern_view
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.deal import count_guarantee_settings, guarantee_settings
from detente.model.errors import AnalysisError
from detente.model.states import YES

#: Minimal solutions asked of the mediation analysis per concept (grouped into fixes).
SOLUTIONS = 20
#: Preference profiles sampled when the profile space is larger (seed 0), as the case file.
SAMPLES = 1_000
#: Settings of the guarantor options tried for a target or draft (more: said in a note).
MAX_GUARANTEE_SETTINGS = 4_096


def brief(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    engine: Engine | None = None,
    deal: DealAnalysis | None = None,
    mediation: Sequence[MediationResult] = (),
    robustness: RobustnessResult | None = None,
    samples: int = SAMPLES,
    seed: int = 0,
    fixes: bool = True,
    progress: Progress | None = None,
) -> BriefResult:
    """The brief of ``model`` under ``concepts`` (default: the model's ``mediation:
    concepts:``, else all six). ``deal``/``mediation``/``robustness``: results already
    computed on this model (the case file's), reused instead of recomputed; ``samples`` and
    ``seed``: the profiles drawn when the profile space is larger than ``samples`` (a given
    ``robustness`` result's own profiles otherwise). ``fixes``: search the fewest priority
    edits where a proposal breaks (the mediation analysis, the costly part); without, the
    verdicts, breakers, guarantees, probabilities and flips only."""
    arguments.model(model)
    arguments.flag(fixes, "fixes")
    arguments.samples(samples)
    arguments.seed(seed)
    given = arguments.optional_names(concepts, "concepts")
    keys = parse_concepts(given if given else (model.mediation.concepts or None))
    eng = own_engine(model, engine, "brief")
    notes: list[str] = []
    report(progress, 1, 3, "verdicts")
    built: list[tuple[str, str, np.ndarray, dict[str, str], _Extras]] = []
    if model.deal is not None:
        d = (
            deal
            if deal is not None and set(keys) <= set(deal.concepts)
            else deal_analysis(model, keys, mediate=fixes, engine=eng)
        )
        built.append(_deal(model, d, keys, eng))
    target = model.mediation.target
    if target is not None:
        by_concept = {
            r.concepts[0]: r
            for r in mediation
            if len(r.concepts) == 1 and r.target == target and not r.reachable
        }
        positions = model.index_of(model.space.parse_many(target))
        for c in keys:  # the mediation analysis where a fix is wanted (else: its test)
            if c not in by_concept and fixes and not _some_equilibrium(eng, c, positions):
                by_concept[c] = mediate(model, target, [c], limit=SOLUTIONS, engine=eng)
        built.append(_target(model, target, by_concept, keys, eng))
    for dr in model.drafts:
        results: dict[str, MediationResult] = {}
        at = model.index_of(np.asarray(dr.codes, dtype=np.int64))
        for c in keys:  # a draft that breaks gets the fewest fixes, as the target does
            if fixes and not _some_equilibrium(eng, c, at):
                try:
                    results[c] = mediate(model, dr.state, [c], limit=SOLUTIONS, engine=eng)
                except AnalysisError as exc:  # too large a search: said, not silently left out
                    notes.append(f"Draft {dr.name!r}, {c}: no fixes searched ({exc})")
        built.append(_target(model, dr.state, results, keys, eng, kind="draft", name=dr.name))
    report(progress, 2, 3, "preference profiles and assumptions")
    profiles, exact, chances = _uncertainty(model, keys, built, robustness, samples, seed, notes)
    report(progress, 3, 3, "the brief in words")
    proposals = []
    for (name, kind, positions, verdict, extra), (prob, flips) in zip(built, chances, strict=True):
        proposals.append(
            _proposal(model, name, kind, positions, verdict, extra, prob, flips, profiles, exact)
        )
    return BriefResult(
        tuple(proposals),
        keys,
        profiles,
        exact,
        tuple(notes),
        header(model, keys, {"samples": samples, "seed": seed, "fixes": fixes}),
    )


class _Extras:
    """What a proposal says besides its verdict (filled per kind)."""

    def __init__(
        self,
        state: int,
        completes: bool | None = None,
        breakers: Sequence[Breaker] = (),
        fixes: Sequence[Fix] = (),
        enforcement: Sequence[Enforcement] = (),
        extra: Sequence[str] = (),
        deal: bool = False,
    ) -> None:
        self.state = state
        self.completes = completes
        self.breakers = tuple(breakers)
        self.fixes = tuple(fixes)
        self.enforcement = tuple(enforcement)
        self.extra = tuple(extra)
        self.deal = deal


def _verdict(ok: dict[str, bool]) -> dict[str, str]:
    return {c: "holds" if v else "breaks" for c, v in ok.items()}


# ----- a deal -------------------------------------------------------------------------------
def _deal(
    model: Conflict, d: DealAnalysis, keys: tuple[str, ...], eng: Engine
) -> tuple[str, str, np.ndarray, dict[str, str], _Extras]:
    verdict = _verdict({c: d.holds(c) for c in keys})
    broken = [c for c in keys if verdict[c] == "breaks"]
    found: dict[tuple[str, str, int], list[str]] = {}
    moves = {}
    for ph in d.phases:
        for c in broken:
            if ph.holds[c]:
                continue
            for t in ph.temptations:
                if not t.deterred[c] and not t.to_next_phase:
                    key = (ph.name, t.move.dm, t.move.target.code)
                    found.setdefault(key, []).append(c)
                    moves[key] = t.move
    breakers = [
        Breaker(
            m.dm,
            m.source,
            m.target,
            m.changes,
            tuple(found[k]),
            change_words(model, m.changes),
            k[0],
        )
        for k, m in moves.items()
    ]
    fixes: list[Fix] = []
    enforcement: list[Enforcement] = []
    for c in broken:
        g = d.guarantees.get(c)
        if g is not None and g.settings:
            on = g.settings[0].on
            enforcement.append(Enforcement("guarantee", on, (c,), _options_words(model, on)))
        if g is not None and g.mediation:
            for pm in g.mediation:
                if pm.result is not None:
                    fixes += [
                        Fix(f.edits, (c,), (pm.phase,), f.solutions)
                        for f in group_edits(s.edits for s in pm.result.solutions)
                    ]
        if d.commitments is not None:
            working = d.commitments.working(c)
            if working:
                texts = tuple(x.text() for x in working[0].commitments)
                enforcement.append(
                    Enforcement("commitment", texts, (c,), "the commitments " + ", ".join(texts))
                )
    extra: list[str] = []
    if d.foresight is not None:
        f = d.foresight
        extra.append(
            "With foresight the deal completes."
            if f.completes
            else f"With foresight the deal unravels at step {f.unravels_at} (into "
            f"{d.phases[(f.unravels_at or 1) - 1].name})."
        )
    if model.deal is not None and model.deal.tranches:
        try:
            design = deal_design(model, keys, limit=1, engine=eng)
        except AnalysisError as exc:
            extra.append(f"No tranche design: {exc}")
        else:
            if design.designs:
                best = design.designs[0]
                held = tuple(c for c in keys if best.holds[c])
                why = "completes with foresight" if best.completes else "does not complete"
                order = f"the tranche order {' → '.join(best.order)} ({why})"
                if held:
                    enforcement.append(Enforcement("tranche order", best.order, held, order))
                else:  # no concept to name: said as a finding, not as an enforcement
                    extra.append(f"No tranche order makes it hold; the best is {order}.")
    last = d.phases[-1].state.code
    positions = np.array([model.position(last)], dtype=np.int64)
    return (
        d.deal,
        "deal",
        positions,
        verdict,
        _Extras(
            last,
            None if d.foresight is None else d.foresight.completes,
            breakers,
            merge_fixes(fixes),
            _merge_enforcement(enforcement),
            extra,
            deal=True,
        ),
    )


def _options_words(model: Conflict, on: Sequence[str]) -> str:
    labels = model.space.labels
    names = [labels.get(o, {}).get(YES, o) for o in on]
    return ", ".join(names) + (" in force" if names else "")


def _merge_enforcement(items: Iterable[Enforcement]) -> list[Enforcement]:
    merged: dict[tuple[str, tuple[str, ...]], Enforcement] = {}
    for e in items:
        key = (e.kind, e.what)
        old = merged.get(key)
        merged[key] = (
            e
            if old is None
            else Enforcement(
                e.kind,
                e.what,
                old.concepts + tuple(c for c in e.concepts if c not in old.concepts),
                e.words,
            )
        )
    return list(merged.values())


# ----- a target or a draft ------------------------------------------------------------------
def _closest(model: Conflict, positions: np.ndarray, keys: tuple[str, ...], eng: Engine) -> int:
    """The matching position that is an equilibrium under the most concepts (then the
    fewest unstable DMs, then the lowest number)."""
    eq = np.zeros(positions.size, dtype=np.int64)
    unstable = np.zeros(positions.size, dtype=np.int64)
    for c in keys:
        st = eng.stable(c)[:, positions]
        eq += st.all(axis=0)
        unstable += (~st).sum(axis=0)
    best = np.lexsort((positions, unstable, -eq))[0]
    return int(positions[best])


def _state_breakers(model: Conflict, pos: int, broken: list[str], eng: Engine) -> list[Breaker]:
    if not broken:
        return []
    e = explain(
        model, model.state_string(int(model.feasible[pos])), concepts=broken, index=eng.move_index()
    )
    found: dict[tuple[str, int], list[str]] = {}
    moves = {}
    for dm in e.dms:
        for v in dm.verdicts:
            for ch in v.checks:
                if not ch.sanctioned:
                    key = (dm.dm, ch.improvement.target.code)
                    found.setdefault(key, []).append(v.concept)
                    moves[key] = ch.improvement
    return [
        Breaker(
            m.dm, m.source, m.target, m.changes, tuple(found[k]), change_words(model, m.changes)
        )
        for k, m in moves.items()
    ]


def _some_equilibrium(eng: Engine, concept: str, positions: np.ndarray) -> bool:
    """Whether some state at ``positions`` is an equilibrium (the mediation analysis's
    ``already_stable`` for one concept)."""
    return bool(eng.stable(concept)[:, positions].all(axis=0).any())


def _target(
    model: Conflict,
    target: str,
    results: dict[str, MediationResult],
    keys: tuple[str, ...],
    eng: Engine,
    kind: str = "target",
    name: str | None = None,
) -> tuple[str, str, np.ndarray, dict[str, str], _Extras]:
    """A target or a draft (``kind``; ``name``: the draft's). ``results``: the mediation
    analysis per concept, where it ran (the verdict is its ``already_stable``; elsewhere the
    same test on the engine's stability)."""
    positions = model.index_of(model.space.parse_many(target))
    verdict = _verdict(
        {
            c: results[c].already_stable if c in results else _some_equilibrium(eng, c, positions)
            for c in keys
        }
    )
    pos = _closest(model, positions, keys, eng)
    broken = [c for c in keys if verdict[c] == "breaks"]
    fixes: list[Fix] = []
    enforcement: list[Enforcement] = []
    extra: list[str] = []
    unfixable: dict[int, list[str]] = {}  # max edits searched -> concepts with no fix
    for c in keys:
        r = results.get(c)
        if r is None:
            continue
        if verdict[c] == "breaks":
            fixes += [
                Fix(f.edits, (c,), (), f.solutions)
                for f in group_edits(s.edits for s in r.solutions)
            ]
            if r.min_edits is None:
                unfixable.setdefault(r.max_edits, []).append(c)
        if r.commitments is not None and r.commitments.min and r.commitments.solutions:
            texts = tuple(x.text() for x in r.commitments.solutions[0].commitments)
            enforcement.append(
                Enforcement("commitment", texts, (c,), "the commitments " + ", ".join(texts))
            )
    extra += [
        f"No change of at most {n} edits to the parties' statements makes it an equilibrium "
        f"under {concepts_text(cs)}."
        for n, cs in unfixable.items()
    ]
    guaranteed, unguaranteed = _target_guarantees(model, target, broken, eng)
    enforcement += guaranteed
    extra += unguaranteed
    return (
        target if name is None else name,
        kind,
        positions,
        verdict,
        _Extras(
            int(model.feasible[pos]),
            None,
            _state_breakers(model, pos, broken, eng),
            merge_fixes(fixes),
            _merge_enforcement(enforcement),
            extra,
        ),
    )


def guarantor_options(model: Conflict) -> tuple[str, ...]:
    """The options a third party may hold fixed: the deal's guarantors, then the options of
    the DMs the mediation section names as mediators (model order)."""
    names = list(model.deal.guarantors) if model.deal is not None else []
    mediators = set(model.mediation.mediators)
    names += [o.name for o in model.options if o.dm in mediators and o.name not in names]
    return tuple(names)


def _target_guarantees(
    model: Conflict, pattern: str, broken: list[str], eng: Engine
) -> tuple[list[Enforcement], list[str]]:
    """Under each concept in ``broken``: the first setting of the guarantor options (fewest in
    force first, :func:`~detente.model.deal.guarantee_settings`, as the deal analysis tries
    them) with which some state matching ``pattern`` — the setting written into it, as the
    what-if's ``settings`` fix the target — is an equilibrium; and a note naming the concepts
    with none (or a search too large to try)."""
    options = guarantor_options(model)
    if not broken or not options:
        return [], []
    listed = ", ".join(options)
    count = count_guarantee_settings(model.space, options)
    if count > MAX_GUARANTEE_SETTINGS:
        return [], [
            f"The {count} settings of the guarantor options ({listed}) were not tried (at most "
            f"{MAX_GUARANTEE_SETTINGS})."
        ]
    care, want = model.space.pattern_bits(pattern)
    left = list(broken)
    found: list[Enforcement] = []
    for st in guarantee_settings(model.space, options):
        codes = model.feasible[
            (model.feasible & (care | st.clear)) == ((want & ~st.clear) | st.value)
        ]
        if codes.size == 0:
            continue
        positions = model.index_of(codes)
        for c in [c for c in left if _some_equilibrium(eng, c, positions)]:
            words = _options_words(model, st.on) if st.on else f"no guarantee in force ({listed})"
            found.append(Enforcement("guarantee", st.on, (c,), words))
            left.remove(c)
        if not left:
            break
    note = (
        [
            f"No setting of the guarantor options ({listed}) makes it an equilibrium under "
            f"{concepts_text(left)}."
        ]
        if left
        else []
    )
    return found, note


# ----- how sure, and what flips it ----------------------------------------------------------
def _uncertainty(
    model: Conflict,
    keys: tuple[str, ...],
    built: list[tuple[str, str, np.ndarray, dict[str, str], _Extras]],
    robustness: RobustnessResult | None,
    samples: int,
    seed: int,
    notes: list[str],
) -> tuple[int, bool, list[tuple[dict[str, float] | None, list[Flip]]]]:
    empty: list[tuple[dict[str, float] | None, list[Flip]]] = [(None, []) for _ in built]
    if not built or not uncertain(model):
        return 0, False, empty
    try:
        if robustness is not None:
            ps = profile_set(model, robustness.samples, robustness.seed, robustness.exact)
        else:
            ps = profile_set(model, samples, seed, None)
        changed: list[Assumption] = assumptions(model)
        variants: list[Variant] = [*ps.variants, *(a.variant for a in changed)]
        v = Verdicts(model, variants, keys)
    except AnalysisError as exc:
        notes.append(f"No probabilities: {exc}")
        return 0, False, empty
    n = len(ps.variants)
    shape = deal_shape(model) if model.deal is not None else None
    out: list[tuple[dict[str, float] | None, list[Flip]]] = []
    for _, _, positions, verdict, extra in built:
        prob: dict[str, float] = {}
        flips: dict[int, dict[str, str]] = {}
        for c in keys:
            ok = v.deal(shape, c) if extra.deal and shape is not None else v.target(positions, c)
            prob[c] = float(np.dot(ps.weights, ok[:n]))
            for k, alt in enumerate(ok[n:].tolist()):
                now = "holds" if alt else "breaks"
                if now != verdict[c]:
                    flips.setdefault(k, {})[c] = now
        out.append(
            (
                prob,
                [
                    Flip(
                        changed[k].dm,
                        changed[k].element,
                        changed[k].setting,
                        changed[k].probability,
                        f,
                    )
                    for k, f in flips.items()
                ],
            )
        )
    return ps.size if ps.exact else n, ps.exact, out


def _proposal(
    model: Conflict,
    name: str,
    kind: str,
    positions: np.ndarray,
    verdict: dict[str, str],
    extra: _Extras,
    prob: dict[str, float] | None,
    flips: list[Flip],
    profiles: int,
    exact: bool,
) -> Proposal:
    ref: StateRef = state_of(model, extra.state)
    words = model.space.words(extra.state)
    what = {"deal": "The deal", "target": "The mediation target", "draft": "The draft"}[kind]
    title = pattern_view(model, name)["words"] if kind == "target" else name
    where = (
        f"{words} (state {ref.number})"
        if positions.size == 1
        else f"{positions.size} matching states, closest: {words} (state {ref.number})"
    )
    lines = [f"{what} “{title}”: {where}.", verdict_sentence(verdict), *extra.extra]
    sure = probability_sentence(prob, profiles, exact)
    if sure:
        lines.append(sure)
    lines += breaker_sentences(extra.breakers)
    lines += [fix_sentence(f) for f in extra.fixes]
    lines += [enforcement_sentence(e) for e in extra.enforcement]
    lines += [flip_sentence(f) for f in flips]
    return Proposal(
        name,
        kind,
        ref,
        int(positions.size),
        words,
        verdict,
        extra.completes,
        prob,
        extra.breakers,
        extra.fixes,
        extra.enforcement,
        tuple(flips),
        tuple(lines),
        title,
    )


__all__ = ["SAMPLES", "SOLUTIONS", "brief"]
