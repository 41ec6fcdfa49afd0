"""``detente convert IN OUT``: translate a model between the native YAML and GMCR+ files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from detente.formats import GMCR_SUFFIXES, YAML_SUFFIXES, load_model, save_model
from detente.model.conflict import Conflict
from detente.surfaces.cli.output import (
    EXIT_FAILED,
    MODEL_PANEL,
    CliError,
    load_conflict,
    note,
    warn,
)

EXAMPLE = "Example: `detente convert examples/elmira.yaml elmira.gmcr`"


def convert(
    source: Annotated[Path, typer.Argument(metavar="IN", help="Model file to read.")],
    target: Annotated[
        Path, typer.Argument(metavar="OUT", help="File to write; its suffix picks the format.")
    ],
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite OUT if it exists.")
    ] = False,
) -> None:
    """Convert a model between the native YAML file (.yaml, .yml) and GMCR+ (.gmcr, .json).

    The written file is read back and checked: if it does not give the same options,
    feasible states, preferences and status quo, a warning names what differs and the exit
    status is 1. Comments in a YAML file are not carried over, and GMCR+ files keep no status
    quo, deal, sources or rationales.
    """
    known = YAML_SUFFIXES + GMCR_SUFFIXES
    if target.suffix.lower() not in known:
        raise CliError(
            f"cannot tell the format of '{target}' from its suffix; expected one of "
            f"{', '.join(known)}"
        )
    if target.exists() and target.resolve() == source.resolve():
        raise CliError(f"IN and OUT are the same file: '{source}'")
    if target.exists() and not force:
        raise CliError(f"'{target}' exists; use --force to overwrite it")
    conflict = load_conflict(source)
    save_model(conflict, target)
    note(f"Wrote {target}")
    written = load_model(target)
    if conflict.status_quo is not None and written.status_quo is None:
        # GMCR+ files have no place for a status quo; that is a limit of the format, not a bug.
        warn(f"the status quo is not kept: the {target.suffix} format cannot hold one")
        written = replace(written, status_quo=conflict.status_quo)
    if conflict.deal is not None and written.deal is None:
        warn(f"the deal is not kept: the {target.suffix} format cannot hold one")
    problems = differences(conflict, written)
    if problems:
        warn(f"'{target}' does not reproduce '{source}': " + "; ".join(problems))
        raise typer.Exit(EXIT_FAILED)


def differences(a: Conflict, b: Conflict) -> list[str]:
    """What differs between two models, as far as an analysis is concerned."""
    out: list[str] = []
    if a.option_names != b.option_names:
        return [f"options {list(a.option_names)} became {list(b.option_names)}"]
    if a.dm_names != b.dm_names:
        return [f"decision makers {list(a.dm_names)} became {list(b.dm_names)}"]
    if [d.options for d in a.dms] != [d.options for d in b.dms]:
        out.append("decision makers control different options")
    if [o.direction for o in a.options] != [o.direction for o in b.options]:
        out.append("option directions differ")
    if not np.array_equal(a.feasible, b.feasible):
        out.append(f"{a.n_states} feasible states became {b.n_states}")
    elif not np.array_equal(a.ranks, b.ranks):
        changed = [
            a.dm_names[i] for i in range(len(a.dms)) if not np.array_equal(a.ranks[i], b.ranks[i])
        ]
        out.append(f"preferences of {', '.join(changed)} differ")
    if a.status_quo != b.status_quo:
        out.append("the status quo differs")
    return out


def register(app: typer.Typer) -> None:
    app.command("convert", rich_help_panel=MODEL_PANEL, epilog=EXAMPLE)(convert)
