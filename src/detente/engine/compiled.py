"""numba's ``njit`` as the engine's compiled loops use it (cached on disk, GIL released), and
the one move rule those loops share.

Compiled functions are built on first call (a few seconds, once per machine: numba caches them
beside the module, or in the user's cache directory when that is read-only) and run without
the GIL, so callers split their work over threads (:func:`detente.engine.workers.worker_count`).
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
from numba.core.caching import FunctionCache
from numba.extending import register_jitable

from detente.engine import simultaneous_core

F = TypeVar("F", bound=Callable[..., Any])

#: The sources every compiled loop may compile in besides its own (the SIM core, this
#: module's ``legal_move``): numba's disk cache checks a loop's own file only, so a loop
#: cached before either changed would otherwise run the old code.
_DEPENDS = hashlib.sha256(
    Path(simultaneous_core.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()


class _Cache(FunctionCache):
    """numba's disk cache of a compiled loop, keyed also by :data:`_DEPENDS`."""

    def _index_key(self, sig: Any, codegen: Any) -> Any:
        return (*super()._index_key(sig, codegen), _DEPENDS)  # type: ignore[no-untyped-call]


def _cached(dispatcher: Any) -> Any:
    """``dispatcher`` (built with ``cache=True``) cached under :class:`_Cache`."""
    dispatcher._cache = _Cache(dispatcher.py_func)  # type: ignore[no-untyped-call]
    return dispatcher


def jit(fn: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, typed for mypy; the cache is dropped when a
    source compiled into the loop changes (:data:`_DEPENDS`)."""
    return cast(F, _cached(numba.njit(cache=True, nogil=True)(fn)))


#: numba's options for loops that borrow their arrays (``_nrt``: numba's runtime, off).
_BORROWED: dict[str, Any] = {"cache": True, "nogil": True, "_nrt": False}


def jit_borrowed(fn: F) -> F:
    """:func:`jit` for a loop that allocates nothing: its arrays are borrowed from the caller,
    without numba's reference counting (``_nrt=False``), whose atomic increment and decrement
    of every array argument, per call, cost more than a per-state step. Allocate scratch in a
    :func:`jit` (or Python) caller and pass it in."""
    return cast(F, _cached(numba.njit(**_BORROWED)(fn)))


def jit_inline(fn: F) -> F:
    """:func:`jit_borrowed` for a small step of a compiled loop: compiled into each compiled
    caller (numba's ``inline="always"``) rather than called."""
    return cast(F, _cached(numba.njit(inline="always", **_BORROWED)(fn)))


def compile_calls(module: types.ModuleType, names: tuple[str, ...],
                  inline: tuple[str, ...] = ()) -> None:
    """Let compiled loops call the plain functions ``names`` of ``module`` (and those call
    one another): each is registered with numba (``register_jitable``) and compiled into the
    loop that calls it, while the module keeps its plain Python functions (usable on numpy
    arrays, without numba). One definition, run either way. ``inline``: those of ``names``
    numba inlines into their callers (a per-state step called in a hot loop). Like
    :func:`jit_borrowed`, they borrow their arrays (no reference counting: they allocate
    nothing)."""
    for name in names:
        register_jitable(inline="always" if name in inline else "never", _nrt=False)(
            getattr(module, name))


# the one SIM definition, callable from the compiled SIM loops
compile_calls(simultaneous_core, simultaneous_core.COMPILED, simultaneous_core.INLINE)


@jit
def legal_move(x: int, y: int, fwd: int, back: int) -> bool:
    """Whether a DM may move its options (packed as a layout column) from x to y: another
    setting, no fwd-only option going Y -> N, no back-only option going N -> Y. The compiled
    mirror of :func:`detente.model.states.legal_mask` (the one rule; numba needs a jit
    function), checked against it in ``tests/model/test_states.py``.

    >>> legal_move(0b01, 0b00, 0b01, 0), legal_move(0b00, 0b01, 0b01, 0)
    (False, True)
    """
    return y != x and (x & ~y & fwd) == 0 and (~x & y & back) == 0


__all__ = ["compile_calls", "jit", "jit_borrowed", "jit_inline", "legal_move"]
