"""A phased deal: an ordered list of phase states, and the options that could guarantee it.

A deal is part of a model (``Conflict.deal``). Its phases are feasible states s_1 … s_m; the
first is reached from the status quo (when the model has one), and each step s_k → s_{k+1} is
made by the decision makers who own the options that change. A step must respect
irreversibility: a ``fwd`` option never goes Y→N, a ``back`` option never N→Y.

A deal may instead be given as *tranches*: named sets of option values, each optionally
``after`` other tranches. An order of the tranches gives the phases cumulatively from the status
quo (s_k = s_{k-1} with tranche k's values); the deal's phases are the order as written
(:func:`tranche_phases`), and ``detente deal --design`` tries the other orders.

>>> deal = Deal("swap", (Phase("A gives", 0b01), Phase("B gives", 0b11)))
>>> deal.phases[1].state
3
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product
from math import prod
from typing import Protocol

from detente.model.errors import ModelError
from detente.model.states import StateSpace


class Conflict(Protocol):
    """What a deal is checked against (a :class:`detente.model.conflict.Conflict`); a protocol
    so that this module does not import the conflict module, which imports it."""

    @property
    def option_names(self) -> tuple[str, ...]: ...
    @property
    def n_options(self) -> int: ...
    @property
    def space(self) -> StateSpace: ...
    @property
    def status_quo(self) -> int | None: ...
    def is_feasible(self, code: int) -> bool: ...
    def state_string(self, code: int) -> str: ...

#: Guarantee settings are enumerated exhaustively: 2**12 = 4096 at most.
MAX_GUARANTORS = 12
MAX_GUARANTEE_SETTINGS = 2**MAX_GUARANTORS


@dataclass(frozen=True)
class Phase:
    """One phase of a deal: a name, the state it is, and why."""

    name: str
    state: int
    rationale: str = ""


@dataclass(frozen=True)
class Tranche:
    """A named set of option values (option name, value), taken after the tranches in
    ``after``."""

    name: str
    values: tuple[tuple[str, bool], ...]
    after: tuple[str, ...] = ()
    rationale: str = ""

    def apply(self, bits: dict[str, int], code: int) -> int:
        """``code`` with this tranche's values (``bits``: option name -> bit)."""
        for option, value in self.values:
            code = code | 1 << bits[option] if value else code & ~(1 << bits[option])
        return code


@dataclass(frozen=True)
class GuaranteeSetting:
    """One setting of a deal's guarantor options, applied to every phase: ``values`` option
    (as written) → Y/N or level; ``on`` the guarantees in force (an option taken, or a
    levelled option above its first level: ``'guarantee is partial'``); ``clear`` the
    guarantors' bits and ``value`` those set."""

    values: dict[str, str]
    on: tuple[str, ...]
    clear: int
    value: int


def guarantee_settings(space: StateSpace, guarantors: tuple[str, ...]
                       ) -> list[GuaranteeSetting]:
    """Every setting of the guarantor options, fewest in force first, then in the order they
    are listed (a levelled option's levels lowest first).

    >>> import numpy as np
    >>> s = StateSpace(("a", "b"), ("both", "both"), np.arange(4))
    >>> [g.on for g in guarantee_settings(s, ("b", "a"))]
    [(), ('b',), ('a',), ('b', 'a')]
    """
    by_name = {col.name: col for col in space.columns}
    cols = [by_name[g] for g in guarantors]
    clear = sum(col.mask for col in cols)
    out = []
    for size in range(len(cols) + 1):
        for on in combinations(range(len(cols)), size):
            for chosen in product(*(cols[k].values[1:] for k in on)):
                at = dict(zip(on, chosen, strict=True))
                values = {col.name: at.get(k, col.values[0]) for k, col in enumerate(cols)}
                value = sum(col.code_bits(v) for col, v in zip(cols, values.values(),
                                                               strict=True))
                shown = tuple(cols[k].name if cols[k].levels is None
                              else f"{cols[k].name} is {at[k]}" for k in on)
                out.append(GuaranteeSetting(values, shown, clear, value))
    return out


def count_guarantee_settings(space: StateSpace, guarantors: tuple[str, ...]) -> int:
    """How many settings :func:`guarantee_settings` lists (2 per yes/no option, one per level
    of a levelled one, multiplied)."""
    by_name = {col.name: col for col in space.columns}
    return prod(len(by_name[g].levels or (0, 1)) for g in guarantors if g in by_name)


@dataclass(frozen=True)
class Deal:
    """A phased deal over a model's states; with ``tranches``, its phases are the tranches
    taken in the order written (:func:`tranche_phases`)."""

    name: str
    phases: tuple[Phase, ...]
    description: str = ""
    guarantors: tuple[str, ...] = ()
    tranches: tuple[Tranche, ...] = ()


class DealError(ModelError):
    """An invalid deal; ``where`` is the path of the offending field inside ``deal``."""

    def __init__(self, message: str, where: tuple[str | int, ...] = ()) -> None:
        field = "deal" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where)
        super().__init__(message, field=field)
        self.where = where


def step_problem(c: Conflict, before: int, after: int) -> str | None:
    """Why ``before → after`` breaks irreversibility, or ``None`` when it does not.

    >>> import detente
    >>> pd = detente.load("examples/prisoners_dilemma.yaml")
    >>> step_problem(pd, 0, 3) is None
    True
    """
    return c.space.step_problem(before, after)


def tranche_phases(
    option_names: tuple[str, ...], status_quo: int, tranches: tuple[Tranche, ...]
) -> tuple[Phase, ...]:
    """The phases of ``tranches`` taken in the order given, cumulatively from the status quo.

    >>> tranche_phases(("a", "b"), 0, (Tranche("one", (("a", True),)),
    ...                                Tranche("two", (("b", True),))))[1].state
    3
    """
    bits = {n: k for k, n in enumerate(option_names)}
    out, code = [], status_quo
    for t in tranches:
        code = t.apply(bits, code)
        out.append(Phase(t.name, code, t.rationale))
    return tuple(out)


def validate_tranches(
    option_names: tuple[str, ...], status_quo: int | None, deal: Deal
) -> None:
    """Names, option values and ``after`` of the tranches: unique names, known options, no
    option set twice or to the status quo's values alone, known and acyclic ``after``, and
    the order as written allowed by ``after``."""
    names = set(option_names)
    if status_quo is None:
        raise DealError(
            "tranches are taken cumulatively from the status quo, but the model has no "
            "status_quo; add one or give the deal's `phases`", ("tranches",),
        )
    index: dict[str, int] = {}
    owner: dict[str, str] = {}
    for k, t in enumerate(deal.tranches):
        if not t.name.strip():
            raise DealError("empty tranche name; expected a name", ("tranches", k, "name"))
        if t.name in index:
            raise DealError(
                f"duplicate tranche name {t.name!r} (also tranches[{index[t.name]}]); expected "
                "unique names", ("tranches", k, "name"),
            )
        index[t.name] = k
        if not t.values:
            raise DealError(f"tranche {t.name!r} sets no option; expected option: Y/N values",
                            ("tranches", k, "set"))
        for option, _ in t.values:
            if option not in names:
                raise DealError(
                    f"tranche {t.name!r}: unknown option {option!r}; expected one of: "
                    f"{', '.join(option_names)}", ("tranches", k, "set", option),
                )
            if option in owner:
                raise DealError(
                    f"option {option!r} is set by tranche {owner[option]!r} and again by "
                    f"tranche {t.name!r}; expected each option in one tranche",
                    ("tranches", k, "set", option),
                )
            owner[option] = t.name
        bits = {n: j for j, n in enumerate(option_names)}
        if t.apply(bits, status_quo) == status_quo:
            raise DealError(
                f"tranche {t.name!r} only sets options to their status-quo values; expected "
                "at least one change", ("tranches", k, "set"),
            )
    for k, t in enumerate(deal.tranches):
        for j, name in enumerate(t.after):
            if name not in index:
                raise DealError(
                    f"tranche {t.name!r} is after unknown tranche {name!r}; expected one of: "
                    f"{', '.join(index)}", ("tranches", k, "after", j),
                )
            if name == t.name:
                raise DealError(f"tranche {t.name!r} is after itself",
                                ("tranches", k, "after", j))
    cycle = _after_cycle(deal.tranches)
    if cycle:
        raise DealError(
            f"the tranches' `after` lists form a cycle: {' after '.join(cycle)}; expected an "
            "order that some sequence can satisfy", ("tranches", index[cycle[0]], "after"),
        )
    done: set[str] = set()
    for k, t in enumerate(deal.tranches):
        late = [n for n in t.after if n not in done]
        if late:
            raise DealError(
                f"tranche {t.name!r} is written before {', '.join(map(repr, late))}, which it "
                "must come after; write the tranches in an order that `after` allows (the "
                "order written is the deal analysed without --design)",
                ("tranches", k, "after"),
            )
        done.add(t.name)


def _validate_tranche_deal(c: Conflict, deal: Deal) -> None:
    validate_tranches(c.option_names, c.status_quo, deal)
    assert c.status_quo is not None
    expected = tranche_phases(c.option_names, c.status_quo, deal.tranches)
    if deal.phases != expected:
        raise DealError("the phases of a deal with tranches are the tranches in the order "
                        "written (tranche_phases); expected those", ("phases",))


def _after_cycle(tranches: tuple[Tranche, ...]) -> list[str]:
    """A cycle of ``after`` names (first name repeated at the end), or ``[]``."""
    after = {t.name: t.after for t in tranches}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(n: str) -> list[str]:
        state[n] = 1
        stack.append(n)
        for m in after.get(n, ()):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        state[n] = 2
        stack.pop()
        return []

    for t in tranches:
        if t.name not in state:
            found = visit(t.name)
            if found:
                return found
    return []


def validate_deal(c: Conflict, deal: Deal) -> None:
    """Raise :class:`DealError` unless every phase is feasible and every step legal (and, for
    a deal with tranches, the tranches are well formed)."""
    if deal.tranches:
        _validate_tranche_deal(c, deal)
    if not deal.phases:
        raise DealError("a deal needs at least one phase", ("phases",))
    seen: dict[str, int] = {}
    for k, phase in enumerate(deal.phases):
        if not phase.name.strip():
            raise DealError("empty phase name; expected a name", ("phases", k, "name"))
        if phase.name in seen:
            raise DealError(
                f"duplicate phase name {phase.name!r} (also phases[{seen[phase.name]}]); "
                "expected unique names",
                ("phases", k, "name"),
            )
        seen[phase.name] = k
    names = c.space.column_names
    for k, g in enumerate(deal.guarantors):
        if g not in names:
            raise DealError(
                f"unknown option {g!r}; expected one of: {', '.join(names)}",
                ("guarantors", k),
            )
        if g in deal.guarantors[:k]:
            raise DealError(f"option {g!r} is listed twice", ("guarantors", k))
    n_settings = count_guarantee_settings(c.space, deal.guarantors)
    if n_settings > MAX_GUARANTEE_SETTINGS:
        raise DealError(
            f"{len(deal.guarantors)} guarantor options have {n_settings:,} settings; at most "
            f"{MAX_GUARANTEE_SETTINGS:,} (every setting of them is tried: at most "
            f"{MAX_GUARANTORS} yes/no options, fewer with levels)",
            ("guarantors",),
        )
    previous = c.status_quo
    part = "tranches" if deal.tranches else "phases"
    for k, phase in enumerate(deal.phases):
        where: tuple[str | int, ...] = (part, k)
        if not c.is_feasible(phase.state):
            hint = ("; the tranches are taken in the order written: reorder them or add "
                    "`after`" if deal.tranches else "")
            raise DealError(f"phase {phase.name!r}: state {c.state_string(phase.state)} is "
                            f"not feasible{hint}", where)
        if previous is not None:
            if previous == phase.state:
                was = "the status quo" if k == 0 else f"phase {deal.phases[k - 1].name!r}"
                raise DealError(
                    f"phase {phase.name!r} is the same state as {was}; expected at least one "
                    "option to change", where,
                )
            problem = step_problem(c, previous, phase.state)
            if problem:
                was = "the status quo" if k == 0 else f"phase {deal.phases[k - 1].name!r}"
                raise DealError(
                    f"the step from {was} to phase {phase.name!r} {problem}", where
                )
        previous = phase.state


__all__ = ["MAX_GUARANTEE_SETTINGS", "MAX_GUARANTORS", "Deal", "DealError", "GuaranteeSetting",
           "Phase", "Tranche", "count_guarantee_settings", "guarantee_settings", "step_problem",
           "tranche_phases", "validate_deal", "validate_tranches"]
