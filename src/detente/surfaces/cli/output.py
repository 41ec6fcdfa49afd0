"""Shared helpers of the ``detente`` commands: consoles, JSON output, loading, error handling.

Every command should
- load models with :func:`load_conflict` (clear message for a missing file);
- take ``fmt: FormatOption = OutputFormat.text`` if it has a machine-readable form, and then
  write *only* :func:`print_json` output to stdout;
- raise :class:`~detente.model.errors.DetenteError` (or :class:`CliError`) for bad input:
  :class:`DetenteGroup` prints it in red on stderr, without a traceback, and exits with 2.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.text import Text
from typer.core import TyperGroup

from detente.model.errors import AnalysisError, ArgumentError, DetenteError

if TYPE_CHECKING:  # imported where used: the command line starts without numpy or pandas
    import numpy as np

    from detente.model.conflict import Conflict

#: Exit codes of every command.
EXIT_OK = 0
EXIT_FAILED = 1  # the command ran, but its check failed (e.g. a lossy conversion)
EXIT_INPUT = 2  # bad input: invalid model, missing file, unknown option, bad arguments

MODEL_PANEL = "Model files"
ANALYSIS_PANEL = "Analysis"
REPORT_PANEL = "Reports"


class CliError(DetenteError):
    """Bad input detected by the command line itself (e.g. a missing file)."""


class OutputFormat(StrEnum):
    """How a command prints its result."""

    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="text (for people) or json (for programs: only JSON on stdout).",
    ),
]

#: ``--output FILE`` of the commands that also write the state table (parquet / csv).
TableFileOption = Annotated[
    Path | None,
    typer.Option("--output", "-o",
                 help="File for --format parquet or csv (also json: then not stdout)."),
]


CoalitionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--coalition", "-c", metavar="A,B",
        help="A coalition whose joint improvements count too: DM names joined by commas. "
        "Repeat for several.",
    ),
]


def split_coalitions(values: list[str] | None) -> list[list[str]]:
    """``['A,B', 'B, C']`` -> ``[['A', 'B'], ['B', ' C']]``: names as typed (blank ones
    dropped). Spaces around a name are not stripped here but in the one lookup of coalition
    members, :func:`detente.analyses.coalitions.result.dm_position`, which tries the exact name
    first, so a model whose DMs differ only by such spaces can still name each."""
    return [[n for n in v.split(",") if n.strip()] for v in values or []]


def stdout_console() -> Console:
    """A console on the current stdout (looked up per call, so test runners can capture it).

    When stdout is not a terminal, long lines are not wrapped, so that output stays greppable.
    """
    console = Console(file=sys.stdout, highlight=False)
    console.soft_wrap = not console.is_terminal
    return console


def stderr_console() -> Console:
    """A console on the current stderr, for messages and errors."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


#: The widest that :func:`print_wide` widens a console to (cells).
WIDEST = 10_000


def print_wide(console: Console, renderable: RenderableType) -> None:
    """Print without squeezing: when stdout is not a terminal, widen to the content's width.

    Without colour, borderless tables are laid out by :mod:`.plain_table` (the same text,
    without rich's per-cell cost)."""
    if console.is_terminal:
        console.print(renderable)
        return
    if console.color_system is None and not console.record:
        from rich.table import Table

        from detente.surfaces.cli import plain_table

        lines = plain_table.plain_lines(renderable, WIDEST) if isinstance(
            renderable, Table) else None
        if lines is not None:
            console.print(plain_table.PlainLines(lines), crop=False)
            return
    needed = console.measure(renderable, options=console.options.update_width(WIDEST)).maximum
    width = console.width
    console.width = max(width, needed)  # print(width=...) alone is capped at the console width
    try:
        console.print(renderable, crop=False)
    finally:
        console.width = width


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (and nothing else)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def write_json_chunks(chunks: Iterable[str], path: Path | None = None) -> None:
    """Write JSON text given in chunks to stdout (and nothing else), or to ``path`` through a
    temporary file renamed at the end; memory stays at one chunk."""
    if path is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return
    import tempfile

    from detente.formats import file_mode

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"cannot write '{path}': the folder '{folder}' does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(name, file_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.write("\n")
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def error(message: str) -> None:
    """Print an error message in red on stderr (no markup interpretation)."""
    stderr_console().print(Text("error: ", style="bold red") + Text(message, style="red"))


def warn(message: str) -> None:
    """Print a warning in yellow on stderr."""
    stderr_console().print(Text("warning: ", style="bold yellow") + Text(message, style="yellow"))


def note(message: str) -> None:
    """A short progress/status line on stderr (keeps stdout clean for data)."""
    stderr_console().print(Text(message))


def load_conflict(path: Path) -> Conflict:
    """Load a model file; a missing file or a directory is a :class:`CliError`."""
    if not path.exists():
        raise CliError(f"no such file: '{path}'")
    if path.is_dir():
        raise CliError(f"'{path}' is a directory; expected a model file (.yaml, .yml or .gmcr)")
    from detente.analyses.references import check_references
    from detente.formats import load_model

    return check_references(load_model(path))


def display_ranks(conflict: Conflict) -> np.ndarray:
    """Preference ranks for people: 1 = most preferred, ties share a rank (DMs x states)."""
    from detente.analyses.stability import display_ranks as rank_for_people

    return rank_for_people(conflict.ranks)


class DetenteGroup(TyperGroup):
    """The command group: turns every :class:`DetenteError` into a red message and exit 2.

    Set the environment variable ``DETENTE_DEBUG=1`` to get the traceback instead.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # e.g. `detente analyze ... | head`: the reader has enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(EXIT_OK) from None
        except (DetenteError, OSError) as exc:
            if os.environ.get("DETENTE_DEBUG"):
                raise
            error(_describe(exc))
            raise typer.Exit(EXIT_INPUT) from None


#: The analyses' parameters (:mod:`detente.analyses.requests`) and the flag that sets each:
#: the one place the command line translates a parameter name into its own words.
FLAGS: dict[str, str] = {
    "concepts": "--concept", "horizon": "--horizon", "samples": "--samples", "seed": "--seed",
    "exact": "--exact", "max_edits": "--max-edits", "limit": "--limit", "design": "--design",
    "reachable": "--reachable", "dms": "--dm", "target": "--target", "start": "--start",
    "coalitions": "--coalition", "all_coalitions": "--all", "offset": "--offset",
    "against": "--against",
}


def cli_words(text: str, parameter: str | None = None) -> str:
    """An analysis message with the parameter names it uses replaced by their flags:
    ``name must``, ``name=True``, ``name=N``, ``(name)`` and any use of a name with an
    underscore (``max_edits``); ``parameter`` (the :class:`ArgumentError`'s) also where
    the message starts with it.

    >>> cli_words("seed must be a whole number; use samples=5 or fewer")
    '--seed must be a whole number; use --samples 5 or fewer'
    >>> cli_words("exact=True enumerates; restrict which parties may change (dms)")
    '--exact enumerates; restrict which parties may change (--dm)'
    """
    import re

    for name, flag in FLAGS.items():
        text = re.sub(rf"(?<![\w-]){name}=True\b", flag, text)
        text = re.sub(rf"(?<![\w-]){name}=(?=\w)", flag + " ", text)
        text = re.sub(rf"\({name}\)", f"({flag})", text)
        text = re.sub(rf"(?<![\w-]){name}(?= must\b)", flag, text)
        if "_" in name:  # no word of prose: every use names the parameter
            text = re.sub(rf"(?<![\w-]){name}(?!\w)", flag, text)
        if name == parameter:
            text = re.sub(rf"^{name}(?![\w])", flag, text)
    return text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, DetenteError):
        where = f"'{exc.filename}': " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, AnalysisError):
        return cli_words(str(exc), exc.parameter if isinstance(exc, ArgumentError) else None)
    return str(exc)
