"""Argument checks at the Python API boundary: a wrong type or value is an
:class:`~detente.model.errors.ArgumentError` that says what was expected, never a raw
AttributeError or ValueError from deep inside.

>>> names(["nash", "GMR"], "concepts")
('nash', 'GMR')
>>> names("nash", "concepts")
('nash',)
>>> horizon(True)
Traceback (most recent call last):
...
detente.model.errors.ArgumentError: horizon must be a whole number from 1 to 1,000,000, got True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError

#: Largest limited-move horizon accepted (the anticipation iteration also stops as soon as it
#: repeats itself, so the work is bounded by the model, not by this number).
MAX_HORIZON = 1_000_000


def model(value: object) -> Conflict:
    """``value`` if it is a Conflict (e.g. from ``detente.load``)."""
    if not isinstance(value, Conflict):
        raise ArgumentError(
            f"expected a model (a detente.Conflict, e.g. from detente.load), got "
            f"{type(value).__name__}"
        )
    return value


def names(value: object, what: str) -> tuple[str, ...]:
    """A tuple of names from a str (one name) or an iterable of str."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise ArgumentError(f"{what} must be a list of names, got {type(value).__name__}")
    out = tuple(value)
    for item in out:
        if not isinstance(item, str):
            raise ArgumentError(f"{what} must be names (text), got {item!r}")
    return out


def optional_names(value: object, what: str) -> tuple[str, ...] | None:
    return None if value is None else names(value, what)


def horizon(value: object) -> int:
    """A limited-move horizon: an int from 1 to :data:`MAX_HORIZON`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HORIZON:
        raise ArgumentError(
            f"horizon must be a whole number from 1 to {MAX_HORIZON:,}, got {value!r}"
        )
    return value


def optional_horizon(value: object) -> int | None:
    return None if value is None else horizon(value)


def groups(value: Any, what: str) -> tuple[tuple[str, ...], ...]:
    """Coalitions: a list of lists of DM names."""
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise ArgumentError(f"{what} must be a list of lists of names, got {value!r}")
    return tuple(names(g, what) if not isinstance(g, str) else (g,) for g in value)
