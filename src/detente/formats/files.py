"""Model files on disk: reading their text (size-capped, regular files only) and writing it
atomically (loading or saving a model by suffix: :mod:`detente.formats.model_files`)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from detente._files import file_mode
from detente.model.errors import ModelError
from detente.model.limits import format_bytes, parse_bytes

__all__ = [
    "MAX_FILE_BYTES", "check_writable", "file_mode", "max_file_bytes", "read_text", "write_atomic",
]


#: Largest model file read (override with DETENTE_MAX_FILE, e.g. ``256MiB``).
MAX_FILE_BYTES = 64 * 2**20


def max_file_bytes() -> int:
    """The size cap on model files: DETENTE_MAX_FILE if set, else :data:`MAX_FILE_BYTES`."""
    env = os.environ.get("DETENTE_MAX_FILE", "").strip()
    if env:
        try:
            return parse_bytes(env)
        except ValueError:
            raise ModelError(f"DETENTE_MAX_FILE: cannot read a size from {env!r}; expected e.g. "
                             "256MiB") from None
    return MAX_FILE_BYTES


def read_text(path: str | Path) -> str:
    """A model file's text (UTF-8, a leading byte-order mark dropped), or a ModelError.

    Only regular files are read (a FIFO or a device such as /dev/zero is refused before it is
    opened), and only up to :func:`max_file_bytes`.
    """
    p = Path(path)
    try:
        info = p.stat()
    except OSError as exc:
        raise ModelError(f"cannot read the file: {exc.strerror}", source=str(p)) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise ModelError(f"cannot read the file: {exc}", source=str(p)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ModelError("is a directory; expected a model file", source=str(p))
    if not stat.S_ISREG(info.st_mode):
        raise ModelError("not a regular file (a pipe, socket or device); expected a model file",
                         source=str(p))
    cap = max_file_bytes()
    if info.st_size > cap:
        raise ModelError(
            f"the file is {format_bytes(info.st_size)}, more than the {format_bytes(cap)} a model "
            "file may have (set DETENTE_MAX_FILE to change the limit)", source=str(p))
    try:
        with p.open("rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise ModelError(f"cannot read the file: {exc.strerror}", source=str(p)) from None
    if len(data) > cap:  # grew while we read it
        raise ModelError(f"the file is larger than {format_bytes(cap)}", source=str(p))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ModelError("the file is not UTF-8 text", source=str(p), line=line) from None


def check_writable(path: str | Path) -> Path:
    """The folder ``path`` would be written into; a ModelError naming the path when the folder
    is missing or ``path`` is a directory (callers check before long work)."""
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(f"cannot write the file: the folder '{folder}' does not exist",
                         source=str(p))
    if p.is_dir():
        raise ModelError("cannot write the file: it is a directory", source=str(p))
    return folder


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8; or bytes as they are) to ``path`` through a temporary file and
    a rename.

    Either the whole new file is there afterwards, or the old one (or none) is: never half of
    one. A missing folder or an unwritable place is a ModelError naming the path.
    """
    p = Path(path)
    folder = check_writable(p)
    data = text if isinstance(text, bytes) else text.encode("utf-8", errors="strict")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelError(f"cannot write the file: {exc.strerror}", source=str(p)) from None
    try:
        os.chmod(tmp, file_mode(p))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ModelError(f"cannot write the file: {exc.strerror}", source=str(p)) from None


