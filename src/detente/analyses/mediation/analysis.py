"""Mediation design (inverse GMCR): what would make a target deal hold, and for whom.

:func:`mediate` answers three questions for a target state (or Y/N/- pattern: some matching
feasible state must become an equilibrium) under the requested solution concepts:

1. *requirements*: per DM, the conditions on its preferences under which the target is
   stable, and which of them its current priorities already meet
   (:mod:`~detente.analyses.mediation.requirements`);
2. *minimal priority changes*: the fewest edits to the DMs' prioritised statements (move,
   drop, add a candidate from the model's ``mediation: candidates:``) after which the target
   is an equilibrium under every requested concept, every distinct minimal result, each
   re-checked by the forward engine (:mod:`~detente.analyses.mediation.search`);
3. *the mediators' own levers*: settings of the options of the DMs the model marks as
   mediators that make the target stable as preferences stand
   (:mod:`~detente.analyses.mediation.levers`).

>>> from detente.formats.native import loads
>>> toy = loads('''
... name: Toy
... decision_makers:
...   - {name: A, options: [{name: a}], preferences: {statements: [b, a]}}
...   - {name: B, options: [{name: b}], preferences: {statements: [not a, b]}}
... ''')
>>> r = mediate(toy, "NN", ["nash"], limit=0)
>>> r.already_stable, r.min_edits, [[e.text() for e in s.edits] for s in r.solutions]
(False, 2, [['A: drop "a" (at 2)', 'B: drop "b" (at 2)']])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, own_engine, report
from detente.analyses.explain.analysis import resolve_states
from detente.analyses.mediation.commitments import Accept, committed_engine, search_commitments
from detente.analyses.mediation.edits import Edit, check_lists
from detente.analyses.mediation.levers import Lever, mediator_levers
from detente.analyses.mediation.local import MAX_LOCAL_WORK, OWN_ONLY, LocalChecks, local_work
from detente.analyses.mediation.requirements import Requirement, requirements
from detente.analyses.mediation.result import (
    CommitmentEdits,
    CommitmentsResult,
    MediationResult,
    Solution,
    SolutionEdit,
)
from detente.analyses.mediation.search import (
    Hit,
    SearchTooLarge,
    Space,
    SpaceBuilder,
    own_space,
    search_coupled,
    search_own,
    statement_pool,
)
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError, DetenteError
from detente.model.mediation import Commitment
from detente.model.preferences import Preference, RankingPreference, StatementPreference

DEFAULT_CONCEPTS: tuple[str, ...] = ("seq",)


def mediate(
    model: Conflict,
    target: str | int,
    concepts: Iterable[str] | None = None,
    max_edits: int = 3,
    limit: int = 10,
    reachable: bool = False,
    dms: Sequence[str] | None = None,
    engine: Engine | None = None,
    *,
    progress: Progress | None = None,
) -> MediationResult:
    """What would make ``target`` hold (see the module docstring).

    ``target``: a state (Y/N string or 1-based number) or a Y/N/- pattern. ``concepts``:
    default SEQ. ``max_edits``: the most edits searched (refused, with its size, when too
    large). ``limit``: the most solutions listed (0 = all). ``reachable``: also require that
    the status quo evolves to the target by unilateral improvements. ``dms``: the parties
    whose statements may change (default all). ``engine``: an engine of ``model`` to share
    (its layouts serve the forward checks). ``progress``: a
    :class:`~detente.analyses.contract.ProgressEvent` as the requirements, the search and
    the solutions start.
    """
    c = arguments.model(model)
    arguments.max_edits(max_edits)
    arguments.limit(limit)
    report(progress, 1, 4, "requirements and levers")
    targets = resolve_targets(c, target)
    chosen = parse_concepts(concepts if concepts is not None else DEFAULT_CONCEPTS)
    if reachable and c.status_quo is None:
        raise ArgumentError("reachable=True needs a status quo in the model",
                            parameter="reachable")
    editable = _editable(c, dms)
    _check_edit_spaces(c, editable, max_edits)
    check_work(c, target, targets, chosen)
    engine = own_engine(c, engine, "mediate")
    # The local checks depend on the targets, concepts and rule only, not on the edit budget:
    # built once per engine (a deal asks again with 1, 2, ... edits).
    prep = engine.memo(("mediation", tuple(targets), chosen, reachable),
                       lambda: _Prepared(c, targets, chosen, reachable, engine))
    already = prep.already
    reqs: list[Requirement] = []
    for k in range(len(targets)):
        reqs.extend(requirements(c, prep.local, k, bits=prep.bits))
    levers: list[Lever] = mediator_levers(c, targets, chosen, engine)
    notes = _notes(c, editable)

    report(progress, 2, 4, "searching statement edits")
    min_edits, solutions, truncated = _search(prep, editable, max_edits, limit, progress)
    report(progress, 4, 4, "commitment devices")
    commitments = _commitments(prep, editable, max_edits, min_edits)
    return MediationResult(
        model=c.name,
        target=str(target),
        targets=tuple(c.state_string(int(c.feasible[s])) for s in targets),
        concepts=chosen,
        already_stable=already,
        min_edits=min_edits,
        max_edits=max_edits,
        solutions=tuple(solutions),
        truncated=truncated,
        requirements=tuple(reqs),
        levers=tuple(levers),
        mediators=c.mediation.mediators,
        editable=tuple(c.dms[j].name for j in sorted(editable)),
        reachable=reachable,
        notes=tuple(notes),
        commitments=commitments,
        computed=header(c, chosen, {"target": str(target), "max_edits": max_edits,
                                    "limit": limit, "reachable": reachable,
                                    "dms": [c.dms[j].name for j in sorted(editable)]}),
    )


class _Prepared:
    """What the edit search needs of one model (the given one, or one with commitments): its
    local checks at the targets, the current profile's bits, and whether a target already
    holds."""

    def __init__(self, c: Conflict, targets: list[int], concepts: tuple[str, ...],
                 reachable: bool, engine: Engine) -> None:
        self.c, self.targets, self.concepts, self.engine = c, targets, concepts, engine
        self.reachable = reachable
        index = engine.move_index()
        # the others' reach from a move is the move graph's: shared by every prepared search
        # on this engine (other targets and concepts)
        self.local = LocalChecks(c, targets, concepts, index,
                                 reach=engine.memo(("mediation", "group reach"), dict))
        now = self.local.bits_from_ranks(c.ranks)
        self.bits = {j: b[None, :] for j, b in now.items()}
        self.reach_ok = _Reach(c, index, targets, reachable)
        self.stable_now = [
            all(bool(self.local.stable(self.bits, k)[x].all()) for x in concepts)
            and self.reach_ok(k, c.ranks)
            for k in range(len(targets))
        ]
        self.already = any(self.stable_now)
        self.commitments: CommitmentsResult | None = None
        self._spaces: dict[tuple[int, int, bool], Space] = {}
        self._builders: dict[int, SpaceBuilder] = {}

    def space(self, j: int, k: int, editable: bool) -> Space:
        """DM j's classes of lists within ``k`` edits (as :func:`build_space`), built once
        per prepared model (the search only reads them); a larger budget extends the
        classes of the smaller ones (:class:`SpaceBuilder`)."""
        key = (j, k, editable)
        if key not in self._spaces:
            if not statement_pool(self.c, j) or not editable or k == 0:
                self._spaces[key] = own_space(self.c, self.local, j)
            else:
                if j not in self._builders:
                    self._builders[j] = SpaceBuilder(self.c, self.local, j,
                                                     full_order=self.reachable)
                self._spaces[key] = self._builders[j].space(k)
        return self._spaces[key]


def _search(prep: _Prepared, editable: set[int], max_edits: int, limit: int,
            progress: Progress | None = None) -> tuple[int | None, list[Solution], bool]:
    """The fewest statement edits, and the distinct solutions (re-checked forward)."""
    c, chosen, targets, local = prep.c, prep.concepts, prep.targets, prep.local
    spaces = [prep.space(j, 0 if prep.already else max_edits, j in editable)
              for j in range(len(c.dms))]
    if prep.already:
        min_edits: int | None = 0
        hits = [Hit(k, (0,) * len(c.dms)) for k, ok in enumerate(prep.stable_now) if ok]
    elif prep.reachable or not set(chosen) <= OWN_ONLY:
        accept = None
        if prep.reachable:
            accept = _reach_accept(c, spaces, targets, prep.reach_ok)
        min_edits, hits = search_coupled(local, spaces, chosen, max_edits, limit, accept)
    else:
        min_edits, hits = search_own(local, spaces, chosen, max_edits)
    report(progress, 3, 4, "checking the solutions")
    solutions, truncated = _solutions(c, spaces, hits, targets, chosen, limit, prep.reachable,
                                      prep.engine)
    return min_edits, solutions, truncated


def _commitments(prep: _Prepared, editable: set[int], max_edits: int, min_edits: int | None
                 ) -> CommitmentsResult:
    """The minimal sets of declared commitments; then, unless one commitment alone is enough,
    each declared commitment with the fewest priority edits under it, searched up to one edit
    fewer than needed without it (``max_edits`` when none was found)."""
    c, targets = prep.c, prep.targets
    accept: Accept | None = None
    if prep.reachable:
        def accept(d: Conflict, index: MoveIndex, k: int) -> bool:
            return _Reach(d, index, targets, True)(k, d.ranks)
    if prep.commitments is None:  # independent of the edit budget: once per prepared model
        prep.commitments = search_commitments(c, targets, prep.concepts, prep.already, accept,
                                              prep.engine)
    found = prep.commitments
    budget = max_edits if min_edits is None else min_edits - 1
    if found.min in (0, 1) or found.refused or budget < 1 or not editable:
        return found
    combined = []
    for cm in c.mediation.commitments:
        try:
            sub = prep.engine.memo(
                ("mediation", tuple(targets), prep.concepts, prep.reachable, cm),
                partial(_commitment_prepared, prep, cm))
            n, sols, _ = _search(sub, editable, budget, 1)
        except DetenteError as exc:  # a level too large to search: say so, keep the rest
            combined.append(CommitmentEdits(cm, budget, None, (), str(exc)))
            continue
        combined.append(CommitmentEdits(cm, budget, n, sols[0].edits if sols else ()))
    return replace(found, with_edits=tuple(combined))


def _commitment_prepared(prep: _Prepared, cm: Commitment) -> _Prepared:
    """The prepared search of ``prep``'s model under commitment ``cm`` (its engine the one the
    commitment search checked it with)."""
    engine = committed_engine(prep.engine, (cm,))
    return _Prepared(engine.conflict, prep.targets, prep.concepts, prep.reachable, engine)


def _check_edit_spaces(c: Conflict, editable: set[int], max_edits: int) -> None:
    """Refuse, before any work, a DM with too many statement lists within ``max_edits``."""
    for j in sorted(editable):
        pool = statement_pool(c, j)
        if pool is not None and max_edits > 0:
            m = len(c.dms[j].preference.statements)  # type: ignore[union-attr]
            check_lists(m, len(pool) - m, max_edits, who=c.dms[j].name)


def check_work(c: Conflict, target: str | int, targets: list[int],
               concepts: tuple[str, ...]) -> None:
    """Refuse, before anything is built, local checks over :data:`MAX_LOCAL_WORK` (a pattern
    matching many states under SEQ or SIM), with the estimate."""
    work = local_work(c, targets, concepts)
    if work <= MAX_LOCAL_WORK:
        return
    names = " and ".join(x.upper() for x in concepts)
    raise SearchTooLarge(
        f"target {str(target)!r} matches {len(targets):,} feasible states; checking them "
        f"under {names} means about {work:,} units of work (comparisons and moves to walk; "
        f"limit {MAX_LOCAL_WORK:,}): name fewer states (fix more options in the pattern) or "
        "fewer concepts"
    )


def resolve_targets(c: Conflict, target: str | int) -> list[int]:
    """Positions of the target state, or of every feasible state matching a pattern (the
    model's state space tells which: :func:`~detente.analyses.explain.analysis.resolve_states`)."""
    return resolve_states(c, target)


def _editable(c: Conflict, dms: Sequence[str] | None) -> set[int]:
    names = list(dms) if dms else list(c.dm_names)
    out = set()
    for name in names:
        if name not in c.dm_names:
            raise AnalysisError(
                f"unknown decision maker {name!r}; expected one of: {', '.join(c.dm_names)}"
            )
        j = c.dm_index(name)
        if isinstance(c.dms[j].preference, StatementPreference):
            out.add(j)
    return out


def _notes(c: Conflict, editable: set[int]) -> list[str]:
    out = []
    for j, dm in enumerate(c.dms):
        pref = dm.preference
        if not isinstance(pref, StatementPreference):
            kind = "a ranking" if isinstance(pref, RankingPreference) else "payoffs"
            out.append(
                f"{dm.name}'s preferences are {kind}: its requirements and the mediators' "
                "levers cover it, but edits are statement-only, so it is never edited."
            )
        elif j not in editable:
            out.append(f"{dm.name} may not change (not among the parties allowed to change).")
    if not c.mediation.mediators:
        out.append("The model marks no mediators (mediation: mediators:), so there are no "
                   "mediator levers to list.")
    return out


def _reach_accept(c: Conflict, spaces: list[Space], targets: list[int], reach_ok: _Reach
                  ) -> Callable[[Hit], bool]:
    """Hit filter: is the hit's target reachable under its classes' preferences? (Classes
    order every state alike here, see ``full_order``; results cached per combination.)"""
    scores: dict[tuple[int, int], np.ndarray] = {}
    seen: dict[tuple[int, ...], set[int]] = {}

    def score(j: int, cl: int) -> np.ndarray:
        key = (j, cl)
        if key not in scores:
            sp = spaces[j]
            if sp.pool:
                lst = sp.lists[sp.members[cl][0]]
                pref = StatementPreference(tuple(sp.pool[q] for q in lst))
                scores[key] = pref.scores(c.feasible, c.bits)
            else:
                scores[key] = c.ranks[j].astype(np.int64)
        return scores[key]

    def accept(hit: Hit) -> bool:
        if hit.classes not in seen:
            ranks = np.stack([score(j, cl) for j, cl in enumerate(hit.classes)])
            reached = reach_ok.reached(ranks)
            seen[hit.classes] = {k for k, s in enumerate(targets) if reached[s]}
        return hit.target in seen[hit.classes]

    return accept


def _edited(c: Conflict, lists: list[tuple[int, ...] | None], spaces: list[Space]
            ) -> Conflict:
    """The model with the given statement lists (None: unchanged)."""
    prefs: dict[str, Preference] = {}
    for dm, lst, sp in zip(c.dms, lists, spaces, strict=True):
        if lst is not None and sp.pool:
            prefs[dm.name] = StatementPreference(tuple(sp.pool[q] for q in lst))
    return c.with_preferences(prefs)


class _Reach:
    """Does the status quo evolve to a target by unilateral improvements under given ranks?

    Every legal move is listed once as (DM, from, to) edges; ranks only decide which edges
    are improvements, and the reached set grows edge-parallel. Without ``--reachable`` every
    target counts as reached."""

    def __init__(self, c: Conflict, index: MoveIndex, targets: list[int], on: bool) -> None:
        self.targets = targets
        self.on = on
        self.n = c.n_states
        if not on:
            return
        assert c.status_quo is not None
        self.start = int(c.index_of(c.status_quo)[0])
        who: list[np.ndarray] = []
        src: list[np.ndarray] = []
        dst: list[np.ndarray] = []
        for j in range(len(c.dms)):
            for x in range(c.n_states):
                ys = index.reach(j, x)
                who.append(np.full(ys.size, j, dtype=np.int64))
                src.append(np.full(ys.size, x, dtype=np.int64))
                dst.append(ys)
        self.mover = np.concatenate(who)
        self.a, self.b = np.concatenate(src), np.concatenate(dst)

    def reached(self, ranks: np.ndarray) -> np.ndarray:
        """Bool per state: reached from the status quo by unilateral improvements."""
        if not self.on:
            return np.ones(self.n, dtype=bool)
        improving = ranks[self.mover, self.b] > ranks[self.mover, self.a]
        ea, eb = self.a[improving], self.b[improving]
        seen = np.zeros(self.n, dtype=bool)
        seen[self.start] = True
        while True:
            new = eb[seen[ea] & ~seen[eb]]
            if new.size == 0:
                return seen
            seen[new] = True

    def __call__(self, k: int, ranks: np.ndarray) -> bool:
        """Is target ``k`` reached?"""
        return not self.on or bool(self.reached(ranks)[self.targets[k]])


def _solutions(
    c: Conflict, spaces: list[Space], hits: list[Hit], targets: list[int],
    concepts: tuple[str, ...], limit: int, reachable: bool, engine: Engine,
) -> tuple[list[Solution], bool]:
    """Expand class hits into distinct statement-list solutions, each re-checked forward."""
    seen: dict[tuple[tuple[int, ...] | None, ...], Solution] = {}
    truncated = False
    reach_ok = _Reach(c, engine.move_index(), targets, reachable)
    for hit in hits:
        pools = [[sp.lists[q] if sp.pool else None for q in sp.members[cl]]
                 for sp, cl in zip(spaces, hit.classes, strict=True)]
        for combo in itertools.product(*pools):
            key = tuple(combo)
            if key in seen:
                continue
            if limit and len(seen) >= limit:
                truncated = True
                break
            seen[key] = _solution(engine, spaces, list(combo), targets[hit.target],
                                  concepts, reach_ok, hit.target)
        if truncated:
            break
    return list(seen.values()), truncated


def _solution(
    base: Engine, spaces: list[Space], lists: list[tuple[int, ...] | None], target: int,
    concepts: tuple[str, ...], reach_ok: _Reach, k: int,
) -> Solution:
    """The forward check: the edited model's equilibria by the engine (layouts shared)."""
    c = base.conflict
    edited, engine = _edited_engine(base, lists, spaces)
    equilibria = {x: [edited.state_string(int(s)) for s in
                      edited.feasible[engine.equilibria(x)]] for x in concepts}
    code = c.state_string(int(c.feasible[target]))
    if not all(code in equilibria[x] for x in concepts) or not reach_ok(k, edited.ranks):
        raise AnalysisError(  # pragma: no cover - the search and the engine disagree
            f"internal error: a mediation solution for {code} fails the forward check; "
            "please report it"
        )
    edits: list[SolutionEdit] = []
    statements: dict[str, list[str]] = {}
    for sp, lst in zip(spaces, lists, strict=True):
        if lst is None or not sp.pool:
            continue
        path = sp.path(lst)
        if not path:
            continue
        name = c.dms[sp.dm].name
        statements[name] = [sp.pool[q].text for q in lst]
        edits.extend(_edit_out(name, sp, e) for e in path)
    return Solution(tuple(edits), code, equilibria, statements)


#: Engines of edited models kept per base engine (:func:`_edited_engine`), counted in
#: states × DMs: a deal or a brief finds the same fix for several phases and concepts.
MAX_EDITED_CELLS = 1 << 22


def _edited_engine(base: Engine, lists: list[tuple[int, ...] | None], spaces: list[Space]
                   ) -> tuple[Conflict, Engine]:
    """The model with the given statement lists and its engine (sharing ``base``'s layouts),
    kept on ``base`` for the next solution with the same lists (the oldest dropped beyond
    :data:`MAX_EDITED_CELLS`)."""
    c = base.conflict
    kept: dict[tuple[tuple[int, ...] | None, ...], tuple[Conflict, Engine]] = base.memo(
        ("mediation", "edited engines"), dict)
    key = tuple(lists)
    if key not in kept:
        edited = _edited(c, lists, spaces)
        if len(kept) >= max(1, MAX_EDITED_CELLS // (c.n_states * len(c.dms))):
            del kept[next(iter(kept))]
        kept[key] = (edited, base.with_preferences(edited))
    return kept[key]


def _edit_out(dm: str, sp: Space, e: Edit) -> SolutionEdit:
    st = sp.pool[e.statement]
    return SolutionEdit(dm, e.op, st.text, e.source, e.dest, st.rationale)


__all__ = ["DEFAULT_CONCEPTS", "MediationResult", "SearchTooLarge", "check_work", "mediate",
           "resolve_targets"]
