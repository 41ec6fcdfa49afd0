"""The native YAML model file: ``reader`` (text → validated data, errors with file, line and
field), ``builder`` (data → model) and ``writer`` (model → YAML text)."""

from __future__ import annotations

from detente.formats.native.builder import build, code_text, load, loads
from detente.formats.native.reader import read_spec
from detente.formats.native.writer import dump, dumps, to_spec

__all__ = ["build", "code_text", "dump", "dumps", "load", "loads", "read_spec", "to_spec"]
