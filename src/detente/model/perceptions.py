"""Misperception: what one decision maker believes about the others (first-level hypergames),
and GMCR+'s blind spots.

A :class:`Perception` is either ``about`` another DM — the preferences the perceiver attributes
to it — or ``unaware_of`` options of others the perceiver does not know exist. Both are
validated once, when the :class:`~detente.model.conflict.Conflict` holding them is built
(:func:`validate_perceptions`); an error says which entry and which field (``where``).

Blind spots (:func:`blind_mask`) are per-DM Y/N/- patterns of states the DM misperceives: it
can neither move to nor from them (GMCR+'s "misperceptions", analysed in the one game).

>>> from detente.model.preferences import RankingPreference
>>> p = Perception("A", about="B", preference=RankingPreference(((0,), (1,))))
>>> p.kind, p.unaware_of
('about', ())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from detente.model.errors import ModelError
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    StatementPreference,
    dense_ranks,
)
from detente.model.states import StateSpace


class _DM(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def options(self) -> tuple[str, ...]: ...
    @property
    def blind_spots(self) -> tuple[str, ...]: ...


class Conflict(Protocol):
    """What perceptions are checked against (a :class:`detente.model.conflict.Conflict`); a
    protocol so that this module does not import the conflict module, which imports it."""

    @property
    def dm_names(self) -> tuple[str, ...]: ...
    @property
    def option_names(self) -> tuple[str, ...]: ...
    @property
    def bits(self) -> Mapping[str, int]: ...
    @property
    def feasible(self) -> np.ndarray: ...
    @property
    def space(self) -> StateSpace: ...
    @property
    def n_states(self) -> int: ...
    @property
    def dms(self) -> tuple[_DM, ...]: ...
    @property
    def perceptions(self) -> tuple[Perception, ...]: ...
    def state_string(self, code: int) -> str: ...


@dataclass(frozen=True)
class Perception:
    """One misperception of ``perceiver``: the ``preference`` it attributes to DM ``about``,
    or the options of others it is ``unaware_of`` (exactly one of the two)."""

    perceiver: str
    about: str | None = None
    preference: Preference | None = None
    unaware_of: tuple[str, ...] = ()
    rationale: str = ""

    @property
    def kind(self) -> str:
        """``"about"`` or ``"unaware_of"``."""
        return "about" if self.about is not None else "unaware_of"


class PerceptionError(ModelError):
    """An invalid perception; ``index`` is the entry, ``where`` the field inside it."""

    def __init__(self, message: str, index: int, where: tuple[str | int, ...] = ()) -> None:
        field = f"perceptions[{index}]" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in where
        )
        super().__init__(message, field=field)
        self.index = index
        self.where = where


def validate_perceptions(c: Conflict) -> None:
    """Refuse perceptions that name unknown DMs or options, perceive the perceiver itself,
    list its own options as unknown to it, repeat a (perceiver, about) pair or an unaware
    option, or give preferences that do not rank the feasible states."""
    names = c.dm_names
    about_seen: dict[tuple[str, str], int] = {}
    unaware_seen: dict[tuple[str, str], int] = {}
    for k, p in enumerate(c.perceptions):
        if not isinstance(p, Perception):
            raise PerceptionError("expected a Perception", k)
        _known_dm(p.perceiver, names, k, "perceiver")
        if not isinstance(p.rationale, str):
            raise PerceptionError("the rationale must be text", k, ("rationale",))
        if (p.about is None) == (not p.unaware_of):
            raise PerceptionError("give exactly one of about (with preferences) or unaware_of", k)
        if p.about is not None:
            _known_dm(p.about, names, k, "about")
            if p.about == p.perceiver:
                raise PerceptionError(
                    f"{p.perceiver!r} perceives itself; expected another decision maker (a DM "
                    "knows its own preferences)",
                    k,
                    ("about",),
                )
            if p.preference is None:
                raise PerceptionError(
                    f"no preferences given for what {p.perceiver!r} believes about {p.about!r}",
                    k,
                    ("preferences",),
                )
            pair = (p.perceiver, p.about)
            if pair in about_seen:
                raise PerceptionError(
                    f"{p.perceiver!r}'s perception of {p.about!r} is already given at "
                    f"perceptions[{about_seen[pair]}]; expected one entry per pair",
                    k,
                    ("about",),
                )
            about_seen[pair] = k
            _check_preference(c, p, k)
            continue
        own = set(c.dms[names.index(p.perceiver)].options)
        written = written_bits(c)
        for j, option in enumerate(p.unaware_of):
            if option not in written:
                raise PerceptionError(
                    f"unknown option {option!r}; expected one of: {', '.join(written)}",
                    k,
                    ("unaware_of", j),
                )
            if own.intersection(c.option_names[b] for b in written[option]):
                raise PerceptionError(
                    f"{option!r} is an option of {p.perceiver!r} itself; expected options of other "
                    "decision makers (a DM knows its own options)",
                    k,
                    ("unaware_of", j),
                )
            key = (p.perceiver, option)
            if key in unaware_seen:
                raise PerceptionError(
                    f"{p.perceiver!r} is already unaware of {option!r} (perceptions"
                    f"[{unaware_seen[key]}]); expected each option once per perceiver",
                    k,
                    ("unaware_of", j),
                )
            unaware_seen[key] = k


def _known_dm(name: object, names: tuple[str, ...], k: int, field: str) -> None:
    if not isinstance(name, str) or name not in names:
        raise PerceptionError(
            f"unknown decision maker {name!r}; expected one of: {', '.join(names)}", k, (field,)
        )


def _check_preference(c: Conflict, p: Perception, k: int) -> None:
    pref = p.preference
    if not isinstance(pref, Preference):
        raise PerceptionError("preferences must be a Preference", k, ("preferences",))
    if isinstance(pref, StatementPreference):
        for st in pref.statements:
            unknown = sorted(st.expr.options() - set(c.option_names))
            if unknown:
                raise PerceptionError(
                    f"unknown option {unknown[0]!r} in statement {st.text!r}",
                    k,
                    ("preferences", "statements"),
                )
        if len(pref.statements) > 62:
            raise PerceptionError("at most 62 statements", k, ("preferences", "statements"))
        return
    kind = "ranking" if isinstance(pref, RankingPreference) else "payoffs"
    listed = (
        [code for tier in pref.tiers for code in tier]
        if isinstance(pref, RankingPreference)
        else [code for code, _ in pref.payoffs]
        if isinstance(pref, PayoffPreference)
        else []
    )
    problem = _coverage(c, listed)
    if problem:
        raise PerceptionError(f"{kind} {problem}", k, ("preferences", kind))


def _coverage(c: Conflict, listed: list[int]) -> str:
    """What is wrong with a ranking's or payoffs' states ("" when each feasible state is
    given once)."""
    feasible = set(c.feasible.tolist())
    seen: set[int] = set()
    for code in listed:
        if code in seen:
            return f"lists state {c.state_string(code)} more than once"
        if code not in feasible:
            return f"lists state {c.state_string(code)}, which is not feasible"
        seen.add(code)
    missing = sorted(feasible - seen)
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        return f"must cover every feasible state; missing {c.state_string(missing[0])}{more}"
    return ""


def perceived_ranks(c: Conflict, p: Perception) -> np.ndarray:
    """The ranks (over ``c.feasible``, higher = more preferred) of an ``about`` perception."""
    assert p.preference is not None
    return dense_ranks(p.preference.scores(c.feasible, c.bits))


def hidden_mask(c: Conflict, perceiver: str) -> int:
    """Bit mask of the options ``perceiver`` is unaware of."""
    written = written_bits(c)
    return sum(
        1 << b
        for p in c.perceptions if p.perceiver == perceiver
        for o in p.unaware_of for b in written[o]
    )


def written_bits(c: Conflict) -> dict[str, tuple[int, ...]]:
    """Option as written (a levelled option once) → its bits."""
    return {col.name: tuple(col.bits) for col in c.space.columns}


def option_owner(c: Conflict, option: str) -> str:
    """The DM holding ``option`` as written (a levelled option's bits share one owner)."""
    bit = c.option_names[written_bits(c)[option][0]]
    return next(d.name for d in c.dms if bit in d.options)


# ----- blind spots ----------------------------------------------------------------------------
def validate_blind_spots(c: Conflict) -> None:
    """Each DM's blind spots are patterns as states are written (Y/N/- per option, a level
    name or - between slashes per levelled option)."""
    for dm in c.dms:
        for k, pattern in enumerate(dm.blind_spots):
            if not isinstance(pattern, str):
                raise ModelError(
                    f"decision maker {dm.name!r}: blind_spots[{k}] must be a Y/N/- "
                    f"pattern, got {type(pattern).__name__}"
                )
            try:
                care, _ = c.space.pattern_bits(pattern)
            except ModelError as exc:
                raise ModelError(
                    f"decision maker {dm.name!r}: blind_spots[{k}]: {exc.message}"
                ) from None
            if care == 0:
                raise ModelError(
                    f"decision maker {dm.name!r}: blind_spots[{k}] {pattern!r} "
                    "matches every state; expected at least one Y or N"
                )


def blind_mask(c: Conflict, i: int) -> np.ndarray | None:
    """Bool per feasible state: in DM i's blind spots (None when it has none)."""
    patterns = c.dms[i].blind_spots
    if not patterns:
        return None
    out = np.zeros(c.n_states, dtype=bool)
    for pattern in patterns:
        care, want = c.space.pattern_bits(pattern)
        out |= (c.feasible & care) == want
    return out


__all__ = [
    "Perception",
    "PerceptionError",
    "blind_mask",
    "hidden_mask",
    "option_owner",
    "perceived_ranks",
    "validate_blind_spots",
    "validate_perceptions",
    "written_bits",
]
