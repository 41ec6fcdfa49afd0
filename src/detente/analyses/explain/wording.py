"""The sentences of an explanation: gains, sanctions, their absence, and summaries.

What a sentence says follows the concept's registry data (its sanction rule: improving moves,
no escape, how the absence is worded; whether anything deters at all), never its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from detente.analyses.explain.result import ConceptVerdict, ImprovementCheck, Sanction
from detente.analyses.moves import Move, StateRef, state_at, unilateral_move
from detente.engine.registry import Concept, SanctionRule, concept_label, get_concept
from detente.engine.relations import Relations
from detente.model.conflict import Conflict

T = TypeVar("T")


def _p(x: float) -> str:
    """A probability in a sentence: three significant digits (``0.75``, ``0.333``, ``1``)."""
    return f"{x:.3g}"


class Terms:
    """How one concept words DM i's preferences against the start s: its family's own terms,
    read from the concept's data (probabilistic levels, an unknown-preference rule, a strength
    level; else the classic words) and the witness relations' numbers (``rules``)."""

    def __init__(self, model: Conflict, concept: Concept, rules: Relations, i: int, s: int
                 ) -> None:
        self.c, self.how, self.i, self.s = model, concept, i, s
        self.name = model.dm_names[i]
        self.odds = None if rules.odds is None else rules.odds(i, s)
        self.unsure = None if rules.uncertain is None else rules.uncertain(i, s)

    def probability(self, q: int) -> float | None:
        """P_i(q ≻ s) (probabilistic concepts), else ``None``."""
        return None if self.odds is None else float(self.odds[q])

    def uncertain(self, q: int) -> bool | None:
        """Whether i cannot compare q with s (unknown preferences), else ``None``."""
        return None if self.unsure is None else bool(self.unsure[q])

    def _level(self, k: int) -> str:
        assert self.how.levels is not None
        return _p(self.how.levels[k])

    def gain(self, m: Move) -> str:
        """'A would gain by moving to state 2 (a N→Y)', in the concept's terms."""
        q = m.target.number - 1
        where = f"moving to state {m.target.number} ({m.change_text})"
        p = self.probability(q)
        if p is not None:
            return (f"{self.name} would gain with probability {_p(p)} (> α = {self._level(0)}) "
                    f"by {where}")
        if self.uncertain(q):
            return f"{self.name} might gain by {where}, which it cannot compare with state " \
                f"{self.s + 1}"
        return f"{self.name} would gain by {where}"

    def end(self, q: int) -> str:
        """What the focal DM thinks of a sanction's end q: 'which A likes less than state 1'."""
        s, name = self.s, self.name
        p = self.probability(q)
        if p is not None:
            return (f"which {name} prefers to state {s + 1} with probability {_p(p)} "
                    f"(≤ β = {self._level(1)})")
        if self.uncertain(q):
            return f"which {name} is not known to prefer to state {s + 1} (it cannot compare them)"
        if self.how.strength is not None:
            return f"which {name} strongly dislikes compared with state {s + 1}"
        word = "less than" if self.c.ranks[self.i][q] < self.c.ranks[self.i][s] else \
            "no better than"
        return f"which {name} likes {word} state {s + 1}"

    def any_end(self) -> str:
        """Where a sanction may end, for 'any state …': 'A likes no better than state 1'."""
        s, name, how = self.s + 1, self.name, self.how
        if how.levels is not None:
            return f"{name} prefers to state {s} with probability at most β = {self._level(1)}"
        if how.unknown is not None:
            return (f"{name} is not known to prefer to state {s}" if how.unknown.ends
                    else f"{name} knows it likes no better than state {s}")
        if how.strength is not None:
            return f"{name} strongly dislikes compared with state {s}"
        return f"{name} likes no better than state {s}"

    def escape(self) -> str:
        """What the mover must not reach from a sanction (SMR): 'it likes better than state 1'."""
        s, how = self.s + 1, self.how
        if how.levels is not None:
            return f"it prefers to state {s} with probability above β = {self._level(1)}"
        if how.unknown is not None:
            return (f"it is known to prefer to state {s}" if how.unknown.ends
                    else f"it prefers to or cannot compare with state {s}")
        if how.strength is not None:
            return f"it does not strongly dislike compared with state {s}"
        return f"it likes better than state {s}"

    def improve(self) -> str:
        """The others' moves in SEQ, after 'by': 'moves that each improve the mover's own
        position'."""
        if self.how.levels is not None and len(self.how.levels) > 2:
            return f"moves each mover prefers with probability above γ = {self._level(2)}"
        if self.how.unknown is not None:
            return "moves each mover prefers or cannot compare"
        return "moves that each improve the mover's own position"

    def own(self, one: bool) -> str:
        """How the others' moves in SEQ are worded in a sanction of one move ('with an
        improvement of its own, ') or several (', each move improving the mover's own
        position')."""
        if self.how.levels is not None:
            what = f"prefers with probability above γ = {self._level(2)}"
            return f"with a move it {what}, " if one else f", each move one its mover {what}"
        if self.how.unknown is not None:
            return ("with a move it prefers or cannot compare, " if one
                    else ", each move one its mover prefers or cannot compare")
        return ("with an improvement of its own, " if one
                else ", each move improving the mover's own position")

    def reply(self, q: int) -> str:
        """The mover's best reply from a sanction (SMR): '(its best reply is state 3)'."""
        p = self.probability(q)
        if p is not None:
            return f"(its likeliest escape, state {q + 1}, has probability {_p(p)})"
        return f"(its best reply is state {q + 1})"

    def nothing(self) -> str:
        """The summary when i has no move to deter from s."""
        s, name, how = self.s + 1, self.name, self.how
        if how.levels is not None:
            return (f"{name} has no move from state {s} it prefers with probability above "
                    f"α = {self._level(0)}.")
        if how.unknown is not None:
            return (f"{name} has no move from state {s} to a state it prefers or cannot "
                    "compare with it." if how.unknown.moves else
                    f"{name} has no move from state {s} to a state it is known to prefer.")
        return f"{name} has no unilateral improvement from state {s}."


class Wording:
    """Builds the plain data and sentences of an explanation."""

    def __init__(self, model: Conflict) -> None:
        self.c = model

    def ref(self, pos: int) -> StateRef:
        return state_at(self.c, pos)

    def move(self, j: int, a: int, b: int) -> Move:
        return unilateral_move(self.c, j, a, b)

    def terms(self, concept: Concept, rules: Relations, i: int, s: int) -> Terms:
        """The words of ``concept`` for DM i at s."""
        return Terms(self.c, concept, rules, i, s)

    def likes(self, i: int, t: int, s: int) -> str:
        """'likes less than state 3' / 'likes no better than state 3' (a tie)."""
        r = self.c.ranks[i]
        word = "less than" if r[t] < r[s] else "no better than"
        return f"{self.c.dm_names[i]} likes {word} state {s + 1}"

    def sequence(self, sanction: Sanction, rule: SanctionRule, terms: Terms) -> str:
        """The sanction as a sentence: who moves how, and why it deters (``rule``: the
        sanction's kind; ``terms``: the concept's words)."""
        seq, smr = rule.improving, rule.no_escape
        moves = sanction.moves
        end = sanction.outcome.number - 1
        if len(moves) == 1:
            m = moves[0]
            how = terms.own(True) if seq else ""
            text = f"{m.dm} can respond {how}by {m.change_text}"
        else:
            how = terms.own(False) if seq else ""
            steps = [
                f"{m.dm} by {m.change_text} (to state {m.target.number})" for m in moves
            ]
            text = f"the others can respond{how}: " + ", then ".join(steps)
        text += f", reaching state {end + 1}, {terms.end(end)}"
        if smr:
            name = terms.name
            if sanction.reply is None:
                text += f", and {name} has no move from there"
            else:
                text += (f", and from there {name} cannot move to anything "
                         f"{terms.escape()} {terms.reply(sanction.reply.number - 1)}")
        return text

    def simultaneous(self, i: int, s: int, sanction: Sanction) -> str:
        parts = [f"{m.dm} moves ({m.change_text})" for m in sanction.moves]
        who = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        end = sanction.outcome.number - 1
        return (
            f"if at the same time {who}, the joint outcome is state {end + 1}, which "
            f"{self.likes(i, end, s)}"
        )

    def cannot(self, rule: SanctionRule, m: Move, terms: Terms) -> str:
        """What the others cannot do: 'B cannot reach from state 2 any state A likes no
        better than state 1' (the sanction kind's sentence, the concept's words)."""
        name = terms.name
        if len(self.c.dms) == 1:
            return f"{name} has no opponent to respond"
        if len(self.c.dms) == 2:
            who = next(d for d in self.c.dm_names if d != name) + " cannot"
        else:
            who = "the others cannot"
        return rule.others_reach.format(
            who=who, from_=f"from state {m.target.number}", name=name, end=terms.any_end(),
            escape=terms.escape(), improve=terms.improve())

    def no_sequence(self, rule: SanctionRule, m: Move, terms: Terms) -> str:
        return "no sanction: " + self.cannot(rule, m, terms)

    def no_simultaneous(self, i: int, s: int) -> str:
        name = self.c.dm_names[i]
        return (
            "no simultaneous response deters it: whatever the others do at the same time "
            f"(each staying or taking one of its own improvements from state {s + 1}), the "
            f"outcome is infeasible or one {name} prefers to state {s + 1}"
        )


def join_reason(gain: str, parts: list[str], concept: str) -> str:
    """The reason of one check: the gain, then the part of each condition of ``concept``
    (a conjunction such as SEQ&SIM: one part per condition, each under its label)."""
    if len(parts) > 1:
        labels = [concept_label(k) for k in get_concept(concept).parts]
        assert len(labels) == len(parts), concept
        under = "; ".join(f"under {label}, {part}" for label, part in zip(labels, parts,
                                                                          strict=True))
        return f"{gain}. {under[0].upper()}{under[1:]}."
    (part,) = parts
    link = ", and " if part.startswith("no ") else ", but "
    return f"{gain}{link}{part}."


def collapse_verdicts(verdicts: Sequence[ConceptVerdict]
                      ) -> list[tuple[tuple[ConceptVerdict, ...], str]]:
    """The verdicts of one DM with what holds under several concepts said once: verdicts
    with no improvement to check and the same verdict and sentence form one group, labelled
    "every concept (…)" when it holds for all of them; the others stay one per concept.

    Returns (verdicts, label) pairs in the order of their first concept.
    """
    return _collapse(verdicts, lambda v: None if v.checks else (v.stable, v.summary),
                     lambda v: v.label)


def collapse_concepts(concepts: Mapping[str, Mapping[str, Any]]
                      ) -> list[tuple[tuple[Mapping[str, Any], ...], str]]:
    """:func:`collapse_verdicts` over one DM's verdicts as JSON gives them (concept key →
    ``{"label", "stable", "summary", "improvements"}``), for surfaces that hold the JSON."""
    return _collapse(list(concepts.values()),
                     lambda c: None if c["improvements"] else (c["stable"], c["summary"]),
                     lambda c: str(c["label"]))


def _collapse(items: Sequence[T], key: Callable[[T], tuple[bool, str] | None],
              label: Callable[[T], str]) -> list[tuple[tuple[T, ...], str]]:
    """Group ``items`` by ``key`` (``None``: a group of its own), labels joined."""
    groups: dict[tuple[bool, str] | int, list[T]] = {}
    for k, v in enumerate(items):
        found = key(v)
        groups.setdefault(k if found is None else found, []).append(v)
    out: list[tuple[tuple[T, ...], str]] = []
    for members in groups.values():
        labels = ", ".join(label(v) for v in members)
        if len(members) == len(items) and len(members) > 1:
            labels = f"every concept ({labels})"
        out.append((tuple(members), labels))
    return out


def verdict_summary(name: str, s: int, key: str, checks: list[ImprovementCheck],
                    nothing: str | None = None) -> str:
    """One sentence after the verdict, e.g. ``'every improvement of UR is deterred.'``;
    ``nothing``: the sentence when there is no move to check (default: no unilateral
    improvement). A weak concept (strength of preference) also says how many are deterred
    only mildly."""
    total = len(checks)
    how = get_concept(key)
    weak = how.strength == "weak"
    if total == 0:
        none = nothing or f"{name} has no unilateral improvement from state {s + 1}."
        return none[:-1] + ": strongly stable, not weakly." if weak else none
    plural = "s" if total != 1 else ""
    if not how.deterrable:  # Nash, in the concept's terms
        if how.levels is not None:
            return (f"{name} has {total} move{plural} from state {s + 1} it prefers with "
                    f"probability above α = {_p(how.levels[0])}.")
        if how.unknown is not None and how.unknown.moves:
            return (f"{name} has {total} move{plural} from state {s + 1} to a state it "
                    "prefers or cannot compare with it.")
        if how.unknown is not None:
            return (f"{name} has {total} move{plural} from state {s + 1} to a state it is "
                    "known to prefer.")
        return f"{name} has {total} unilateral improvement{plural} from state {s + 1}."
    bad = sum(not ch.sanctioned for ch in checks)
    mild = sum(ch.sanctioned and ch.strong is None for ch in checks) if weak else 0
    if total == 1:
        if bad:
            return f"{name}'s only improvement cannot be deterred."
        if weak:
            return f"{name}'s only improvement is deterred" + (
                ", only mildly." if mild else " strongly: strongly stable, not weakly.")
        return f"{name}'s only improvement is deterred."
    if bad:
        return f"{bad} of {total} improvements of {name} cannot be deterred."
    if weak:
        return f"every improvement of {name} is deterred" + (
            f", {mild} of them only mildly." if mild
            else " strongly: strongly stable, not weakly.")
    return f"every improvement of {name} is deterred."


__all__ = ["Terms", "Wording", "collapse_concepts", "collapse_verdicts", "join_reason",
           "verdict_summary"]
