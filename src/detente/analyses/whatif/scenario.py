"""A what-if scenario as plain data, read from JSON with located errors.

Shape (every section optional)::

    {"alternatives": {dm: reading name or "main"},
     "statements":   {dm: {statement text: true | false}},
     "orders":       {dm: [[statement text, ...], ...]},
     "settings":     {option: "Y" | "N" | level},
     "commitments":  {option: "fwd" | "back"}}

An error names the field as a dotted path (``alternatives.Hamas``, ``settings``); the web
answers it as a 422 on that field and the CLI prefixes the file.

>>> s = parse_scenario({"alternatives": {"Hamas": "hardline"}, "settings": {"g": "Y"}})
>>> s.to_dict()["alternatives"], s.key()
({'Hamas': 'hardline'}, '{"alternatives":{"Hamas":"hardline"},"settings":{"g":"Y"}}')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from detente.model.errors import ArgumentError

#: Entries accepted per section (and statements per order); a larger scenario is refused.
MAX_ENTRIES = 256
#: Longest name or statement text accepted.
MAX_TEXT = 1_000
SECTIONS = ("alternatives", "statements", "orders", "settings", "commitments")


@dataclass(frozen=True)
class Scenario:
    """One what-if: the reading each named DM holds, the setting of its uncertain statements
    and orders, options fixed in every proposal, commitments made (see the module doc)."""

    alternatives: tuple[tuple[str, str], ...] = ()
    statements: tuple[tuple[str, tuple[tuple[str, bool], ...]], ...] = ()
    orders: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()
    settings: tuple[tuple[str, str], ...] = ()
    commitments: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.alternatives or self.statements or self.orders or self.settings or self.commitments
        )

    def fixed_dms(self) -> tuple[str, ...]:
        """The DMs whose preferences the scenario fixes (taken as certain)."""
        seen: dict[str, None] = {}
        for dm, _ in (*self.alternatives, *self.statements, *self.orders):
            seen[dm] = None
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (sections that are empty left out)."""
        out: dict[str, Any] = {}
        if self.alternatives:
            out["alternatives"] = dict(self.alternatives)
        if self.statements:
            out["statements"] = {dm: dict(v) for dm, v in self.statements}
        if self.orders:
            out["orders"] = {dm: [list(o) for o in v] for dm, v in self.orders}
        if self.settings:
            out["settings"] = dict(self.settings)
        if self.commitments:
            out["commitments"] = dict(self.commitments)
        return out

    def key(self) -> str:
        """Canonical JSON text (sorted keys): equal scenarios have equal keys."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError(f"expected a name (text), got {value!r}", parameter=where)
    if len(value) > MAX_TEXT:
        raise ArgumentError(
            f"text of {len(value):,} characters; at most {MAX_TEXT:,} accepted", parameter=where
        )
    return value


def _mapping(value: object, where: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ArgumentError(
            f"expected an object of names, got {type(value).__name__}", parameter=where
        )
    if len(value) > MAX_ENTRIES:
        raise ArgumentError(
            f"{len(value):,} entries; at most {MAX_ENTRIES:,} accepted", parameter=where
        )
    for k in value:
        _text(k, where)
    return value


def _choice(value: object, where: str, allowed: tuple[str, ...] | None) -> str:
    text = _text(value, where)
    if allowed is not None and text not in allowed:
        raise ArgumentError(f"expected one of {', '.join(allowed)}, got {text!r}", parameter=where)
    return text


def parse_scenario(value: object) -> Scenario:
    """A :class:`Scenario` from its JSON form; a wrong shape is an ArgumentError naming the
    field (``settings.us_guarantee``) and what was expected."""
    if isinstance(value, Scenario):
        return value
    top = _mapping(value, "scenario")
    unknown = [k for k in top if k not in SECTIONS]
    if unknown:
        raise ArgumentError(
            f"unknown section {unknown[0]!r}; expected some of: {', '.join(SECTIONS)}",
            parameter=unknown[0],
        )
    alts = _mapping(top.get("alternatives", {}), "alternatives")
    alternatives = tuple((dm, _choice(v, f"alternatives.{dm}", None)) for dm, v in alts.items())
    sts = _mapping(top.get("statements", {}), "statements")
    statements = []
    for dm, v in sts.items():
        inner = _mapping(v, f"statements.{dm}")
        pairs = []
        for text, holds in inner.items():
            if not isinstance(holds, bool):
                raise ArgumentError(
                    f"expected true or false, got {holds!r}", parameter=f"statements.{dm}"
                )
            pairs.append((text, holds))
        statements.append((dm, tuple(pairs)))
    ords = _mapping(top.get("orders", {}), "orders")
    orders = []
    for dm, v in ords.items():
        where = f"orders.{dm}"
        if not isinstance(v, list) or len(v) > MAX_ENTRIES:
            raise ArgumentError(
                f"expected a list of orders (each a list of statements), at most "
                f"{MAX_ENTRIES:,}, got {type(v).__name__}",
                parameter=where,
            )
        groups = []
        for k, order in enumerate(v):
            if not isinstance(order, list) or not 2 <= len(order) <= MAX_ENTRIES:
                raise ArgumentError(
                    f"order {k + 1}: expected a list of 2 to {MAX_ENTRIES} statements",
                    parameter=where,
                )
            groups.append(tuple(_text(t, where) for t in order))
        orders.append((dm, tuple(groups)))
    sets = _mapping(top.get("settings", {}), "settings")
    settings = tuple((o, _choice(v, f"settings.{o}", None)) for o, v in sets.items())
    coms = _mapping(top.get("commitments", {}), "commitments")
    commitments = tuple(
        (o, _choice(v, f"commitments.{o}", ("fwd", "back"))) for o, v in coms.items()
    )
    return Scenario(alternatives, tuple(statements), tuple(orders), settings, commitments)


__all__ = ["MAX_ENTRIES", "MAX_TEXT", "SECTIONS", "Scenario", "parse_scenario"]
