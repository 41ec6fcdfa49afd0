"""Size limits: refuse a model before its analysis would exhaust memory.

The engine keeps O(states x decision makers) numbers. ``engine_bytes`` is a deliberately
generous estimate of its peak; ``memory_budget`` is what this machine can give (override with
the environment variable ``DETENTE_MAX_MEMORY``, e.g. ``4GiB``).
"""

from __future__ import annotations

import os
import re

from detente.model.errors import ModelTooLargeError

#: Options beyond this are not enumerated (2**30 candidate states).
MAX_OPTIONS = 30

_UNITS = {"": 1, "b": 1, "k": 2**10, "kib": 2**10, "kb": 10**3, "m": 2**20, "mib": 2**20,
          "mb": 10**6, "g": 2**30, "gib": 2**30, "gb": 10**9, "t": 2**40, "tib": 2**40}


def parse_bytes(text: str) -> int:
    """Parse a size such as ``512MiB`` or ``4GiB``.

    >>> parse_bytes("4GiB")
    4294967296
    """
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"cannot read a memory size from {text!r}; expected e.g. 4GiB")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_bytes(n: float) -> str:
    """Human-readable size. ``format_bytes(3 * 2**30)`` is ``'3.0 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def memory_budget() -> int:
    """Bytes the engine may use: DETENTE_MAX_MEMORY, else 80% of available memory."""
    env = os.environ.get("DETENTE_MAX_MEMORY")
    if env:
        return parse_bytes(env)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(int(line.split()[1]) * 1024 * 0.8)
    except OSError:  # pragma: no cover - not Linux
        pass
    return 8 * 2**30  # pragma: no cover


def engine_bytes(n_states: int, n_dms: int) -> int:
    """Estimated peak bytes of a full stability analysis of ``n_states`` feasible states.

    Per state: the code and per-DM ranks and layout positions, plus the working arrays of the
    coalition fixed point (one float64 per member and a few temporaries), padded 2x for the
    per-DM group layouts.
    """
    per_state = 8 + n_dms * (4 + 8) + 2 * 8 * (n_dms + 6)
    return int(n_states * per_state)


def check_options(n_options: int, source: str | None = None) -> None:
    if n_options > MAX_OPTIONS:
        where = f"{source}: " if source else ""
        raise ModelTooLargeError(
            f"{where}{n_options} options give 2^{n_options} = {2**n_options:,} candidate states; "
            f"detente enumerates at most 2^{MAX_OPTIONS} (= {MAX_OPTIONS} options). Merge options "
            "or split the conflict."
        )


def check_states(n_states: int, n_dms: int, source: str | None = None, *, at_least: bool = False
                 ) -> None:
    need = engine_bytes(n_states, n_dms)
    budget = memory_budget()
    if need > budget:
        where = f"{source}: " if source else ""
        more = "at least " if at_least else ""
        raise ModelTooLargeError(
            f"{where}the model has {more}{n_states:,} feasible states; analysing them with "
            f"{n_dms} decision makers needs {more}about {format_bytes(need)} of memory, more than "
            f"the {format_bytes(budget)} available (set DETENTE_MAX_MEMORY to change the limit)."
        )
