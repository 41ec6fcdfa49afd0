"""A state as people read it: what is true in it first, its number second.

Every surface shows a state through :func:`state_view` (the report's context builder, the
workbench's pages), so none assembles the wording itself; the Y/N string stays available for
the appendix tables.

>>> import detente
>>> c = detente.load("examples/prisoners_dilemma.yaml")
>>> state_view(c, 1)["text"]
'a_defects (state 2)'
>>> pattern_view(c, "Y-")["words"]
'a_defects; b_defects: any'
"""

from __future__ import annotations

from typing import Any

from detente.model.conflict import Conflict
from detente.model.labels import NOTHING
from detente.model.labels import words as option_words


def state_view(model: Conflict, code: int) -> dict[str, Any]:
    """``{"number", "words", "text", "state"}`` of a feasible state code: its 1-based number,
    what is true in it (:meth:`StateSpace.words`), both as one phrase (``'Israel accepts;
    hostages released (state 805)'``) and its Y/N string (for appendix tables only)."""
    number = model.state_number(int(code))
    words = model.space.words(int(code))
    return {
        "number": number,
        "words": words,
        "text": f"{words} (state {number})",
        "state": model.state_string(int(code)),
    }


def number_view(model: Conflict, number: int) -> dict[str, Any]:
    """:func:`state_view` of a 1-based state number."""
    return state_view(model, int(model.feasible[int(number) - 1]))


def string_view(model: Conflict, text: str) -> dict[str, Any]:
    """:func:`state_view` of a state written as Y/N text (as analyses report it)."""
    return state_view(model, model.parse_state(text))


def pattern_view(model: Conflict, pattern: str) -> dict[str, Any]:
    """``{"words", "matching", "pattern"}`` of a Y/N/- pattern (a mediation target, a draft):
    each fixed option in words (its label for the value; unlabelled: its name when taken,
    ``not <name>`` when not), then ``'<free options>: any'``, with the number of matching
    feasible states; the pattern as written for appendix tables only. A reference to one
    state that is not a pattern (a state number, say) reads as that state."""
    space = model.space
    if pattern.strip().lstrip("+-").isdigit():
        code = int(space.parse(int(pattern)))
        return {"words": state_view(model, code)["words"], "matching": 1,
                "pattern": space.text(code)}
    care, want = space.pattern_bits(pattern)
    fixed = space.assigned(care, want)
    levelled = frozenset(col.name for col in space.columns if col.levels is not None)
    parts = []
    for name, value in fixed.items():
        said = option_words({name: value}, space.labels, levelled)
        parts.append(f"not {name}" if said == NOTHING else said)
    free = [col.name for col in space.columns if col.name not in fixed]
    if free:
        parts.append(f"{', '.join(free)}: any" if parts else "any state")
    return {
        "words": "; ".join(parts),
        "matching": int(model.matching(pattern).size),
        "pattern": space.pattern_text(care, want),
    }


__all__ = ["number_view", "pattern_view", "state_view", "string_view"]
