"""The native file's negotiation sections: per-DM ``weights`` and the model's ``drafts``,
read into :class:`~detente.model.weights.Weights` and :class:`~detente.model.drafts.Draft`
with errors located at the field that is wrong."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from detente.formats.spec import ModelSpec, StateRef
from detente.model.drafts import Draft
from detente.model.errors import ModelError
from detente.model.states import StateSpace
from detente.model.weights import Weights

Path_ = tuple[str | int, ...]


class _Builder(Protocol):
    """What these readers use of the native builder (a protocol: no import cycle)."""

    spec: ModelSpec
    bits: dict[str, int]
    names: tuple[str, ...]

    @property
    def space(self) -> StateSpace: ...
    def error(self, exc: ModelError, path: Path_) -> ModelError: ...
    def _state(self, ref: StateRef | Mapping[str, Any], path: Path_) -> int: ...
    def _states(self, ref: StateRef, path: Path_) -> list[int]: ...


def read_weights(b: _Builder, k: int) -> Weights | None:
    """Decision maker ``k``'s ``weights:`` (None when it declares none)."""
    spec = b.spec.decision_makers[k].weights
    if spec is None:
        return None
    path: Path_ = ("decision_makers", k, "weights")
    for name, value in spec.items():
        if name not in b.bits:
            raise b.error(
                ModelError(f"unknown option {name!r}; expected one of: {', '.join(b.names)}"),
                (*path, name),
            )
        if not math.isfinite(value):
            raise b.error(
                ModelError(f"the points of {name!r} must be a finite number, got {value}"),
                (*path, name),
            )
    return Weights(tuple((name, float(value)) for name, value in spec.items()))


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
