"""``detente schema``: the JSON Schema of the native model file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.surfaces.cli.output import MODEL_PANEL, note, print_json

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    pass

EXAMPLE = "Example: `detente schema -o detente-model.schema.json`"


def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the schema to this file instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the native YAML model file.

    Point your editor's YAML language server at it for completion and checking as you type.
    """
    from detente.formats.spec import json_schema

    data = json_schema()
    if output is None:
        print_json(data)
        return
    output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    note(f"Wrote {output}")


def register(app: typer.Typer) -> None:
    app.command("schema", rich_help_panel=MODEL_PANEL, epilog=EXAMPLE)(schema)
