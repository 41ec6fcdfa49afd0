"""numba's ``njit`` as the engine's compiled loops use it: cached on disk, GIL released.

Compiled functions are built on first call (a few seconds, once per machine: numba caches them
beside the module, or in the user's cache directory when that is read-only) and run without
the GIL, so callers split their work over threads (:func:`detente.engine.workers.worker_count`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def jit(fn: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, typed for mypy."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


__all__ = ["jit"]
