"""Model file formats: the native YAML file (``native``) and GMCR+ ``.gmcr`` JSON (``gmcr``),
each as a reader (text → data), a builder (data → model) and a writer (model → text); ``files``
reads and writes files, ``model_files`` loads and saves a model by suffix."""

from __future__ import annotations

from detente.formats.files import file_mode, read_text, write_atomic
from detente.formats.model_files import (
    GMCR_SUFFIXES,
    YAML_SUFFIXES,
    dumps_model,
    load_model,
    omissions,
    save_model,
)

__all__ = ["GMCR_SUFFIXES", "YAML_SUFFIXES", "dumps_model", "file_mode", "load_model",
           "omissions", "read_text", "save_model", "write_atomic"]
