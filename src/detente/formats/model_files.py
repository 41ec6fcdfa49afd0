"""Model files by suffix: load, save or write a model in the format its name says (native YAML for
``.yaml``/``.yml``, GMCR+ for ``.gmcr``/``.json``), and what a format cannot hold."""

from __future__ import annotations

import os
from pathlib import Path

from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError, ModelError

GMCR_SUFFIXES = (".gmcr", ".json")
YAML_SUFFIXES = (".yaml", ".yml")


def _path(path: object, what: str) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(f"{what} must be a file path (str or Path), got {type(path).__name__}")
    return Path(path)


def load_model(path: str | Path) -> Conflict:
    """Load a model file, choosing the format by its suffix (.yaml/.yml or .gmcr/.json)."""
    p = _path(path, "path")
    suffix = p.suffix.lower()
    if suffix in YAML_SUFFIXES:
        from detente.formats.native import load

        return load(p)
    if suffix in GMCR_SUFFIXES:
        from detente.formats.gmcr import load_gmcr

        return load_gmcr(p)
    raise ModelError(
        f"unknown model file type {suffix or '(none)'!r}; expected .yaml, .yml or .gmcr",
        source=str(p),
    )


def save_model(conflict: Conflict, path: str | Path) -> None:
    """Write a model file in the format its suffix names (atomically: see write_atomic)."""
    p = _path(path, "path")
    if not isinstance(conflict, Conflict):
        raise ArgumentError(f"expected a Conflict to save, got {type(conflict).__name__}")
    suffix = p.suffix.lower()
    if suffix in YAML_SUFFIXES:
        from detente.formats.native import dump

        dump(conflict, p)
    elif suffix in GMCR_SUFFIXES:
        from detente.formats.gmcr import dump_gmcr

        dump_gmcr(conflict, p)
    else:
        raise ModelError(
            f"unknown model file type {suffix or '(none)'!r}; expected .yaml, .yml or .gmcr",
            source=str(p),
        )


def dumps_model(conflict: Conflict, suffix: str) -> str:
    """The text of a model file in the format ``suffix`` names (``.yaml``, ``.gmcr``, ...)."""
    suffix = suffix.lower()
    if suffix in YAML_SUFFIXES:
        from detente.formats.native import dumps

        return dumps(conflict)
    if suffix in GMCR_SUFFIXES:
        from detente.formats.gmcr import dumps_gmcr

        return dumps_gmcr(conflict)
    raise ModelError(
        f"unknown model file type {suffix or '(none)'!r}; expected .yaml, .yml or .gmcr"
    )


def omissions(conflict: Conflict, suffix: str) -> list[str]:
    """What a file of the format ``suffix`` names cannot hold of ``conflict`` (none for YAML)."""
    if suffix.lower() in GMCR_SUFFIXES:
        from detente.formats.gmcr import omissions as gmcr_omissions

        return gmcr_omissions(conflict)
    return []


__all__ = ["GMCR_SUFFIXES", "YAML_SUFFIXES", "dumps_model", "load_model", "omissions",
           "save_model"]
