"""Reading unknown preferences from a native model file (model/unknown.py).

A DM's own preferences may leave pairs of states unordered: ``unknown:`` (groups of states)
and ``unknown: true`` on a statement. The readings of robustness (``alternatives``), the
perceptions of hypergames and mediation's candidate statements may not: they are refused there
with the field's location.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from detente.formats.native.reader import Path_
from detente.formats.spec import (
    ModelSpec,
    PreferencesSpec,
    StatementGroupSpec,
    StatementSpec,
    StateRef,
)
from detente.model.errors import ModelError
from detente.model.unknown import UnknownPreference

if TYPE_CHECKING:
    from detente.model.conflict import Conflict, DecisionMaker


class _Builder(Protocol):
    """What these readers use of the native builder (a protocol: no import cycle)."""

    @property
    def spec(self) -> ModelSpec: ...
    def error(self, exc: ModelError, path: Path_) -> ModelError: ...
    def _states(self, ref: StateRef, path: Path_) -> list[int]: ...


def read_unknown(b: _Builder, k: int) -> UnknownPreference | None:
    """DM ``k``'s unknown pairs (None when it declares none); refuses them where they cannot
    be (its alternatives)."""
    dm = b.spec.decision_makers[k]
    path: Path_ = ("decision_makers", k, "preferences")
    for j, alt in enumerate(dm.alternatives):
        refuse_unknown(b, alt.preferences, ("decision_makers", k, "alternatives", j,
                                            "preferences"), "an alternative reading")
    spec = dm.preferences
    groups: list[tuple[int, ...]] = []
    for g, refs in enumerate(spec.unknown or []):
        codes: list[int] = []
        for m, ref in enumerate(refs):
            codes.extend(b._states(ref, (*path, "unknown", g, m)))
        if len(set(codes)) < 2:
            raise b.error(ModelError(
                f"this group names {len(set(codes))} distinct state(s); expected two or more "
                "states the decision maker cannot compare"), (*path, "unknown", g))
        groups.append(tuple(dict.fromkeys(codes)))
    statements = tuple(pos for pos, (st, _) in enumerate(_statements(spec, path)) if st.unknown)
    if not groups and not statements:
        return None
    return UnknownPreference(tuple(groups), statements)


def refuse_unknown(b: _Builder, spec: PreferencesSpec | None, path: Path_, where: str) -> None:
    """A located error when ``spec`` (not a DM's own preferences) declares unknown pairs."""
    if spec is None:
        return
    if spec.unknown is not None:
        raise b.error(ModelError(
            f"unknown pairs in {where}; expected them in a decision maker's own preferences "
            "only (the nash_a ... seq_d concepts read those)"), (*path, "unknown"))
    for st, where_st in _statements(spec, path):
        if st.unknown:
            raise b.error(ModelError(
                f"an unknown statement in {where}; expected 'unknown: true' in a decision "
                "maker's own preferences only"), (*where_st, "unknown"))


def refuse_unknown_statement(b: _Builder, item: str | StatementSpec, path: Path_,
                             where: str) -> None:
    """A located error for ``unknown: true`` on a statement outside a DM's preferences."""
    if isinstance(item, StatementSpec) and item.unknown:
        raise b.error(ModelError(
            f"an unknown statement in {where}; expected 'unknown: true' in a decision maker's "
            "own preferences only"), (*path, "unknown"))


def write_unknown(c: Conflict, dm: DecisionMaker, prefs: dict[str, Any]) -> None:
    """Add DM ``dm``'s unknown pairs to its written preferences ``prefs`` (in place): the
    groups as Y/N states, ``unknown: true`` on its unknown statements."""
    u = dm.unknown
    if u is None or u.empty:
        return
    if u.groups:
        prefs["unknown"] = [[c.state_string(code) for code in g] for g in u.groups]
    wanted = set(u.statements)
    pos = 0

    def mark(item: Any) -> Any:
        nonlocal pos
        here, pos = pos, pos + 1
        if here not in wanted:
            return item
        return {**(item if isinstance(item, dict) else {"statement": item}), "unknown": True}

    prefs["statements"] = [
        {**item, "unknown_order": [mark(m) for m in item["unknown_order"]]}
        if isinstance(item, dict) and "unknown_order" in item else mark(item)
        for item in prefs.get("statements", [])
    ]
    if not prefs["statements"]:
        del prefs["statements"]


def _statements(spec: PreferencesSpec, path: Path_) -> list[tuple[StatementSpec, Path_]]:
    """The statements in list order (groups of unknown order flattened), with their paths."""
    out: list[tuple[StatementSpec, Path_]] = []
    for j, item in enumerate(spec.statements or []):
        p = (*path, "statements", j)
        if isinstance(item, StatementGroupSpec):
            out.extend((_spec(m), (*p, "unknown_order", q))
                       for q, m in enumerate(item.unknown_order))
        else:
            out.append((_spec(item), p))
    return out


def _spec(item: str | StatementSpec) -> StatementSpec:
    return item if isinstance(item, StatementSpec) else StatementSpec(statement=item)


__all__ = ["read_unknown", "refuse_unknown", "refuse_unknown_statement", "write_unknown"]
