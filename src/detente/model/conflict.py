"""The conflict model in option form: immutable, validated once when built.

States are integer codes: bit k is set when option k (in model order) is taken.

>>> from detente.model.preferences import PayoffPreference
>>> pd = Conflict(
...     name="Prisoner's Dilemma",
...     options=(Option("a_defects", "A"), Option("b_defects", "B")),
...     dms=(
...         DecisionMaker("A", ("a_defects",), PayoffPreference(((0, 3), (1, 4), (2, 1), (3, 2)))),
...         DecisionMaker("B", ("b_defects",), PayoffPreference(((0, 3), (1, 1), (2, 4), (3, 2)))),
...     ),
... )
>>> pd.feasible.tolist(), pd.state_string(1)
([0, 1, 2, 3], 'YN')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import numpy as np

from detente.model.deal import Deal, validate_deal
from detente.model.drafts import Draft
from detente.model.errors import ModelError
from detente.model.feasibility import Constraint, MutuallyExclusive
from detente.model.labels import YES_NO, Labels, check_labels
from detente.model.levels import LevelledOption, check_levelled, ordering
from detente.model.limits import check_options, check_states
from detente.model.mediation import MediationSection, validate_commitments
from detente.model.perceptions import Perception, validate_blind_spots, validate_perceptions
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    StatementPreference,
    dense_ranks,
)
from detente.model.statements import KEYWORDS
from detente.model.states import Direction as Direction  # re-exported: its old home
from detente.model.states import StateInput, StateSpace, code_text
from detente.model.uncertainty import Reading
from detente.model.unknown import UnknownPreference, validate_unknown
from detente.model.weights import Weights

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Characters refused in names and texts: control characters other than tab and line breaks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CHUNK = 1 << 22


@dataclass(frozen=True)
class Option:
    """A binary option controlled by one decision maker."""

    name: str
    dm: str
    direction: Direction = "both"
    description: str = ""
    #: Short labels of its values, e.g. ``(("Y", "Israel accepts"), ("N", "Israel refuses"))``
    #: (model/labels.py): how a state reads in words.
    labels: Labels = ()


@dataclass(frozen=True)
class DecisionMaker:
    """A decision maker, the options it controls, and its preferences."""

    name: str
    options: tuple[str, ...]
    preference: Preference
    description: str = ""
    #: Uncertain preferences (robustness analysis): the main reading first, then the declared
    #: alternatives; empty when the preferences are certain. Every other analysis uses
    #: ``preference``.
    readings: tuple[Reading, ...] = ()
    #: GMCR+ misperceptions: Y/N/- patterns of states this DM misperceives; it can neither
    #: move to nor from them (:func:`~detente.model.perceptions.blind_mask`).
    blind_spots: tuple[str, ...] = ()
    #: Declared points per option (model/weights.py): a cardinal utility for Nash bargaining
    #: and Kalai–Smorodinsky packages; no other analysis uses them.
    weights: Weights | None = None
    #: Unknown preferences (model/unknown.py): the pairs of states it cannot compare; only
    #: the unknown-preference concepts read them (``gmr_a``, ...), the rest use ``preference``.
    unknown: UnknownPreference | None = None


@dataclass(frozen=True)
class Conflict:
    """A conflict in option form. Build it directly or with ``detente.load``."""

    name: str
    options: tuple[Option, ...]
    dms: tuple[DecisionMaker, ...]
    constraints: tuple[Constraint, ...] = ()
    status_quo: int | None = None
    status_quo_rationale: str = ""
    coalitions: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    sources: tuple[str, ...] = ()
    source_file: str | None = field(default=None, compare=False)
    deal: Deal | None = None  # a phased deal over the states (model/deal.py)
    mediation: MediationSection = field(default_factory=MediationSection)
    #: First-level hypergame: what DMs believe about the others (model/perceptions.py).
    perceptions: tuple[Perception, ...] = ()
    #: Options with ordered levels (model/levels.py); each is held by internal binary options
    #: in ``options`` (``LevelledOption.bit_names``, see :func:`level_options`).
    levels: tuple[LevelledOption, ...] = ()
    #: The mediator's successive drafts of a single negotiating text (model/drafts.py).
    drafts: tuple[Draft, ...] = ()

    def __post_init__(self) -> None:
        _validate(self)
        # Evaluate eagerly so that every error (empty set, size, preferences) surfaces here.
        _ = self.ranks
        if self.status_quo is not None and not self.is_feasible(self.status_quo):
            raise ModelError(f"status quo {self.state_string(self.status_quo)} is not feasible")
        if self.deal is not None:
            validate_deal(self, self.deal)
        validate_blind_spots(self)
        validate_perceptions(self)
        _validate_weights_and_drafts(self)
        validate_unknown(self)

    # ----- re-ranking ------------------------------------------------------------------
    def with_preferences(self, preferences: Mapping[str, Preference]) -> Conflict:
        """A copy with other preferences for the named DMs (the rest keep theirs).

        Options, constraints and the feasible states do not change, so the copy reuses them:
        only the new preferences are validated and ranked (no re-validation of the model, no
        re-enumeration of the feasible states). Pair with ``Engine.with_preferences`` to reuse
        the engine's layouts as well.

        >>> import detente
        >>> from detente.model.preferences import RankingPreference
        >>> pd = detente.load("examples/prisoners_dilemma.yaml")
        >>> flipped = pd.with_preferences({"A": RankingPreference(((0,), (1,), (2,), (3,)))})
        >>> flipped.ranks[0].tolist(), flipped.feasible is pd.feasible
        ([3, 2, 1, 0], True)
        """
        unknown = sorted(set(preferences) - set(self.dm_names))
        if unknown:
            raise ModelError(
                f"unknown decision maker {unknown[0]!r}; expected one of: "
                f"{', '.join(self.dm_names)}"
            )
        dms = tuple(  # new preferences drop the old ones' unknown pairs
            replace(dm, preference=preferences[dm.name], unknown=None)
            if dm.name in preferences else dm
            for dm in self.dms
        )
        new = object.__new__(Conflict)
        for f in fields(self):
            object.__setattr__(new, f.name, getattr(self, f.name))
        object.__setattr__(new, "dms", dms)
        for name in _STATE_CACHE:  # shared: they do not depend on preferences
            new.__dict__[name] = getattr(self, name)
        _validate_preferences(new, [dm for dm in dms if dm.name in preferences])
        _check_preferences_cover(new, new.feasible, set(preferences))
        _ = new.ranks
        return new

    def with_directions(self, directions: Mapping[str, Direction], *, keep_deal: bool = True
                        ) -> Conflict:
        """A copy in which the named options move only in the given directions (option name →
        ``both``/``fwd``/``back``; e.g. commitment devices), the rest as they are.

        Only the move graph changes: the feasible states, ranks and preferences are shared,
        the state space is derived (:meth:`StateSpace.with_directions`), nothing is
        re-validated or re-enumerated. The deal, when kept, must stay legal (else
        :class:`~detente.model.deal.DealError`); ``keep_deal=False`` drops it.

        >>> import detente
        >>> pd = detente.load("examples/prisoners_dilemma.yaml")
        >>> name = pd.option_names[0]
        >>> one_way = pd.with_directions({name: "fwd"})
        >>> one_way.fwd_mask, one_way.feasible is pd.feasible, pd.fwd_mask
        (1, True, 0)
        """
        space = self.space.with_directions(directions)
        options = tuple(replace(o, direction=d) if o.direction != d else o
                        for o, d in zip(self.options, space.directions, strict=True))
        new = object.__new__(Conflict)
        for f in fields(self):
            object.__setattr__(new, f.name, getattr(self, f.name))
        object.__setattr__(new, "options", options)
        if not keep_deal:
            object.__setattr__(new, "deal", None)
        for name in (*_STATE_CACHE, "ranks"):  # shared: directions change moves only
            new.__dict__[name] = getattr(self, name)
        new.__dict__["space"] = space
        if new.deal is not None:
            validate_deal(new, new.deal)
        return new

    def same_states(self, other: Conflict) -> bool:
        """Whether ``other`` has the same options, owners, directions and feasible states
        (so that move layouts built for one serve the other)."""
        if other is self:
            return True
        return (
            self.options == other.options
            and self.dm_names == other.dm_names
            and self.feasible.shape == other.feasible.shape
            and bool((self.feasible == other.feasible).all())
            and [d.blind_spots for d in self.dms] == [d.blind_spots for d in other.dms]
        )

    # ----- names and bits -------------------------------------------------------------
    @cached_property
    def option_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    @cached_property
    def dm_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dms)

    @cached_property
    def bits(self) -> dict[str, int]:
        """Bit index of each option."""
        return {o.name: k for k, o in enumerate(self.options)}

    @property
    def n_options(self) -> int:
        return len(self.options)

    @cached_property
    def dm_masks(self) -> np.ndarray:
        """Bit mask of the options each DM controls (int64, one per DM)."""
        return np.array(
            [sum(1 << self.bits[o] for o in dm.options) for dm in self.dms], dtype=np.int64
        )

    @property
    def fwd_mask(self) -> int:
        """Options that may only be taken (N→Y), never undone (``space.fwd_mask``)."""
        return self.space.fwd_mask

    @property
    def back_mask(self) -> int:
        """Options that may only be dropped (Y→N), never taken (``space.back_mask``)."""
        return self.space.back_mask

    def dm_index(self, name: str) -> int:
        try:
            return self.dm_names.index(name)
        except ValueError:
            raise ModelError(
                f"unknown decision maker {name!r}; expected one of: {', '.join(self.dm_names)}"
            ) from None

    # ----- states ---------------------------------------------------------------------
    @cached_property
    def feasible(self) -> np.ndarray:
        """Sorted codes of the feasible states (int64)."""
        return _enumerate_feasible(self)

    @cached_property
    def space(self) -> StateSpace:
        """The state space: Y/N text, state references, conversions, irreversibility."""
        return StateSpace(self.option_names, tuple(o.direction for o in self.options),
                          self.feasible, self.levels, labels=self.value_labels)

    @cached_property
    def value_labels(self) -> dict[str, dict[str, str]]:
        """Option (as people see it) → value → label, for the labelled options."""
        out = {o.name: dict(o.labels) for o in self.options if o.labels}
        out.update((lv.name, dict(lv.labels)) for lv in self.levels if lv.labels)
        return out

    @property
    def n_states(self) -> int:
        return int(self.feasible.size)

    @cached_property
    def ranks(self) -> np.ndarray:
        """Payoff ranks, shape (DMs, feasible states); higher = more preferred, ties equal."""
        out = np.empty((len(self.dms), self.n_states), dtype=np.int32)
        for i, dm in enumerate(self.dms):
            out[i] = dense_ranks(dm.preference.scores(self.feasible, self.bits))
        return out

    def index_of(self, codes: int | np.ndarray) -> np.ndarray:
        """Positions (0-based indices into ``feasible``) of feasible codes; raises on
        infeasible ones. :meth:`position` for one code."""
        return self.space.positions(codes)

    def position(self, code: int) -> int:
        """The position (0-based index into ``feasible``) of one feasible code."""
        return self.space.position(code)

    def is_feasible(self, code: int) -> bool:
        return self.space.is_feasible(code)

    def state_string(self, code: int) -> str:
        """Y/N per option in model order, e.g. ``'YNN'`` (``space.text``)."""
        return self.space.text(code)

    def state_number(self, code: int) -> int:
        """1-based number of a feasible state (feasible states in increasing code order)."""
        return self.space.number(code)

    def parse_state(self, text: StateInput) -> int:
        """A feasible state code from a Y/N string, a state number, or an option→Y/N mapping
        (``space.parse``)."""
        return self.space.parse(text)

    def matching(self, pattern: str) -> np.ndarray:
        """Feasible codes matching a Y/N/- pattern in option order (``space.matching``)."""
        return self.space.matching(pattern)


def check_text(value: object, what: str, *, name: bool = False) -> str:
    """``value`` if it is text every output can hold: a str that encodes as UTF-8 (no lone
    surrogates) and holds no control characters (names: not even line breaks or tabs).

    >>> check_text("Hamas", "decision maker name", name=True)
    'Hamas'
    """
    if not isinstance(value, str):
        raise ModelError(f"{what}: expected text, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ModelError(
            f"{what} {value!r} holds a character that is not valid Unicode text "
            f"(U+{ord(value[exc.start]):04X}, a lone surrogate); expected UTF-8 text"
        ) from None
    bad = _CONTROL.search(value) if not name else re.search(r"[\x00-\x1f\x7f-\x9f]", value)
    if bad:
        raise ModelError(f"{what} {value!r} holds the control character {bad.group()!r}; "
                         "expected printable text")
    if name and value != value.strip():
        raise ModelError(f"{what} {value!r} starts or ends with spaces; expected the name "
                         f"without them ({value.strip()!r}), as commands and coalitions "
                         "refer to it")
    return value


def _validate_texts(c: Conflict) -> None:
    check_text(c.name, "the model name")
    check_text(c.description, "the model description")
    check_text(c.status_quo_rationale, "the status quo rationale")
    for src in c.sources:
        check_text(src, "a source")
    for o in c.options:
        check_text(o.description, f"option {o.name!r}: description")
    for dm in c.dms:
        check_text(dm.name, "decision maker name", name=True)
        check_text(dm.description, f"decision maker {dm.name!r}: description")
        if isinstance(dm.preference, StatementPreference):
            for st in dm.preference.statements:
                check_text(st.text, f"decision maker {dm.name!r}: statement")
                check_text(st.rationale, f"decision maker {dm.name!r}: rationale")


def _validate_types(c: Conflict) -> None:
    """Argument checks for models built in Python (files are checked by their readers)."""
    for what, value, kind in (("options", c.options, Option), ("dms", c.dms, DecisionMaker)):
        if not isinstance(value, tuple) or not all(isinstance(x, kind) for x in value):
            raise ModelError(f"Conflict.{what} must be a tuple of {kind.__name__}")
    for o in c.options:
        if not isinstance(o.name, str) or not isinstance(o.dm, str):
            raise ModelError(f"option {o.name!r}: name and dm must be text")
    for dm in c.dms:
        if not isinstance(dm.options, tuple) or not all(isinstance(x, str) for x in dm.options):
            raise ModelError(f"decision maker {dm.name!r}: options must be a tuple of names")
        if not isinstance(dm.preference, Preference):
            raise ModelError(f"decision maker {dm.name!r}: preference must be a Preference")
    if c.status_quo is not None and (
        not isinstance(c.status_quo, int | np.integer) or isinstance(c.status_quo, bool)
    ):
        raise ModelError(f"status quo must be a state code (int), got {c.status_quo!r}")
    if not all(isinstance(co, tuple) and all(isinstance(n, str) for n in co)
               for co in c.coalitions):
        raise ModelError("coalitions must be tuples of decision maker names")


def _validate(c: Conflict) -> None:
    _validate_types(c)
    _validate_texts(c)
    internal = _validate_levels(c)
    if not c.options:
        raise ModelError("the model has no options; expected at least one")
    if not c.dms:
        raise ModelError("the model has no decision makers; expected at least one")
    seen: dict[str, str] = {}
    for o in c.options:
        if o.name in internal:
            pass  # a levelled option's bit, named 'x>=level' (checked in _validate_levels)
        elif not NAME_RE.fullmatch(o.name) or o.name in KEYWORDS:
            raise ModelError(
                f"option name {o.name!r} is not a valid identifier (letters, digits, _; not a "
                f"keyword such as {', '.join(sorted(KEYWORDS))})"
            )
        if o.name in seen:
            raise ModelError(f"duplicate option name {o.name!r}")
        if o.direction not in ("both", "fwd", "back"):
            raise ModelError(f"option {o.name!r}: direction must be both, fwd or back")
        if o.labels:
            check_labels(o.name, o.labels, YES_NO)
        seen[o.name] = o.dm
    check_options(len(c.options), c.source_file)
    dm_seen: set[str] = set()
    owner: dict[str, str] = {}
    trimmed: dict[str, str] = {}
    for dm in c.dms:
        if not dm.name.strip():
            raise ModelError("decision maker with an empty name")
        if dm.name.strip() in trimmed:
            other = trimmed[dm.name.strip()]
            same = "" if other == dm.name else f" (as {other!r} after trimming spaces)"
            raise ModelError(f"duplicate decision maker name {dm.name!r}{same}; expected "
                             "unique names")
        trimmed[dm.name.strip()] = dm.name
        dm_seen.add(dm.name)
        if not dm.options:
            raise ModelError(f"decision maker {dm.name!r} controls no options; expected at "
                             "least one")
        for oname in dm.options:
            if oname not in seen:
                raise ModelError(f"decision maker {dm.name!r} controls unknown option {oname!r}")
            if oname in owner:
                raise ModelError(
                    f"option {oname!r} is controlled by two decision makers: {owner[oname]!r} and "
                    f"{dm.name!r}; expected exactly one"
                )
            owner[oname] = dm.name
            if seen[oname] != dm.name:
                raise ModelError(
                    f"option {oname!r} says it belongs to {seen[oname]!r}, not {dm.name!r}"
                )
    for o in c.options:
        if o.name not in owner:
            raise ModelError(f"option {o.name!r} is controlled by no decision maker")
    known = set(seen)
    for con in c.constraints:
        for name in con.options():
            if name not in known:
                raise ModelError(f"infeasibility condition names unknown option {name!r}")
    _validate_preferences(c, c.dms)
    _validate_mediation(c, known, dm_seen)
    for coalition in c.coalitions:
        if len(coalition) < 2 or len(set(coalition)) != len(coalition):
            raise ModelError(f"coalition {list(coalition)} needs two or more distinct members")
        for name in coalition:
            if name not in dm_seen:
                raise ModelError(f"coalition names unknown decision maker {name!r}")


#: Cached properties of a Conflict that depend only on options and constraints.
_STATE_CACHE = ("option_names", "dm_names", "bits", "dm_masks", "feasible", "space")


def _validate_preferences(c: Conflict, dms: tuple[DecisionMaker, ...] | list[DecisionMaker]
                          ) -> None:
    """Statement preferences name known options, and at most 62 statements per DM."""
    known = set(c.option_names)
    for dm in dms:
        pref = dm.preference
        if isinstance(pref, StatementPreference):
            for st in pref.statements:
                unknown = sorted(st.expr.options() - known)
                if unknown:
                    raise ModelError(
                        f"decision maker {dm.name!r}: unknown option {unknown[0]!r} in "
                        f"statement {st.text!r}"
                    )
            if len(pref.statements) > 62:
                raise ModelError(f"decision maker {dm.name!r}: at most 62 statements")


def _validate_mediation(c: Conflict, known: set[str], dms: set[str]) -> None:
    validate_commitments(c.mediation.commitments, c.space.column_directions)
    for name in c.mediation.mediators:
        if name not in dms:
            raise ModelError(f"mediation: mediators names unknown decision maker {name!r}")
    for cand in c.mediation.candidates:
        if cand.dm not in dms:
            raise ModelError(f"mediation: candidates name unknown decision maker {cand.dm!r}")
        unknown = sorted(cand.statement.expr.options() - known)
        if unknown:
            raise ModelError(
                f"mediation: candidate {cand.statement.text!r} for {cand.dm!r} names unknown "
                f"option {unknown[0]!r}"
            )


def level_options(lv: LevelledOption) -> tuple[Option, ...]:
    """The internal binary options of a levelled option (one per level after the first)."""
    return tuple(Option(name, lv.dm, lv.direction, lv.description) for name in lv.bit_names)


def _validate_levels(c: Conflict) -> set[str]:
    """Levelled options: valid names and levels, their bits present as options of the same
    DM with the same direction. Returns the names of the internal options."""
    if not isinstance(c.levels, tuple) or not all(isinstance(x, LevelledOption)
                                                  for x in c.levels):
        raise ModelError("Conflict.levels must be a tuple of LevelledOption")
    by_name = {o.name: o for o in c.options}
    internal: set[str] = set()
    named: set[str] = set()
    for lv in c.levels:
        if lv.name in named:
            raise ModelError(f"duplicate option name {lv.name!r}")
        named.add(lv.name)
        if not NAME_RE.fullmatch(lv.name) or lv.name in KEYWORDS:
            raise ModelError(f"option name {lv.name!r} is not a valid identifier (letters, "
                             f"digits, _; not a keyword such as {', '.join(sorted(KEYWORDS))})")
        if lv.name in by_name:
            raise ModelError(f"duplicate option name {lv.name!r}")
        check_levelled(lv)
        if lv.labels:
            check_labels(lv.name, lv.labels, lv.levels)
        for name in lv.bit_names:
            o = by_name.get(name)
            if o is None or o.dm != lv.dm or o.direction != lv.direction or name in internal:
                raise ModelError(f"levelled option {lv.name!r} needs the internal option "
                                 f"{name!r} of {lv.dm!r} with direction {lv.direction}; "
                                 "build them with level_options()")
            internal.add(name)
    return internal


def _validate_weights_and_drafts(c: Conflict) -> None:
    """Weights name known options with finite points; drafts match feasible states."""
    for dm in c.dms:
        if dm.weights is not None:
            try:
                dm.weights.check(c.option_names)
            except ModelError as exc:
                raise ModelError(f"decision maker {dm.name!r}: {exc.message}") from None
    for d in c.drafts:
        if not d.codes:
            raise ModelError(f"draft {d.name!r} matches no feasible state")
        for code in d.codes:
            if not c.is_feasible(code):
                raise ModelError(f"draft {d.name!r}: state {c.state_string(code)} is not "
                                 "feasible")


def _enumerate_feasible(c: Conflict) -> np.ndarray:
    constraints = (*c.constraints, *ordering(c.levels))
    feasible = enumerate_feasible(len(c.options), constraints, c.bits, len(c.dms), c.source_file)
    _check_preferences_cover(c, feasible)
    return feasible


def enumerate_feasible(
    n: int, constraints: tuple[Constraint, ...], bits: Mapping[str, int], n_dms: int,
    source: str | None = None,
) -> np.ndarray:
    """Sorted feasible codes, enumerated along the constraints; refuses too-large models early.

    Options are fixed one at a time, highest bit first; after each, the partial codes that
    already break a constraint are dropped (a mutually-exclusive group as soon as two of its
    assigned members are taken, a pattern or at-least-one group once all its options are
    fixed). The work follows the number of states that can still be feasible, not 2**n: a
    30-option model whose options are one mutually-exclusive group has 31 states and costs
    31 steps per option. Interleaving the two halves at each step keeps the codes sorted;
    large blocks are cut into pieces that stay within ``_CHUNK`` codes.

    >>> from detente.model.feasibility import MutuallyExclusive
    >>> names = {f"o{k}": k for k in range(30)}
    >>> enumerate_feasible(30, (MutuallyExclusive(tuple(names)),), names, 1).size
    31
    """
    check_options(n, source)
    at_bit: list[list[Constraint]] = [[] for _ in range(n)]
    for con in constraints:
        positions = sorted(bits[name] for name in con.options())
        if not positions:
            continue
        if isinstance(con, MutuallyExclusive):
            for b in set(positions):  # can fail as soon as a second member is fixed
                at_bit[b].append(con)
        else:
            at_bit[positions[0]].append(con)  # decided once its lowest bit is fixed
    parts: list[np.ndarray] = []
    count = 0
    stack: list[tuple[np.ndarray, int]] = [(np.zeros(1, dtype=np.int64), n)]
    while stack:
        codes, fixed = stack.pop()  # bits >= fixed are set
        while fixed > 0 and codes.size:
            if 2 * codes.size > _CHUNK:
                # pieces that stay within _CHUNK even if nothing more is pruned; the lowest
                # first (the stack pops it first), so the output stays sorted
                piece = max(1, _CHUNK >> fixed)
                starts = range(0, codes.size, piece)
                stack.extend((codes[lo : lo + piece], fixed) for lo in reversed(starts))
                codes, fixed = stack.pop()
            b = fixed - 1
            both = np.empty(2 * codes.size, dtype=np.int64)
            both[0::2] = codes
            both[1::2] = codes | np.int64(1 << b)
            codes = both
            if at_bit[b]:
                bad = np.zeros(codes.shape, dtype=bool)
                for con in at_bit[b]:
                    bad |= con.infeasible(codes, bits)
                codes = codes[~bad]
            fixed = b
        if codes.size:
            count += int(codes.size)
            check_states(count, n_dms, source, at_least=bool(stack))
            parts.append(codes)
    feasible = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    if feasible.size == 0:
        raise ModelError(
            "the infeasibility conditions rule out every state; expected at least one feasible "
            "state"
        )
    return feasible


def _check_preferences_cover(
    c: Conflict, feasible: np.ndarray, only: set[str] | None = None
) -> None:
    fset = set(feasible.tolist()) if feasible.size <= 1 << 16 else None
    for dm in c.dms:
        if only is not None and dm.name not in only:
            continue
        pref = dm.preference
        if isinstance(pref, RankingPreference):
            listed = [code for tier in pref.tiers for code in tier]
            _check_listed(c, dm.name, "ranking", listed, feasible, fset)
        elif isinstance(pref, PayoffPreference):
            listed = [code for code, _ in pref.payoffs]
            _check_listed(c, dm.name, "payoffs", listed, feasible, fset)


def _check_listed(
    c: Conflict, dm: str, what: str, listed: list[int], feasible: np.ndarray,
    fset: set[int] | None,
) -> None:
    # code_text, not c.space: this runs while c.feasible is being computed
    def text(code: int) -> str:
        return code_text(code, c.n_options)

    fs = fset if fset is not None else set(feasible.tolist())
    dup = sorted({x for x in listed if listed.count(x) > 1}) if len(listed) < 5000 else []
    if dup:
        raise ModelError(
            f"decision maker {dm!r}: {what} lists state {text(dup[0])} more than once"
        )
    extra = [x for x in listed if x not in fs]
    if extra:
        raise ModelError(
            f"decision maker {dm!r}: {what} lists infeasible state {text(extra[0])}"
        )
    missing = sorted(fs - set(listed))
    if missing:
        shown = ", ".join(text(x) for x in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ModelError(
            f"decision maker {dm!r}: {what} must cover every feasible state; missing {shown}{more}"
        )
