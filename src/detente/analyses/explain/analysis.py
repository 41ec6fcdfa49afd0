"""Why one state is or is not stable: improvements, sanctions and verdicts in plain language.

For each decision maker (DM) i and solution concept, :func:`explain` lists i's unilateral
improvements (UIs) from the state s and, for each one, the response that deters it:

* GMR / SEQ / SMR: the shortest sequence of moves by the other DMs from the UI's target s1 —
  no DM moving twice in a row, as in R_H; for SEQ every step improves its mover's own
  position — ending at a state s2 that i does not prefer to s; for SMR also i has no move from
  s2 to a state it prefers to s. Found by breadth-first search over (state, last mover) from
  s1, so it explores at most the others' coalition-reachable set (times the number of DMs).
* SIM: a simultaneous response from s (each other DM stays or takes one of its own UIs from s)
  whose joint outcome with i's move is feasible and not preferred by i to s; responses with
  fewer movers are tried first. Like the engine, this enumerates the product of the others'
  choices, so it is the one part whose cost is not bounded by the reachable set.
* SEQ&SIM: both a SEQ sanction and a SIM response (stable under both concepts).
* the strength, unknown-preference and probabilistic versions: the same search under the
  concept's own rules, from its family's engine module
  (:func:`~detente.engine.witness.witness_relations`): the moves it counts (α-UIs; known or
  uncertain gains), where a sanction may end (a strong dislike; Φ^≃ or Φ^{≃,U}; P ≤ β), how the
  others move in SEQ; a weak concept shows each UI's classic sanction and whether a strong one
  exists. Limited-move stability (``L<h>``) is refused: it anticipates, it does not sanction.

A UI that has no such response is why the state is unstable; the explanation says so.

>>> import detente
>>> from detente.analyses.explain import explain
>>> e = explain(detente.load("examples/prisoners_dilemma.yaml"), "NN", dms=["A"],
...             concepts=["nash", "gmr"])
>>> e.stable("A", "nash"), e.stable("A", "gmr")
(False, True)
>>> print(e.dms[0].verdicts[1].checks[0].reason)
A would gain by moving to state 2 (a_defects N→Y), but B can respond by b_defects N→Y, \
reaching state 4, which A likes less than state 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, report
from detente.analyses.explain.result import (
    Change,
    ConceptVerdict,
    DMExplanation,
    ExplainError,
    Explanation,
    ImprovementCheck,
    Sanction,
)
from detente.analyses.explain.search import SanctionSearch
from detente.analyses.explain.wording import Terms, Wording, join_reason, verdict_summary
from detente.analyses.moves import Move, StateRef
from detente.engine import Engine
from detente.engine.registry import (
    EVERY_FAMILY,
    LIMITED_RE,
    Concept,
    Family,
    get_concept,
    parse_concepts,
)
from detente.engine.relations import Relations
from detente.engine.single import MoveIndex
from detente.engine.strength import strong_version
from detente.engine.witness import witness_relations
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, DetenteError
from detente.model.feasibility import InfeasiblePattern
from detente.model.states import StateRefError

StateInput = str | int | Mapping[str, object]


# ----- input --------------------------------------------------------------------------------
def resolve_state(model: Conflict, state: StateInput) -> int:
    """The code of a feasible state given as a number, a Y/N string or a mapping.

    Raises :class:`ExplainError` saying what was expected.
    """
    n, k = model.n_states, model.n_options
    expected = (
        f"expected a state number 1..{n} or a Y/N string of {k} letter{'s' if k != 1 else ''}, "
        f"one per option ({', '.join(model.option_names)})"
    ) if not model.space.levels else f"expected a state number 1..{n} or {model.space.form()}"
    try:
        code = model.space.parse_code(state)
    except StateRefError as exc:
        if not isinstance(state, str):
            raise ExplainError(f"{exc}; {expected}") from None
        text = state.strip()
        if exc.reason == "number":
            raise ExplainError(f"state number {text} is out of range; {expected}") from None
        if exc.reason in ("letters", "dash"):
            raise ExplainError(f"state {state!r} has letters other than Y and N; {expected}"
                               ) from None
        if exc.reason == "value":  # an option with levels given a level it does not have
            raise ExplainError(f"{exc}; {expected}") from None
        raise ExplainError(f"state {state!r} has {len(text)} letters; {expected}") from None
    except DetenteError as exc:
        raise ExplainError(f"{exc}; {expected}") from None
    if not model.is_feasible(code):
        why = [
            ("impossible: " if isinstance(con, InfeasiblePattern) else "required: ")
            + model.space.describe(con)
            + (f" — {con.reason.strip().rstrip('.')}" if con.reason.strip() else "")
            for con in model.constraints
            if con.infeasible(np.array([code], dtype=np.int64), model.bits)[0]
        ]
        because = f" ({'; '.join(why)})" if why else ""
        raise ExplainError(
            f"state {model.state_string(code)} is not feasible{because}; expected one of the "
            f"{n} feasible states, by number 1..{n} or Y/N string (list them with "
            "`detente show`)"
        )
    return code


def resolve_states(model: Conflict, ref: StateInput) -> list[int]:
    """Positions of the feasible states a reference names: one state, or every feasible state
    a Y/N/- pattern matches. Whether ``ref`` is a pattern is the state space's rule
    (:meth:`~detente.model.states.StateSpace.parse_many`); a single state is refused as by
    :func:`resolve_state`, a malformed or unmatched pattern with the space's message.

    >>> import detente
    >>> c = detente.load("examples/elmira.yaml")
    >>> resolve_states(c, "N-Y--"), resolve_states(c, 2)
    ([2, 8], [1])
    """
    try:
        codes = model.space.parse_many(ref)
    except StateRefError as exc:
        if exc.reason == "nomatch":
            raise AnalysisError(str(exc)) from None
        if exc.reason in ("letters", "length"):  # not a state nor a pattern: the space says
            raise
        return [int(model.index_of(resolve_state(model, ref))[0])]  # raises, worded
    return [int(x) for x in model.index_of(codes)]


def resolve_dms(model: Conflict, dms: Iterable[str | int] | None) -> list[int]:
    """DM indices, in model order if ``dms`` is ``None``; unknown names raise."""
    if dms is None:
        return list(range(len(model.dms)))
    out: list[int] = []
    for d in dms:
        if isinstance(d, int) and not isinstance(d, bool):
            if not 0 <= d < len(model.dms):
                raise ExplainError(
                    f"decision maker index {d} is out of range 0..{len(model.dms) - 1}"
                )
            i = d
        else:
            name = str(d)
            if name not in model.dm_names:
                raise ExplainError(
                    f"unknown decision maker {name!r}; expected one of: "
                    + ", ".join(model.dm_names)
                )
            i = model.dm_index(name)
        if i not in out:
            out.append(i)
    return out


#: The concept families explain takes: every one but limited-move stability (L<h>), which
#: anticipates rather than sanctions, so has no sanction to show.
CONCEPT_FAMILIES: frozenset[Family] = EVERY_FAMILY - {Family.LIMITED}


def resolve_concepts(concepts: Iterable[str] | None) -> tuple[str, ...]:
    """Validated keys of the concepts explain takes (:data:`CONCEPT_FAMILIES`); an ``L<h>``
    is refused, saying why and what takes it."""
    try:
        return parse_concepts(concepts, families=CONCEPT_FAMILIES)
    except DetenteError as exc:
        limited = next((k for k in concepts or () if LIMITED_RE.fullmatch(k.strip())), None)
        why = "" if limited is None else (
            f" ({limited.strip()} is {Family.LIMITED.what}{Family.LIMITED.source}: it looks "
            "ahead rather than sanctions, so explain has no sanction to show; "
            f"{Family.LIMITED.takers} take it)")
        raise ExplainError(f"{exc}{why}") from None


# ----- the analysis -------------------------------------------------------------------------
def explain(
    model: Conflict,
    state: StateInput,
    dms: Iterable[str | int] | None = None,
    concepts: Iterable[str] | None = None,
    *,
    index: MoveIndex | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Explanation:
    """Explain, per DM and concept, why ``state`` is or is not stable.

    ``state``: a state number (1-based), a Y/N string or an option→Y/N mapping. ``dms``: DM
    names (default all); ``concepts``: keys of every family but ``L<h>`` (the six
    standard ones by default; strong_gmr …, nash_a …, gmr@0.8/0.3 …). ``index``: a
    :class:`MoveIndex` to reuse across calls on the same model (or
    ``engine``: an engine of ``model``, whose index is used). ``progress``: a
    :class:`~detente.analyses.contract.ProgressEvent` per DM explained.

    >>> import detente
    >>> e = explain(detente.load("examples/elmira.yaml"), 1, dms=["LG"], concepts=["gmr"])
    >>> e.stable("LG", "gmr"), e.dm("LG").verdict("gmr").checks[0].sanction.moves[0].dm
    (True, 'MoE')
    """
    model = arguments.model(model)
    code = resolve_state(model, state)
    who = resolve_dms(model, dms)
    keys = resolve_concepts(arguments.optional_names(concepts, "concepts"))
    s = int(model.index_of(code)[0])
    if engine is not None:
        if engine.conflict is not model:
            raise AnalysisError("the engine given to explain was built for another model")
        index = index or engine.move_index()
    search = SanctionSearch(model, index)
    write = Wording(model)
    rules_of = _Rules(model, search)
    out = []
    for n, i in enumerate(who):
        report(progress, n + 1, len(who), model.dm_names[i])
        out.append(_explain_dm(model, search, write, rules_of, i, s, keys))
    head = header(model, keys, {"state": s + 1, "dms": [model.dm_names[i] for i in who]})
    return Explanation(
        model.name, model.space.column_names, write.ref(s), model.n_states, keys, tuple(out), head
    )


class _Rules:
    """Each concept's witness relations for one model, built once (engine's
    :func:`~detente.engine.witness.witness_relations`)."""

    def __init__(self, model: Conflict, search: SanctionSearch) -> None:
        self.model, self.search = model, search
        self.built: dict[str, Relations] = {}

    def __call__(self, how: Concept) -> Relations:
        if how.key not in self.built:
            self.built[how.key] = witness_relations(self.model, how, self.search.index)
        return self.built[how.key]


def _explain_dm(
    model: Conflict, search: SanctionSearch, write: Wording, rules_of: _Rules, i: int, s: int,
    keys: tuple[str, ...],
) -> DMExplanation:
    name = model.dm_names[i]
    ranks = model.ranks[i]
    levels = np.unique(ranks)
    rank = int(levels.size - np.searchsorted(levels, ranks[s]))
    uis = [int(t) for t in search.index.improve(i, s)]
    moves = tuple(write.move(i, s, t) for t in uis)
    seq_cache: dict[tuple[str, int], Sanction | None] = {}
    sim_cache: dict[int, Sanction | None] = {}

    def sequential(how: Concept, terms: Terms, t: int) -> Sanction | None:
        """The shortest sanction of i's move to t under ``how``'s rules (cached per rule)."""
        rules = rules_of(how)
        assert how.rule is not None
        ident = str(how.sanction) if how.family is Family.CLASSIC else how.key  # SEQ&SIM: SEQ's
        if (ident, t) not in seq_cache:
            path = search.sequential(i, s, t, rules=rules)
            if path is None:
                seq_cache[(ident, t)] = None
            else:
                end = path[-1][2]
                reply: StateRef | None = None
                if rules.no_escape:  # the mover's best reply shows it has no escape
                    best = rules.reply(i, end, s)
                    reply = None if best is None else write.ref(best)
                seq_cache[(ident, t)] = Sanction(
                    tuple(write.move(j, a, b) for j, a, b in path), write.ref(end), reply,
                    terms.probability(end), terms.uncertain(end))
        return seq_cache[(ident, t)]

    def simultaneous(t: int) -> Sanction | None:
        if t not in sim_cache:
            resp = search.simultaneous(i, s, t)
            if resp is None:
                sim_cache[t] = None
            else:
                joint = int(model.feasible[t])
                for j, b in resp:
                    mask = int(model.dm_masks[j])
                    joint = (joint & ~mask) | (int(model.feasible[b]) & mask)
                end = int(model.index_of(joint)[0])
                sim_cache[t] = Sanction(
                    tuple(write.move(j, s, b) for j, b in resp), write.ref(end)
                )
        return sim_cache[t]

    def weak(how: Concept) -> list[ImprovementCheck]:
        """A weak concept's checks: the classic sanction of each UI, and the strong one."""
        assert how.refines is not None and how.rule is not None
        base, firm = get_concept(how.refines), get_concept(strong_version(how))
        mild_words = write.terms(base, rules_of(base), i, s)
        firm_words = write.terms(firm, rules_of(firm), i, s)
        checks = []
        for t, m in zip(uis, moves, strict=True):
            gain = mild_words.gain(m)
            mild = sequential(base, mild_words, t)
            strong = None if mild is None else sequential(firm, firm_words, t)
            if mild is None:
                part = write.no_sequence(how.rule, m, mild_words)
            elif strong is not None:
                part = write.sequence(strong, how.rule, firm_words)
            else:
                part = (write.sequence(mild, how.rule, mild_words) + "; only mildly: "
                        + write.cannot(how.rule, m, firm_words))
            checks.append(ImprovementCheck(m, mild is not None, mild, None,
                                           join_reason(gain, [part], how.key), strong=strong))
        return checks

    verdicts = []
    for key in keys:
        how = get_concept(key)
        words = write.terms(how, rules_of(how), i, s)
        if how.strength == "weak":
            checks = weak(how)
            stable = all(ch.sanctioned for ch in checks) and any(
                ch.strong is None for ch in checks)
            verdicts.append(ConceptVerdict(
                key, stable, verdict_summary(name, s, key, checks, words.nothing()),
                tuple(checks)))
            continue
        checks = []
        for t in (int(x) for x in rules_of(how).moves(i, s)):
            m = write.move(i, s, t)
            gain = words.gain(m)
            seq_s: Sanction | None = None
            sim_s: Sanction | None = None
            odds, unsure = words.probability(t), words.uncertain(t)
            if not how.deterrable:  # Nash: nothing deters
                checks.append(ImprovementCheck(m, False, None, None, gain + ".", odds, unsure))
                continue
            parts: list[str] = []
            ok = True
            if how.rule is not None:
                seq_s = sequential(how, words, t)
                ok = seq_s is not None
                parts.append(
                    write.no_sequence(how.rule, m, words) if seq_s is None
                    else write.sequence(seq_s, how.rule, words)
                )
            if how.simultaneous:
                sim_s = simultaneous(t)
                ok = ok and sim_s is not None
                parts.append(
                    write.no_simultaneous(i, s) if sim_s is None
                    else write.simultaneous(i, s, sim_s)
                )
            reason = join_reason(gain, parts, key)
            checks.append(ImprovementCheck(m, ok, seq_s, sim_s, reason, odds, unsure))
        stable = all(ch.sanctioned for ch in checks)
        verdicts.append(ConceptVerdict(
            key, stable, verdict_summary(name, s, key, checks, words.nothing()), tuple(checks)))
    return DMExplanation(name, rank, int(levels.size), moves, tuple(verdicts))


__all__ = [
    "Change",
    "ConceptVerdict",
    "DMExplanation",
    "ExplainError",
    "Explanation",
    "ImprovementCheck",
    "Move",
    "Sanction",
    "StateRef",
    "explain",
    "resolve_concepts",
    "resolve_dms",
    "resolve_state",
    "resolve_states",
]
