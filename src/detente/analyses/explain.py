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
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from detente.engine.registry import concept_label, get_concept, parse_concepts
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, DetenteError
from detente.model.feasibility import InfeasiblePattern

StateInput = str | int | Mapping[str, object]


class ExplainError(AnalysisError):
    """Bad input to :func:`explain`: an unknown state, decision maker or concept."""


# ----- plain data ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StateRef:
    """A feasible state: its code, Y/N string and 1-based number."""

    code: int
    state: str
    number: int

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "state": self.state}


@dataclass(frozen=True)
class Change:
    """One option changing value, e.g. ``insist N→Y``."""

    option: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.option} {self.before}→{self.after}"

    def to_dict(self) -> dict[str, Any]:
        return {"option": self.option, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Move:
    """A unilateral move of one DM from one state to another."""

    dm: str
    source: StateRef
    target: StateRef
    changes: tuple[Change, ...]

    @property
    def change_text(self) -> str:
        """``'delay Y→N, abandon N→Y'``."""
        return ", ".join(str(ch) for ch in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "from": self.source.to_dict(),
            "to": self.target.to_dict(),
            "changes": [ch.to_dict() for ch in self.changes],
        }


@dataclass(frozen=True)
class Sanction:
    """The others' response to an improvement and where it ends.

    ``moves``: for a sequential sanction, the moves in order (each from the previous state);
    for a simultaneous response, one move per responding DM, all from the original state.
    ``reply`` (SMR only): the focal DM's best one-move reply from ``outcome`` — no better for
    it than the original state — or ``None`` when it cannot move from there.
    """

    moves: tuple[Move, ...]
    outcome: StateRef
    reply: StateRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "moves": [m.to_dict() for m in self.moves],
            "outcome": self.outcome.to_dict(),
            "reply": None if self.reply is None else self.reply.to_dict(),
        }


@dataclass(frozen=True)
class ImprovementCheck:
    """One unilateral improvement under one concept: is it deterred, and how."""

    improvement: Move
    sanctioned: bool
    sanction: Sanction | None  # sequential sanction (GMR, SMR, SEQ, SEQ&SIM)
    simultaneous: Sanction | None  # simultaneous response (SIM, SEQ&SIM)
    reason: str

    def to_dict(self, concept: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "to": self.improvement.target.to_dict(),
            "changes": [ch.to_dict() for ch in self.improvement.changes],
            "sanctioned": self.sanctioned,
        }
        how = get_concept(concept)
        if how.sanction is not None:
            out["sanction"] = None if self.sanction is None else self.sanction.to_dict()
        if how.simultaneous:
            out["simultaneous"] = (
                None if self.simultaneous is None else self.simultaneous.to_dict()
            )
        out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class ConceptVerdict:
    """Whether the state is stable for one DM under one concept, and why."""

    concept: str
    stable: bool
    summary: str  # one sentence, without the verdict, e.g. "UR's only improvement is deterred."
    checks: tuple[ImprovementCheck, ...]

    @property
    def label(self) -> str:
        return concept_label(self.concept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "stable": self.stable,
            "summary": self.summary,
            "improvements": [ch.to_dict(self.concept) for ch in self.checks],
        }


@dataclass(frozen=True)
class DMExplanation:
    """One DM's view of the state: its rank, its improvements, a verdict per concept."""

    dm: str
    rank: int  # 1 = most preferred; tied states share a rank
    rank_levels: int  # how many distinct ranks the DM uses
    improvements: tuple[Move, ...]
    verdicts: tuple[ConceptVerdict, ...]

    def verdict(self, concept: str) -> ConceptVerdict:
        for v in self.verdicts:
            if v.concept == concept:
                return v
        raise ExplainError(
            f"concept {concept!r} was not explained; explained: "
            + ", ".join(v.concept for v in self.verdicts)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "rank": self.rank,
            "rank_levels": self.rank_levels,
            "improvements": [m.to_dict() for m in self.improvements],
            "concepts": {v.concept: v.to_dict() for v in self.verdicts},
        }


@dataclass(frozen=True)
class Explanation:
    """Why ``state`` is or is not stable, per DM and concept."""

    model: str
    options: tuple[str, ...]
    state: StateRef
    n_states: int
    concepts: tuple[str, ...]
    dms: tuple[DMExplanation, ...]

    def dm(self, name: str) -> DMExplanation:
        for d in self.dms:
            if d.dm == name:
                return d
        raise ExplainError(
            f"decision maker {name!r} was not explained; explained: "
            + ", ".join(d.dm for d in self.dms)
        )

    def stable(self, dm: str, concept: str) -> bool:
        """Whether the state is stable for ``dm`` under ``concept``."""
        return self.dm(dm).verdict(concept).stable

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "options": list(self.options),
            "state": self.state.to_dict(),
            "n_states": self.n_states,
            "concepts": list(self.concepts),
            "stable": {
                d.dm: {v.concept: v.stable for v in d.verdicts} for d in self.dms
            },
            "dms": [d.to_dict() for d in self.dms],
        }


# ----- input --------------------------------------------------------------------------------
def resolve_state(model: Conflict, state: StateInput) -> int:
    """The code of a feasible state given as a number, a Y/N string or a mapping.

    Raises :class:`ExplainError` saying what was expected.
    """
    n, k = model.n_states, model.n_options
    expected = (
        f"expected a state number 1..{n} or a Y/N string of {k} letter{'s' if k != 1 else ''}, "
        f"one per option ({', '.join(model.option_names)})"
    )
    if isinstance(state, str):
        text = state.strip()
        if text.lstrip("+-").isdigit():
            number = int(text)
            if not 1 <= number <= n:
                raise ExplainError(f"state number {text} is out of range; {expected}")
            return int(model.feasible[number - 1])
        letters = text.upper()
        if not set(letters) <= {"Y", "N"}:
            raise ExplainError(f"state {state!r} has letters other than Y and N; {expected}")
        if len(letters) != k:
            raise ExplainError(f"state {state!r} has {len(letters)} letters; {expected}")
        code = sum(1 << b for b, ch in enumerate(letters) if ch == "Y")
        if not model.is_feasible(code):
            why = [
                ("impossible: " if isinstance(con, InfeasiblePattern) else "required: ")
                + con.describe()
                + (f" — {con.reason.strip().rstrip('.')}" if con.reason.strip() else "")
                for con in model.constraints
                if con.infeasible(np.array([code], dtype=np.int64), model.bits)[0]
            ]
            because = f" ({'; '.join(why)})" if why else ""
            raise ExplainError(
                f"state {letters} is not feasible{because}; expected one of the {n} feasible "
                f"states, by number 1..{n} or Y/N string (list them with `detente show`)"
            )
        return code
    try:
        return model.parse_state(state)
    except DetenteError as exc:
        raise ExplainError(f"{exc}; {expected}") from None


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


# ----- search -------------------------------------------------------------------------------
class _Searcher:
    """Sanction searches from one state for one model (moves cached across DMs/concepts)."""

    def __init__(self, model: Conflict, index: MoveIndex | None = None) -> None:
        self.c = model
        self.index = index or MoveIndex(model)
        self.n = len(model.dms)

    def sequential(
        self, i: int, s: int, s1: int, *, improving: bool, smr: bool
    ) -> list[tuple[int, int, int]] | None:
        """Shortest sanction path from ``s1`` as (mover, from, to) positions, or ``None``.

        BFS over (state, last mover); the start node has no last mover among the others.
        """
        ui = self.c.ranks[i]
        us = int(ui[s])
        members = [j for j in range(self.n) if j != i]
        escape: dict[int, bool] = {}

        def goal(t: int) -> bool:
            if int(ui[t]) > us:
                return False
            if not smr:
                return True
            if t not in escape:
                r = self.index.reach(i, t)
                escape[t] = bool(r.size) and int(ui[r].max()) > us
            return not escape[t]

        start = (s1, -1)
        parent: dict[tuple[int, int], tuple[int, int]] = {}
        # Last movers with which each state was reached. Once a state has two different ones,
        # every DM can move on from it, so further nodes for it add nothing: at most two nodes
        # per state are kept, which bounds the search by twice the reachable set.
        # The start allows every mover already.
        lasts: dict[int, list[int]] = {s1: [-1, -2]}
        frontier = [start]
        while frontier:
            nxt: list[tuple[int, int]] = []
            for node in frontier:
                pos, last = node
                for j in members:
                    if j == last:
                        continue
                    step = self.index.improve(j, pos) if improving else self.index.reach(j, pos)
                    for t in step.tolist():
                        got = lasts.setdefault(t, [])
                        if len(got) >= 2 or j in got:
                            continue
                        got.append(j)
                        child = (t, j)
                        parent[child] = node
                        if goal(t):
                            return _path(parent, child, start)
                        nxt.append(child)
            frontier = nxt
        return None

    def simultaneous(self, i: int, s: int, s1: int) -> list[tuple[int, int]] | None:
        """A simultaneous response (mover, target position) from ``s``, fewest movers first."""
        c = self.c
        feasible = c.feasible
        ui = c.ranks[i]
        us = int(ui[s])
        base = int(feasible[s1])
        choices = []
        for j in range(self.n):
            if j == i:
                continue
            imp = self.index.improve(j, s)
            if imp.size:
                choices.append((j, imp))
        for k in range(1, len(choices) + 1):
            for subset in combinations(choices, k):
                joint = np.array([base], dtype=np.int64)
                for j, imp in subset:
                    mask = int(c.dm_masks[j])
                    part = feasible[imp] & mask
                    joint = ((joint[:, None] & ~mask) | part[None, :]).ravel()
                pos = np.minimum(np.searchsorted(feasible, joint), feasible.size - 1)
                ok = (feasible[pos] == joint) & (ui[pos] <= us)
                hits = np.flatnonzero(ok)
                if hits.size:
                    picks = np.unravel_index(int(hits[0]), tuple(imp.size for _, imp in subset))
                    return [(j, int(imp[int(p)])) for (j, imp), p in zip(subset, picks,
                                                                          strict=True)]
        return None


def _path(
    parent: dict[tuple[int, int], tuple[int, int]],
    node: tuple[int, int],
    start: tuple[int, int],
) -> list[tuple[int, int, int]]:
    steps: list[tuple[int, int, int]] = []
    while node != start:
        prev = parent[node]
        steps.append((node[1], prev[0], node[0]))
        node = prev
    steps.reverse()
    return steps


# ----- sentences ----------------------------------------------------------------------------
class _Writer:
    """Builds the plain data and sentences of an explanation."""

    def __init__(self, model: Conflict) -> None:
        self.c = model

    def ref(self, pos: int) -> StateRef:
        code = int(self.c.feasible[pos])
        return StateRef(code, self.c.state_string(code), pos + 1)

    def move(self, j: int, a: int, b: int) -> Move:
        c = self.c
        ca, cb = int(c.feasible[a]), int(c.feasible[b])
        changes = tuple(
            Change(o.name, "Y" if ca >> k & 1 else "N", "Y" if cb >> k & 1 else "N")
            for k, o in enumerate(c.options)
            if (ca ^ cb) >> k & 1
        )
        return Move(c.dm_names[j], self.ref(a), self.ref(b), changes)

    def likes(self, i: int, t: int, s: int) -> str:
        """'likes less than state 3' / 'likes no better than state 3' (a tie)."""
        r = self.c.ranks[i]
        word = "less than" if r[t] < r[s] else "no better than"
        return f"{self.c.dm_names[i]} likes {word} state {s + 1}"

    def gain(self, i: int, m: Move) -> str:
        return (
            f"{self.c.dm_names[i]} would gain by moving to state {m.target.number} "
            f"({m.change_text})"
        )

    def sequence(self, i: int, s: int, sanction: Sanction, *, seq: bool, smr: bool) -> str:
        moves = sanction.moves
        end = sanction.outcome.number - 1
        if len(moves) == 1:
            m = moves[0]
            how = "with an improvement of its own, " if seq else ""
            text = f"{m.dm} can respond {how}by {m.change_text}"
        else:
            how = ", each move improving the mover's own position" if seq else ""
            steps = [
                f"{m.dm} by {m.change_text} (to state {m.target.number})" for m in moves
            ]
            text = f"the others can respond{how}: " + ", then ".join(steps)
        text += f", reaching state {end + 1}, which {self.likes(i, end, s)}"
        if smr:
            name = self.c.dm_names[i]
            if sanction.reply is None:
                text += f", and {name} has no move from there"
            else:
                text += (
                    f", and from there {name} cannot move to anything it likes better than "
                    f"state {s + 1} (its best reply is state {sanction.reply.number})"
                )
        return text

    def simultaneous(self, i: int, s: int, sanction: Sanction) -> str:
        parts = [f"{m.dm} moves ({m.change_text})" for m in sanction.moves]
        who = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        end = sanction.outcome.number - 1
        return (
            f"if at the same time {who}, the joint outcome is state {end + 1}, which "
            f"{self.likes(i, end, s)}"
        )

    def no_sequence(self, i: int, s: int, concept: str, m: Move) -> str:
        name = self.c.dm_names[i]
        if len(self.c.dms) == 1:
            return f"no sanction: {name} has no opponent to respond"
        if len(self.c.dms) == 2:
            who = next(d for d in self.c.dm_names if d != name) + " cannot"
        else:
            who = "the others cannot"
        from_ = f"from state {m.target.number}"
        if concept == "seq":
            return (
                f"no sanction: {who}, by moves that each improve the mover's own position, "
                f"reach {from_} any state {name} likes no better than state {s + 1}"
            )
        if concept == "smr":
            return (
                f"no sanction: {who} reach {from_} any state {name} likes no better than "
                f"state {s + 1} from which {name} cannot move to something it likes better "
                f"than state {s + 1}"
            )
        return (
            f"no sanction: {who} reach {from_} any state {name} likes no better than "
            f"state {s + 1}"
        )

    def no_simultaneous(self, i: int, s: int) -> str:
        name = self.c.dm_names[i]
        return (
            "no simultaneous response deters it: whatever the others do at the same time "
            f"(each staying or taking one of its own improvements from state {s + 1}), the "
            f"outcome is infeasible or one {name} prefers to state {s + 1}"
        )


# ----- the analysis -------------------------------------------------------------------------
def explain(
    model: Conflict,
    state: StateInput,
    dms: Iterable[str | int] | None = None,
    concepts: Iterable[str] | None = None,
    *,
    index: MoveIndex | None = None,
) -> Explanation:
    """Explain, per DM and concept, why ``state`` is or is not stable.

    ``state``: a state number (1-based), a Y/N string or an option→Y/N mapping. ``dms``: DM
    names (default all); ``concepts``: keys among nash, gmr, smr, seq, sim, seq_sim (default
    all). ``index``: a :class:`MoveIndex` to reuse across calls on the same model.

    >>> import detente
    >>> e = explain(detente.load("examples/elmira.yaml"), 1, dms=["LG"], concepts=["gmr"])
    >>> e.stable("LG", "gmr"), e.dm("LG").verdict("gmr").checks[0].sanction.moves[0].dm
    (True, 'MoE')
    """
    code = resolve_state(model, state)
    who = resolve_dms(model, dms)
    keys = resolve_concepts(concepts)
    s = int(model.index_of(code)[0])
    search = _Searcher(model, index)
    write = _Writer(model)
    out = [_explain_dm(model, search, write, i, s, keys) for i in who]
    return Explanation(
        model.name, model.option_names, write.ref(s), model.n_states, keys, tuple(out)
    )


def _explain_dm(
    model: Conflict, search: _Searcher, write: _Writer, i: int, s: int, keys: tuple[str, ...]
) -> DMExplanation:
    name = model.dm_names[i]
    ranks = model.ranks[i]
    levels = np.unique(ranks)
    rank = int(levels.size - np.searchsorted(levels, ranks[s]))
    uis = [int(t) for t in search.index.improve(i, s)]
    moves = tuple(write.move(i, s, t) for t in uis)
    seq_cache: dict[tuple[str, int], Sanction | None] = {}
    sim_cache: dict[int, Sanction | None] = {}

    def sequential(kind: str, t: int) -> Sanction | None:
        if (kind, t) not in seq_cache:
            path = search.sequential(
                i, s, t, improving=kind == "seq", smr=kind == "smr"
            )
            if path is None:
                seq_cache[(kind, t)] = None
            else:
                end = path[-1][2]
                reply: StateRef | None = None
                if kind == "smr":
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
            if how.sanction is None and not how.simultaneous:  # Nash: nothing deters
                checks.append(ImprovementCheck(m, False, None, None, gain + "."))
                continue
            parts: list[str] = []
            ok = True
            if how.sanction is not None:
                kind = how.sanction
                seq_s = sequential(kind, t)
                ok = seq_s is not None
                parts.append(
                    write.no_sequence(i, s, kind, m) if seq_s is None
                    else write.sequence(i, s, seq_s, seq=kind == "seq", smr=kind == "smr")
                )
            if how.simultaneous:
                sim_s = simultaneous(t)
                ok = ok and sim_s is not None
                parts.append(
                    write.no_simultaneous(i, s) if sim_s is None
                    else write.simultaneous(i, s, sim_s)
                )
            reason = _join(gain, parts)
            checks.append(ImprovementCheck(m, ok, seq_s, sim_s, reason))
        stable = all(ch.sanctioned for ch in checks)
        verdicts.append(
            ConceptVerdict(key, stable, _summary(name, s, key, checks), tuple(checks))
        )
    return DMExplanation(name, rank, int(levels.size), moves, tuple(verdicts))


def _join(gain: str, parts: list[str]) -> str:
    if len(parts) == 2:  # a sequential and a simultaneous part (SEQ&SIM)
        seq, sim = parts
        return f"{gain}. Under SEQ, {seq}; under SIM, {sim}."
    (part,) = parts
    link = ", and " if part.startswith("no ") else ", but "
    return f"{gain}{link}{part}."


def _summary(name: str, s: int, key: str, checks: list[ImprovementCheck]) -> str:
    """One sentence after the verdict, e.g. ``'every improvement of UR is deterred.'``."""
    total = len(checks)
    if total == 0:
        return f"{name} has no unilateral improvement from state {s + 1}."
    plural = "s" if total != 1 else ""
    how = get_concept(key)
    if how.sanction is None and not how.simultaneous:  # Nash
        return f"{name} has {total} unilateral improvement{plural} from state {s + 1}."
    bad = sum(not ch.sanctioned for ch in checks)
    if total == 1:
        return f"{name}'s only improvement " + (
            "cannot be deterred." if bad else "is deterred."
        )
    if bad == 0:
        return f"every improvement of {name} is deterred."
    return f"{bad} of {total} improvements of {name} cannot be deterred."


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
    "resolve_state",
]
