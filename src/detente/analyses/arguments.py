"""Argument checks at the Python API boundary: a wrong type or value is an
:class:`~detente.model.errors.ArgumentError` that names the parameter (``parameter=``) and
says what was expected, never a raw AttributeError or ValueError from deep inside. These are
the only definitions of the argument rules: the analyses, the request layer
(:mod:`detente.analyses.requests`) and so the CLI and the web API all call them.

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

import numbers
from collections.abc import Iterable, Mapping
from typing import Any, cast

from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError

#: Largest random seed (NumPy's generators take 64 bits).
MAX_SEED = 2**64 - 1

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
            f"horizon must be a whole number from 1 to {MAX_HORIZON:,}, got {value!r}",
            parameter="horizon",
        )
    return value


def optional_horizon(value: object) -> int | None:
    return None if value is None else horizon(value)


def groups(value: Any, what: str) -> tuple[tuple[str, ...], ...]:
    """Coalitions: a list of lists of DM names."""
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise ArgumentError(f"{what} must be a list of lists of names, got {value!r}")
    return tuple(names(g, what) if not isinstance(g, str) else (g,) for g in value)


def whole(value: object) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def at_least(value: object, low: int, parameter: str) -> int:
    """A whole number of at least ``low``, named ``parameter`` in the error."""
    if not whole(value) or value < low:  # type: ignore[operator]
        raise ArgumentError(f"{parameter} must be a whole number of at least {low}, got "
                            f"{value!r}", parameter=parameter)
    return int(cast(int, value))


def between(value: object, low: int, high: int, parameter: str, high_text: str = "") -> int:
    """A whole number from ``low`` to ``high``, named ``parameter`` in the error."""
    if not whole(value) or not low <= value <= high:  # type: ignore[operator]
        raise ArgumentError(f"{parameter} must be a whole number from {low} to "
                            f"{high_text or f'{high:,}'}, got {value!r}", parameter=parameter)
    return int(cast(int, value))


def samples(value: object) -> int:
    """Profiles to sample: at least 1."""
    return at_least(value, 1, "samples")


def seed(value: object) -> int | None:
    """A random seed from 0 to 2**64 - 1, or None (a fresh one)."""
    return None if value is None else between(value, 0, MAX_SEED, "seed", "2**64 - 1")


def exact(value: object) -> bool | None:
    """True, False or None (automatic)."""
    if value not in (None, True, False) or not isinstance(value, bool | None):
        raise ArgumentError(f"exact must be True, False or None (automatic), got {value!r}",
                            parameter="exact")
    return value


def optional_probability(value: object, parameter: str) -> float | None:
    """A probability from 0 to 1 (a number, not a bool), or None, named ``parameter``."""
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not 0 <= float(value) <= 1):
        raise ArgumentError(f"{parameter} must be a probability from 0 to 1, got {value!r}",
                            parameter=parameter)
    return float(value)


def count(value: object, parameter: str, what: str = "0 or more") -> int:
    """A whole number, 0 or more, named ``parameter`` in the error."""
    if not whole(value) or value < 0:  # type: ignore[operator]
        raise ArgumentError(f"{parameter} must be a whole number, {what}, got {value!r}",
                            parameter=parameter)
    return int(cast(int, value))


def max_edits(value: object) -> int:
    """Most statement edits a mediation searches: 0 or more (a search too large is refused
    with its size by the analysis)."""
    return count(value, "max_edits")


def limit(value: object) -> int:
    """Most solutions listed: 0 (all) or more."""
    return count(value, "limit", "0 (all) or more")


def flag(value: object, parameter: str) -> bool:
    """A bool."""
    if not isinstance(value, bool):
        raise ArgumentError(f"{parameter} must be True or False, got {value!r}",
                            parameter=parameter)
    return value


def state_ref(value: object, parameter: str) -> int | str:
    """A state reference as given: a 1-based number or a text (Y/N string, pattern, number);
    whether it names a feasible state is the model's to say."""
    if isinstance(value, str):
        if not value.strip():
            raise ArgumentError(f"{parameter} must be a state number or a Y/N string, got an "
                                "empty text", parameter=parameter)
        return value
    if whole(value):
        return int(cast(int, value))
    raise ArgumentError(f"{parameter} must be a state number or a Y/N string, got "
                        f"{type(value).__name__}", parameter=parameter)
