"""The flagship with the three perceptions of tests/data/ceasefire_hypergame.yaml (kept apart
from examples/ceasefire_2024.yaml), for the report, web and API tests of the hypergame."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import detente
from detente.formats.native import loads
from detente.formats.native.writer import dumps

ROOT = Path(__file__).resolve().parents[1]
PERCEPTIONS = ROOT / "tests" / "data" / "ceasefire_hypergame.yaml"


def flagship_text() -> str:
    """The flagship's model text with the three perceptions appended."""
    flagship = detente.load(ROOT / "examples" / "ceasefire_2024.yaml")
    return dumps(flagship) + PERCEPTIONS.read_text(encoding="utf-8")


def flagship_with_perceptions() -> detente.Conflict:
    """The flagship with the three perceptions (its source file: the flagship's)."""
    model = loads(flagship_text(), source="flagship+perceptions")
    return replace(model, source_file=str(ROOT / "examples" / "ceasefire_2024.yaml"))
