"""The native YAML model file: ``reader`` (text → validated data, errors with file, line and
field), ``builder`` (data → model) and ``writer`` (model → YAML text).

The names are imported on first use (:mod:`detente._lazy`): loading a model does not import
the writer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente._lazy import exports

if TYPE_CHECKING:
    from detente.formats.native.builder import build, code_text, load, loads
    from detente.formats.native.reader import read_spec
    from detente.formats.native.writer import dump, dumps, to_spec

_EXPORTS = {
    "build": ("detente.formats.native.builder", "build"),
    "code_text": ("detente.formats.native.builder", "code_text"),
    "load": ("detente.formats.native.builder", "load"),
    "loads": ("detente.formats.native.builder", "loads"),
    "read_spec": ("detente.formats.native.reader", "read_spec"),
    "dump": ("detente.formats.native.writer", "dump"),
    "dumps": ("detente.formats.native.writer", "dumps"),
    "to_spec": ("detente.formats.native.writer", "to_spec"),
}
__getattr__ = exports(globals(), _EXPORTS)

__all__ = ["build", "code_text", "dump", "dumps", "load", "loads", "read_spec", "to_spec"]
