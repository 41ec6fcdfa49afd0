"""Shared fixtures for the test suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteModel = Callable[..., Path]
"""``write_model(text, name='model.yaml') -> Path``."""


@pytest.fixture
def write_model(tmp_path: Path) -> WriteModel:
    """Write YAML text to ``<tmp>/model.yaml`` and return the path."""

    def write(text: str, name: str = "model.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _no_memory_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without a DETENTE_MAX_MEMORY from the environment; set it where needed."""
    monkeypatch.delenv("DETENTE_MAX_MEMORY", raising=False)
