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
from detente.analyses.explain.wording import Wording, join_reason, verdict_summary
from detente.analyses.moves import Move, StateRef
from detente.engine import Engine
from detente.engine.registry import SANCTIONS, SanctionKind, get_concept, parse_concepts
from detente.engine.single import MoveIndex
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


def resolve_concepts(concepts: Iterable[str] | None) -> tuple[str, ...]:
    try:
        return parse_concepts(concepts)
    except DetenteError as exc:
        raise ExplainError(str(exc)) from None


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
    names (default all); ``concepts``: keys among nash, gmr, smr, seq, sim, seq_sim (default
    all). ``index``: a :class:`MoveIndex` to reuse across calls on the same model (or
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
    out = []
    for n, i in enumerate(who):
        report(progress, n + 1, len(who), model.dm_names[i])
        out.append(_explain_dm(model, search, write, i, s, keys))
    head = header(model, keys, {"state": s + 1, "dms": [model.dm_names[i] for i in who]})
    return Explanation(
        model.name, model.space.column_names, write.ref(s), model.n_states, keys, tuple(out), head
    )


def _explain_dm(
    model: Conflict, search: SanctionSearch, write: Wording, i: int, s: int, keys: tuple[str, ...]
) -> DMExplanation:
    name = model.dm_names[i]
    ranks = model.ranks[i]
    levels = np.unique(ranks)
    rank = int(levels.size - np.searchsorted(levels, ranks[s]))
    uis = [int(t) for t in search.index.improve(i, s)]
    moves = tuple(write.move(i, s, t) for t in uis)
    seq_cache: dict[tuple[str, int], Sanction | None] = {}
    sim_cache: dict[int, Sanction | None] = {}

    def sequential(kind: SanctionKind, t: int) -> Sanction | None:
        if (kind, t) not in seq_cache:
            rule = SANCTIONS[kind]
            path = search.sequential(
                i, s, t, improving=rule.improving, smr=rule.no_escape
            )
            if path is None:
                seq_cache[(kind, t)] = None
            else:
                end = path[-1][2]
                reply: StateRef | None = None
                if rule.no_escape:  # the mover's best reply shows it has no escape
                    best = search.index.best_reply(i, end)
                    reply = None if best is None else write.ref(best)
                seq_cache[(kind, t)] = Sanction(
                    tuple(write.move(j, a, b) for j, a, b in path), write.ref(end), reply
                )
        return seq_cache[(kind, t)]

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

    verdicts = []
    for key in keys:
        how = get_concept(key)
        checks = []
        for t, m in zip(uis, moves, strict=True):
            gain = write.gain(i, m)
            seq_s: Sanction | None = None
            sim_s: Sanction | None = None
            if not how.deterrable:  # Nash: nothing deters
                checks.append(ImprovementCheck(m, False, None, None, gain + "."))
                continue
            parts: list[str] = []
            ok = True
            if how.sanction is not None:
                kind = how.sanction
                seq_s = sequential(kind, t)
                ok = seq_s is not None
                parts.append(
                    write.no_sequence(i, s, SANCTIONS[kind], m) if seq_s is None
                    else write.sequence(i, s, seq_s, SANCTIONS[kind])
                )
            if how.simultaneous:
                sim_s = simultaneous(t)
                ok = ok and sim_s is not None
                parts.append(
                    write.no_simultaneous(i, s) if sim_s is None
                    else write.simultaneous(i, s, sim_s)
                )
            reason = join_reason(gain, parts, key)
            checks.append(ImprovementCheck(m, ok, seq_s, sim_s, reason))
        stable = all(ch.sanctioned for ch in checks)
        verdicts.append(
            ConceptVerdict(key, stable, verdict_summary(name, s, key, checks), tuple(checks))
        )
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
