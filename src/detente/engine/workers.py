"""How many threads the engine may use."""

from __future__ import annotations

import os


def worker_count() -> int:
    """Threads for the engine: DETENTE_WORKERS if set, else the CPUs this process may use."""
    env = os.environ.get("DETENTE_WORKERS", "").strip()
    if env.isascii() and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


__all__ = ["worker_count"]
