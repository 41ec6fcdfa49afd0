"""numba's ``njit`` as the engine's compiled loops use it (cached on disk, GIL released), and
the one move rule those loops share.

Compiled functions are built on first call (a few seconds, once per machine: numba caches them
beside the module, or in the user's cache directory when that is read-only) and run without
the GIL, so callers split their work over threads (:func:`detente.engine.workers.worker_count`).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
from numba.extending import register_jitable

from detente.engine import simultaneous_core

F = TypeVar("F", bound=Callable[..., Any])


def jit(fn: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, typed for mypy."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


#: numba's options for loops that borrow their arrays (``_nrt``: numba's runtime, off).
_BORROWED: dict[str, Any] = {"cache": True, "nogil": True, "_nrt": False}


def jit_borrowed(fn: F) -> F:
    """:func:`jit` for a loop that allocates nothing: its arrays are borrowed from the caller,
    without numba's reference counting (``_nrt=False``), whose atomic increment and decrement
    of every array argument, per call, cost more than a per-state step. Allocate scratch in a
    :func:`jit` (or Python) caller and pass it in."""
    return cast(F, numba.njit(**_BORROWED)(fn))


def jit_inline(fn: F) -> F:
    """:func:`jit_borrowed` for a small step of a compiled loop: compiled into each compiled
    caller (numba's ``inline="always"``) rather than called."""
    return cast(F, numba.njit(inline="always", **_BORROWED)(fn))


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
