"""The sentences of an explanation: gains, sanctions, their absence, and summaries.

What a sentence says follows the concept's registry data (its sanction rule: improving moves,
no escape, how the absence is worded; whether anything deters at all), never its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from detente.analyses.explain.result import ConceptVerdict, ImprovementCheck, Sanction
from detente.analyses.moves import Move, StateRef, state_at, unilateral_move
from detente.engine.registry import SanctionRule, concept_label, get_concept
from detente.model.conflict import Conflict

T = TypeVar("T")


class Wording:
    """Builds the plain data and sentences of an explanation."""

    def __init__(self, model: Conflict) -> None:
        self.c = model

    def ref(self, pos: int) -> StateRef:
        return state_at(self.c, pos)

    def move(self, j: int, a: int, b: int) -> Move:
        return unilateral_move(self.c, j, a, b)

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

    def sequence(self, i: int, s: int, sanction: Sanction, rule: SanctionRule) -> str:
        """The sanction as a sentence: who moves how, and why it deters (``rule``: the
        sanction's kind)."""
        seq, smr = rule.improving, rule.no_escape
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

    def no_sequence(self, i: int, s: int, rule: SanctionRule, m: Move) -> str:
        name = self.c.dm_names[i]
        if len(self.c.dms) == 1:
            return f"no sanction: {name} has no opponent to respond"
        if len(self.c.dms) == 2:
            who = next(d for d in self.c.dm_names if d != name) + " cannot"
        else:
            who = "the others cannot"
        from_ = f"from state {m.target.number}"
        return "no sanction: " + rule.others_reach.format(
            who=who, from_=from_, name=name, s=s + 1
        )

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


def verdict_summary(name: str, s: int, key: str, checks: list[ImprovementCheck]) -> str:
    """One sentence after the verdict, e.g. ``'every improvement of UR is deterred.'``."""
    total = len(checks)
    if total == 0:
        return f"{name} has no unilateral improvement from state {s + 1}."
    plural = "s" if total != 1 else ""
    how = get_concept(key)
    if not how.deterrable:  # Nash
        return f"{name} has {total} unilateral improvement{plural} from state {s + 1}."
    bad = sum(not ch.sanctioned for ch in checks)
    if total == 1:
        return f"{name}'s only improvement " + (
            "cannot be deterred." if bad else "is deterred."
        )
    if bad == 0:
        return f"every improvement of {name} is deterred."
    return f"{bad} of {total} improvements of {name} cannot be deterred."


__all__ = ["Wording", "collapse_concepts", "collapse_verdicts", "join_reason", "verdict_summary"]
