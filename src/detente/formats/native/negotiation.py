"""The native file's negotiation sections: per-DM ``weights`` and the model's ``drafts``,
read into :class:`~detente.model.weights.Weights` and :class:`~detente.model.drafts.Draft`
with errors located at the field that is wrong."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from detente.formats.spec import LevelPoints, ModelSpec, StateRef
from detente.model.drafts import Draft
from detente.model.errors import ModelError
from detente.model.levels import LevelledOption
from detente.model.states import StateSpace
from detente.model.weights import Weights, level_steps

Path_ = tuple[str | int, ...]


class _Builder(Protocol):
    """What these readers use of the native builder (a protocol: no import cycle)."""

    spec: ModelSpec
    bits: dict[str, int]
    names: tuple[str, ...]
    levelled: dict[str, LevelledOption]

    @property
    def space(self) -> StateSpace: ...
    def error(self, exc: ModelError, path: Path_) -> ModelError: ...
    def _state(self, ref: StateRef | Mapping[str, Any], path: Path_) -> int: ...
    def _states(self, ref: StateRef, path: Path_) -> list[int]: ...


def read_weights(b: _Builder, k: int) -> Weights | None:
    """Decision maker ``k``'s ``weights:`` (None when it declares none): points per option,
    or per level (a mapping) for an option with levels."""
    spec = b.spec.decision_makers[k].weights
    if spec is None:
        return None
    path: Path_ = ("decision_makers", k, "weights")
    shown = [n for n in (*b.levelled, *b.names) if n not in _internal(b)]
    points: list[tuple[str, float]] = []
    for name, value in spec.items():
        lv = b.levelled.get(name)
        if lv is None and name not in shown:
            raise b.error(
                ModelError(f"unknown option {name!r}; expected one of: {', '.join(shown)}"),
                (*path, name),
            )
        if lv is None:
            if isinstance(value, LevelPoints):
                raise b.error(
                    ModelError(f"option {name!r} has no levels; expected a number of points"),
                    (*path, name),
                )
            _finite(b, name, value, (*path, name))
            points.append((name, float(value)))
            continue
        if not isinstance(value, LevelPoints):
            raise b.error(
                ModelError(
                    f"option {name!r} has levels ({', '.join(lv.levels)}); "
                    "expected points per level, e.g. "
                    f"{{{lv.levels[-1]}: 5}}"
                ),
                (*path, name),
            )
        per = value.root
        for level, pts in per.items():
            if level not in lv.levels:
                raise b.error(
                    ModelError(
                        f"unknown level {level!r} of {name!r}; expected one "
                        f"of: {', '.join(lv.levels)}"
                    ),
                    (*path, name, level),
                )
            _finite(b, f"{name} {level}", pts, (*path, name, level))
        points.extend(level_steps(lv, {lvl: float(p) for lvl, p in per.items()}))
    return Weights(tuple(points))


def _internal(b: _Builder) -> set[str]:
    return {bit for lv in b.levelled.values() for bit in lv.bit_names}


def _finite(b: _Builder, what: str, value: float, path: Path_) -> None:
    if not math.isfinite(value):
        raise b.error(
            ModelError(f"the points of {what!r} must be a finite number, got {value}"), path
        )


def read_drafts(b: _Builder) -> tuple[Draft, ...]:
    """The ``drafts:`` section: each draft's state or pattern resolved to feasible codes."""
    out: list[Draft] = []
    seen: set[str] = set()
    for k, d in enumerate(b.spec.drafts):
        path: Path_ = ("drafts", k)
        if d.name in seen:
            raise b.error(
                ModelError(f"draft name {d.name!r} is used twice; expected unique names"),
                (*path, "name"),
            )
        seen.add(d.name)
        if isinstance(d.state, str) and "-" in d.state:
            codes = b._states(d.state, (*path, "state"))
            text = d.state
        else:
            code = b._state(d.state, (*path, "state"))
            codes, text = [code], b.space.text(code)
        out.append(Draft(d.name, text, tuple(sorted(codes)), d.rationale))
    return tuple(out)


__all__ = ["read_drafts", "read_weights"]
