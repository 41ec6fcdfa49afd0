"""Packages every party prefers to the reference, the stable-and-fair frontier and the fair
packages on it (``analysis``; the choosers in ``bargaining``, the result in ``result``)."""

from __future__ import annotations

from detente.analyses.packages.analysis import (
    DEFAULT_LIMIT,
    DEFAULT_SAMPLES,
    check_memory,
    packages,
    packages_bytes,
)
from detente.analyses.packages.result import PackagesResult

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SAMPLES",
    "PackagesResult",
    "check_memory",
    "packages",
    "packages_bytes",
]
