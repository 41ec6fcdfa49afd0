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
* ``horizon``: limited-move look-ahead (any number of DMs, :mod:`detente.engine.limited`);
* ``unknown``: unknown preferences (:data:`UNKNOWN`, ``nash_a`` … ``seq_d``; an
  :class:`UnknownRule` says whether the mover also moves to, and a sanction may end in,
  states it cannot compare with the start; :mod:`detente.engine.unknown`);
* none of these: Nash (a UI is never deterred).

Each sanction kind's rule is data too (:data:`SANCTIONS`: whether the others move by their own
improvements, whether the mover must be left no escape, how explanations word its absence),
and so are each concept's share of the local checks' cost (:attr:`Concept.cost`) and how
mediation words the exception its sanctions make (:attr:`Concept.unless`). Callers read these
fields (:attr:`Concept.deterrable`, :attr:`Concept.rule`, :attr:`Concept.parts`,
:data:`BASELINE_KEY`, :func:`one_condition_parts`), never a concept's key.

**Backends.** A concept is computed in four settings, each a registered implementation with one
signature per kind (:data:`BACKEND_KINDS`):

* ``"states"``: every state at once (vectorised), ``run(conflict, key) -> (DMs, N) bool``;
* ``"profiles"``: many preference profiles at once, ``run(conflict, ranks (P, DMs, N), key)
  -> (P, DMs, N) bool``;
* ``"local"``: at some target states from local information (mediation),
  ``run(conflict, targets, key) -> (len(targets), DMs) bool``;
* ``"witness"``: the sanction that deters one UI s -> s1 of DM i (explanations),
  ``run(conflict, key, i, s, s1) -> witness or None`` (``None``: the UI stands).

Implementations register with :func:`register_backend`; :func:`backends` lists them (the
modules of :data:`PROVIDERS` are imported on first use, so importing the registry stays
cheap) and :meth:`Concept.backends` gives one concept's. The test battery
(``tests/engine/test_backends.py``) runs every registered pair, so a new backend is checked as
soon as it registers.

>>> both = get_concept("seq&sim")
>>> both.key, both.label, both.sanction, both.simultaneous
('seq_sim', 'SEQ&SIM', 'seq', True)
>>> get_concept("L3").label, get_concept("L3").horizon
('L3', 3)
>>> parse_concepts(["GMR", "nash"], horizon=2)
('gmr', 'nash', 'L2')
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypeVar

from detente.model.errors import AnalysisError

SanctionKind = Literal["gmr", "seq", "smr"]
LIMITED_RE = re.compile(r"L(\d+)")
#: A probabilistic concept's key (Rêgo & dos Santos 2015): ``nash@0.8``, ``gmr@0.8/0.3``,
#: ``seq@0.8/0.3/0.5`` (see :func:`probabilistic`).
PROBABILISTIC_RE = re.compile(r"\s*([A-Za-z&_-]+)@([^@]*?)\s*")
BackendKind = Literal["states", "profiles", "local", "witness"]
#: The settings a concept is computed in (see the module docstring for the signatures).
BACKEND_KINDS: tuple[BackendKind, ...] = ("states", "profiles", "local", "witness")
#: Modules that register backends when imported (:func:`backends` imports them on first use).
PROVIDERS: tuple[str, ...] = ("detente.engine.backends", "detente.engine.strength_backend")


@dataclass(frozen=True)
class SanctionRule:
    """How one kind of sequential sanction is made.

    ``improving``: the others move by their own unilateral improvements only (SEQ), else by
    any legal moves; ``no_escape``: the sanction must also leave the mover no move to a state
    it prefers to the start (SMR); ``prefilter``: a weaker kind whose stability holds wherever
    this one does, checked first by searches (SEQ ⊆ GMR); ``others_reach``: how explanations
    word what the others cannot do when no sanction exists (``{who}``, ``{from_}``,
    ``{name}`` filled in, and in the concept family's own terms ``{end}``: where a sanction
    ends, "A likes no better than state 1"; ``{escape}``: what the mover must not reach, "it
    likes better than state 1"; ``{improve}``: the others' moves, "moves that each improve
    the mover's own position").
    """

    improving: bool
    no_escape: bool
    others_reach: str
    prefilter: SanctionKind | None = None


#: The rule of each sanction kind.
SANCTIONS: dict[SanctionKind, SanctionRule] = {
    "gmr": SanctionRule(
        improving=False, no_escape=False,
        others_reach="{who} reach {from_} any state {end}",
    ),
    "smr": SanctionRule(
        improving=False, no_escape=True,
        others_reach="{who} reach {from_} any state {end} from which {name} cannot move to "
        "something {escape}",
    ),
    "seq": SanctionRule(
        improving=True, no_escape=False,
        others_reach="{who}, by {improve}, reach {from_} any state {end}",
        prefilter="gmr",
    ),
}


@dataclass(frozen=True)
class Backend:
    """One registered implementation of a concept in one setting (``kind``)."""

    concept: str
    kind: BackendKind
    name: str  # which implementation: "engine", "compiled", "stacked", "local", "search"
    run: Callable[..., Any]


_REGISTERED: dict[tuple[str, BackendKind, str], Backend] = {}
_LOADED: list[bool] = [False]
_F = TypeVar("_F", bound=Callable[..., Any])


def register_backend(
    concepts: str | Iterable[str], kind: BackendKind, name: str
) -> Callable[[_F], _F]:
    """Decorator: register ``run`` as the ``name`` implementation of ``concepts`` (keys) in
    setting ``kind``; registering the same (concept, kind, name) again replaces it."""
    if kind not in BACKEND_KINDS:
        raise ValueError(f"unknown backend kind {kind!r}; expected one of {BACKEND_KINDS}")
    keys = [concepts] if isinstance(concepts, str) else list(concepts)

    def add(run: _F) -> _F:
        for key in keys:
            concept = get_concept(key)
            _REGISTERED[(concept.key, kind, name)] = Backend(concept.key, kind, name, run)
        return run

    return add


def backends(concept: str | None = None, kind: BackendKind | None = None) -> list[Backend]:
    """The registered backends (of one concept and/or one kind), in registration order."""
    if not _LOADED[0]:
        _LOADED[0] = True
        for module in PROVIDERS:
            importlib.import_module(module)
    key = None if concept is None else get_concept(concept).key
    return [b for (c, k, _), b in _REGISTERED.items()
            if (key is None or c == key) and (kind is None or k == kind)]


@dataclass(frozen=True)
class UnknownRule:
    """How an extended concept of Li, Hipel, Kilgour & Fang (2004) treats unknown preference
    (``q U_i s``: DM i has not said how it compares q with s): variant ``a``, ``b``, ``c`` or
    ``d``. ``moves``: the focal DM also moves to states it cannot compare with the start
    (a, c), not only to those it prefers; ``ends``: a sanction may also end in a state it
    cannot compare with the start (c, d), not only in one it likes no better. The others'
    moves in SEQ are their improvements or uncertain moves in every variant. The letters
    follow the NUAA GMCR system (docs/concepts-extended.md, "Unknown preferences")."""

    variant: str
    moves: bool
    ends: bool
    base: str  # the classic concept extended (``gmr`` for ``gmr_a``)


class Family(Enum):
    """A family of solution concepts (:attr:`Concept.family`). An analysis names the families
    it takes (:func:`parse_concepts`); each family says what it is, where it comes from,
    which commands take it and, in a refusal, how it is listed among what a caller takes."""

    CLASSIC = "classic"  # the six standard concepts
    LIMITED = "limited"  # L<h>
    PROBABILISTIC = "probabilistic"  # gmr@0.8/0.3, ...
    UNKNOWN = "unknown"  # unknown preferences: nash_a, ..., seq_d
    STRENGTH = "strength"  # strength of preference: strong_gmr, ..., weak_seq

    @property
    def what(self) -> str:
        """What a concept of the family is, for a refusal: "a probabilistic concept"."""
        return _FAMILY_TEXT[self][0]

    @property
    def source(self) -> str:
        """Where the family comes from (", Li et al. 2004"), or ""."""
        return _FAMILY_TEXT[self][1]

    @property
    def takers(self) -> str:
        """The commands and sections that take the family, in words."""
        return _FAMILY_TEXT[self][2]

    @property
    def why(self) -> str:
        """Why a caller that does not take the family cannot ("" if nothing to add)."""
        return _FAMILY_TEXT[self][3]

    @property
    def taken(self) -> str:
        """The family in a list of what a caller takes: "L<h>"."""
        return _FAMILY_TEXT[self][4]


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
    #: Relative cost of this concept's part of the local checks per reached state (sanctions)
    #: or per simultaneous response (SIM): see ``engine.local_checks.local_work``.
    cost: int = 0
    #: How mediation words the exception to "DM i must not prefer its move to the target"
    #: (what the others can then do); "" when nothing deters a move (Nash). A conjunction
    #: (SEQ&SIM) is worded by its :attr:`parts`.
    unless: str = ""
    #: Probabilistic stability (:func:`probabilistic`): (α,), (α, β) or (α, β, γ); None else.
    levels: tuple[float, ...] | None = None
    #: Unknown preferences (Li, Hipel, Kilgour & Fang 2004; :data:`UNKNOWN`): how the
    #: concept treats the pairs a DM left unordered; None for the other concepts.
    unknown: UnknownRule | None = None
    #: Strength of preference (Hamouda, Kilgour & Hipel 2004): ``"strong"`` when every UI
    #: must meet a sanction the DM strongly disprefers to the start, ``"weak"`` for stable
    #: under :attr:`refines` but not strongly; ``None`` for the other concepts.
    strength: Literal["strong", "weak"] | None = None
    #: The classic concept a strength concept refines (``"gmr"`` for ``strong_gmr``).
    refines: str | None = None

    @property
    def is_probabilistic(self) -> bool:
        return self.levels is not None

    @property
    def is_limited(self) -> bool:
        return self.horizon is not None

    @property
    def family(self) -> Family:
        """The family this concept belongs to (what :func:`parse_concepts` lets a caller
        take or refuse)."""
        if self.levels is not None:
            return Family.PROBABILISTIC
        if self.horizon is not None:
            return Family.LIMITED
        if self.unknown is not None:
            return Family.UNKNOWN
        return Family.CLASSIC if self.strength is None else Family.STRENGTH

    @property
    def deterrable(self) -> bool:
        """Whether a UI can be deterred at all (every concept but Nash)."""
        return self.sanction is not None or self.simultaneous

    @property
    def own_ranks_only(self) -> bool:
        """Whether stability for DM i depends on DM i's ranks only: Nash, and sanctions made
        of *any* moves of the others (GMR, SMR); SEQ and SIM use the others' improvements."""
        return not self.simultaneous and (
            self.sanction is None or not SANCTIONS[self.sanction].improving
        )

    @property
    def rule(self) -> SanctionRule | None:
        """The rule of this concept's sequential sanction, if it has one."""
        return None if self.sanction is None else SANCTIONS[self.sanction]

    @property
    def parts(self) -> tuple[str, ...]:
        """The one-condition concepts this one is the conjunction of (SEQ&SIM: SEQ and SIM;
        any other: itself)."""
        if self.sanction is not None and self.simultaneous:
            return (self.sanction, SIM_KEY)
        return (self.key,)

    def backends(self, kind: BackendKind | None = None) -> list[Backend]:
        """This concept's registered backends (of one kind)."""
        return backends(self.key, kind)

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
        coalition_label="CGMR", sanction="gmr", cost=12,
        unless="the others can then bring about a state it likes no better than the target",
    ),
    Concept(
        "smr", "SMR",
        "like GMR, and the mover cannot escape that sanction by moving again "
        "(symmetric metarationality).",
        "as GMR, minimising the mover's best one-move reply instead of its payoff",
        coalition_label="CSMR", sanction="smr", cost=5,
        unless="the others can then bring about a state it likes no better than the target and "
        "from which it cannot escape to one it prefers to the target",
    ),
    Concept(
        "seq", "SEQ",
        "like GMR, but the sanction must be made of moves the others themselves gain by "
        "(sequential stability): a credible threat.",
        "as GMR, the others moving by unilateral improvements only",
        coalition_label="CSEQ", sanction="seq", cost=2,
        unless="the others, each by a move it gains from, can then bring about a state it "
        "likes no better than the target",
    ),
    Concept(
        "sim", "SIM",
        "every gain is undone if the others respond at the same time with moves they gain "
        "by (simultaneous stability).",
        "every UI meets a simultaneous response of the others' UIs from the state "
        "(bounded enumeration)",
        simultaneous=True, cost=25,
        unless="the others' simultaneous improvements from the target, with its move, give a "
        "state it likes no better than the target",
    ),
    Concept(
        "seq_sim", "SEQ&SIM",
        "stable under both SEQ and SIM.",
        "SEQ and SIM both hold",
        sanction="seq", simultaneous=True,
    ),
)
_BY_KEY = {c.key: c for c in STANDARD}


def _unknown(base: Concept, variant: str, moves: bool, ends: bool) -> Concept:
    """``base`` extended to unknown preferences, variant ``variant`` (Li et al. 2004)."""
    how = ("to states it prefers and to those it cannot compare with the start" if moves
           else "only to states it prefers")
    end = ("; a sanction may end in a state it likes no better or cannot compare with the "
           "start" if ends else "; a sanction must end in a state it likes no better than the "
           "start") if base.sanction is not None else ""
    return Concept(
        f"{base.key}_{variant}", f"{base.label}_{variant}",
        f"{base.label} with unknown preferences, variant {variant} (Li, Hipel, Kilgour & Fang "
        f"2004): a decision maker considers moving {how}{end}.",
        "dense preference relation with its unknown pairs, then the definition over every "
        "state (matrix products; small models)",
        sanction=base.sanction, unknown=UnknownRule(variant, moves, ends, base.key),
    )


#: The sixteen extended concepts of unknown preferences (Li, Hipel, Kilgour & Fang 2004):
#: Nash, GMR, SMR and SEQ, each in variants a (moves to preferred and to unknown states,
#: sanctions to states liked no better: the strictest), b (moves to preferred states only),
#: c (moves as a, sanctions also to unknown states) and d (moves as b, sanctions as c: the
#: loosest), as the NUAA GMCR system labels them; computed by :mod:`detente.engine.unknown`
#: (analyze and the stability tables only).
UNKNOWN: tuple[Concept, ...] = tuple(
    _unknown(base, v, moves, ends)
    for base in STANDARD if not base.simultaneous
    for v, moves, ends in (("a", True, False), ("b", False, False), ("c", True, True),
                           ("d", False, True))
)
_UNKNOWN_BY_KEY = {c.key: c for c in UNKNOWN}
#: Keys of the unknown-preference concepts, in display order.
UNKNOWN_KEYS: tuple[str, ...] = tuple(_UNKNOWN_BY_KEY)
#: The key of the concept that is the simultaneous condition alone (SIM).
SIM_KEY: str = next(c.key for c in STANDARD if c.simultaneous and c.sanction is None)
#: The key of the concept under which nothing deters a unilateral improvement (Nash): its
#: equilibria are the states where moving by unilateral improvements stops (the status quo's
#: final states, the states the transition graph marks).
BASELINE_KEY: str = next(c.key for c in STANDARD if not c.deterrable and not c.is_limited)

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


def _strength(base: Concept, level: Literal["strong", "weak"]) -> Concept:
    """The strong or weak version of a classic sanction concept (Hamouda et al. 2004)."""
    rule = base.rule
    assert rule is not None
    by = " by moves they themselves gain by" if rule.improving else ""
    escape = (", from which every move of its own also ends in a state it strongly dislikes"
              if rule.no_escape else "")
    what = (f"every move a decision maker could gain by can be answered by the others{by} "
            f"with a state it strongly dislikes compared with where it started{escape}"
            if level == "strong" else f"stable under {base.label}, but not strongly: some move "
            "a decision maker could gain by is answered only with states it mildly dislikes")
    return Concept(
        f"{level}_{base.key}", f"{level} {base.label}",
        f"{what} ({level} {base.label}, strength of preference).",
        f"as {base.label}, the sanction judged on the strength tiers" if level == "strong"
        else f"{base.label} and not strong {base.label}",
        sanction=base.sanction, strength=level, refines=base.key,
    )


#: Strong and weak stability (strength of preference, Hamouda, Kilgour & Hipel 2004) of the
#: classic sanction concepts; computed by :mod:`detente.engine.strength`.
STRENGTH: tuple[Concept, ...] = tuple(
    _strength(base, level) for level in ("strong", "weak") for base in STANDARD
    if base.sanction is not None and not base.simultaneous
)
_STRENGTH_BY_KEY = {c.key: c for c in STRENGTH}
#: Keys of the strength concepts (strong_gmr, ..., weak_seq).
STRENGTH_CONCEPTS: tuple[str, ...] = tuple(_STRENGTH_BY_KEY)

#: Per family: what it is, its source, which commands take it, why others do not, and how it
#: is listed among what a caller takes (:class:`Family`'s properties read it).
_FAMILY_TEXT: dict[Family, tuple[str, str, str, str, str]] = {
    Family.CLASSIC: ("a classic concept", "", "every analysis", "",
                     "the standard concepts (" + ", ".join(CONCEPTS) + ")"),
    Family.LIMITED: ("a limited-move concept", ", Kilgour 1985",
                     "analyze, the status quo's evolution, the report's stability tables and "
                     "the workbench's concept picker",
                     "", "L<h>"),
    Family.PROBABILISTIC: ("a probabilistic concept", "",
                           "analyze, explain, robustness, the report's stability tables and "
                           "the workbench's concept picker",
                           "judges one preference profile at a time and ",
                           "probabilistic keys (gmr@0.8/0.3 and the like)"),
    Family.UNKNOWN: ("a concept of unknown preferences", ", Li et al. 2004",
                     "analyze, explain, the status quo's evolution and the stability tables "
                     "of the report and workbench", "",
                     f"the unknown-preference concepts ({UNKNOWN_KEYS[0]} … {UNKNOWN_KEYS[-1]})"),
    Family.STRENGTH: ("a concept of strength of preference", ", Hamouda et al. 2004",
                      "analyze, explain and the stability tables of the report and workbench",
                      "",
                      f"the strength concepts ({STRENGTH_CONCEPTS[0]} … "
                      f"{STRENGTH_CONCEPTS[-1]})"),
}
#: What a caller takes by default: the six classic concepts only.
CLASSIC: frozenset[Family] = frozenset({Family.CLASSIC})
#: Every family (analyze, the report's stability tables).
EVERY_FAMILY: frozenset[Family] = frozenset(Family)


def one_condition_parts(keys: Iterable[str]) -> tuple[str, ...]:
    """The one-condition concepts ``keys`` consist of (each key's :attr:`Concept.parts`), in
    display order (a limited-move ``L<h>`` last): ``("seq_sim", "nash")`` →
    ``("nash", "seq", "sim")``."""
    asked = list(dict.fromkeys(part for key in keys for part in get_concept(key).parts))
    return tuple(k for k in CONCEPTS if k in asked) + tuple(k for k in asked if k not in CONCEPTS)


def limited(horizon: int) -> Concept:
    """Limited-move stability with look-ahead ``horizon`` (Kilgour 1985), key ``L<h>``; with
    more than two DMs, detente's extension (docs/concepts-extended.md)."""
    return Concept(
        f"L{horizon}", f"L{horizon}",
        f"a decision maker moves only if, looking {horizon} moves ahead with the others "
        "answering in turn, each in its own interest, it ends up better off (limited-move "
        "stability; when several others would answer, it expects the answer worst for it).",
        "backward induction over the horizon: who moved last, each other decision maker's "
        "best answer, the worst of these for the mover",
        horizon=horizon,
    )


#: The standard concepts with a probabilistic version: one sequential condition or none.
PROBABILISTIC_BASES: tuple[str, ...] = tuple(
    c.key for c in STANDARD if not c.simultaneous and c.horizon is None)


def probabilistic(base: str, levels: Iterable[float]) -> Concept:
    """Probabilistic stability (Rêgo & dos Santos 2015) of a standard concept without SIM:
    α-Nash, (α,β)-GMR, (α,β)-SMR, (α,β,γ)-SEQ. α: a move is an α-UI when the mover prefers it
    with probability above α; β: a sanction counts when the mover prefers it to the start
    with probability at most β; γ: (SEQ) the others' moves are their γ-UIs. Missing levels
    repeat the last one given (``seq@0.5`` = (0.5,0.5,0.5)-SEQ); computed by
    :mod:`detente.engine.probabilistic`.

    >>> c = probabilistic("gmr", [0.8, 0.3])
    >>> c.key, c.label, c.sanction, c.levels
    ('gmr@0.8/0.3', '(0.8,0.3)-GMR', 'gmr', (0.8, 0.3))
    """
    std = _BY_KEY.get(normal_key(base))
    if std is None or std.key not in PROBABILISTIC_BASES:
        raise AnalysisError(
            f"no probabilistic version of {base!r}; expected one of: "
            + ", ".join(PROBABILISTIC_BASES))
    want = 1 if std.rule is None else 3 if std.rule.improving else 2
    given = [float(x) for x in levels]
    if not 1 <= len(given) <= want or not all(0.0 <= x <= 1.0 for x in given):
        names = ("α", "β", "γ")[:want]
        raise AnalysisError(
            f"{std.label}@ takes {'/'.join(names)}: 1 to {want} probabilities between 0 and 1 "
            f"separated by '/' (e.g. {std.key}@{'/'.join(['0.8', '0.3', '0.5'][:want])}); got "
            f"{'/'.join(map(_level, given)) or 'none'}")
    given += [given[-1]] * (want - len(given))
    text = ",".join(map(_level, given))
    return Concept(
        f"{std.key}@{'/'.join(map(_level, given))}",
        f"{text}-{std.label}" if want == 1 else f"({text})-{std.label}",
        f"{std.label} with probabilistic preferences: a move counts when the decision maker "
        f"prefers it with probability above {_level(given[0])}"
        + ("" if want == 1 else f"; a sanction when it prefers it to the start with "
           f"probability at most {_level(given[1])}")
        + ("" if want < 3 else f"; the others move only by moves they prefer with probability "
           f"above {_level(given[2])}") + " (Rêgo & dos Santos 2015).",
        "pairwise preference probabilities from the declared uncertainty, then the "
        "definitions over every state (dense pairs; small models)",
        sanction=std.sanction, levels=tuple(given),
    )


def _level(x: float) -> str:
    """A probability as written in keys and labels: ``0.8``, ``1``, ``0.25``."""
    return f"{x:g}"


def _probabilistic_key(raw: str) -> Concept | None:
    """The probabilistic concept a key names (``gmr@0.8/0.3``), None when it names none."""
    m = PROBABILISTIC_RE.fullmatch(raw)
    if m is None:
        return None
    try:
        levels = [float(x) for x in m.group(2).split("/")]
    except ValueError:
        raise AnalysisError(
            f"concept {raw.strip()!r}: the probabilities after '@' must be numbers separated "
            "by '/', as in gmr@0.8/0.3") from None
    return probabilistic(m.group(1), levels)


def get_concept(key: str) -> Concept:
    """The concept of a key: a standard key (case-insensitive, ``seq&sim`` and ``seq-sim``
    accepted), ``L<h>`` or a probabilistic key (``gmr@0.8/0.3``)."""
    m = LIMITED_RE.fullmatch(key.strip())
    if m:
        return limited(int(m.group(1)))
    prob = _probabilistic_key(key)
    if prob is not None:
        return prob
    found = _BY_KEY.get(normal_key(key)) or _UNKNOWN_BY_KEY.get(normal_key(key))
    found = found or _STRENGTH_BY_KEY.get(normal_key(key))
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
    names: Iterable[str] | None, horizon: int | None = None, *,
    families: frozenset[Family] = CLASSIC,
) -> tuple[str, ...]:
    """Validated concept keys, duplicates dropped; default all six standard ones.

    ``families``: the families the caller takes (:data:`CLASSIC`: the six only, the default;
    :data:`EVERY_FAMILY`); the classic six are always taken. A key of another family is
    refused with what it is, which commands take its family and what the caller takes; an
    ``L<h>`` where :attr:`Family.LIMITED` is not taken is an unknown concept, as it always was.
    ``horizon`` appends ``L<horizon>``; at most one limited-move concept in all, and it goes
    last. A probabilistic key is kept in its canonical form (``gmr@0.8/0.3``).
    """
    out: list[str] = []
    limited_keys: list[str] = []
    for raw in CONCEPTS if names is None else names:
        if Family.LIMITED in families and LIMITED_RE.fullmatch(raw.strip()):
            limited_keys.append(raw.strip())
            continue
        found = _probabilistic_key(raw)
        key = normal_key(raw)
        if found is None:
            found = _BY_KEY.get(key) or _UNKNOWN_BY_KEY.get(key) or _STRENGTH_BY_KEY.get(key)
        if found is None:
            more = [f.taken for f in Family if f in families and f is not Family.CLASSIC]
            raise AnalysisError(
                f"unknown solution concept {raw!r}; expected one of: " + ", ".join(CONCEPTS)
                + ("" if not more else "; or " + ", ".join(more))
            )
        if found.family not in families | CLASSIC:
            raise AnalysisError(_refusal(raw, found, families))
        if found.key not in out:
            out.append(found.key)
    if horizon is not None and limited(horizon).key not in limited_keys:
        limited_keys.append(limited(horizon).key)
    if len(limited_keys) > 1:
        raise AnalysisError(
            f"give at most one limited-move horizon, not {', '.join(limited_keys)}"
        )
    out.extend(limited_keys)
    return tuple(out)


def _refusal(raw: str, concept: Concept, families: frozenset[Family]) -> str:
    """Why a caller taking ``families`` refuses ``concept``: what it is and where it comes
    from, which commands take its family, and what the caller takes."""
    fam = concept.family
    taken = [f.taken for f in Family if f in families | CLASSIC]
    what = taken[0] if len(taken) == 1 else ", ".join(taken[:-1]) + " and " + taken[-1]
    return (f"{raw.strip()!r} is {fam.what} ({concept.label}{fam.source}): {fam.takers} take "
            f"it; this analysis {fam.why}takes {what}")


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
    "BACKEND_KINDS",
    "BASELINE_KEY",
    "CLASSIC",
    "COALITION_CONCEPTS",
    "COALITION_NAMES",
    "CONCEPTS",
    "CONCEPT_HELP",
    "CONCEPT_NAMES",
    "EVERY_FAMILY",
    "LIMITED_RE",
    "PROBABILISTIC_BASES",
    "PROBABILISTIC_RE",
    "PROVIDERS",
    "SANCTIONS",
    "SIM_KEY",
    "STANDARD",
    "STRENGTH",
    "STRENGTH_CONCEPTS",
    "UNKNOWN",
    "UNKNOWN_KEYS",
    "Backend",
    "BackendKind",
    "Concept",
    "Family",
    "SanctionKind",
    "SanctionRule",
    "UnknownRule",
    "backends",
    "concept_label",
    "get_concept",
    "limited",
    "normal_key",
    "one_condition_parts",
    "parse_coalition_concepts",
    "parse_concepts",
    "probabilistic",
    "register_backend",
]
