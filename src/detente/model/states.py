"""The state vocabulary and the one :class:`StateSpace` of a conflict.

Three kinds of number name a state, and their types keep them apart:

- :data:`StateCode`: bit k set when option k (model order) is taken;
- :data:`Position`: an index into ``conflict.feasible`` (feasible codes ascending);
- :data:`StateNumber`: the 1-based number people and the CLI use (position + 1).

:class:`StateSpace` (``conflict.space``, built once per conflict) owns everything said about
states: their Y/N text (:meth:`~StateSpace.text`, vectorised :meth:`~StateSpace.texts`), the
parsing of every state reference (Y/N text, number, option→Y/N mapping, Y/N/- pattern), the
code↔position↔number conversions, pattern matching, and the irreversibility rule (a ``fwd``
option never goes Y→N, a ``back`` option never N→Y). The engine's compiled kernels take the
rule's masks as ints (:attr:`~StateSpace.fwd_mask`, :attr:`~StateSpace.back_mask`); their
numba copy :func:`detente.engine.compiled.legal_move` is checked against :func:`legal_mask`
in ``tests/model/test_states.py``.

>>> import numpy as np
>>> s = StateSpace(("a", "b", "c"), ("both", "fwd", "both"), np.array([0, 1, 2, 3, 6]))
>>> s.text(6), s.parse("NYY"), s.parse(2), s.parse({"a": "Y", "b": "N", "c": "N"})
('NYY', 6, 1, 1)
>>> s.matching("-Y-").tolist(), s.number(6), s.is_legal_move(2, 0)
([2, 3, 6], 5, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NewType, TypeVar

import numpy as np

from detente.model.errors import ModelError
from detente.model.labels import words as state_words
from detente.model.levels import LevelledOption

StateCode = NewType("StateCode", int)
Position = NewType("Position", int)
StateNumber = NewType("StateNumber", int)
#: A state as people write it: Y/N text, a 1-based number, or an option→Y/N mapping.
StateInput = str | int | Mapping[str, object]
Direction = Literal["both", "fwd", "back"]
#: Why a state reference was refused (:attr:`StateRefError.reason`).
RefProblem = Literal["number", "letters", "length", "dash", "option", "missing", "value",
                     "type", "infeasible", "nomatch"]

YES, NO = "Y", "N"
_Y, _N = ord(YES), ord(NO)
_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII only: str.isdigit() also accepts '²' and '①'
_M = TypeVar("_M", int, np.ndarray)


class StateRefError(ModelError):
    """A state reference that names no feasible state; ``reason`` says which rule it broke
    (callers that word errors their own way branch on it, never on the message)."""

    def __init__(self, message: str, reason: RefProblem) -> None:
        super().__init__(message)
        self.reason: RefProblem = reason


# ----- Y/N letters and text -----------------------------------------------------------------
def letter(value: bool | int) -> str:
    """``'Y'`` for a taken option (truthy), ``'N'`` otherwise: the one Y/N letter rule."""
    return YES if value else NO


def yes_no(value: object, name: str) -> bool:
    """A Y/N value given for option ``name`` (``Y``, ``N``, ``yes``, ``no`` or a bool)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().upper() in {"Y", "N", "YES", "NO"}:
        return value.strip().upper().startswith("Y")
    raise StateRefError(f"option {name!r} must be Y or N, got {value!r}", "value")


def code_text(code: int, n_options: int) -> str:
    """Y/N per option of one code, e.g. ``code_text(1, 3) == 'YNN'``."""
    return "".join(letter(code >> k & 1) for k in range(n_options))


def text_bytes(codes: np.ndarray, n_options: int) -> np.ndarray:
    """(len(codes), n_options) uint8 grid of ``Y``/``N`` (option k in column k)."""
    codes = np.asarray(codes, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n_options, dtype=np.int64)[None, :]) & 1
    return np.where(bits.astype(bool), np.uint8(_Y), np.uint8(_N)).astype(np.uint8)


def texts(codes: np.ndarray, n_options: int) -> np.ndarray:
    """Y/N strings of many codes as a numpy str array (vectorised :func:`code_text`)."""
    width = max(n_options, 1)
    grid = np.ascontiguousarray(text_bytes(np.atleast_1d(codes), n_options))
    return grid.view(f"S{width}").ravel().astype(f"U{width}")


def pattern_bits(pattern: str, names: tuple[str, ...]) -> tuple[int, int]:
    """``(care, want)`` of a Y/N/- pattern: code matches when ``code & care == want``."""
    p = pattern.strip().upper()
    if not set(p) <= {"Y", "N", "-"} or len(p) != len(names):
        raise StateRefError(
            f"state pattern {pattern!r} must have one of Y, N or - for each of the "
            f"{len(names)} options ({', '.join(names)})",
            "letters" if not set(p) <= {"Y", "N", "-"} else "length",
        )
    care = sum(1 << k for k, ch in enumerate(p) if ch != "-")
    want = sum(1 << k for k, ch in enumerate(p) if ch == "Y")
    return care, want


def level_text(tokens: list[tuple[str, bool]]) -> str:
    """A state (or pattern) in the level form: yes/no letters run together, each levelled
    option's value between slashes (a slash shared between neighbours, none at the ends).

    >>> level_text([("Y", False), ("reduced", True), ("N", False), ("Y", False)])
    'Y/reduced/NY'
    >>> level_text([("stay", True), ("high", True)])
    'stay/high'
    """
    out = ""
    for text, levelled in tokens:
        if levelled:
            out += ("/" if out and not out.endswith("/") else "") + text + "/"
        else:
            out += text
    return out.rstrip("/")


def split_level_text(text: str, levelled: list[bool]) -> list[str] | None:
    """The per-option tokens of a :func:`level_text` string (``None`` if it does not fit).

    >>> split_level_text("Y/reduced/NY", [False, True, False, False])
    ['Y', 'reduced', 'N', 'Y']
    """
    parts = text.split("/")
    out: list[str] = []
    i = pos = 0
    for lv in levelled:
        if i < len(parts) and pos == len(parts[i]) and (lv or pos > 0):
            i, pos = i + 1, 0  # this part is used up: the next value starts the next part
        if i >= len(parts):
            return None
        if lv:
            if pos != 0 or not parts[i]:
                return None
            out.append(parts[i])
            pos = len(parts[i])
        else:
            if pos >= len(parts[i]):
                return None
            out.append(parts[i][pos])
            pos += 1
    if i != len(parts) - 1 or pos != len(parts[i]):
        return None
    return out


# ----- options as people see them (levelled options as one) ---------------------------------
@dataclass(frozen=True)
class Column:
    """One option as people see it: a yes/no option (``levels`` None, one bit) or a levelled
    option (its internal bits, lowest level first)."""

    name: str
    bits: tuple[int, ...]
    levels: tuple[str, ...] | None = None

    @property
    def mask(self) -> int:
        return sum(1 << b for b in self.bits)

    @property
    def values(self) -> tuple[str, ...]:
        """The values it takes, lowest first: ``('N', 'Y')`` or its levels."""
        return (NO, YES) if self.levels is None else self.levels

    def is_lowest(self, value: str) -> bool:
        """Whether ``value`` is its lowest value (``N``, or its first level): nothing taken."""
        return value == self.values[0]

    def value(self, code: int) -> str:
        """``Y``/``N`` or the level name at ``code``."""
        if self.levels is None:
            return letter(code >> self.bits[0] & 1)
        return self.levels[sum(code >> b & 1 for b in self.bits)]

    def code_bits(self, value: str) -> int:
        """The bits of this column when it holds ``value`` (a level name or Y/N)."""
        if self.levels is None:
            return (1 << self.bits[0]) if value == YES else 0
        j = self.levels.index(value)
        return sum(1 << b for b in self.bits[:j])


def level_columns(option_names: tuple[str, ...], levels: tuple[LevelledOption, ...]
                  ) -> tuple[Column, ...]:
    """The options as people see them, in model order (a levelled option where its first bit
    is)."""
    owner: dict[str, LevelledOption] = {}
    for lv in levels:
        for b in lv.bit_names:
            owner[b] = lv
    index = {n: k for k, n in enumerate(option_names)}
    out: list[Column] = []
    for k, name in enumerate(option_names):
        group = owner.get(name)
        if group is None:
            out.append(Column(name, (k,)))
        elif name == group.bit_names[0]:
            lv = group
            missing = [b for b in lv.bit_names if b not in index]
            if missing:
                raise ValueError(f"levelled option {lv.name!r} has no internal option "
                                 f"{missing[0]!r}")
            out.append(Column(lv.name, tuple(index[b] for b in lv.bit_names), lv.levels))
    return tuple(out)


# ----- irreversibility ----------------------------------------------------------------------
def legal_mask(x: _M, y: _M, fwd: int, back: int) -> _M:
    """Whether moving from ``x`` to ``y`` is legal: another state, no ``fwd`` option going
    Y→N, no ``back`` option going N→Y. Elementwise over arrays (any bit packing, so the
    engine's local layouts use it too); on ints, a bool."""
    return (x != y) & ((x & ~y & fwd) == 0) & ((~x & y & back) == 0)  # type: ignore[no-any-return]


def direction_masks(directions: tuple[Direction, ...]) -> tuple[int, int]:
    """``(fwd, back)`` bit masks of options that only go N→Y, and only Y→N."""
    fwd = sum(1 << k for k, d in enumerate(directions) if d == "fwd")
    back = sum(1 << k for k, d in enumerate(directions) if d == "back")
    return fwd, back


# ----- the state space ----------------------------------------------------------------------
class StateSpace:
    """The states of one conflict: options, their directions and the feasible codes.

    Immutable once built (``feasible`` is made read-only); ``conflict.space`` caches one.
    """

    __slots__ = ("__dict__", "directions", "feasible", "option_names")

    def __init__(self, option_names: tuple[str, ...], directions: tuple[Direction, ...],
                 feasible: np.ndarray, levels: tuple[LevelledOption, ...] = (), *,
                 labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        if len(directions) != len(option_names):
            raise ValueError("one direction per option expected")
        self.option_names = option_names
        #: Options with ordered levels (model/levels.py): their internal bits are shown and
        #: read as one level name each (see :meth:`text`).
        self.levels = levels
        #: Option (as people see it) → value → short label (model/labels.py), for
        #: :meth:`words`.
        self.labels: Mapping[str, Mapping[str, str]] = labels or {}
        self.directions = directions
        arr = np.asarray(feasible, dtype=np.int64)
        if arr.flags.writeable and arr is not feasible:
            arr.flags.writeable = False
        self.feasible = arr

    @property
    def n_options(self) -> int:
        return len(self.option_names)

    @property
    def n_states(self) -> int:
        return int(self.feasible.size)

    # ----- text ----------------------------------------------------------------------------
    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """The options as people see them: one per yes/no option, one per levelled option."""
        return level_columns(self.option_names, self.levels)

    @cached_property
    def candidate_states(self) -> int:
        """How many states the options make before any is ruled out: the product of the
        number of values each option (as people see it) takes."""
        return math.prod(len(col.values) for col in self.columns)

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        """The options as the model's author wrote them (a levelled option once)."""
        return tuple(col.name for col in self.columns)

    @cached_property
    def column_directions(self) -> dict[str, Direction]:
        """Option (as written) → its direction (a levelled option's bits share one)."""
        return {col.name: self.directions[col.bits[0]] for col in self.columns}

    @cached_property
    def level_names(self) -> dict[str, tuple[str, ...]]:
        """Levelled option → its levels, lowest first (empty without levels)."""
        return {col.name: col.levels for col in self.columns if col.levels is not None}

    def column_values(self, col: Column, codes: np.ndarray) -> np.ndarray:
        """``Y``/``N`` (a levelled option: its level name) of one option at many codes
        (numpy str array, vectorised)."""
        arr = np.atleast_1d(np.asarray(codes, dtype=np.int64))
        names = np.array(col.levels if col.levels is not None else (NO, YES))
        count = np.zeros(arr.shape, dtype=np.int64)
        for b in col.bits:
            count += (arr >> np.int64(b)) & 1
        out: np.ndarray = names[count]
        return out

    def text(self, code: int) -> str:
        """Y/N per option in model order, e.g. ``'YNN'``. With levelled options, a level name
        between slashes stands for each, e.g. ``'Y/reduced/N'`` (:func:`level_text`)."""
        if self.levels:
            return level_text([(col.value(int(code)), col.levels is not None)
                               for col in self.columns])
        return code_text(int(code), self.n_options)

    def texts(self, codes: np.ndarray) -> np.ndarray:
        """Y/N strings of many codes (numpy str array, vectorised)."""
        if self.levels:
            return np.array([self.text(int(x)) for x in np.atleast_1d(codes)], dtype=str)
        return texts(codes, self.n_options)

    def words(self, code: int) -> str:
        """What is true in a state, in option order: each option's label for its value (an
        unlabelled option: its name when taken, nothing when not; a levelled one: name and
        level), e.g. ``'Israel accepts; hostages released; US forces deployed'``."""
        values = {col.name: col.value(int(code)) for col in self.columns}
        levelled = frozenset(col.name for col in self.columns if col.levels is not None)
        return state_words(values, self.labels, levelled)

    def text_bytes(self, codes: np.ndarray) -> np.ndarray:
        """(len(codes), options) uint8 grid of ``Y``/``N``."""
        return text_bytes(codes, self.n_options)

    def values(self, code: int, bits: list[int] | tuple[int, ...] | range | None = None
               ) -> dict[str, str]:
        """Option name → ``'Y'``/``'N'`` (a levelled option: its level) for the given bits
        (all options by default)."""
        ks = range(self.n_options) if bits is None else bits
        if self.levels:
            wanted = set(ks)
            return {col.name: col.value(int(code)) for col in self.columns
                    if wanted.intersection(col.bits)}
        return {self.option_names[k]: letter(code >> k & 1) for k in ks}

    # ----- conversions ---------------------------------------------------------------------
    def is_feasible(self, code: int) -> bool:
        pos = int(np.searchsorted(self.feasible, code))
        return pos < self.n_states and int(self.feasible[pos]) == code

    def positions(self, codes: int | np.ndarray) -> np.ndarray:
        """Positions of feasible codes (int64 array); raises on an infeasible one."""
        arr = np.atleast_1d(np.asarray(codes, dtype=np.int64))
        pos = np.minimum(np.searchsorted(self.feasible, arr), self.n_states - 1)
        bad = self.feasible[pos] != arr
        if bad.any():
            raise StateRefError(f"state {self.text(int(arr[bad][0]))} is not feasible",
                                "infeasible")
        return pos

    def position(self, code: int) -> Position:
        return Position(int(self.positions(code)[0]))

    def number(self, code: int) -> StateNumber:
        """1-based number of a feasible code."""
        return StateNumber(self.position(code) + 1)

    def code_at(self, position: int) -> StateCode:
        return StateCode(int(self.feasible[position]))

    def code_of_number(self, number: int) -> StateCode:
        """The code of a 1-based state number; raises when out of range."""
        if not 1 <= number <= self.n_states:
            raise StateRefError(f"state number {number} is out of range 1..{self.n_states}",
                                "number")
        return StateCode(int(self.feasible[number - 1]))

    # ----- references ----------------------------------------------------------------------
    def parse_code(self, ref: StateInput) -> StateCode:
        """The code a reference names (numbers must be in range; text and mappings are not
        checked for feasibility)."""
        if isinstance(ref, bool):
            raise StateRefError(f"expected a state, got {ref!r}", "type")
        if isinstance(ref, int) or (isinstance(ref, str) and _NUMBER.fullmatch(ref.strip())):
            return self.code_of_number(int(ref))
        if isinstance(ref, str):
            care, want = self.pattern_bits(ref)
            if care != (1 << self.n_options) - 1:
                raise StateRefError(f"state {ref!r} must give Y or N for every option, not '-'",
                                    "dash")
            return StateCode(want)
        if isinstance(ref, Mapping):
            return self._mapping_code(ref)
        raise StateRefError(f"expected a state (Y/N string, number or mapping), got {ref!r}",
                            "type")

    def _mapping_code(self, ref: Mapping[str, object]) -> StateCode:
        _, want = self.assignment(ref)
        missing = [n for n in self.column_names if n not in ref]
        if missing:
            raise StateRefError(f"state is missing options: {', '.join(missing)}", "missing")
        return StateCode(want)

    def assignment(self, ref: Mapping[str, object]) -> tuple[int, int]:
        """``(care, want)`` of some options' values as written (option → Y/N, a levelled
        option → a level name): the bits they fix and their values. The one parser of option
        values (states, tranches, guarantee settings).

        >>> s = StateSpace(("a", "b"), ("both", "both"), np.array([0, 1, 2, 3]))
        >>> s.assignment({"b": "Y"}), s.assigned(2, 2)
        ((2, 2), {'b': 'Y'})
        """
        by_name = {c.name: c for c in self.columns}
        care = want = 0
        for key, value in ref.items():
            col = by_name.get(str(key))
            if col is None:
                raise StateRefError(
                    f"unknown option {key!r}; expected one of: {', '.join(by_name)}", "option")
            care |= col.mask
            if col.levels is None:
                want |= col.code_bits(YES if yes_no(value, str(key)) else NO)
            else:
                want |= col.code_bits(self._level(col, value))
        return care, want

    def assigned(self, care: int, want: int) -> dict[str, str]:
        """The options (as written) whose bits ``care`` fixes, with their values at ``want``:
        the inverse of :meth:`assignment` (a levelled option must be fixed whole)."""
        out: dict[str, str] = {}
        for col in self.columns:
            hit = care & col.mask
            if hit and hit != col.mask:
                raise ValueError(f"the bits fix only part of levelled option {col.name!r}")
            if hit:
                out[col.name] = col.value(want)
        return out

    def pattern_text(self, care: int, want: int) -> str:
        """The pattern (as written) that fixes the ``care`` bits to ``want`` (``-`` elsewhere):
        the inverse of :meth:`pattern_bits`."""
        values = self.assigned(care, want)
        return level_text([(values.get(col.name, "-"), col.levels is not None)
                           for col in self.columns])

    def parse(self, ref: StateInput) -> StateCode:
        """The feasible code a reference names; raises :class:`StateRefError` otherwise."""
        code = self.parse_code(ref)
        if not self.is_feasible(code):
            raise StateRefError(f"state {self.text(code)} is not feasible", "infeasible")
        return code

    def parse_many(self, ref: StateInput) -> np.ndarray:
        """Feasible codes of a reference; a pattern with ``-`` names every state it matches."""
        if isinstance(ref, str) and "-" in ref and not _NUMBER.fullmatch(ref.strip()):
            hits = self.matching(ref)
            if hits.size == 0:
                raise StateRefError(f"pattern {ref!r} matches no feasible state", "nomatch")
            return hits
        return np.array([self.parse(ref)], dtype=np.int64)

    # ----- patterns ------------------------------------------------------------------------
    def pattern_bits(self, pattern: str) -> tuple[int, int]:
        if self.levels:
            return self._level_pattern_bits(pattern)
        return pattern_bits(pattern, self.option_names)

    # ----- levelled options ----------------------------------------------------------------
    def form(self) -> str:
        """How a state is written, for error messages."""
        parts = [f"{c.name} ({', '.join(c.levels)})" if c.levels else c.name
                 for c in self.columns]
        example = level_text([(c.levels[0] if c.levels else NO, c.levels is not None)
                              for c in self.columns])
        return (f"Y, N or - for each yes/no option and a level name (or -) between slashes "
                f"for each levelled option, in the order {', '.join(parts)}; e.g. {example!r}")

    def _level_pattern_bits(self, pattern: str) -> tuple[int, int]:
        """``(care, want)`` of a pattern in the level form (``-`` = any value)."""
        tokens = split_level_text(pattern.strip(), [c.levels is not None for c in self.columns])
        if tokens is None:
            raise StateRefError(f"state pattern {pattern!r} must give {self.form()}", "length")
        care = want = 0
        for col, tok in zip(self.columns, tokens, strict=True):
            if tok == "-":
                continue
            care |= col.mask
            if col.levels is None:
                if tok.upper() not in (YES, NO):
                    raise StateRefError(f"state pattern {pattern!r}: option {col.name!r} must "
                                        f"be Y, N or -, got {tok!r}", "letters")
                want |= col.code_bits(tok.upper())
            else:
                want |= col.code_bits(self._level(col, tok))
        return care, want

    def describe_conditions(self, conditions: tuple[tuple[str, bool], ...]) -> str:
        """Bit conditions (option name, value) in words, a levelled option's bits as one
        statement over its levels.

        >>> from detente.model.levels import LevelledOption
        >>> lv = LevelledOption("x", "A", ("lo", "mid", "hi"))
        >>> s = StateSpace(("x>=mid", "x>=hi", "b"), ("both",) * 3, np.arange(8), (lv,))
        >>> s.describe_conditions((("x>=mid", True), ("b", False)))
        'x >= mid and not b'
        >>> s.describe_conditions((("x>=mid", True), ("x>=hi", False))), s.describe_conditions(
        ...     (("x>=hi", False),))
        ('x is mid', 'not x >= hi')
        """
        index = {n: k for k, n in enumerate(self.option_names)}
        owner = {b: col for col in self.columns for b in col.bits}
        parts: list[str] = []
        done: set[str] = set()
        for name, value in conditions:
            col = owner.get(index.get(name, -1))
            if col is None or col.levels is None:
                parts.append(name if value else f"not {name}")
            elif col.name not in done:
                done.add(col.name)
                mine = [(index[n], v) for n, v in conditions if owner.get(index.get(n, -1)) is col]
                parts.append(self._level_condition(col, mine))
        return " and ".join(parts)

    def describe(self, constraint: object) -> str:
        """An infeasibility condition in words, levelled options as written."""
        conditions = getattr(constraint, "conditions", None)
        if conditions is not None:
            return self.describe_conditions(tuple(conditions))
        return str(constraint.describe())  # type: ignore[attr-defined]

    @staticmethod
    def _level_condition(col: Column, bits: list[tuple[int, bool]]) -> str:
        """Conditions on some bits of a levelled option as ``x is L`` / ``x >= L`` / ``not
        x >= L`` (or their conjunction)."""
        assert col.levels is not None
        levels = col.levels
        fits = [j for j, lv in enumerate(levels)
                if all(bool(col.code_bits(lv) >> b & 1) == v for b, v in bits)]
        if not fits:  # no level (the ordering's own conditions): each bit in statement form
            return " and ".join(f"{col.name} >= {levels[col.bits.index(b) + 1]}" if v else
                                f"not {col.name} >= {levels[col.bits.index(b) + 1]}"
                                for b, v in bits)
        lo, hi = fits[0], fits[-1]
        if lo == hi:
            return f"{col.name} is {levels[lo]}"
        if hi == len(levels) - 1:
            return f"{col.name} >= {levels[lo]}"
        if lo == 0:
            return f"not {col.name} >= {levels[hi + 1]}"
        return f"{col.name} >= {levels[lo]} and not {col.name} >= {levels[hi + 1]}"

    def _level(self, col: Column, value: object) -> str:
        """The level ``value`` names in a levelled column; :class:`StateRefError` if none."""
        assert col.levels is not None
        if isinstance(value, str):
            hits = [lv for lv in col.levels if lv == value.strip()] or [
                lv for lv in col.levels if lv.lower() == value.strip().lower()]
            if len(hits) == 1:
                return hits[0]
        raise StateRefError(f"option {col.name!r} has no level {value!r}; expected one of "
                            f"{', '.join(col.levels)}", "value")

    def matches(self, pattern: str, codes: np.ndarray) -> np.ndarray:
        """Bool per code: whether it matches a Y/N/- pattern."""
        care, want = self.pattern_bits(pattern)
        return np.asarray((np.asarray(codes, dtype=np.int64) & care) == want)

    def matching(self, pattern: str) -> np.ndarray:
        """Feasible codes matching a Y/N/- pattern in option order."""
        out: np.ndarray = self.feasible[self.matches(pattern, self.feasible)]
        return out

    # ----- irreversibility -----------------------------------------------------------------
    @cached_property
    def _masks(self) -> tuple[int, int]:
        return direction_masks(self.directions)

    @property
    def fwd_mask(self) -> int:
        """Options that may only be taken (N→Y), never undone."""
        return self._masks[0]

    @property
    def back_mask(self) -> int:
        """Options that may only be dropped (Y→N), never taken."""
        return self._masks[1]

    def with_directions(self, directions: Mapping[str, Direction]) -> StateSpace:
        """The same states with some options' directions replaced (option name → direction;
        a levelled option as written sets all its bits), e.g. a commitment device making a
        reversible option one-way; the feasible codes are shared, not recomputed.

        >>> s = StateSpace(("a", "b"), ("both", "both"), np.array([0, 1, 2, 3]))
        >>> t = s.with_directions({"b": "fwd"})
        >>> t.fwd_mask, t.feasible is s.feasible, s.is_legal_move(2, 0), t.is_legal_move(2, 0)
        (2, True, True, False)
        """
        by_name = {col.name: col for col in self.columns}
        unknown = sorted(set(directions) - set(self.option_names) - set(by_name))
        if unknown:
            raise ModelError(f"unknown option {unknown[0]!r}; expected one of: "
                             f"{', '.join(self.column_names)}")
        bits = dict(directions)  # a levelled option (as written): every one of its bits
        for name, d in directions.items():
            if name in by_name:
                bits.update((self.option_names[b], d) for b in by_name[name].bits)
        new = tuple(bits.get(n, d) for n, d in zip(self.option_names, self.directions,
                                                   strict=True))
        return StateSpace(self.option_names, new, self.feasible, self.levels,
                          labels=self.labels)

    def is_legal_move(self, x: int, y: int) -> bool:
        """Whether ``x → y`` is a move irreversibility allows (``x != y``)."""
        return bool(legal_mask(int(x), int(y), self.fwd_mask, self.back_mask))

    def legal_mask(self, x: int | np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bool per element (broadcast): whether ``x → y`` is allowed."""
        xs = np.asarray(x, dtype=np.int64)
        return np.asarray(legal_mask(xs, np.asarray(y, dtype=np.int64),
                                     self.fwd_mask, self.back_mask))

    def step_problem(self, before: int, after: int) -> str | None:
        """Why ``before → after`` breaks irreversibility, or ``None`` when it does not (a
        levelled option as written: its levels only rise, or only fall)."""
        undone = before & ~after & self.fwd_mask
        retaken = ~before & after & self.back_mask
        if undone:
            return self._one_way(undone, before, after, "undoes {}, which may only go N→Y",
                                 "rise", "fwd")
        if retaken:
            return self._one_way(retaken, before, after,
                                 "takes {} again, which may only go Y→N", "fall", "back")
        return None

    def _one_way(self, bits: int, before: int, after: int, plain: str, way: str,
                 direction: str) -> str:
        """The options as written whose ``bits`` break their direction, in words."""
        cols = [col for col in self.columns if bits & col.mask]
        named = [col for col in cols if col.levels is None]
        levelled = [col for col in cols if col.levels is not None]
        parts = [plain.format(", ".join(col.name for col in named))] if named else []
        parts.extend(f"moves {col.name} {col.value(before)}→{col.value(after)}, whose levels "
                     f"may only {way}" for col in levelled)
        return "; ".join(parts) + f" (direction {direction})"


__all__ = [
    "NO", "YES", "Column", "Direction", "Position", "RefProblem", "StateCode", "StateInput",
    "StateNumber", "StateRefError", "StateSpace", "code_text", "direction_masks", "legal_mask",
    "letter", "level_columns", "level_text", "pattern_bits", "split_level_text", "text_bytes",
    "texts", "yes_no",
]
