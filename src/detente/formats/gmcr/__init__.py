"""GMCR+ ``.gmcr`` files (JSON): ``reader`` (the format; text → data), ``builder`` (data →
model, errors naming the JSON path) and ``writer`` (model → text, and what it cannot hold)."""

from __future__ import annotations

from detente.formats.gmcr.builder import identifier, load_gmcr, loads_gmcr
from detente.formats.gmcr.reader import read_json
from detente.formats.gmcr.writer import dnf, dump_gmcr, dumps_gmcr, omissions, to_gmcr

__all__ = ["dnf", "dump_gmcr", "dumps_gmcr", "identifier", "load_gmcr", "loads_gmcr",
           "omissions", "read_json", "to_gmcr"]
