"""A small LRU cache of parsed models and analysis results, computing each key once.

Saved versions never change, so results keyed by (model id, version, what, parameters)
stay valid for ever; the cache only bounds memory: at most ``size`` entries and at most
``max_bytes`` bytes, each value measured once when it is stored (:func:`measure`: the length
of bytes and text, the buffers of numpy arrays, a walk of other objects). A value larger than
the whole budget is returned but not kept. Concurrent requests for the same key wait for
the one computation instead of repeating it.

>>> cache = ResultCache(2)
>>> cache.get(("a",), lambda: 1), cache.get(("a",), lambda: 2)
(1, 1)
>>> small = ResultCache(10, max_bytes=100)
>>> small.get("big", lambda: b"x" * 500) == b"x" * 500, small.has("big")
(True, False)
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
#: Objects a :func:`measure` walk visits at most (the rest of a huge structure is not
#: counted; the values cached here are bytes, text, numpy-backed results and models).
MAX_WALK = 200_000


def measure(value: object, max_nodes: int = MAX_WALK) -> int:
    """Approximate bytes held by ``value``: ``len`` of bytes and text, ``nbytes`` of numpy
    arrays, and for other objects ``sys.getsizeof`` summed over what they reference (each
    object once, at most ``max_nodes`` of them).

    >>> measure(b"abc"), measure("abc"), measure(np.zeros(10))  # 80 bytes + the header
    (3, 3, 192)
    >>> measure({"a": b"x" * 1000}) > 1000
    True
    """
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    seen: set[int] = set()
    stack: list[object] = [value]
    total = 0
    while stack and len(seen) < max_nodes:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            total += obj.nbytes + 112
            continue
        try:
            total += sys.getsizeof(obj)
        except Exception:  # an odd __sizeof__: count nothing for it, never fail the caller
            continue
        if isinstance(obj, bytes | bytearray | str | int | float | bool | type(None)) or (
                callable(obj) or isinstance(obj, ModuleType)):
            continue  # leaves; functions, classes and modules are shared, not the value's
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        else:
            stack.extend(_attributes(obj))
    return total


def _attributes(obj: object) -> list[object]:
    """What an object references through its ``__dict__`` or ``__slots__``."""
    found: list[object] = []
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        found.extend(attrs.values())
    for cls in type(obj).__mro__:
        slots = getattr(cls, "__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            try:
                found.append(getattr(obj, name))
            except Exception:  # an unset slot or a failing descriptor holds nothing here
                continue
    return found


class ResultCache:
    """Least-recently-used results, at most ``size`` of them (0 disables caching) and at most
    ``max_bytes`` bytes of them (as :func:`measure` counts)."""

    def __init__(self, size: int, max_bytes: int = 256 * 2**20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._bytes: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    @property
    def nbytes(self) -> int:
        """Bytes held now (the sum of the stored values' measured sizes)."""
        with self._lock:
            return sum(self._bytes.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def has(self, key: Hashable) -> bool:
        """Whether ``key`` is cached now (without computing or refreshing it)."""
        with self._lock:
            return key in self._items

    def peek(self, key: Hashable) -> Any | None:
        """The cached value of ``key`` (refreshed), or None without computing anything."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

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
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._pending.pop(key, None)
                raise
            self._store(key, value, measure(value))
            return value

    def _store(self, key: Hashable, value: Any, nbytes: int) -> None:
        with self._lock:
            self._pending.pop(key, None)
            if nbytes > self.max_bytes:
                return  # larger than the whole budget: answered, not kept
            self._items[key] = value
            self._bytes[key] = nbytes
            total = sum(self._bytes.values())
            while len(self._items) > self.size or total > self.max_bytes:
                old, _ = self._items.popitem(last=False)
                total -= self._bytes.pop(old)
