"""``detente convert IN OUT``: translate a model between the native YAML and GMCR+ files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.model.errors import DetenteError
from detente.surfaces.cli.output import (
    EXIT_FAILED,
    MODEL_PANEL,
    CliError,
    load_conflict,
    note,
    warn,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from detente.model.conflict import Conflict

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

    What the target format cannot hold is left out, and a warning names each omission
    (GMCR+ files keep no status quo, deal, uncertain preferences, sources, rationales,
    descriptions or statement wording, and one partition of the decision makers, so an
    overlapping coalition is dropped).
    The new file is written to a temporary file beside OUT and read back: if it does not give
    the same options, feasible states and preferences, a warning names what differs, nothing
    is written and the exit status is 1; otherwise it is renamed to OUT. Comments in a YAML
    file are not carried over.
    """
    from detente.formats import (
        GMCR_SUFFIXES,
        YAML_SUFFIXES,
        dumps_model,
        file_mode,
        load_model,
        omissions,
    )

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
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"cannot write '{target}': the folder '{folder}' does not exist")
    conflict = load_conflict(source)
    text = dumps_model(conflict, target.suffix)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
    tmp = Path(name)
    try:
        os.chmod(tmp, file_mode(target))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            written = load_model(tmp)
        except DetenteError as exc:
            warn(f"'{target}' was not written: the converted model does not read back ({exc})")
            raise typer.Exit(EXIT_FAILED) from None
        lost = omissions(conflict, target.suffix)
        if conflict.status_quo is not None and written.status_quo is None:
            written = replace(written, status_quo=conflict.status_quo)  # said in `lost`
        problems = differences(conflict, written)
        if problems:
            warn(f"'{target}' was not written: the converted model does not reproduce "
                 f"'{source}': " + "; ".join(problems))
            raise typer.Exit(EXIT_FAILED)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    note(f"Wrote {target}")
    for item in lost:
        warn(f"not kept in {target.name}: {item}, which the {target.suffix} format cannot hold")


def differences(a: Conflict, b: Conflict) -> list[str]:
    """What differs between two models, as far as an analysis is concerned."""
    import numpy as np

    from detente.formats.gmcr.builder import identifier

    def named(names: tuple[str, ...]) -> list[str]:  # as a .gmcr file reads them back
        return [identifier(n, n) for n in names]  # e.g. a level's bit 'x>=hi' → 'x_hi'

    out: list[str] = []
    if named(a.option_names) != named(b.option_names):
        return [f"options {list(a.option_names)} became {list(b.option_names)}"]
    if a.dm_names != b.dm_names:
        return [f"decision makers {list(a.dm_names)} became {list(b.dm_names)}"]
    if [named(d.options) for d in a.dms] != [named(d.options) for d in b.dms]:
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
