"""A small LRU cache of parsed models and analysis results, computing each key once.

Saved versions never change, so results keyed by (model id, version, what, parameters)
stay valid for ever; the cache only bounds memory. Concurrent requests for the same key
wait for the one computation instead of repeating it.

>>> cache = ResultCache(2)
>>> cache.get(("a",), lambda: 1), cache.get(("a",), lambda: 2)
(1, 1)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ResultCache:
    """Least-recently-used results, at most ``size`` of them (0 disables caching)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    def has(self, key: Hashable) -> bool:
        """Whether ``key`` is cached now (without computing or refreshing it)."""
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, computing it with ``compute()`` if needed. An
        exception from ``compute`` is not cached."""
        if self.size <= 0:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._pending.pop(key, None)
            return value
