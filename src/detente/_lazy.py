"""Lazy re-exports (PEP 562): a package names its public objects without importing the
modules that define them until first use, so ``import detente`` (and the command line's
start-up) does not pay for numpy, pandas or matplotlib it does not need.

>>> ns = {}
>>> get = exports(ns, {"sqrt": ("math", "sqrt")})
>>> get("sqrt")(9.0), "sqrt" in ns
(3.0, True)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(namespace: dict[str, Any], table: dict[str, tuple[str, str]]
            ) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``table[name] = (module, attribute)`` on first
    access and caches it in ``namespace`` (the module's globals)."""

    def __getattr__(name: str) -> Any:
        try:
            module, attr = table[name]
        except KeyError:
            raise AttributeError(
                f"module {namespace.get('__name__')!r} has no attribute {name!r}"
            ) from None
        value = getattr(importlib.import_module(module), attr)
        namespace[name] = value
        return value

    return __getattr__
