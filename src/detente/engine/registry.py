"""The solution concepts, in one place: key, label, help, coalition label and how computed.

Every table, parser and dispatch over concepts derives from :data:`STANDARD` (the six
move-based concepts, in display order) and :func:`limited` (limited-move stability ``L<h>``, a
concept parametrised by its horizon h). Adding a concept means adding one :class:`Concept` here
and, if it needs a new kind of computation, one branch in ``Engine``.

How a concept is computed is data, not a name test:

* ``sanction``: the kind of sequential sanction a UI must meet (``"gmr"``: any moves of the
  others; ``"seq"``: the others' unilateral improvements; ``"smr"``: any moves leaving the
  mover no escape), or ``None``;
* ``simultaneous``: a UI must also meet a simultaneous response (SIM);
* ``horizon``: limited-move look-ahead (two DMs only);
* none of these: Nash (a UI is never deterred).

>>> both = get_concept("seq&sim")
>>> both.key, both.label, both.sanction, both.simultaneous
('seq_sim', 'SEQ&SIM', 'seq', True)
>>> get_concept("L3").label, get_concept("L3").horizon
('L3', 3)
>>> parse_concepts(["GMR", "nash"], horizon=2)
('gmr', 'nash', 'L2')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from detente.model.errors import AnalysisError

SanctionKind = Literal["gmr", "seq", "smr"]
LIMITED_RE = re.compile(r"L(\d+)")


@dataclass(frozen=True)
class Concept:
    """One solution concept (see the module docstring for the computation fields)."""

    key: str  # "nash", "seq_sim", "L3": used in the API, the CLI and JSON
    label: str  # for people: "Nash", "SEQ&SIM", "L3"
    help: str  # one line for readers who do not know GMCR
    computed: str  # how detente computes it, one line
    coalition_label: str | None = None  # "CGMR" when a coalition version exists
    sanction: SanctionKind | None = None
    simultaneous: bool = False
    horizon: int | None = None

    @property
    def is_limited(self) -> bool:
        return self.horizon is not None

    @property
    def has_coalition_version(self) -> bool:
        return self.coalition_label is not None


#: The six move-based concepts, in display order.
STANDARD: tuple[Concept, ...] = (
    Concept(
        "nash", "Nash",
        "no decision maker can move to a state it prefers.",
        "no unilateral improvement: the best one-move reach is not above the state",
        coalition_label="CNash",
    ),
    Concept(
        "gmr", "GMR",
        "every move a decision maker could gain by can be answered by the others with a "
        "state it likes no better (general metarationality).",
        "every UI meets a sanction: the least the others can reach from it (fixed point)",
        coalition_label="CGMR", sanction="gmr",
    ),
    Concept(
        "smr", "SMR",
        "like GMR, and the mover cannot escape that sanction by moving again "
        "(symmetric metarationality).",
        "as GMR, minimising the mover's best one-move reply instead of its payoff",
        coalition_label="CSMR", sanction="smr",
    ),
    Concept(
        "seq", "SEQ",
        "like GMR, but the sanction must be made of moves the others themselves gain by "
        "(sequential stability): a credible threat.",
        "as GMR, the others moving by unilateral improvements only",
        coalition_label="CSEQ", sanction="seq",
    ),
    Concept(
        "sim", "SIM",
        "every gain is undone if the others respond at the same time with moves they gain "
        "by (simultaneous stability).",
        "every UI meets a simultaneous response of the others' UIs from the state "
        "(bounded enumeration)",
        simultaneous=True,
    ),
    Concept(
        "seq_sim", "SEQ&SIM",
        "stable under both SEQ and SIM.",
        "SEQ and SIM both hold",
        sanction="seq", simultaneous=True,
    ),
)
_BY_KEY = {c.key: c for c in STANDARD}

#: Keys of the standard concepts, in display order.
CONCEPTS: tuple[str, ...] = tuple(c.key for c in STANDARD)
#: Display label per standard key.
CONCEPT_NAMES: dict[str, str] = {c.key: c.label for c in STANDARD}
#: One line of help per standard key (the report's glossary).
CONCEPT_HELP: dict[str, str] = {c.key: c.help for c in STANDARD}
#: Concepts with a coalition version (Inohara & Hipel 2008), and their labels.
COALITION_CONCEPTS: tuple[str, ...] = tuple(c.key for c in STANDARD if c.coalition_label)
COALITION_NAMES: dict[str, str] = {
    c.key: c.coalition_label for c in STANDARD if c.coalition_label is not None
}


def limited(horizon: int) -> Concept:
    """Limited-move stability with look-ahead ``horizon`` (Kilgour 1985), key ``L<h>``."""
    return Concept(
        f"L{horizon}", f"L{horizon}",
        f"a decision maker moves only if, looking {horizon} moves ahead with the other "
        "answering in turn, it ends up better off (limited-move stability).",
        "backward induction over the horizon, two decision makers",
        horizon=horizon,
    )


def get_concept(key: str) -> Concept:
    """The concept of a key: a standard key (case-insensitive, ``seq&sim`` and ``seq-sim``
    accepted) or ``L<h>``."""
    m = LIMITED_RE.fullmatch(key.strip())
    if m:
        return limited(int(m.group(1)))
    found = _BY_KEY.get(normal_key(key))
    if found is None:
        raise AnalysisError(
            f"unknown solution concept {key!r}; expected one of: " + ", ".join(CONCEPTS)
        )
    return found


def normal_key(raw: str) -> str:
    """``'SEQ&SIM'`` → ``'seq_sim'``: lower case, ``&`` and ``-`` as ``_``."""
    return raw.strip().lower().replace("&", "_").replace("-", "_")


def concept_label(key: str) -> str:
    """Display name: ``'seq_sim'`` → ``'SEQ&SIM'``, ``'L3'`` → ``'L3'``; unknown keys as is."""
    try:
        return get_concept(key).label
    except AnalysisError:
        return key


def parse_concepts(
    names: Iterable[str] | None, horizon: int | None = None, *, allow_limited: bool = False
) -> tuple[str, ...]:
    """Validated concept keys, duplicates dropped; default all six standard ones.

    ``horizon`` appends ``L<horizon>``. With ``allow_limited`` a name may be ``L<h>``; at most
    one limited-move concept in all, and it goes last.
    """
    out: list[str] = []
    limited_keys: list[str] = []
    for raw in CONCEPTS if names is None else names:
        if allow_limited and LIMITED_RE.fullmatch(raw.strip()):
            limited_keys.append(raw.strip())
            continue
        key = normal_key(raw)
        if key not in _BY_KEY:
            raise AnalysisError(
                f"unknown solution concept {raw!r}; expected one of: " + ", ".join(CONCEPTS)
            )
        if key not in out:
            out.append(key)
    if horizon is not None and limited(horizon).key not in limited_keys:
        limited_keys.append(limited(horizon).key)
    if len(limited_keys) > 1:
        raise AnalysisError(
            f"give at most one limited-move horizon, not {', '.join(limited_keys)}"
        )
    out.extend(limited_keys)
    return tuple(out)


def parse_coalition_concepts(names: Iterable[str] | None) -> tuple[str, ...]:
    """Validated keys of concepts with a coalition version (default all of them); a leading
    ``c`` is accepted (``CGMR`` = ``gmr``)."""
    if names is None:
        return COALITION_CONCEPTS
    out: list[str] = []
    for raw in names:
        key = normal_key(raw)
        if key not in COALITION_NAMES and key.startswith("c") and key[1:] in COALITION_NAMES:
            key = key[1:]
        if key not in COALITION_NAMES:
            raise AnalysisError(
                f"unknown coalition concept {raw!r}; expected one of: "
                + ", ".join(COALITION_CONCEPTS)
            )
        if key not in out:
            out.append(key)
    return tuple(out)


__all__ = [
    "COALITION_CONCEPTS",
    "COALITION_NAMES",
    "CONCEPTS",
    "CONCEPT_HELP",
    "CONCEPT_NAMES",
    "LIMITED_RE",
    "STANDARD",
    "Concept",
    "SanctionKind",
    "concept_label",
    "get_concept",
    "limited",
    "normal_key",
    "parse_coalition_concepts",
    "parse_concepts",
]
