"""Dependency-free file helpers shared by every layer."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def file_mode(path: Path) -> int:
    """Permissions for a new version of ``path``: the existing file's, else 0o666 less the
    umask (what ``open`` would give; a temporary file from ``mkstemp`` starts at 0o600).

    >>> file_mode(Path("/nonexistent/x")) & 0o600
    384
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
