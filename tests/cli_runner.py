"""One way for every test to run the ``detente`` command line in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from detente.surfaces.cli.app import app


def runner() -> CliRunner:
    """A CliRunner that keeps stderr apart from stdout on every click version."""
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def run(*args: str | Path) -> Any:
    """Invoke ``detente ARGS...`` and return click's Result."""
    return runner().invoke(app, [str(a) for a in args])
