"""The report's misperception section: arranges :func:`detente.hypergame` for the templates.

Only arranges results (no analysis here): how each party misreads the others, what each party
expects (its view's equilibria), what happens (the hypergame equilibria), the surprises and for
whom, and what each single correction ("tell X what Y really wants", "tell X that Y can o")
would change. Concepts with the same answer are named together, so a six-concept report says
each thing once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.analyses.hypergame import HypergameResult
from detente.analyses.state_view import pattern_view, state_view
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict
from detente.model.perceptions import option_owner

#: States named per statement in words (the rest are counted).
MAX_WORDS_STATES = 4
#: States listed per cell of the lists table (the rest are counted).
MAX_LIST_STATES = 8
#: Surprises named in words (the rest are counted).
MAX_SURPRISES = 8
#: Hypergame equilibria after a correction listed per concept (more: only the count).
MAX_CORRECTION_STATES = 4


def hypergame_section(r: HypergameResult) -> dict[str, Any]:
    """Plain data for the ``hypergame`` templates."""
    c = r.conflict
    names = c.dm_names
    hyper = {k: r.equilibrium_mask(k) for k in r.concepts}
    target = r.result_header().parameters.get("target")
    return {
        "misperceptions": [_perception(c, p) for p in c.perceptions],
        "blind_spots": [
            {"dm": d.name, "patterns": [pattern_view(c, x) for x in d.blind_spots]}
            for d in c.dms
            if d.blind_spots
        ],
        "dms": _parties(c, r),
        "happens": _groups(c, r.concepts, hyper),
        "surprises": _surprises(c, r),
        "lists": _lists(c, r, hyper),
        "dm_names": list(names),
        "target": None
        if target is None
        else {
            "pattern": str(target),
            "words": pattern_view(c, str(target))["words"],
            "reached": r.target_reached(),
            "missing": [
                concept_label(k)
                for k in r.concepts
                if r.target is not None and not (hyper[k] & r.target).any()
            ],
        },
        "corrections": [_correction(c, r, j, hyper) for j in range(len(r.corrections))],
    }


# ----- pieces ----------------------------------------------------------------------------
def _state(c: Conflict, code: int) -> dict[str, Any]:
    """A state for display (:func:`state_view`): what is true in it, its number second, the
    Y/N text for a tooltip."""
    return state_view(c, code)


def _states(c: Conflict, mask: np.ndarray, cap: int) -> dict[str, Any]:
    """The first ``cap`` states of a mask over the feasible states, and how many in all."""
    codes = c.feasible[mask]
    return {
        "states": [_state(c, int(x)) for x in codes[:cap]],
        "count": len(codes),
        "more": max(0, len(codes) - cap),
    }


def _labels(keys: list[str]) -> str:
    """Concept labels in words: 'Nash', 'Nash and SEQ', 'Nash, GMR and SEQ'."""
    labels = [concept_label(k) for k in keys]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _groups(
    c: Conflict, concepts: tuple[str, ...], masks: dict[str, np.ndarray]
) -> list[dict[str, Any]]:
    """The concepts with the same states together (first appearance order), each with its
    states (the first :data:`MAX_WORDS_STATES`)."""
    groups: dict[bytes, list[str]] = {}
    for k in concepts:
        groups.setdefault(np.asarray(masks[k]).tobytes(), []).append(k)
    return [
        {
            "labels": _labels(keys),
            "all": len(keys) == len(concepts),
            **_states(c, masks[keys[0]], MAX_WORDS_STATES),
        }
        for keys in groups.values()
    ]


def _parties(c: Conflict, r: HypergameResult) -> list[dict[str, Any]]:
    """What each party expects; parties that expect the same (and see the others alike, as
    they are or not) together, in model order."""
    out: dict[tuple[bool, bytes], dict[str, Any]] = {}
    for i, dm in enumerate(c.dm_names):
        masks = {k: r.view_equilibria(i, k) for k in r.concepts}
        truth = not any(p.perceiver == dm for p in c.perceptions)
        key = (truth, b"".join(np.asarray(masks[k]).tobytes() for k in r.concepts))
        if key in out:
            out[key]["names"].append(dm)
        else:
            out[key] = {
                "names": [dm],
                "sees_truth": truth,
                "expects": _groups(c, r.concepts, masks),
            }
    return list(out.values())


def _perception(c: Conflict, p: Any) -> dict[str, Any]:
    if p.about is not None:
        what = f"misreads what {p.about} wants"
    else:
        owned = [f"{o} ({option_owner(c, o)}'s option)" for o in p.unaware_of]
        what = f"does not know that {', '.join(owned)} exist{'s' if len(owned) == 1 else ''}"
    return {"perceiver": p.perceiver, "what": what, "rationale": " ".join(p.rationale.split())}


def _surprises(c: Conflict, r: HypergameResult) -> dict[str, Any]:
    """States some party expects that do not hold, grouped by (state, who expects it)."""
    found: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for k in r.concepts:
        for s, who in r.surprises(k):
            found.setdefault((int(c.feasible[s]), who), []).append(k)
    rows = [
        {
            **_state(c, code),
            "expected_by": list(who),
            "labels": _labels(keys),
            "all": len(keys) == len(r.concepts),
        }
        for (code, who), keys in found.items()
    ]
    return {
        "rows": rows[:MAX_SURPRISES],
        "count": len(rows),
        "more": max(0, len(rows) - MAX_SURPRISES),
    }


def _lists(c: Conflict, r: HypergameResult, hyper: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per concept: the hypergame equilibria and each party's expectations (capped)."""
    return [
        {
            "label": concept_label(k),
            "happens": _states(c, hyper[k], MAX_LIST_STATES),
            "expects": [
                _states(c, r.view_equilibria(i, k), MAX_LIST_STATES) for i in range(len(c.dms))
            ],
        }
        for k in r.concepts
    ]


def _correction(
    c: Conflict, r: HypergameResult, j: int, hyper: dict[str, np.ndarray]
) -> dict[str, Any]:
    """One correction: what the mediator says, why the party misread, and per concept the
    hypergame equilibria after it (marked when they change)."""
    fix = r.corrections[j].correction
    why = next(
        p.rationale
        for p in c.perceptions
        if p.perceiver == fix.perceiver
        and (p.about == fix.about if fix.about is not None else fix.option in p.unaware_of)
    )
    after = []
    for k in r.concepts:
        mask = r.corrected_equilibria(j, k)
        after.append(
            {
                "label": concept_label(k),
                "changed": bool((mask != hyper[k]).any()),
                "before": int(hyper[k].sum()),
                **_states(c, mask, MAX_CORRECTION_STATES),
            }
        )
    return {
        "advice": fix.words(c),
        "rationale": " ".join(why.split()),
        "reached": r.target_reached(j),
        "after": after,
        "changes": [a["label"] for a in after if a["changed"]],
    }


__all__ = ["hypergame_section"]
