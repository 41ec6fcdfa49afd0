"""Loading the repository's scripts (docs/scripts/, benchmarks/) in tests, and comparing the
text they print with a page's, whitespace folded."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """The script at ``relative`` (from the repository root) as a module, without running its
    ``__main__`` block."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem + "_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flat(text: str) -> str:
    """``text`` with every run of whitespace as one space (a page's wrapped lines)."""
    return re.sub(r"\s+", " ", text)
