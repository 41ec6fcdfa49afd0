"""``detente validate FILE``: check a model file and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.model.errors import DetenteError, error_data
from detente.surfaces.cli.output import (
    EXIT_INPUT,
    MODEL_PANEL,
    FormatOption,
    OutputFormat,
    error,
    load_conflict,
    print_json,
)

EXAMPLE = "Example: `detente validate examples/elmira.yaml --format json`"


def validate(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Check a model file: options, decision makers, infeasible states and preferences.

    Prints "OK: NAME: N options, M decision makers, K feasible states", or the first problem
    with its file, line and field, and exits with status 2.
    """
    if fmt is OutputFormat.text:
        c = load_conflict(file)
        typer.echo(
            f"OK: {c.name}: {len(c.space.columns)} options, {len(c.dms)} decision makers, "
            f"{c.n_states} feasible states"
        )
        return
    try:
        c = load_conflict(file)
    except DetenteError as exc:
        print_json({"ok": False, "file": str(file), "error": error_data(exc)})
        error(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    print_json(
        {
            "ok": True,
            "file": str(file),
            "name": c.name,
            "options": len(c.space.columns),
            "decision_makers": len(c.dms),
            "feasible_states": c.n_states,
            "candidate_states": c.space.candidate_states,
        }
    )


def register(app: typer.Typer) -> None:
    app.command("validate", rich_help_panel=MODEL_PANEL, epilog=EXAMPLE)(validate)

