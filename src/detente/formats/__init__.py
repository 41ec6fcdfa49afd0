"""Model file formats: the native YAML file and GMCR+ ``.gmcr`` JSON."""

from __future__ import annotations

from pathlib import Path

from detente.model.conflict import Conflict
from detente.model.errors import ModelError

GMCR_SUFFIXES = (".gmcr", ".json")


def read_text(path: str | Path) -> str:
    """A model file's text (UTF-8, a leading byte-order mark dropped), or a ModelError."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ModelError(f"cannot read the file: {exc.strerror}", source=str(p)) from None
    except UnicodeDecodeError:
        raise ModelError("the file is not UTF-8 text", source=str(p)) from None
YAML_SUFFIXES = (".yaml", ".yml")


def load_model(path: str | Path) -> Conflict:
    """Load a model file, choosing the format by its suffix (.yaml/.yml or .gmcr/.json)."""
    p = Path(path)
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
    """Write a model file in the format its suffix names."""
    p = Path(path)
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
