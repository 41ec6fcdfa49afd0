"""Model file formats: the native YAML file (``native``) and GMCR+ ``.gmcr`` JSON (``gmcr``),
each as a reader (text → data), a builder (data → model) and a writer (model → text); ``files``
loads and saves either by suffix."""

from __future__ import annotations

from detente.formats.files import (
    GMCR_SUFFIXES,
    YAML_SUFFIXES,
    dumps_model,
    file_mode,
    load_model,
    omissions,
    read_text,
    save_model,
    write_atomic,
)

__all__ = ["GMCR_SUFFIXES", "YAML_SUFFIXES", "dumps_model", "file_mode", "load_model",
           "omissions", "read_text", "save_model", "write_atomic"]
