"""How many threads the engine may use, and mapping a function over work items in them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """Threads for the engine: DETENTE_WORKERS if set, else the CPUs this process may use."""
    env = os.environ.get("DETENTE_WORKERS", "").strip()
    if env.isascii() and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def thread_map(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``fn`` over ``items``, results in order: in up to :func:`worker_count` threads when
    there are several items (numpy and the compiled loops release the GIL), else here.

    >>> list(thread_map(lambda x: x * x, [1, 2, 3]))
    [1, 4, 9]
    """
    workers = min(worker_count(), len(items))
    if workers < 2:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(fn, items)


__all__ = ["thread_map", "worker_count"]
