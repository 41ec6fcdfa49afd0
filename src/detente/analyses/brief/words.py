"""The brief in sentences: one short paragraph per proposal, states in words first, their
numbers second."""

from __future__ import annotations

from collections.abc import Sequence

from detente.analyses.brief.fixes import Fix
from detente.analyses.brief.result import Breaker, Enforcement, Flip
from detente.analyses.moves import OptionChange
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict
from detente.model.states import NO, YES


def change_words(model: Conflict, changes: Sequence[OptionChange]) -> str:
    """A move in words: each changed option's label for its new value (an unlabelled one:
    ``takes x`` / ``drops x``; a levelled one: ``x to level``)."""
    labels = model.space.labels
    parts = []
    for ch in changes:
        own = labels.get(ch.option, {})
        if ch.after in own:
            parts.append(own[ch.after])
        elif ch.after == YES:
            parts.append(f"takes {ch.option}")
        elif ch.after == NO:
            parts.append(f"no longer: {own[YES]}" if YES in own else f"drops {ch.option}")
        else:
            parts.append(f"{ch.option} to {ch.after}")
    return "; ".join(parts)


def concepts_text(concepts: Sequence[str]) -> str:
    """``'Nash'``, ``'SEQ and SIM'``, ``'Nash, SMR and SEQ'``."""
    labels = [concept_label(c) for c in concepts]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def percent(p: float) -> str:
    """``'80 %'``; a share that is not whole to one decimal, e.g. ``'12.5 %'``."""
    v = round(100 * p, 1)
    return f"{v:g} %"


def verdict_sentence(verdict: dict[str, str]) -> str:
    """``'Holds under SMR and SEQ; breaks under Nash.'``, or one clause when all agree."""
    holds = [c for c, v in verdict.items() if v == "holds"]
    breaks = [c for c, v in verdict.items() if v == "breaks"]
    if not breaks:
        return f"Holds under every concept asked ({concepts_text(holds)})."
    if not holds:
        return f"Breaks under every concept asked ({concepts_text(breaks)})."
    return f"Holds under {concepts_text(holds)}; breaks under {concepts_text(breaks)}."


def probability_sentence(
    probability: dict[str, float] | None, profiles: int, exact: bool
) -> str | None:
    if probability is None:
        return None
    how = "every profile" if exact else "sampled"
    groups: dict[float, list[str]] = {}
    for c, p in probability.items():
        groups.setdefault(round(p, 6), []).append(c)
    parts = [f"{percent(p)} under {concepts_text(cs)}" for p, cs in groups.items()]
    return (
        f"How sure: it holds in {'; '.join(parts)} of the preference profiles "
        f"({profiles:,}, {how})."
    )


def breaker_sentence(b: Breaker) -> str:
    at = f" at {b.phase}" if b.phase else ""
    return (
        f"{b.dm} would break it{at}: {b.words} (to state {b.target.number}) — under "
        f"{concepts_text(b.concepts)}."
    )


#: The most breaking moves said per party and phase; the rest are counted (all are in the
#: JSON's ``breakers``).
BREAKERS_SAID = 3


def breaker_sentences(breakers: Sequence[Breaker]) -> list[str]:
    """One sentence per breaking move, at most :data:`BREAKERS_SAID` per party and phase
    (in the order found), then one counting the others."""
    said: dict[tuple[str, str | None], int] = {}
    for b in breakers:
        said[(b.dm, b.phase)] = said.get((b.dm, b.phase), 0) + 1
    out: list[str] = []
    shown: dict[tuple[str, str | None], int] = {}
    for b in breakers:
        key = (b.dm, b.phase)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= BREAKERS_SAID:
            out.append(breaker_sentence(b))
        elif shown[key] == said[key]:
            more = said[key] - BREAKERS_SAID
            at = f" at {b.phase}" if b.phase else ""
            out.append(f"{b.dm} has {more} more {'way' if more == 1 else 'ways'} to break "
                       f"it{at} (all in the JSON's breakers).")
    return out


def fix_sentence(f: Fix) -> str:
    at = f" at {', '.join(f.phases)}" if f.phases else ""
    return f"Fix{at} (under {concepts_text(f.concepts)}): {f.text()}."


def enforcement_sentence(e: Enforcement) -> str:
    return f"Enforced under {concepts_text(e.concepts)} by {e.words}."


def flip_sentence(f: Flip) -> str:
    by: dict[str, list[str]] = {}
    for c, v in f.verdict.items():
        by.setdefault(v, []).append(c)
    now = "; ".join(f"{v} under {concepts_text(cs)}" for v, cs in by.items())
    what = (
        f"{f.dm}'s reading were {f.setting!r}"
        if f.element == "reading"
        else f"for {f.dm}, {f.element} were {f.setting!r}"
    )
    return f"It flips if {what} (probability {percent(f.probability)}): {now}."


__all__ = [
    "BREAKERS_SAID",
    "breaker_sentence",
    "breaker_sentences",
    "change_words",
    "concepts_text",
    "enforcement_sentence",
    "fix_sentence",
    "flip_sentence",
    "percent",
    "probability_sentence",
    "verdict_sentence",
]
